/**
 * The fetch path and other reads of the ReplicaManager (replica-manager.ts): Kafka's
 * ReplicaManager.fetchMessages with DelayedFetch, readFromLog, fetchOffsetForTimestamp
 * (ListOffsets) and lastOffsetForLeaderEpoch.
 *
 * A Fetch reads every partition (fetch-serving.ts; followers: progress recorded, divergence
 * answered), then long-polls in the fetch purgatory until minBytes are available, a partition
 * changes role or epoch, a follower's log diverges, or maxWaitMs passes; the completion reads
 * again. A Fetch answer holds at most maxBytes (fetch.max.bytes or
 * replica.fetch.response.max.bytes), at most partitionMaxBytes per partition, but always the
 * first batch of the first partition with data, however big (KIP-74).
 *
 * Invariant: `done` is called exactly once per Fetch; a high watermark moved by a follower's
 * fetch completes the produces and fetches waiting on it.
 *
 * Departures from Kafka: no fetch sessions (KIP-227), quotas or preferred read replicas
 * (KIP-392).
 */
import {
  Errors,
  LATEST_TIMESTAMP,
  EARLIEST_TIMESTAMP,
  type ErrorInfo,
  type FetchRequest,
  type FetchResponse,
  type IsolationLevel,
} from "../protocol";
import { topicPartitionKey } from "../log";
import { DelayedFetch } from "./delayed-operations";
import { fetchCanComplete, readFetch, type FetchServingContext, type FetchSnapshot } from "./fetch-serving";
import { notLeader, type ReplicaManagerState } from "./replica-manager-state";
import type { LocalReadRequest, LocalReadResult } from "./services";

export function read(s: ReplicaManagerState, req: LocalReadRequest): LocalReadResult {
  const p = s.partitions.get(topicPartitionKey({ topic: req.topic, partition: req.partition }));
  const fail = (error: ErrorInfo, message: string | null): LocalReadResult => ({
    error,
    errorMessage: message,
    records: new Uint8Array(0),
    highWatermark: -1,
    logStartOffset: -1,
    logEndOffset: -1,
  });
  if (p === undefined) {
    const n = notLeader(s, req.topic, req.partition);
    return {
      ...fail(n.error, n.errorMessage),
      ...(n.currentLeader ? { currentLeader: n.currentLeader } : {}),
    };
  }
  const error = p.checkLeaderEpoch(req.currentLeaderEpoch ?? -1, req.requireLeader ?? true);
  if (error !== Errors.NONE) return fail(error, null);
  const bound = req.bound === "high-watermark" ? p.highWatermark : p.logEndOffset;
  const r = p.log.read(req.fetchOffset, req.maxBytes, bound);
  return {
    error: r.error,
    errorMessage: r.errorMessage ?? null,
    records: r.records,
    highWatermark: r.highWatermark,
    logStartOffset: r.logStartOffset,
    logEndOffset: r.logEndOffset,
  };
}

export function fetchMessages(
  s: ReplicaManagerState,
  request: FetchRequest,
  done: (response: FetchResponse) => void,
): void {
  const { response, bytes, complete } = readAll(s, request);
  if (complete || request.maxWaitMs <= 0 || bytes >= Math.max(1, request.minBytes)) {
    done(response);
    return;
  }
  const snapshot: FetchSnapshot = new Map();
  const keys: string[] = [];
  for (const t of request.topics ?? []) {
    for (const fp of t.partitions ?? []) {
      const key = topicPartitionKey({ topic: t.topic, partition: fp.partition });
      const p = s.partitions.get(key);
      keys.push(key);
      snapshot.set(key, { role: p?.role ?? "none", leaderEpoch: p?.leaderEpoch ?? -1 });
    }
  }
  const op = new DelayedFetch(
    () => fetchCanComplete(fetchContext(s), request, snapshot),
    () => done(readAll(s, request).response),
  );
  if (!s.fetchPurgatory.tryCompleteElseWatch(op, keys)) {
    op.cancelTimer = s.host.schedule(request.maxWaitMs, () => s.fetchPurgatory.forceComplete(op));
  }
}

/** Read every partition of a Fetch now (fetch-serving.ts), then act on what the reads changed. */
export function readAll(
  s: ReplicaManagerState,
  request: FetchRequest,
): { response: FetchResponse; bytes: number; complete: boolean } {
  const r = readFetch(fetchContext(s), request);
  for (const key of r.highWatermarkMoved) {
    s.producePurgatory.checkAndComplete(key);
    s.fetchPurgatory.checkAndComplete(key);
  }
  for (const pr of r.proposals) s.host.submitAlterPartition(pr);
  return { response: r.response, bytes: r.bytes, complete: r.complete };
}

function fetchContext(s: ReplicaManagerState): FetchServingContext {
  return {
    partition: (key) => s.partitions.get(key),
    notLeader: (topic, partition) => notLeader(s, topic, partition),
    nowMs: s.host.now(),
    fetchMaxBytes: s.host.config.fetchMaxBytes,
  };
}

export function listOffset(
  s: ReplicaManagerState,
  topic: string,
  partition: number,
  timestamp: number,
  options: { currentLeaderEpoch: number; isolationLevel: IsolationLevel; fromConsumer: boolean },
): { error: ErrorInfo; timestamp: number; offset: number; leaderEpoch: number } {
  const fail = (error: ErrorInfo) => ({ error, timestamp: -1, offset: -1, leaderEpoch: -1 });
  const p = s.partitions.get(topicPartitionKey({ topic, partition }));
  if (p === undefined) return fail(notLeader(s, topic, partition).error);
  const error = p.checkLeaderEpoch(options.currentLeaderEpoch, true);
  if (error !== Errors.NONE) return fail(error);
  const latestEpoch = p.log.leaderEpochCache.latestEpoch() ?? -1;
  if (timestamp === EARLIEST_TIMESTAMP)
    return {
      error: Errors.NONE,
      timestamp: -1,
      offset: p.logStartOffset,
      leaderEpoch: p.log.leaderEpochCache.epochForOffset(p.logStartOffset) ?? -1,
    };
  if (timestamp === LATEST_TIMESTAMP) {
    const offset = options.fromConsumer ? p.highWatermark : p.logEndOffset;
    return { error: Errors.NONE, timestamp: -1, offset, leaderEpoch: latestEpoch };
  }
  const r = p.log.offsetForTimestamp(timestamp);
  if (r.error !== Errors.NONE) return fail(r.error);
  if (options.fromConsumer && r.offset >= p.highWatermark)
    return { error: Errors.NONE, timestamp: -1, offset: -1, leaderEpoch: -1 };
  return { error: Errors.NONE, timestamp: r.timestamp, offset: r.offset, leaderEpoch: r.leaderEpoch ?? -1 };
}

export function lastOffsetForLeaderEpoch(
  s: ReplicaManagerState,
  topic: string,
  partition: number,
  currentLeaderEpoch: number,
  leaderEpoch: number,
): { error: ErrorInfo; leaderEpoch: number; endOffset: number } {
  const p = s.partitions.get(topicPartitionKey({ topic, partition }));
  if (p === undefined) return { error: notLeader(s, topic, partition).error, leaderEpoch: -1, endOffset: -1 };
  const r = p.lastOffsetForLeaderEpoch(currentLeaderEpoch, leaderEpoch, true);
  return { error: r.error, leaderEpoch: r.epoch, endOffset: r.endOffset };
}
