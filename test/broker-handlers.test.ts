/**
 * The broker's request handlers end to end, on a simulated 3-broker cluster with a raw client:
 * every answer is exactly what a Kafka broker sends for the situation (error codes, hints,
 * offsets), including the auto-creation of topics by Metadata.
 */
import { describe, expect, it } from "vitest";
import {
  EARLIEST_TIMESTAMP,
  Errors,
  LATEST_TIMESTAMP,
  type CreateTopicsResponse,
  type FetchResponse,
  type ListOffsetsResponse,
  type MetadataResponse,
  type OffsetForLeaderEpochResponse,
  type ProduceResponse,
} from "../src/protocol";
import { TIMEOUT, batchOf, call, fetchBody, produceBody, recordsOf, startCluster } from "./cluster-harness";

const TOPIC = "orders";

async function cluster3(seed = 7, extra: { minIsr?: number; maxMessageBytes?: number } = {}) {
  return startCluster(seed, {
    brokers: 3,
    brokerConfig: {
      log: {
        minInsyncReplicas: extra.minIsr ?? 1,
        ...(extra.maxMessageBytes ? { maxMessageBytes: extra.maxMessageBytes } : {}),
      },
    },
    topics: [{ name: TOPIC, partitions: 2, replicationFactor: 3 }],
  });
}

function partitionOf(res: ProduceResponse) {
  return res.responses[0]!.partitionResponses[0]!;
}

describe("Produce (API 0)", () => {
  it("appends on the leader and answers the base offset; acks=all once the ISR has it", async () => {
    const { world, cluster } = await cluster3();
    const leader = cluster.leaderOf(TOPIC, 0)!;
    const r1 = await call<ProduceResponse>(
      world,
      leader,
      "Produce",
      produceBody(TOPIC, 0, batchOf(world, ["a", "b"]), -1),
    );
    expect(r1).not.toBe(TIMEOUT);
    expect(partitionOf(r1 as ProduceResponse)).toMatchObject({ errorCode: 0, baseOffset: 0 });
    const r2 = await call<ProduceResponse>(
      world,
      leader,
      "Produce",
      produceBody(TOPIC, 0, batchOf(world, ["c"]), 1),
    );
    expect(partitionOf(r2 as ProduceResponse)).toMatchObject({ errorCode: 0, baseOffset: 2 });
    const info = cluster.broker(leader)!.replicaManager.partitionInfo(TOPIC, 0)!;
    expect(info.logEndOffset).toBe(3);
  });

  it("answers NOT_LEADER_OR_FOLLOWER with the leader's id and epoch from a follower", async () => {
    const { world, cluster } = await cluster3();
    const leader = cluster.leaderOf(TOPIC, 0)!;
    const follower = cluster.brokerNodes.find((n) => n !== leader)!;
    const res = (await call<ProduceResponse>(
      world,
      follower,
      "Produce",
      produceBody(TOPIC, 0, batchOf(world, ["x"]), -1),
    )) as ProduceResponse;
    const p = partitionOf(res);
    expect(p.errorCode).toBe(Errors.NOT_LEADER_OR_FOLLOWER.code);
    expect(p.currentLeader).toEqual({ leaderId: cluster.brokerIdOf(leader), leaderEpoch: 0 });
    expect(p.baseOffset).toBe(-1);
  });

  it("answers INVALID_TOPIC_EXCEPTION, UNKNOWN_TOPIC_OR_PARTITION and INVALID_REQUIRED_ACKS", async () => {
    const { world, cluster } = await cluster3();
    const node = cluster.brokerNodes[0]!;
    const bad = (await call<ProduceResponse>(
      world,
      node,
      "Produce",
      produceBody("bad name!", 0, batchOf(world, ["x"]), 1),
    )) as ProduceResponse;
    expect(partitionOf(bad).errorCode).toBe(Errors.INVALID_TOPIC_EXCEPTION.code);
    const unknown = (await call<ProduceResponse>(
      world,
      node,
      "Produce",
      produceBody("nope", 0, batchOf(world, ["x"]), 1),
    )) as ProduceResponse;
    expect(partitionOf(unknown).errorCode).toBe(Errors.UNKNOWN_TOPIC_OR_PARTITION.code);
    const badAcks = (await call<ProduceResponse>(
      world,
      node,
      "Produce",
      produceBody(TOPIC, 0, batchOf(world, ["x"]), 2),
    )) as ProduceResponse;
    expect(partitionOf(badAcks).errorCode).toBe(Errors.INVALID_REQUIRED_ACKS.code);
  });

  it("refuses an oversized batch with MESSAGE_TOO_LARGE and writes nothing", async () => {
    const { world, cluster } = await cluster3(7, { maxMessageBytes: 200 });
    const leader = cluster.leaderOf(TOPIC, 0)!;
    const big = batchOf(world, ["x".repeat(500)]);
    const res = (await call<ProduceResponse>(
      world,
      leader,
      "Produce",
      produceBody(TOPIC, 0, big, 1),
    )) as ProduceResponse;
    expect(partitionOf(res).errorCode).toBe(Errors.MESSAGE_TOO_LARGE.code);
    expect(cluster.broker(leader)!.replicaManager.partitionInfo(TOPIC, 0)!.logEndOffset).toBe(0);
  });

  it("sends no answer for acks=0 but appends", async () => {
    const { world, cluster } = await cluster3();
    const leader = cluster.leaderOf(TOPIC, 1)!;
    const res = await call(
      world,
      leader,
      "Produce",
      produceBody(TOPIC, 1, batchOf(world, ["fire-and-forget"]), 0),
      { timeoutMs: 500 },
    );
    expect(res).toBe(TIMEOUT);
    expect(cluster.broker(leader)!.replicaManager.partitionInfo(TOPIC, 1)!.logEndOffset).toBe(1);
  });

  it("acks=all: NOT_ENOUGH_REPLICAS once the ISR shrank below min.insync.replicas, REQUEST_TIMED_OUT before", async () => {
    const { world, cluster } = await cluster3(11, { minIsr: 3 });
    const leader = cluster.leaderOf(TOPIC, 0)!;
    const victim =
      cluster.brokerNodes.find((n) => n !== leader && !cluster.controllerNodes.includes(n)) ??
      cluster.brokerNodes.find((n) => n !== leader)!;
    world.network.isolate(victim);
    // The ISR still names the isolated follower: the write waits, then times out (it stays in the log).
    const timedOut = (await call<ProduceResponse>(
      world,
      leader,
      "Produce",
      produceBody(TOPIC, 0, batchOf(world, ["w1"]), -1, 500),
    )) as ProduceResponse;
    expect(partitionOf(timedOut).errorCode).toBe(Errors.REQUEST_TIMED_OUT.code);
    // After the ISR shrinks (replica.lag.time.max.ms, or fencing) the leader refuses before appending.
    await world.runUntil(
      () => cluster.broker(leader)!.replicaManager.partitionInfo(TOPIC, 0)!.isr.length < 3,
      {
        limitMs: world.now() + 20_000,
      },
    );
    const leo = cluster.broker(leader)!.replicaManager.partitionInfo(TOPIC, 0)!.logEndOffset;
    const refused = (await call<ProduceResponse>(
      world,
      leader,
      "Produce",
      produceBody(TOPIC, 0, batchOf(world, ["w2"]), -1),
    )) as ProduceResponse;
    expect(partitionOf(refused).errorCode).toBe(Errors.NOT_ENOUGH_REPLICAS.code);
    expect(cluster.broker(leader)!.replicaManager.partitionInfo(TOPIC, 0)!.logEndOffset).toBe(leo);
  });
});

