/**
 * The broker side of the idempotent producer: the pure sequence check (the lab-02 seam), the
 * producer state kept by PartitionLog (duplicates answered with the original offsets, gaps and
 * old epochs refused, followers applying the leader's batches), its snapshot file in Kafka's
 * binary format, and its survival across restarts, leader changes and truncation.
 */
import { describe, expect, it } from "vitest";
import { Errors, crc32c } from "../src/protocol";
import {
  NUM_BATCHES_TO_RETAIN,
  ProducerStateEntry,
  decodeProducerSnapshot,
  defaultCheckSequence,
  encodeProducerSnapshot,
  logSeams,
  producerSnapshotFileName,
  type BatchMetadata,
  type PartitionLog,
} from "../src/log";
import { SimDisk } from "../src/sim/sim-disk";
import { SeededRng } from "../src/sim/rng";
import { DIR, batch, openLog, values } from "./log-helpers";

const PID = 4000;

function meta(firstSeq: number, lastSeq: number, firstOffset: number): BatchMetadata {
  return { firstSeq, lastSeq, firstOffset, lastOffset: firstOffset + lastSeq - firstSeq, timestamp: 1000 };
}

function state(epoch: number, batches: BatchMetadata[]): ProducerStateEntry {
  const e = new ProducerStateEntry(PID, epoch, 1000);
  for (const b of batches) e.addBatch(epoch, b);
  return e;
}

