/**
 * A minimal workload for replication scenarios (the HA proof, the configuration matrix, the
 * cluster benchmark): producers that send unique values with a chosen acks and retry, and a
 * final drain reader. The course's real producer and consumer (src/client) replace it in labs;
 * this one is deliberately small and transparent about what it records.
 *
 * Producer (`runProducer`): each operation is one Produce request of `recordsPerSend` records
 * (one RecordBatch) to one partition, chosen round-robin. It retries until
 * `deliveryTimeoutMs` on retriable answers, refreshing metadata (NOT_LEADER_OR_FOLLOWER,
 * LEADER_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION, FENCED/UNKNOWN_LEADER_EPOCH,
 * NOT_ENOUGH_REPLICAS) and after timeouts. The history records (Jepsen's rules):
 * - ok with the offsets when the broker acknowledged (baseOffset + i for record i);
 * - fail only when no attempt could have been written (every answer was a definite refusal);
 * - info when some attempt timed out or ended in NOT_ENOUGH_REPLICAS_AFTER_APPEND /
 *   REQUEST_TIMED_OUT (the batch may be in the log), and for acks=0 (no answer ever comes).
 * A retry re-sends the same values, as a producer without idempotence does: duplicates can
 * happen and are the checker's to report.
 *
 * Drain (`drainTopic`): reads every partition from the log start offset (ListOffsets earliest)
 * up to the high watermark, from the current leader, recording each non-empty answer as a poll,
 * until every partition has been at its high watermark for `quietRounds` passes in a row. An
 * OFFSET_OUT_OF_RANGE (the leader's log no longer has the position) is recorded as a seek back
 * to the leader's log start.
 *
 * The recorder is any object with HistoryRecorder's invoke/ok/fail/info (src/check), passed in
 * so that this layer does not depend on the checker.
 */
import {
  EARLIEST_TIMESTAMP,
  Errors,
  decodeRecordBatches,
  encodeRecordBatch,
  type FetchResponse,
  type ListOffsetsResponse,
  type ProduceResponse,
} from "../protocol";
import { ClientMetadata } from "../client/client-metadata";
import { DisconnectError, NetworkClient, isRequestFailure } from "../client/network-client";
import type { ClientContext, NodeId } from "./process";

/** The part of src/check's HistoryRecorder the workload uses. */
export interface WorkloadRecorder {
  invoke(type: "send" | "poll" | "seek", process: string, input: unknown, options?: RecordOptions): unknown;
  ok(handle: unknown, result: unknown, options?: RecordOptions): void;
  fail(handle: unknown, error: string, options?: RecordOptions): void;
  info(handle: unknown, error: string, options?: RecordOptions): void;
}

/** Event options: the broker talked to, and the virtual time (the workload always gives it). */
export interface RecordOptions {
  node?: string;
  atMs?: number;
}

export interface ProducerWorkloadOptions {
  bootstrapServers: readonly NodeId[];
  topic: string;
  partitions: number;
  acks: -1 | 0 | 1;
  recorder: WorkloadRecorder;
  /** Stop invoking new sends at this virtual time (ms). */
  stopAtMs: number;
  /** Records per Produce request (default 1). */
  recordsPerSend?: number;
  /** Pause between two sends of this producer, uniform in [min, max] ms (default 5–15). */
  thinkTimeMs?: { min: number; max: number };
  /** request.timeout.ms of one attempt (default 5000). */
  requestTimeoutMs?: number;
  /** delivery.timeout.ms: give up retrying after this long (default 20000). */
  deliveryTimeoutMs?: number;
  /** retry.backoff.ms (default 100). */
  retryBackoffMs?: number;
  /** Produce timeoutMs (how long acks=-1 may wait at the leader; default = requestTimeoutMs). */
  produceTimeoutMs?: number;
  /** Unique prefix of this producer's values (default: the client's node id). */
  valuePrefix?: string;
  /** Concurrent send loops, each with one request in flight (default 1). */
  concurrency?: number;
}

