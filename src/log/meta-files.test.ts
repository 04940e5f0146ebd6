import { describe, expect, it } from "vitest";
import { SimDisk } from "../sim/sim-disk";
import { SeededRng } from "../sim/rng";
import { CorruptCheckpointError } from "./checkpoint-file";
import {
  decodeMetaProperties,
  decodePartitionMetadata,
  isValidKafkaUuid,
  newKafkaUuid,
  readMetaProperties,
  readPartitionMetadata,
  writeMetaProperties,
  writePartitionMetadata,
} from "./meta-files";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe("Kafka Uuids", () => {
  it("are 22 URL-safe base64 characters, deterministic per seed, never starting with '-'", () => {
    const rng = new SeededRng(1);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = newKafkaUuid(rng);
      expect(isValidKafkaUuid(id), id).toBe(true);
      expect(id.startsWith("-")).toBe(false);
      seen.add(id);
    }
    expect(seen.size).toBe(2000);
    expect(newKafkaUuid(new SeededRng(7))).toBe(newKafkaUuid(new SeededRng(7)));
  });

  it("validates the form", () => {
    expect(isValidKafkaUuid("AAAAAAAAAAAAAAAAAAAAAA")).toBe(true); // ZERO_UUID is well-formed
    expect(isValidKafkaUuid("4fOPvRk7Rm2gkPXIPi2fdw")).toBe(true);
    expect(isValidKafkaUuid("4fOPvRk7Rm2gkPXIPi2fdx")).toBe(false); // 17th byte bits set
    expect(isValidKafkaUuid("4fOPvRk7Rm2gkPXIPi2fd")).toBe(false);
    expect(isValidKafkaUuid("4fOPvRk7Rm2gkPXIPi2f+w")).toBe(false);
  });
});

describe("meta.properties", () => {
  it("writes and reads version 1 (KRaft)", () => {
    const d = new SimDisk();
    d.mkdirs("logs");
    const m = {
      version: 1 as const,
      nodeId: 3,
      clusterId: "MkU3OEVBNTcwNTJENDM2Qg",
      directoryId: "4fOPvRk7Rm2gkPXIPi2fdw",
    };
    writeMetaProperties(d, "logs", m);
    expect(text(d.readAll("logs/meta.properties"))).toBe(
      "cluster.id=MkU3OEVBNTcwNTJENDM2Qg\ndirectory.id=4fOPvRk7Rm2gkPXIPi2fdw\nnode.id=3\nversion=1\n",
    );
    expect(readMetaProperties(d, "logs")).toEqual(m);
    expect(readMetaProperties(d, "")).toBeUndefined();
  });

  it("reads Java-written files with a date comment, and version 0", () => {
    const java =
      "#\n#Thu Oct 05 10:00:00 UTC 2023\nnode.id=1\ndirectory.id=4fOPvRk7Rm2gkPXIPi2fdw\nversion=1\ncluster.id=abc\n";
    expect(decodeMetaProperties("m", enc(java))).toEqual({
      version: 1,
      nodeId: 1,
      clusterId: "abc",
      directoryId: "4fOPvRk7Rm2gkPXIPi2fdw",
    });
    expect(decodeMetaProperties("m", enc("version=0\nbroker.id=5\n"))).toEqual({ version: 0, nodeId: 5 });
  });

  it("rejects malformed or incomplete files with the reason", () => {
    const bad: [string, RegExp][] = [
      ["version=1\nnode.id=1\n", /cluster.id is missing/],
      ["version=1\ncluster.id=c\n", /node.id is missing/],
      ["version=1\ncluster.id=c\nnode.id=-2\n", /node.id "-2"/],
      ["version=2\nnode.id=1\n", /unsupported version "2"/],
      ["node.id=1\n", /version is missing/],
      ["version=1\ngarbage line\n", /line 2: expected key=value/],
      ["version=1\ncluster.id=c\nnode.id=1\ndirectory.id=xyz\n", /directory.id "xyz"/],
    ];
    for (const [content, reason] of bad) {
      expect(() => decodeMetaProperties("logs/meta.properties", enc(content)), content).toThrow(reason);
      expect(() => decodeMetaProperties("logs/meta.properties", enc(content))).toThrow(
        CorruptCheckpointError,
      );
    }
  });
});

describe("partition.metadata", () => {
  it("writes `version: 0\\ntopic_id: <uuid>` and reads it back", () => {
    const d = new SimDisk();
    d.mkdirs("logs/orders-0");
    const topicId = newKafkaUuid(new SeededRng(3));
    writePartitionMetadata(d, "logs/orders-0", topicId);
    expect(text(d.readAll("logs/orders-0/partition.metadata"))).toBe(`version: 0\ntopic_id: ${topicId}`);
    expect(readPartitionMetadata(d, "logs/orders-0")).toBe(topicId);
    expect(readPartitionMetadata(d, "logs")).toBeUndefined();
  });

  it("rejects malformed files", () => {
    for (const content of [
      "",
      "version: 1\ntopic_id: 4fOPvRk7Rm2gkPXIPi2fdw",
      "version: 0\n",
      "version: 0\ntopic_id: nope",
    ]) {
      expect(() => decodePartitionMetadata("p", enc(content)), content).toThrow(CorruptCheckpointError);
    }
    expect(() => writePartitionMetadata(new SimDisk(), "", "bad")).toThrow(RangeError);
  });
});
