/**
 * KIP-966 Eligible Leader Replicas in the controller: the PartitionChangeBuilder rules
 * (partition-change.ts) and the broker lifecycle around them (cluster-control.ts), checked
 * against what Kafka's PartitionChangeBuilder / ReplicationControlManager do.
 */
import { describe, expect, it } from "vitest";
import { BrokerHeartbeats } from "../src/controller/broker-heartbeats";
import {
  effectiveMinIsr,
  fenceBroker,
  registerBroker,
  unfenceBroker,
  type ElectionSettings,
} from "../src/controller/cluster-control";
import { electLeader } from "../src/controller/election";
import {
  applyRecord,
  EMPTY_IMAGE,
  topicByName,
  type MetadataImage,
  type PartitionRegistration,
} from "../src/controller/metadata-image";
import type { MetadataRecord } from "../src/controller/metadata-records";
import { buildPartitionChange, type PartitionChangeContext } from "../src/controller/partition-change";

const where = { topicId: "t", topicName: "orders", partitionId: 0 };
const elrCtx = (live: number[], more: Partial<PartitionChangeContext> = {}): PartitionChangeContext => ({
  liveBrokers: new Set(live),
  uncleanLeaderElectionEnable: false,
  electLeader,
  eligibleLeaderReplicasEnabled: true,
  minIsr: 2,
  ...more,
});
const part = (
  p: Partial<PartitionRegistration> & { isr: number[]; leader: number },
): PartitionRegistration => ({
  replicas: [1, 2, 3],
  leaderEpoch: 5,
  partitionEpoch: 9,
  ...p,
});

describe("PartitionChangeBuilder with ELR", () => {
  it("an ISR at or above min ISR has no ELR; shrinking below it moves the leaving member into the ELR", () => {
    expect(
      buildPartitionChange(where, part({ isr: [1, 2, 3], leader: 1 }), [1, 2], elrCtx([1, 2, 3])),
    ).toEqual({ type: "PartitionChangeRecord", topicId: "t", partitionId: 0, isr: [1, 2], leader: -2 });
    expect(buildPartitionChange(where, part({ isr: [1, 2], leader: 1 }), [1], elrCtx([1, 2, 3]))).toEqual({
      type: "PartitionChangeRecord",
      topicId: "t",
      partitionId: 0,
      isr: [1],
      leader: -2,
      eligibleLeaderReplicas: [2],
    });
  });

  it("the ISR may empty: the last member joins the ELR, the partition loses its leader and remembers it", () => {
    const p = part({ isr: [1], elr: [2], leader: 1 });
    expect(buildPartitionChange(where, p, [], elrCtx([3]))).toEqual({
      type: "PartitionChangeRecord",
      topicId: "t",
      partitionId: 0,
      isr: [],
      leader: -1,
      eligibleLeaderReplicas: [2, 1],
      lastKnownElr: [1],
    });
  });

  it("without ELR the same change keeps the last member in the ISR (the pre-KIP-966 record, byte for byte)", () => {
    const p = part({ isr: [1], leader: 1 });
    const off = { liveBrokers: new Set([3]), uncleanLeaderElectionEnable: false, electLeader };
    expect(buildPartitionChange(where, p, [], off)).toEqual({
      type: "PartitionChangeRecord",
      topicId: "t",
      partitionId: 0,
      isr: null,
      leader: -1,
    });
    expect(Object.keys(buildPartitionChange(where, p, [], off)!)).toEqual([
      "type",
      "topicId",
      "partitionId",
      "isr",
      "leader",
    ]);
  });

  it("with an empty ISR, a live ELR member is elected cleanly: ISR = [it], it leaves the ELR, the last known leader is cleared", () => {
    const p = part({ isr: [], elr: [2, 1], leader: -1, lastKnownElr: [1] });
    expect(buildPartitionChange(where, p, [], elrCtx([2, 3]))).toEqual({
      type: "PartitionChangeRecord",
      topicId: "t",
      partitionId: 0,
      isr: [2],
      leader: 2,
      eligibleLeaderReplicas: [1],
      lastKnownElr: [],
    });
  });

  it("a fenced ELR member is not elected, and stays in the ELR", () => {
    const p = part({ isr: [], elr: [2, 1], leader: -1, lastKnownElr: [1] });
    expect(buildPartitionChange(where, p, [], elrCtx([3]))).toBeNull();
  });

  it("an ISR back at min ISR empties the ELR", () => {
    const p = part({ isr: [2], elr: [1], leader: 2 });
    expect(buildPartitionChange(where, p, [2, 3], elrCtx([1, 2, 3]))).toEqual({
      type: "PartitionChangeRecord",
      topicId: "t",
      partitionId: 0,
      isr: [2, 3],
      leader: -2,
      eligibleLeaderReplicas: [],
    });
  });

  it("a replica that restarted after an unclean shutdown leaves the ELR", () => {
    const p = part({ isr: [], elr: [2, 1], leader: -1, lastKnownElr: [1] });
    expect(buildPartitionChange(where, p, [], elrCtx([3], { uncleanShutdownReplicas: [2] }))).toEqual({
      type: "PartitionChangeRecord",
      topicId: "t",
      partitionId: 0,
      isr: null,
      leader: -2,
      eligibleLeaderReplicas: [1],
    });
  });

  it("ISR and ELR empty: Kafka elects the last known leader once it is unfenced (unclean: ISR = [it]); electLastKnownLeader=false keeps the partition offline", () => {
    const p = part({ isr: [], elr: [], leader: -1, lastKnownElr: [1] });
    expect(buildPartitionChange(where, p, [], elrCtx([2, 3]))).toBeNull(); // 1 still fenced
    expect(buildPartitionChange(where, p, [], elrCtx([1, 2, 3]))).toEqual({
      type: "PartitionChangeRecord",
      topicId: "t",
      partitionId: 0,
      isr: [1],
      leader: 1,
      lastKnownElr: [],
    });
    expect(buildPartitionChange(where, p, [], elrCtx([1, 2, 3], { electLastKnownLeader: false }))).toBeNull();
  });

  it("an unclean election (unclean.leader.election.enable) clears the ELR", () => {
    const p = part({ isr: [1], elr: [2], leader: 1 });
    expect(buildPartitionChange(where, p, [], elrCtx([3], { uncleanLeaderElectionEnable: true }))).toEqual({
      type: "PartitionChangeRecord",
      topicId: "t",
      partitionId: 0,
      isr: [3],
      leader: 3,
      eligibleLeaderReplicas: [],
    });
  });

  it("refuses to track an ELR without a valid min ISR", () => {
    const p = part({ isr: [1, 2], leader: 1 });
    expect(() => buildPartitionChange(where, p, [1], elrCtx([1], { minIsr: 0 }))).toThrow(/valid min ISR/);
  });
});