export interface ProducerStats {
  sends: number;
  ok: number;
  fail: number;
  info: number;
  acknowledgedRecords: number;
  attempts: number;
}

const RETRIABLE_NOT_WRITTEN = new Set<number>([
  Errors.NOT_LEADER_OR_FOLLOWER.code,
  Errors.LEADER_NOT_AVAILABLE.code,
  Errors.UNKNOWN_TOPIC_OR_PARTITION.code,
  Errors.FENCED_LEADER_EPOCH.code,
  Errors.UNKNOWN_LEADER_EPOCH.code,
  Errors.NOT_ENOUGH_REPLICAS.code,
  Errors.KAFKA_STORAGE_ERROR.code,
]);
const RETRIABLE_MAYBE_WRITTEN = new Set<number>([
  Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND.code,
  Errors.REQUEST_TIMED_OUT.code,
]);
const ERROR_NAMES = new Map<number, string>(Object.values(Errors).map((e) => [e.code, e.name]));
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Run a producer until `stopAtMs`; resolves with its counts. */
export async function runProducer(
  ctx: ClientContext,
  options: ProducerWorkloadOptions,
): Promise<ProducerStats> {
  const requestTimeoutMs = options.requestTimeoutMs ?? 5000;
  const net = new NetworkClient(ctx, { clientId: ctx.nodeId, requestTimeoutMs });
  const metadata = new ClientMetadata(net, {
    bootstrapServers: [...options.bootstrapServers],
    retryBackoffMs: options.retryBackoffMs ?? 100,
  });
  const stats: ProducerStats = { sends: 0, ok: 0, fail: 0, info: 0, acknowledgedRecords: 0, attempts: 0 };
  const prefix = options.valuePrefix ?? ctx.nodeId;
  const think = options.thinkTimeMs ?? { min: 5, max: 15 };
  let sequence = 0;
  let nextPartition = 0;
  const loop = async (): Promise<void> => {
    while (ctx.now() < options.stopAtMs) {
      const partition = nextPartition++ % options.partitions;
      const n = options.recordsPerSend ?? 1;
      const values: string[] = [];
      for (let i = 0; i < n; i++) values.push(`${prefix}-${sequence++}`);
      await sendOnce(ctx, net, metadata, options, partition, values, stats);
      await ctx.sleep(think.min + ctx.rng.next() * (think.max - think.min));
    }
  };
  const loops: Promise<void>[] = [];
  for (let i = 0; i < (options.concurrency ?? 1); i++) loops.push(loop());
  await Promise.all(loops);
  net.close("workload finished");
  return stats;
}

