/**
 * Batch splitting end to end, on a simulated 3-broker cluster (RF 3, min.insync.replicas 2,
 * acks=all): a topic with max.message.bytes 1024 receives bursts of sends that the producer
 * gathers into batches of several kilobytes (linger.ms 20, batch.size 16384). The leader
 * refuses each with MESSAGE_TOO_LARGE (src/log/append-validation.ts); the producer splits and
 * resends until the pieces fit. Then the whole partition is read back batch by batch:
 * - every record arrives exactly once and in send order, in batches within max.message.bytes;
 * - for the idempotent producer, the log's batches carry one producer id and contiguous
 *   sequences (the split pieces took the big batch's sequence range);
 * - the same with 5% of the brokers' answers lost and a leader crash (retries of split pieces,
 *   duplicates answered as such), judged by the history checker as well.
 */
import { describe, expect, it } from "vitest";
import { HistoryRecorder, analyzeHistory } from "../src/check";
import { Kafka, NetworkClient, type ProducerOptions } from "../src/client";
import { Errors, decodeRecordBatches, type FetchResponse } from "../src/protocol";
import { World, createCluster, installNemesis, type Cluster } from "../src/sim";
import type { ClientContext } from "../src/sim/process";
import { fetchBody } from "./cluster-harness";
import { recordSends } from "./producer-helpers";

const TOPIC = "events";
const MAX_MESSAGE_BYTES = 1024;
const dec = new TextDecoder();

interface LoggedBatch {
  baseOffset: number;
  sizeInBytes: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  values: string[];
}

interface SplitRun {
  /** Values in the order their sends were called. */
  sent: string[];
  /** Values whose send was acknowledged. */
  acked: Set<string>;
  failed: string[];
  batches: LoggedBatch[];
  splits: number;
  retries: number;
  anomalies: Record<string, number>;
}

/** Read the partition from offset 0 to its high watermark, batch by batch, from its leader. */
async function readLog(ctx: ClientContext, cluster: Cluster): Promise<LoggedBatch[]> {
  const net = new NetworkClient(ctx, { clientId: ctx.nodeId, requestTimeoutMs: 2000 });
  const out: LoggedBatch[] = [];
  let offset = 0;
  for (let round = 0; round < 10_000; round++) {
    const leader = cluster.leaderOf(TOPIC, 0);
    if (leader === undefined) {
      await ctx.sleep(100);
      continue;
    }
    const res = await net
      .request<FetchResponse>(leader, "Fetch", fetchBody(TOPIC, 0, offset))
      .catch(() => undefined);
    const p = res?.responses[0]?.partitions[0];
    if (p === undefined || p.errorCode !== Errors.NONE.code) {
      await ctx.sleep(100);
      continue;
    }
    for (const b of p.records === null ? [] : decodeRecordBatches(p.records)) {
      if (b.header.baseOffset < offset) continue;
      out.push({
        baseOffset: b.header.baseOffset,
        sizeInBytes: b.sizeInBytes,
        producerId: b.header.producerId,
        producerEpoch: b.header.producerEpoch,
        baseSequence: b.header.baseSequence,
        values: b.records.map((r) => dec.decode(r.value!)),
      });
      offset = b.header.baseOffset + b.records.length;
    }
    if (offset >= p.highWatermark) return out;
  }
  throw new Error(`Cannot read ${TOPIC}-0 to its high watermark: stuck at offset ${offset}`);
}

async function runSplit(
  seed: number,
  producer: ProducerOptions,
  faults: { responseLoss: number; crashLeader: boolean } = { responseLoss: 0, crashLeader: false },
): Promise<SplitRun> {
  const world = new World({ seed, trace: { messages: false, timers: false } });
  const cluster = createCluster(world, {
    brokers: 3,
    controllers: 3,
    brokerConfig: { brokerSessionTimeoutMs: 3000, log: { minInsyncReplicas: 2 } },
    topics: [
      {
        name: TOPIC,
        partitions: 1,
        replicationFactor: 3,
        configs: { "max.message.bytes": String(MAX_MESSAGE_BYTES) },
      },
    ],
  });
  await cluster.waitUntilReady({ timeoutMs: 30_000 });
  await world.runUntil(() => cluster.isHealthy(), { limitMs: world.now() + 30_000 });
  const t0 = world.now();
  if (faults.responseLoss > 0)
    for (const b of cluster.brokerNodes)
      world.network.setLink(b, "producer", { lossProbability: faults.responseLoss });
  if (faults.crashLeader)
    installNemesis(world, {
      startMs: t0 + 400,
      faultPhaseEndMs: t0 + 4000,
      meanIntervalMs: 2000,
      durationMs: { min: 3500, max: 4500 },
      mix: { "crash-leader": 1 },
      leader: () => cluster.leaderOf(TOPIC, 0),
      nodes: cluster.brokerNodes,
      maxNodesDown: 1,
    });

  const rec = new HistoryRecorder(() => world.now());
  const run: SplitRun = {
    sent: [],
    acked: new Set(),
    failed: [],
    batches: [],
    splits: 0,
    retries: 0,
    anomalies: {},
  };
  world.spawn("producer", async (ctx) => {
    const kafka = new Kafka(ctx, {
      clientId: "producer",
      bootstrapServers: [...cluster.brokerNodes],
      instrumentation: recordSends(rec),
    });
    const p = kafka.producer({
      lingerMs: 20,
      requestTimeoutMs: 1000,
      deliveryTimeoutMs: 60_000,
      ...producer,
    });
    await p.connect();
    const all: Promise<void>[] = [];
    // Bursts of 40 sends of ~60 bytes: one batch of ~2.7 KB each, more than twice the limit.
    for (let burst = 0; burst < 8; burst++) {
      for (let i = 0; i < 40; i++) {
        const value = `b${burst}-m${String(i).padStart(2, "0")}-${"#".repeat(40)}`;
        run.sent.push(value);
        all.push(
          p.send({ topic: TOPIC, messages: [{ value, partition: 0 }] }).then(
            () => void run.acked.add(value),
            (e: unknown) => void run.failed.push(`${value}: ${String(e)}`),
          ),
        );
      }
      await ctx.sleep(300);
    }
    await Promise.all(all);
    await p.disconnect();
    run.splits = p.sender.stats.batchSplits;
    run.retries = p.sender.stats.retries;
  });
  await world.runUntilTasksDone({ limitMs: world.now() + 120_000 });
  const stuck = world.tasks().find((t) => t.state !== "done");
  if (stuck) throw new Error(`task ${stuck.name} ${stuck.state}: ${String(stuck.error)}`);
  for (const b of cluster.brokerNodes) world.network.setLink(b, "producer", { lossProbability: 0 });
  await world.runUntil(() => cluster.isHealthy(), { limitMs: world.now() + 30_000 });

  world.spawn("reader", async (ctx) => {
    run.batches = await readLog(ctx, cluster);
    // The reader's view for the history checker, in the shape drainTopic records (src/sim/workload.ts).
    const seek = rec.invoke("seek", "reader", { topicPartition: `${TOPIC}-0`, offset: 0 });
    rec.ok(seek, {});
    for (const b of run.batches) {
      const h = rec.invoke("poll", "reader", {});
      rec.ok(h, { records: { [`${TOPIC}-0`]: b.values.map((v, i) => [b.baseOffset + i, null, v]) } });
    }
  });
  await world.runUntilTasksDone({ limitMs: world.now() + 30_000 });
  const analysis = analyzeHistory(rec.history());
  run.anomalies = Object.fromEntries(
    Object.entries(analysis.anomalies)
      .filter(([, v]) => v.length > 0)
      .map(([k, v]) => [k, v.length]),
  );
  return run;
}