describe("the metadata image keeps the ELR", () => {
  it("applies eligibleLeaderReplicas and lastKnownElr, and refuses an ELR that overlaps the ISR", () => {
    let image = cluster(3);
    image = applyRecord(image, { type: "TopicRecord", name: "orders", topicId: "t" });
    image = applyRecord(image, {
      type: "PartitionRecord",
      partitionId: 0,
      topicId: "t",
      replicas: [1, 2, 3],
      isr: [1],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
      eligibleLeaderReplicas: [2],
    });
    expect(topicByName(image, "orders")!.partitions[0]).toMatchObject({ isr: [1], elr: [2] });
    const next = applyRecord(image, {
      type: "PartitionChangeRecord",
      topicId: "t",
      partitionId: 0,
      isr: [],
      leader: -1,
      eligibleLeaderReplicas: [2, 1],
      lastKnownElr: [1],
    });
    expect(topicByName(next, "orders")!.partitions[0]).toMatchObject({
      isr: [],
      leader: -1,
      elr: [2, 1],
      lastKnownElr: [1],
      leaderEpoch: 1,
      partitionEpoch: 1,
    });
    expect(() =>
      applyRecord(image, {
        type: "PartitionChangeRecord",
        topicId: "t",
        partitionId: 0,
        isr: [1, 2],
        leader: -2,
      }),
    ).toThrow(/ELR \[2\] overlaps the ISR/);
    expect(() =>
      applyRecord(image, {
        type: "PartitionChangeRecord",
        topicId: "t",
        partitionId: 0,
        isr: [],
        leader: -2,
      }),
    ).toThrow(/empty ISR with a leader/);
  });
});

// --- The broker lifecycle with ELR ---------------------------------------------------------------

const ELR: ElectionSettings = {
  electLeader,
  uncleanLeaderElectionEnable: false,
  eligibleLeaderReplicasEnabled: true,
  minInsyncReplicas: 2,
};
const apply = (image: MetadataImage, records: MetadataRecord[]): MetadataImage =>
  records.reduce(applyRecord, image);

/** Brokers 1..n registered (epoch = 10 + id) and unfenced. */
function cluster(n: number): MetadataImage {
  const records: MetadataRecord[] = [];
  for (let id = 1; id <= n; id++) {
    records.push({
      type: "RegisterBrokerRecord",
      brokerId: id,
      incarnationId: `inc-${id}`,
      brokerEpoch: 10 + id,
      endPoints: [],
      rack: null,
      fenced: true,
    });
    records.push({ type: "UnfenceBrokerRecord", id, epoch: 10 + id });
  }
  return apply(EMPTY_IMAGE, records);
}

function withPartition(image: MetadataImage, isr: number[], leader: number): MetadataImage {
  return apply(image, [
    { type: "TopicRecord", name: "orders", topicId: "t" },
    {
      type: "PartitionRecord",
      partitionId: 0,
      topicId: "t",
      replicas: [1, 2, 3],
      isr,
      leader,
      leaderEpoch: 0,
      partitionEpoch: 0,
    },
  ]);
}
const p0 = (image: MetadataImage) => topicByName(image, "orders")!.partitions[0]!;