async function sendOnce(
  ctx: ClientContext,
  net: NetworkClient,
  metadata: ClientMetadata,
  o: ProducerWorkloadOptions,
  partition: number,
  values: string[],
  stats: ProducerStats,
): Promise<void> {
  const rec = o.recorder;
  const h = rec.invoke(
    "send",
    ctx.nodeId,
    { messages: values.map((value) => ({ topic: o.topic, partition, key: null, value })) },
    at(ctx, undefined),
  );
  stats.sends++;
  const requestTimeoutMs = o.requestTimeoutMs ?? 5000;
  const deadline = ctx.now() + (o.deliveryTimeoutMs ?? 20_000);
  const backoff = o.retryBackoffMs ?? 100;
  let maybeWritten = false;
  let lastError = "no attempt";
  let node: NodeId | undefined;
  for (;;) {
    if (ctx.now() >= deadline) {
      const why = `gave up after ${o.deliveryTimeoutMs ?? 20_000} ms: ${lastError}`;
      if (maybeWritten) {
        stats.info++;
        rec.info(h, why, at(ctx, node));
      } else {
        stats.fail++;
        rec.fail(h, why, at(ctx, node));
      }
      return;
    }
    const topic = await metadata.topic(o.topic);
    const leader = topic?.partitions.find((p) => p.partition === partition);
    node = leader?.leaderNode;
    if (node === undefined) {
      lastError = "no leader known";
      metadata.invalidate();
      await ctx.sleep(backoff);
      continue;
    }
    const now = Math.floor(ctx.now());
    const records = encodeRecordBatch({
      records: values.map((v) => ({ value: encoder.encode(v), timestamp: now })),
    });
    stats.attempts++;
    if (o.acks === 0) {
      await net.request(node, "Produce", produceBody(o, partition, records, requestTimeoutMs), {
        expectResponse: false,
      });
      stats.info++;
      rec.info(h, "acks=0: the producer never learns the outcome", at(ctx, node));
      return;
    }
    let res: ProduceResponse;
    try {
      res = await net.request<ProduceResponse>(
        node,
        "Produce",
        produceBody(o, partition, records, requestTimeoutMs),
        {
          timeoutMs: requestTimeoutMs,
        },
      );
    } catch (e) {
      if (!isRequestFailure(e)) throw e;
      maybeWritten = true;
      lastError = e.message;
      metadata.invalidate();
      // A disconnect comes at once (the leader's process died): wait retry.backoff.ms, as the
      // producer does before retrying, instead of hammering a refusing node.
      if (e instanceof DisconnectError) await ctx.sleep(backoff);
      continue;
    }
    const pr = res.responses[0]?.partitionResponses[0];
    const code = pr?.errorCode ?? Errors.UNKNOWN_SERVER_ERROR.code;
    if (code === Errors.NONE.code) {
      stats.ok++;
      stats.acknowledgedRecords += values.length;
      rec.ok(
        h,
        { positions: values.map((_, i) => ({ partition, offset: pr!.baseOffset + i })) },
        at(ctx, node),
      );
      return;
    }
    lastError = ERROR_NAMES.get(code) ?? `error ${code}`;
    if (RETRIABLE_MAYBE_WRITTEN.has(code)) {
      maybeWritten = true;
      continue;
    }
    if (RETRIABLE_NOT_WRITTEN.has(code)) {
      metadata.invalidate();
      await ctx.sleep(backoff);
      continue;
    }
    // A definite, non-retriable refusal of this attempt.
    if (maybeWritten) {
      stats.info++;
      rec.info(h, lastError, at(ctx, node));
    } else {
      stats.fail++;
      rec.fail(h, lastError, at(ctx, node));
    }
    return;
  }
}

function at(ctx: ClientContext, node: NodeId | undefined): RecordOptions {
  return node === undefined ? { atMs: ctx.now() } : { node, atMs: ctx.now() };
}

function produceBody(
  o: ProducerWorkloadOptions,
  partition: number,
  records: Uint8Array,
  requestTimeoutMs: number,
) {
  return {
    transactionalId: null,
    acks: o.acks,
    timeoutMs: o.produceTimeoutMs ?? requestTimeoutMs,
    topicData: [{ name: o.topic, partitionData: [{ index: partition, records }] }],
  };
}

export interface DrainOptions {
  bootstrapServers: readonly NodeId[];
  topic: string;
  partitions: number;
  recorder: WorkloadRecorder;
  /** Passes in a row with every partition at its high watermark that end the drain (default 3). */
  quietRounds?: number;
  /** Give up at this virtual time (ms). */
  deadlineMs: number;
  requestTimeoutMs?: number;
  /** fetch.max.wait.ms of each Fetch (default 100). */
  maxWaitMs?: number;
}

export interface DrainResult {
  /** Records returned, per partition. */
  records: number[];
  /** True when every partition was read up to its high watermark, quietly, before the deadline. */
  complete: boolean;
}