function expectExactlyOnceInOrder(run: SplitRun): string[] {
  const logged = run.batches.flatMap((b) => b.values);
  expect(run.failed).toEqual([]);
  expect(logged).toEqual(run.sent);
  for (const b of run.batches) expect(b.sizeInBytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  expect(run.splits).toBeGreaterThan(0);
  return logged;
}

function expectContiguousSequences(run: SplitRun): void {
  const pids = new Set(run.batches.map((b) => b.producerId));
  expect(pids.size).toBe(1);
  expect([...pids][0]).toBeGreaterThanOrEqual(0);
  let next = 0;
  let epoch = run.batches[0]!.producerEpoch;
  for (const b of run.batches) {
    if (b.producerEpoch !== epoch) {
      // An epoch bump restarts the partition's sequences at 0 (KIP-360).
      epoch = b.producerEpoch;
      next = 0;
    }
    expect(b.baseSequence, `batch at offset ${b.baseOffset}`).toBe(next);
    next += b.values.length;
  }
}

describe("MESSAGE_TOO_LARGE on a real cluster: the producer splits, every record lands once, in order", () => {
  it("idempotent producer (the default): contiguous sequences in the log", async () => {
    const run = await runSplit(21, {});
    expectExactlyOnceInOrder(run);
    expectContiguousSequences(run);
    expect(run.batches.every((b) => b.producerEpoch === 0)).toBe(true); // no bump needed
    expect(run.retries).toBe(0);
    expect(run.anomalies).toEqual({});
  });

  it("without idempotence, one request in flight", async () => {
    const run = await runSplit(22, { enableIdempotence: false, maxInFlightRequestsPerConnection: 1 });
    expectExactlyOnceInOrder(run);
    expect(run.batches.every((b) => b.producerId === -1)).toBe(true);
    expect(run.anomalies).toEqual({});
  });

  for (const seed of [31, 32, 33]) {
    it(`idempotent, with lost answers and a leader crash (seed ${seed}): still once, in order`, async () => {
      const run = await runSplit(seed, {}, { responseLoss: 0.05, crashLeader: true });
      expect(run.retries).toBeGreaterThan(0); // the faults did hit the producer
      expectExactlyOnceInOrder(run);
      expectContiguousSequences(run);
      expect(run.anomalies).toEqual({});
    });
  }

  it("a produce of one record above max.message.bytes is refused whole (the broker side of the split)", async () => {
    const world = new World({ seed: 41, trace: { messages: false, timers: false } });
    const cluster = createCluster(world, {
      brokers: 1,
      controllers: 1,
      topics: [
        { name: TOPIC, partitions: 1, replicationFactor: 1, configs: { "max.message.bytes": "1024" } },
      ],
    });
    await cluster.waitUntilReady({ timeoutMs: 30_000 });
    let outcome = "";
    world.spawn("producer", async (ctx) => {
      const p = new Kafka(ctx, { clientId: "producer", bootstrapServers: [...cluster.brokerNodes] }).producer(
        {
          lingerMs: 0,
        },
      );
      await p.connect();
      outcome = await p.send({ topic: TOPIC, messages: [{ value: "x".repeat(1100), partition: 0 }] }).then(
        () => "ok",
        (e: unknown) => String(e),
      );
      await p.disconnect();
    });
    await world.runUntilTasksDone({ limitMs: world.now() + 60_000 });
    expect(outcome).toMatch(/MESSAGE_TOO_LARGE.*above max.message.bytes 1024/);
    const leader = cluster.leaderOf(TOPIC, 0)!;
    expect(cluster.broker(leader)!.replicaManager.partitionInfo(TOPIC, 0)!.logEndOffset).toBe(0);
  });
});
