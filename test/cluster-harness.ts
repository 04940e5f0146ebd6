/**
 * Helpers for end-to-end broker and cluster tests: a simulated cluster with lab timings, a raw
 * client that sends one request and waits for its answer in virtual time (no producer or
 * consumer library in between, so each test sees exactly what the broker answered), and the
 * recorded workload of a one-partition topic (an acks=all producer, a final drain).
 */
import { encodeRecordBatch, decodeRecordBatches, type ApiName } from "../src/protocol";
import { NetworkClient, isRequestFailure } from "../src/client/network-client";
import { World } from "../src/sim/world";
import { createCluster, type Cluster, type ClusterOptions } from "../src/sim/cluster";
import { LAB_TIMINGS } from "../src/sim/replication-scenario";
import type { NodeId } from "../src/sim/process";
import { drainTopic, runProducer } from "../src/sim/workload";
import type { HistoryRecorder } from "../src/check";

export const TIMEOUT = "timeout" as const;

export async function startCluster(
  seed: number,
  options: ClusterOptions = {},
): Promise<{ world: World; cluster: Cluster }> {
  const world = new World({ seed, trace: { messages: false, timers: false } });
  const cluster = createCluster(world, {
    ...options,
    brokerConfig: { ...LAB_TIMINGS, ...options.brokerConfig },
  });
  await cluster.waitUntilReady({ timeoutMs: 30_000 });
  // Every broker unfenced and every replica in its ISR: tests start from a healthy cluster.
  await world.runUntil(() => cluster.isHealthy(), { limitMs: world.now() + 30_000 });
  if (!cluster.isHealthy()) throw new Error(`cluster not healthy (seed=${seed})`);
  return { world, cluster };
}

/** Spawn process "producer": acks=all sends to partition 0 of `topic`, recorded in `rec`, until `stopAtMs`. */
export function spawnAcksAllProducer(
  world: World,
  cluster: Cluster,
  topic: string,
  rec: HistoryRecorder,
  stopAtMs: number,
): void {
  world.spawn("producer", async (ctx) => {
    await runProducer(ctx, {
      bootstrapServers: cluster.brokerNodes,
      topic,
      partitions: 1,
      acks: -1,
      recorder: rec,
      stopAtMs,
    });
  });
}

/**
 * The opening of the scripted overlapping-failure scenarios: cut follower F2 off, wait until the
 * leader L has shrunk the ISR of partition 0 to [L, F1], then let an acks=all producer (recorded
 * in `rec`) send for 2 s. Returns the three nodes; the caller scripts the failures.
 */
export async function isolateOneFollowerAndProduce(
  world: World,
  cluster: Cluster,
  topic: string,
  rec: HistoryRecorder,
): Promise<{ leader: NodeId; f1: NodeId; f2: NodeId }> {
  const leader = cluster.leaderOf(topic, 0)!;
  const [f1, f2] = cluster.brokerNodes.filter((n) => n !== leader) as [NodeId, NodeId];
  world.network.isolate(f2);
  const isrIsTwo = () => cluster.broker(leader)?.replicaManager.partitionObject(topic, 0)?.isr.length === 2;
  await world.runUntil(isrIsTwo, { limitMs: world.now() + 15_000 });
  const t0 = world.now();
  spawnAcksAllProducer(world, cluster, topic, rec, t0 + 2000);
  await world.runUntil(t0 + 2500);
  return { leader, f1, f2 };
}

/** Spawn process "drain", reading partition 0 of `topic` to its end into `rec` (10 s at most), and run until it is done. */
export async function drainOnePartition(
  world: World,
  cluster: Cluster,
  topic: string,
  rec: HistoryRecorder,
): Promise<void> {
  world.spawn("drain", async (ctx) => {
    await drainTopic(ctx, {
      bootstrapServers: cluster.brokerNodes,
      topic,
      partitions: 1,
      recorder: rec,
      deadlineMs: ctx.now() + 10_000,
    });
  });
  await world.runUntilTasksDone({ limitMs: world.now() + 11_000 });
}

let clients = 0;

/** Send one request from a fresh client and run the world until it is answered, or fails (TIMEOUT: timed out or disconnected). */
export async function call<T>(
  world: World,
  node: NodeId,
  api: ApiName,
  body: unknown,
  options: { timeoutMs?: number; expectResponse?: boolean } = {},
): Promise<T | typeof TIMEOUT> {
  const name = `test-client-${++clients}`;
  let result: { value: T | typeof TIMEOUT } | undefined;
  world.spawn(name, async (ctx) => {
    const net = new NetworkClient(ctx, { clientId: name, requestTimeoutMs: options.timeoutMs ?? 3000 });
    try {
      result = {
        value: await net.request<T>(node, api, body, { expectResponse: options.expectResponse ?? true }),
      };
    } catch (e) {
      if (!isRequestFailure(e)) throw e;
      result = { value: TIMEOUT };
    }
  });
  await world.runUntil(() => result !== undefined, {
    limitMs: world.now() + (options.timeoutMs ?? 3000) + 1000,
  });
  if (result === undefined) throw new Error(`${api} to ${node} neither answered nor timed out`);
  return result.value;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One RecordBatch of string values, timestamped now. */
export function batchOf(world: World, values: readonly string[]): Uint8Array {
  return encodeRecordBatch({
    records: values.map((v) => ({ value: enc.encode(v), timestamp: Math.floor(world.now()) })),
  });
}

export function produceBody(
  topic: string,
  partition: number,
  records: Uint8Array,
  acks: number,
  timeoutMs = 3000,
): unknown {
  return {
    transactionalId: null,
    acks,
    timeoutMs,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  };
}

export function fetchBody(
  topic: string,
  partition: number,
  fetchOffset: number,
  currentLeaderEpoch = -1,
): unknown {
  return {
    replicaId: -1,
    replicaEpoch: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [
      {
        topic,
        partitions: [
          {
            partition,
            currentLeaderEpoch,
            fetchOffset,
            lastFetchedEpoch: -1,
            logStartOffset: -1,
            partitionMaxBytes: 1 << 20,
          },
        ],
      },
    ],
  };
}

/** Values of the records in Fetch bytes, with their offsets. */
export function recordsOf(bytes: Uint8Array | null): { offset: number; value: string }[] {
  if (bytes === null) return [];
  return decodeRecordBatches(bytes).flatMap((b) =>
    b.records.map((r) => ({
      offset: b.header.baseOffset + r.offsetDelta,
      value: r.value === null ? "" : dec.decode(r.value),
    })),
  );
}