describe("Fetch (API 1) and ListOffsets (API 2) for consumers", () => {
  it("returns records below the high watermark only and checks the leader epoch", async () => {
    const { world, cluster } = await cluster3();
    const leader = cluster.leaderOf(TOPIC, 0)!;
    await call(world, leader, "Produce", produceBody(TOPIC, 0, batchOf(world, ["a", "b", "c"]), -1));
    const f = (await call<FetchResponse>(world, leader, "Fetch", fetchBody(TOPIC, 0, 1))) as FetchResponse;
    const p = f.responses[0]!.partitions[0]!;
    expect(p.errorCode).toBe(0);
    expect(p.highWatermark).toBe(3);
    expect(recordsOf(p.records).map((r) => r.value)).toEqual(["a", "b", "c"]); // whole batch, holding offset 1
    const fenced = (await call<FetchResponse>(
      world,
      leader,
      "Fetch",
      fetchBody(TOPIC, 0, 0, 5),
    )) as FetchResponse;
    expect(fenced.responses[0]!.partitions[0]!.errorCode).toBe(Errors.UNKNOWN_LEADER_EPOCH.code);
    const out = (await call<FetchResponse>(world, leader, "Fetch", fetchBody(TOPIC, 0, 99))) as FetchResponse;
    expect(out.responses[0]!.partitions[0]!.errorCode).toBe(Errors.OFFSET_OUT_OF_RANGE.code);
    const lo = (await call<ListOffsetsResponse>(world, leader, "ListOffsets", {
      replicaId: -1,
      isolationLevel: 0,
      topics: [
        {
          name: TOPIC,
          partitions: [
            { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: EARLIEST_TIMESTAMP },
            { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: LATEST_TIMESTAMP },
          ],
        },
      ],
    })) as ListOffsetsResponse;
    expect(lo.topics[0]!.partitions.map((x) => [x.errorCode, x.offset])).toEqual([
      [0, 0],
      [0, 3],
    ]);
  });
});