/** Read every partition of `topic` to its high watermark (see the header). */
export async function drainTopic(ctx: ClientContext, options: DrainOptions): Promise<DrainResult> {
  const net = new NetworkClient(ctx, {
    clientId: ctx.nodeId,
    requestTimeoutMs: options.requestTimeoutMs ?? 3000,
  });
  const metadata = new ClientMetadata(net, {
    bootstrapServers: [...options.bootstrapServers],
    allowAutoTopicCreation: false,
  });
  const rec = options.recorder;
  const tp = (p: number): string => `${options.topic}-${p}`;
  const offsets: (number | undefined)[] = new Array<number | undefined>(options.partitions).fill(undefined);
  const counts = new Array<number>(options.partitions).fill(0);
  const atEnd = new Array<boolean>(options.partitions).fill(false);
  let quiet = 0;
  while (ctx.now() < options.deadlineMs) {
    let progress = false;
    for (let p = 0; p < options.partitions; p++) {
      const info = (await metadata.topic(options.topic))?.partitions.find((x) => x.partition === p);
      const node = info?.leaderNode;
      if (node === undefined) {
        atEnd[p] = false;
        metadata.invalidate();
        continue;
      }
      try {
        if (offsets[p] === undefined) {
          const lo = await net.request<ListOffsetsResponse>(node, "ListOffsets", {
            replicaId: -1,
            isolationLevel: 0,
            topics: [
              {
                name: options.topic,
                partitions: [{ partitionIndex: p, currentLeaderEpoch: -1, timestamp: EARLIEST_TIMESTAMP }],
              },
            ],
          });
          const r = lo.topics[0]?.partitions[0];
          if (r === undefined || r.errorCode !== Errors.NONE.code) {
            metadata.invalidate();
            atEnd[p] = false;
            continue;
          }
          offsets[p] = r.offset;
          const s = rec.invoke(
            "seek",
            ctx.nodeId,
            { topicPartition: tp(p), offset: r.offset },
            at(ctx, node),
          );
          rec.ok(s, {}, at(ctx, node));
        }
        const res = await net.request<FetchResponse>(node, "Fetch", {
          replicaId: -1,
          replicaEpoch: -1,
          maxWaitMs: options.maxWaitMs ?? 100,
          minBytes: 1,
          maxBytes: 1024 * 1024,
          isolationLevel: 0,
          topics: [
            {
              topic: options.topic,
              partitions: [
                {
                  partition: p,
                  currentLeaderEpoch: -1,
                  fetchOffset: offsets[p]!,
                  lastFetchedEpoch: -1,
                  logStartOffset: -1,
                  partitionMaxBytes: 1024 * 1024,
                },
              ],
            },
          ],
        });
        const pr = res.responses[0]?.partitions[0];
        if (pr === undefined || pr.errorCode !== Errors.NONE.code) {
          if (pr?.errorCode === Errors.OFFSET_OUT_OF_RANGE.code) offsets[p] = undefined;
          else metadata.invalidate();
          atEnd[p] = false;
          continue;
        }
        const polled: [number, string | null, string][] = [];
        if (pr.records !== null) {
          for (const b of decodeRecordBatches(pr.records)) {
            for (const r of b.records) {
              const offset = b.header.baseOffset + r.offsetDelta;
              if (offset < offsets[p]!) continue;
              polled.push([
                offset,
                r.key === null ? null : decoder.decode(r.key),
                r.value === null ? "" : decoder.decode(r.value),
              ]);
            }
          }
        }
        if (polled.length > 0) {
          const h = rec.invoke("poll", ctx.nodeId, {}, at(ctx, node));
          rec.ok(h, { records: { [tp(p)]: polled } }, at(ctx, node));
          offsets[p] = polled[polled.length - 1]![0] + 1;
          counts[p] = (counts[p] ?? 0) + polled.length;
          progress = true;
        }
        atEnd[p] = offsets[p]! >= pr.highWatermark;
      } catch (e) {
        if (!isRequestFailure(e)) throw e;
        metadata.invalidate();
        atEnd[p] = false;
      }
    }
    quiet = !progress && atEnd.every(Boolean) ? quiet + 1 : 0;
    if (quiet >= (options.quietRounds ?? 3)) return { records: counts, complete: true };
    if (!progress) await ctx.sleep(50);
  }
  return { records: counts, complete: false };
}