function reRegister(image: MetadataImage, brokerId: number, previousBrokerEpoch: number): MetadataImage {
  const r = registerBroker(
    image,
    {
      brokerId,
      clusterId: "c",
      incarnationId: `inc-${brokerId}-again`,
      listeners: [],
      rack: null,
      previousBrokerEpoch,
    },
    {
      clusterId: "c",
      newBrokerEpoch: 100 + brokerId,
      heartbeats: new BrokerHeartbeats(),
      nowMs: 0,
      election: ELR,
    },
  );
  expect(r.response.errorCode).toBe(0);
  return apply(image, r.records);
}

describe("broker lifecycle with ELR (cluster-control.ts)", () => {
  it("effective min ISR: the topic's min.insync.replicas or the default, capped by the replication factor", () => {
    const image = withPartition(cluster(3), [1, 2, 3], 1);
    const topic = topicByName(image, "orders")!;
    expect(effectiveMinIsr(topic, ELR)).toBe(2);
    expect(effectiveMinIsr(topic, { ...ELR, minInsyncReplicas: 5 })).toBe(3);
    expect(effectiveMinIsr({ ...topic, configs: new Map([["min.insync.replicas", "1"]]) }, ELR)).toBe(1);
  });

  it("fencing the ISR down to nothing fills the ELR; a fenced ELR member stays; the first to return leads", () => {
    let image = withPartition(cluster(3), [1, 2], 1); // 3 out of sync
    image = apply(image, fenceBroker(image, 2, ELR));
    expect(p0(image)).toMatchObject({ isr: [1], leader: 1, elr: [2] });
    image = apply(image, fenceBroker(image, 1, ELR));
    expect(p0(image)).toMatchObject({ isr: [], leader: -1, elr: [2, 1], lastKnownElr: [1] });
    // Broker 3 (alive, never eligible) is not elected: no unclean election.
    image = apply(image, unfenceBroker(image, 3, ELR));
    expect(p0(image).leader).toBe(-1);
    // Broker 2 restarts cleanly (previousBrokerEpoch = its epoch 12): it stays eligible and leads once unfenced.
    image = reRegister(image, 2, 12);
    expect(p0(image)).toMatchObject({ elr: [2, 1] });
    image = apply(image, unfenceBroker(image, 2, ELR));
    expect(p0(image)).toMatchObject({ isr: [2], leader: 2, elr: [1] });
    expect(p0(image).lastKnownElr).toBeUndefined();
  });

  it("a broker back from an unclean shutdown (previousBrokerEpoch -1 or another epoch) leaves every ISR and ELR", () => {
    let image = withPartition(cluster(3), [1, 2], 1);
    image = apply(image, fenceBroker(image, 2, ELR));
    image = apply(image, fenceBroker(image, 1, ELR));
    expect(p0(image)).toMatchObject({ isr: [], elr: [2, 1] });
    image = reRegister(image, 2, -1);
    expect(p0(image)).toMatchObject({ isr: [], leader: -1, elr: [1] });
    image = reRegister(image, 1, 999);
    expect(p0(image)).toMatchObject({ isr: [], leader: -1, lastKnownElr: [1] });
    expect(p0(image).elr).toBeUndefined();
  });

  it("an unclean restart of an ISR member removes it from the ISR too (and it may not lead)", () => {
    let image = withPartition(cluster(3), [1, 2, 3], 1);
    const before = p0(image);
    // Broker 1's session expired without a fence yet: the registration fences it first, then strips it.
    image = reRegister(image, 1, -1);
    expect(p0(image)).toMatchObject({ isr: [2, 3], leader: 2 });
    expect(p0(image).leaderEpoch).toBe(before.leaderEpoch + 1);
  });

  it("with ELR off, previousBrokerEpoch changes nothing (the records are those of Kafka without KIP-966)", () => {
    const off: ElectionSettings = { electLeader, uncleanLeaderElectionEnable: false };
    let image = withPartition(cluster(3), [1, 2], 1);
    image = apply(image, fenceBroker(image, 2, off));
    image = apply(image, fenceBroker(image, 1, off));
    expect(p0(image)).toEqual({
      replicas: [1, 2, 3],
      isr: [1],
      leader: -1,
      leaderEpoch: 1,
      partitionEpoch: 2,
    });
    const r = (prev: number) =>
      registerBroker(
        image,
        {
          brokerId: 1,
          clusterId: "c",
          incarnationId: "x",
          listeners: [],
          rack: null,
          previousBrokerEpoch: prev,
        },
        { clusterId: "c", newBrokerEpoch: 200, heartbeats: new BrokerHeartbeats(), nowMs: 0, election: off },
      ).records;
    expect(r(-1)).toEqual(r(11));
    expect(r(-1).map((x) => x.type)).toEqual(["RegisterBrokerRecord"]);
  });
});