describe("Metadata (API 3) and CreateTopics (API 19)", () => {
  it("lists brokers by node name and partitions with leaders, epochs and ISRs", async () => {
    const { world, cluster } = await cluster3();
    const res = (await call<MetadataResponse>(world, "broker-2", "Metadata", {
      topics: [{ name: TOPIC }],
      allowAutoTopicCreation: false,
    })) as MetadataResponse;
    expect(res.brokers.map((b) => b.host)).toEqual(["broker-1", "broker-2", "broker-3"]);
    expect(res.clusterId).toBe(cluster.clusterId);
    const t = res.topics[0]!;
    expect(t.errorCode).toBe(0);
    expect(t.partitions).toHaveLength(2);
    for (const p of t.partitions) {
      expect(p.replicaNodes).toHaveLength(3);
      expect(p.isrNodes).toContain(p.leaderId);
      expect(cluster.leaderOf(TOPIC, p.partitionIndex)).toBe(`broker-${p.leaderId}`);
    }
  });

  it("auto-creates an unknown topic (LEADER_NOT_AVAILABLE first), unless asked not to", async () => {
    const { world } = await cluster3();
    const ask = (name: string, allow: boolean) =>
      call<MetadataResponse>(world, "broker-1", "Metadata", {
        topics: [{ name }],
        allowAutoTopicCreation: allow,
      }) as Promise<MetadataResponse>;
    expect((await ask("clicks", false)).topics[0]!.errorCode).toBe(Errors.UNKNOWN_TOPIC_OR_PARTITION.code);
    expect((await ask("clicks", true)).topics[0]!.errorCode).toBe(Errors.LEADER_NOT_AVAILABLE.code);
    expect((await ask("bad/name", true)).topics[0]!.errorCode).toBe(Errors.INVALID_TOPIC_EXCEPTION.code);
    await world.runFor(2000);
    const later = (await ask("clicks", true)).topics[0]!;
    expect(later.errorCode).toBe(0);
    expect(later.partitions).toHaveLength(1); // num.partitions = 1
    expect(later.partitions[0]!.replicaNodes).toHaveLength(1); // default.replication.factor = 1
  });

  it("forwards CreateTopics to the controller: created, then TOPIC_ALREADY_EXISTS, validation errors", async () => {
    const { world } = await cluster3();
    const create = (name: string, numPartitions: number, replicationFactor: number) =>
      call<CreateTopicsResponse>(world, "broker-3", "CreateTopics", {
        topics: [{ name, numPartitions, replicationFactor, configs: [] }],
        timeoutMs: 5000,
        validateOnly: false,
      }) as Promise<CreateTopicsResponse>;
    expect((await create("payments", 3, 3)).topics[0]!.errorCode).toBe(0);
    expect((await create("payments", 3, 3)).topics[0]!.errorCode).toBe(Errors.TOPIC_ALREADY_EXISTS.code);
    expect((await create("big", 1, 5)).topics[0]!.errorCode).toBe(Errors.INVALID_REPLICATION_FACTOR.code);
    expect((await create("none", 0, 1)).topics[0]!.errorCode).toBe(Errors.INVALID_PARTITIONS.code);
  });
});

describe("OffsetForLeaderEpoch (API 23)", () => {
  it("answers the end offset of an epoch from the leader-epoch cache", async () => {
    const { world, cluster } = await cluster3();
    const leader = cluster.leaderOf(TOPIC, 0)!;
    await call(world, leader, "Produce", produceBody(TOPIC, 0, batchOf(world, ["a", "b"]), -1));
    const ask = async (node: string, leaderEpoch: number, currentLeaderEpoch = -1) =>
      (
        (await call<OffsetForLeaderEpochResponse>(world, node, "OffsetForLeaderEpoch", {
          replicaId: -1,
          topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch, leaderEpoch }] }],
        })) as OffsetForLeaderEpochResponse
      ).topics[0]!.partitions[0]!;
    expect(await ask(leader, 0)).toMatchObject({ errorCode: 0, leaderEpoch: 0, endOffset: 2 });
    expect(await ask(leader, 0, 3)).toMatchObject({ errorCode: Errors.UNKNOWN_LEADER_EPOCH.code });
    const follower = cluster.brokerNodes.find((n) => n !== leader)!;
    expect((await ask(follower, 0)).errorCode).toBe(Errors.NOT_LEADER_OR_FOLLOWER.code);
  });
});
