/**
 * Serving a Fetch on the leader (Kafka's ReplicaManager.readFromLog and DelayedFetch.tryComplete),
 * as two functions over the broker's partitions:
 *
 * - readFetch: reads every partition of the request. Consumers (replicaId -1) read below the
 *   high watermark; followers read up to the log end offset, their fetch offset records their
 *   progress (which may move the high watermark and propose an ISR expansion), and a
 *   lastFetchedEpoch the leader's epoch history contradicts gets divergingEpoch and no records.
 *   Sizes: at most maxBytes in all (for consumers also fetch.max.bytes) and partitionMaxBytes
 *   per partition, but the first partition with data gets its first batch whole, however big
 *   (KIP-74). `complete` says the answer must go out at once (an error or a divergence).
 * - fetchCanComplete: Kafka's DelayedFetch cases for a waiting Fetch: a partition changed role or
 *   leader epoch or vanished; the fetch offset is now beyond the end (the log was truncated);
 *   enough bytes are available (minBytes; with minBytes ≤ 1 any new record); a follower's log now
 *   diverges from the leader's.
 *
 * Offsets: the end a fetch may reach is exclusive (HW for consumers, LEO for followers).
 */
import {
  CONSUMER_REPLICA_ID,
  Errors,
  type FetchPartitionResponse,
  type FetchRequest,
  type FetchResponse,
} from "../protocol";
import { topicPartitionKey } from "../log";
import type { AlterIsrProposal, Partition } from "../replication";
import type { LeaderAppendResult } from "./services";

export interface FetchServingContext {
  /** The local partition by `<topic>-<partition>` key. */
  partition(key: string): Partition | undefined;
  /** The answer for a partition this broker does not lead (UNKNOWN_TOPIC_OR_PARTITION or NOT_LEADER_OR_FOLLOWER with a hint). */
  notLeader(topic: string, partition: number): LeaderAppendResult;
  nowMs: number;
  /** fetch.max.bytes: the broker's cap on a consumer's response. */
  fetchMaxBytes: number;
}

/** Role and leader epoch of each partition when a Fetch started waiting. */
export type FetchSnapshot = Map<string, { role: string; leaderEpoch: number }>;

export interface FetchRead {
  response: FetchResponse;
  bytes: number;
  complete: boolean;
  /** Partitions whose high watermark moved (followers' progress): waiting operations to re-check. */
  highWatermarkMoved: string[];
  /** ISR expansions proposed by the reads. */
  proposals: AlterIsrProposal[];
}

export function readFetch(ctx: FetchServingContext, request: FetchRequest): FetchRead {
  const fromFollower = request.replicaId !== CONSUMER_REPLICA_ID && request.replicaId >= 0;
  let remaining = Math.max(0, Math.min(request.maxBytes, fromFollower ? Infinity : ctx.fetchMaxBytes));
  let total = 0;
  let complete = false;
  const highWatermarkMoved: string[] = [];
  const proposals: AlterIsrProposal[] = [];
  const responses: FetchResponse["responses"] = [];
  for (const t of request.topics ?? []) {
    const partitions: FetchPartitionResponse[] = [];
    responses.push({ topic: t.topic, partitions });
    for (const fp of t.partitions ?? []) {
      const key = topicPartitionKey({ topic: t.topic, partition: fp.partition });
      const p = ctx.partition(key);
      if (p === undefined) {
        const n = ctx.notLeader(t.topic, fp.partition);
        partitions.push({
          partitionIndex: fp.partition,
          errorCode: n.error.code,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          records: null,
          ...(n.currentLeader ? { currentLeader: n.currentLeader } : {}),
        });
        complete = true;
        continue;
      }
      const maxBytes = Math.max(0, Math.min(fp.partitionMaxBytes, remaining));
      const minOneMessage = total === 0; // KIP-74
      if (fromFollower) {
        const r = p.readAsLeaderForFollower({
          replicaId: request.replicaId,
          replicaEpoch: request.replicaEpoch,
          fetchOffset: fp.fetchOffset,
          lastFetchedEpoch: fp.lastFetchedEpoch,
          currentLeaderEpoch: fp.currentLeaderEpoch,
          logStartOffset: fp.logStartOffset,
          maxBytes,
          minOneMessage,
          nowMs: ctx.nowMs,
        });
        partitions.push(r.response);
        total += r.bytes;
        remaining -= r.bytes;
        if (r.response.errorCode !== Errors.NONE.code || r.response.divergingEpoch) complete = true;
        if (r.highWatermarkChanged) highWatermarkMoved.push(key);
        if (r.proposal) proposals.push(r.proposal);
      } else {
        const r = p.readAsLeaderForConsumer(fp.fetchOffset, fp.currentLeaderEpoch, maxBytes, minOneMessage);
        partitions.push(r.response);
        total += r.bytes;
        remaining -= r.bytes;
        if (r.response.errorCode !== Errors.NONE.code) complete = true;
      }
    }
  }
  return {
    response: { errorCode: Errors.NONE.code, responses },
    bytes: total,
    complete,
    highWatermarkMoved,
    proposals,
  };
}

export function fetchCanComplete(
  ctx: FetchServingContext,
  request: FetchRequest,
  snapshot: FetchSnapshot,
): boolean {
  const fromFollower = request.replicaId >= 0;
  let available = 0;
  for (const t of request.topics ?? []) {
    for (const fp of t.partitions ?? []) {
      const key = topicPartitionKey({ topic: t.topic, partition: fp.partition });
      const p = ctx.partition(key);
      const before = snapshot.get(key);
      if (p === undefined || before === undefined) return true;
      if (p.role !== before.role || p.leaderEpoch !== before.leaderEpoch || !p.isLeader) return true;
      const endOffset = fromFollower ? p.logEndOffset : p.highWatermark;
      if (fp.fetchOffset > endOffset) return true; // the leader's log was truncated below it
      if (fp.fetchOffset < endOffset) {
        if (request.minBytes <= 1) return true;
        available += p.log.read(fp.fetchOffset, fp.partitionMaxBytes, endOffset).records.length;
      }
      if (fromFollower && fp.lastFetchedEpoch >= 0) {
        const end = p.log.leaderEpochCache.endOffsetFor(fp.lastFetchedEpoch, p.logEndOffset);
        if (end.endOffset < 0 || end.epoch < fp.lastFetchedEpoch || end.endOffset < fp.fetchOffset)
          return true;
      }
    }
  }
  return available >= request.minBytes;
}