describe("defaultCheckSequence (the broker's idempotence check)", () => {
  const s = state(3, [meta(0, 4, 10), meta(5, 9, 15)]);
  const incoming = (producerEpoch: number, baseSequence: number, lastSequence: number) => ({
    producerId: PID,
    producerEpoch,
    baseSequence,
    lastSequence,
  });

  it("accepts the next sequence and, with no state, any sequence", () => {
    expect(defaultCheckSequence(s, incoming(3, 10, 12))).toEqual({ kind: "append" });
    expect(defaultCheckSequence(undefined, incoming(0, 77, 80))).toEqual({ kind: "append" });
  });

  it("answers an exact repeat of a remembered batch as a duplicate with its offsets", () => {
    const r = defaultCheckSequence(s, incoming(3, 0, 4));
    expect(r).toEqual({ kind: "duplicate", batch: meta(0, 4, 10) });
  });

  it("refuses a gap, and an overlapping batch that is not an exact repeat", () => {
    const gap = defaultCheckSequence(s, incoming(3, 11, 12));
    expect(gap.kind === "error" && gap.error).toBe(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
    const overlap = defaultCheckSequence(s, incoming(3, 3, 6));
    expect(overlap.kind === "error" && overlap.error).toBe(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it("refuses an older epoch and a new epoch that does not start at 0", () => {
    const old = defaultCheckSequence(s, incoming(2, 10, 10));
    expect(old.kind === "error" && old.error).toBe(Errors.INVALID_PRODUCER_EPOCH);
    const bad = defaultCheckSequence(s, incoming(4, 10, 10));
    expect(bad.kind === "error" && bad.error).toBe(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(defaultCheckSequence(s, incoming(4, 0, 3))).toEqual({ kind: "append" });
  });

  it("wraps from Integer.MAX_VALUE to 0", () => {
    const top = state(0, [meta(2147483640, 2147483647, 0)]);
    expect(defaultCheckSequence(top, incoming(0, 0, 5))).toEqual({ kind: "append" });
  });

  it("remembers only the last 5 batches", () => {
    const e = new ProducerStateEntry(PID, 0, 0);
    for (let i = 0; i < 7; i++) e.addBatch(0, meta(i * 2, i * 2 + 1, i * 2));
    expect(e.batches).toHaveLength(NUM_BATCHES_TO_RETAIN);
    expect(defaultCheckSequence(e, incoming(0, 0, 1)).kind).toBe("error"); // batch 1 of 7: forgotten
    expect(defaultCheckSequence(e, incoming(0, 4, 5)).kind).toBe("duplicate"); // batch 3 of 7: kept
  });
});

function idem(vals: string[], baseSequence: number, producerEpoch = 0): Uint8Array {
  return batch(vals, { producerId: PID, producerEpoch, baseSequence });
}

function leaderAppend(log: PartitionLog, bytes: Uint8Array) {
  return log.appendAsLeader(bytes, { now: 1000, leaderEpoch: 0 });
}

describe("PartitionLog producer state", () => {
  it("appends in sequence, answers a resend with the original offsets and appends nothing", () => {
    const log = openLog(new SimDisk());
    expect(leaderAppend(log, idem(["a", "b"], 0)).firstOffset).toBe(0);
    expect(leaderAppend(log, idem(["c"], 2)).firstOffset).toBe(2);
    const dup = leaderAppend(log, idem(["a", "b"], 0));
    expect(dup).toMatchObject({
      error: Errors.NONE,
      firstOffset: 0,
      lastOffset: 1,
      duplicate: true,
      numMessages: 0,
    });
    expect(log.logEndOffset).toBe(3);
    expect(values(log.read(0, 1 << 20).records).map((v) => v.value)).toEqual(["a", "b", "c"]);
  });

  it("refuses a gap and an old epoch without writing", () => {
    const log = openLog(new SimDisk());
    leaderAppend(log, idem(["a"], 0, 1));
    expect(leaderAppend(log, idem(["x"], 5, 1)).error).toBe(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(leaderAppend(log, idem(["y"], 1, 0)).error).toBe(Errors.INVALID_PRODUCER_EPOCH);
    expect(log.logEndOffset).toBe(1);
  });

  it("lets a follower learn the state, so a new leader recognises a resend", () => {
    const leader = openLog(new SimDisk());
    leaderAppend(leader, idem(["a"], 0));
    leaderAppend(leader, idem(["b"], 1));
    const follower = openLog(new SimDisk());
    follower.appendAsFollower(leader.read(0, 1 << 20).records, { now: 1000 });
    // Leadership moves to the follower; the producer resends batch 2 (its answer was lost).
    const r = follower.appendAsLeader(idem(["b"], 1), { now: 2000, leaderEpoch: 1 });
    expect(r).toMatchObject({ error: Errors.NONE, firstOffset: 1, duplicate: true });
    expect(follower.logEndOffset).toBe(2);
  });

  it("rebuilds the state by replaying the log after a crash (no snapshot)", () => {
    const disk = new SimDisk();
    const log = openLog(disk);
    for (let i = 0; i < 4; i++) leaderAppend(log, idem([`v${i}`], i));
    log.flush(1000);
    disk.crash();
    const reopened = openLog(disk);
    expect(reopened.producerStateLoad).toMatchObject({ snapshotOffset: undefined, batchesReplayed: 4 });
    expect(leaderAppend(reopened, idem(["v1"], 1))).toMatchObject({ firstOffset: 1, duplicate: true });
    expect(leaderAppend(reopened, idem(["v9"], 9)).error).toBe(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it("writes <offset20>.snapshot in Kafka's format on clean close and loads it without a replay", () => {
    const disk = new SimDisk();
    const log = openLog(disk);
    leaderAppend(log, idem(["a", "b", "c"], 0, 2));
    log.close(5000);
    const path = `${DIR}/${producerSnapshotFileName(3)}`;
    expect(producerSnapshotFileName(3)).toBe("00000000000000000003.snapshot");
    const bytes = disk.readAll(path);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(bytes.length).toBe(10 + 46);
    expect(dv.getInt16(0)).toBe(1); // version
    expect(dv.getUint32(2)).toBe(crc32c(bytes, 6, bytes.length)); // CRC-32C of bytes [6, end)
    expect(dv.getInt32(6)).toBe(1); // count
    expect(decodeProducerSnapshot(bytes)).toEqual([
      {
        producerId: PID,
        producerEpoch: 2,
        lastSequence: 2,
        lastOffset: 2,
        offsetDelta: 2,
        timestamp: 1000,
        coordinatorEpoch: -1,
        currentTxnFirstOffset: -1,
      },
    ]);
    const reopened = openLog(disk, {}, { hadCleanShutdown: true, recoveryPoint: 3 });
    expect(reopened.producerStateLoad).toMatchObject({ snapshotOffset: 3, batchesReplayed: 0 });
    expect(leaderAppend(reopened, idem(["a", "b", "c"], 0, 2))).toMatchObject({
      firstOffset: 0,
      duplicate: true,
    });
    expect(leaderAppend(reopened, idem(["d"], 3, 2)).firstOffset).toBe(3);
  });

  it("snapshots on segment roll and replays only what follows the snapshot", () => {
    const disk = new SimDisk();
    const log = openLog(disk, { segmentBytes: 200 });
    for (let i = 0; i < 8; i++) leaderAppend(log, idem([`value-${i}`.padEnd(40, "x")], i));
    expect(log.numberOfSegments).toBeGreaterThan(2);
    const snapshots = disk.list(DIR).filter((n) => n.endsWith(".snapshot"));
    expect(snapshots.length).toBe(log.numberOfSegments - 1);
    expect(snapshots).toContain(producerSnapshotFileName(log.activeSegmentBaseOffset));
    log.flush(1000);
    disk.crash();
    const reopened = openLog(disk, { segmentBytes: 200 });
    expect(reopened.producerStateLoad.snapshotOffset).toBe(reopened.activeSegmentBaseOffset);
    expect(reopened.producerStateLoad.batchesReplayed).toBe(8 - reopened.activeSegmentBaseOffset);
    expect(leaderAppend(reopened, idem(["value-7".padEnd(40, "x")], 7)).duplicate).toBe(true);
  });

  it("discards a corrupt snapshot and falls back to a replay", () => {
    const disk = new SimDisk();
    const log = openLog(disk);
    leaderAppend(log, idem(["a"], 0));
    leaderAppend(log, idem(["b"], 1));
    log.close(1000);
    const path = `${DIR}/${producerSnapshotFileName(2)}`;
    const bytes = disk.readAll(path);
    bytes[20] = bytes[20]! ^ 0xff;
    disk.truncate(path, 0);
    disk.append(path, bytes);
    const reopened = openLog(disk, {}, { hadCleanShutdown: true, recoveryPoint: 2 });
    expect(reopened.producerStateLoad.snapshotOffset).toBeUndefined();
    expect(reopened.producerStateLoad.discarded[0]).toMatch(/CRC mismatch/);
    expect(disk.exists(path)).toBe(false);
    expect(leaderAppend(reopened, idem(["a"], 0)).duplicate).toBe(true);
  });

  it("forgets state above a truncation point and drops snapshots above it", () => {
    const log = openLog(new SimDisk());
    leaderAppend(log, idem(["a"], 0));
    leaderAppend(log, idem(["b"], 1));
    leaderAppend(log, idem(["c"], 2));
    log.truncateTo(1, 2000);
    expect(log.logEndOffset).toBe(1);
    // Batch 2 is gone: its resend is new again, batch 3 now leaves a gap.
    expect(leaderAppend(log, idem(["c"], 2)).error).toBe(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(leaderAppend(log, idem(["b"], 1))).toMatchObject({ firstOffset: 1 });
    expect(log.logEndOffset).toBe(2);
  });

  it("survives power loss: whatever survives, a resend is never appended twice", () => {
    let duplicatesSeen = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const rng = new SeededRng(seed);
      const disk = new SimDisk();
      const log = openLog(disk, { segmentBytes: 300 });
      const n = 3 + rng.int(8);
      const v = (i: number) => `s${seed}-${i}`.padEnd(30, ".");
      for (let i = 0; i < n; i++) {
        leaderAppend(log, idem([v(i)], i));
        if (rng.chance(0.3)) log.flush(1000);
      }
      disk.powerLoss(rng);
      const reopened = openLog(disk, { segmentBytes: 300 });
      const end = reopened.logEndOffset;
      // Resend every batch, in order. A surviving batch is a duplicate (original offset), or, if
      // it is older than what the state remembers (a snapshot keeps only each producer's last
      // batch, as Kafka's), OUT_OF_ORDER_SEQUENCE_NUMBER; lost ones are appended again.
      for (let i = 0; i < n; i++) {
        const r = leaderAppend(reopened, idem([v(i)], i));
        const what = `seed ${seed} batch ${i} (log end ${end})`;
        if (i < end) {
          if (r.error === Errors.NONE) {
            expect(r, what).toMatchObject({ duplicate: true, firstOffset: i });
            duplicatesSeen++;
          } else {
            expect(r.error, what).toBe(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
          }
        } else {
          expect(r, what).toMatchObject({ error: Errors.NONE, firstOffset: i });
          expect(r.duplicate, what).toBeUndefined();
        }
      }
      const all: string[] = [];
      for (let at = 0; at < reopened.logEndOffset; at = all.length) {
        all.push(...values(reopened.read(at, 1 << 20).records).map((x) => x.value));
      }
      expect(all).toEqual(Array.from({ length: n }, (_, i) => v(i)));
    }
    expect(duplicatesSeen).toBeGreaterThan(0);
  });

  it("calls the checkSequence seam (a lab can swap it)", () => {
    const calls: number[] = [];
    const log = openLog(
      new SimDisk(),
      {},
      {
        seams: logSeams({
          checkSequence: (s, b) => {
            calls.push(b.baseSequence);
            return defaultCheckSequence(s, b);
          },
        }),
      },
    );
    leaderAppend(log, idem(["a"], 0));
    leaderAppend(log, idem(["a"], 0));
    expect(calls).toEqual([0, 0]);
  });

  it("round-trips snapshot entries and refuses a bad length", () => {
    const entries = [
      {
        producerId: 1,
        producerEpoch: 0,
        lastSequence: 9,
        lastOffset: 99,
        offsetDelta: 9,
        timestamp: 5,
        coordinatorEpoch: -1,
        currentTxnFirstOffset: -1,
      },
      {
        producerId: 2 ** 40,
        producerEpoch: 32767,
        lastSequence: 0,
        lastOffset: 7,
        offsetDelta: 0,
        timestamp: 6,
        coordinatorEpoch: -1,
        currentTxnFirstOffset: -1,
      },
    ];
    const bytes = encodeProducerSnapshot(entries);
    expect(decodeProducerSnapshot(bytes)).toEqual(entries);
    expect(() => decodeProducerSnapshot(bytes.subarray(0, 50))).toThrow(/CRC mismatch|does not match/);
  });
});
