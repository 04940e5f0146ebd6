import { describe, expect, it } from "vitest";
import { SimDisk } from "../sim/sim-disk";
import { SeededRng } from "../sim/rng";
import { CorruptCheckpointError } from "./checkpoint-file";
import {
  LOG_START_OFFSET_CHECKPOINT,
  RECOVERY_POINT_OFFSET_CHECKPOINT,
  REPLICATION_OFFSET_CHECKPOINT,
  readOffsetCheckpoint,
  writeOffsetCheckpoint,
} from "./offset-checkpoint";

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe("offset checkpoints", () => {
  it("writes version 0 entries `topic partition offset`, sorted, and reads them back", () => {
    const d = new SimDisk();
    d.mkdirs("data");
    const offsets = new Map([
      ["orders-10", 5],
      ["orders-2", 1200],
      ["my-topic-0", 0],
    ]);
    writeOffsetCheckpoint(d, "data", RECOVERY_POINT_OFFSET_CHECKPOINT, offsets);
    expect(text(d.readAll("data/recovery-point-offset-checkpoint"))).toBe(
      "0\n3\nmy-topic 0 0\norders 2 1200\norders 10 5\n",
    );
    expect(readOffsetCheckpoint(d, "data", RECOVERY_POINT_OFFSET_CHECKPOINT)).toEqual(offsets);
  });

  it("is durable once written (atomic write), even through a power loss", () => {
    const d = new SimDisk();
    d.mkdirs("data");
    d.fsyncDir("");
    writeOffsetCheckpoint(d, "data", REPLICATION_OFFSET_CHECKPOINT, new Map([["t-0", 42]]));
    d.powerLoss(new SeededRng(3), "lose");
    expect(readOffsetCheckpoint(d, "data", REPLICATION_OFFSET_CHECKPOINT)).toEqual(new Map([["t-0", 42]]));
  });

  it("reads a missing file as empty, and a corrupt one as CorruptCheckpointError", () => {
    const d = new SimDisk();
    d.mkdirs("data");
    expect(readOffsetCheckpoint(d, "data", LOG_START_OFFSET_CHECKPOINT).size).toBe(0);
    const bad = [
      "0\n1\nt 0\n",
      "0\n1\nt -1 5\n",
      "0\n1\nt/x 0 5\n",
      "0\n1\nt 0 5.5\n",
      "0\n2\nt 0 5\n",
      "1\n0\n",
    ];
    for (const content of bad) {
      d.writeAt("data/log-start-offset-checkpoint", 0, new TextEncoder().encode(content));
      d.truncate("data/log-start-offset-checkpoint", content.length);
      expect(() => readOffsetCheckpoint(d, "data", LOG_START_OFFSET_CHECKPOINT), content).toThrow(
        CorruptCheckpointError,
      );
    }
  });

  it("refuses keys that are not <topic>-<partition>", () => {
    const d = new SimDisk();
    expect(() =>
      writeOffsetCheckpoint(d, "", REPLICATION_OFFSET_CHECKPOINT, new Map([["nodash", 1]])),
    ).toThrow();
    expect(() =>
      writeOffsetCheckpoint(d, "", REPLICATION_OFFSET_CHECKPOINT, new Map([["t-0", 1.5]])),
    ).toThrow(RangeError);
    expect(d.exists(REPLICATION_OFFSET_CHECKPOINT)).toBe(false);
  });
});
