/**
 * The leader side of Partition (partition.ts) that serves requests, as in Kafka's
 * Partition.scala: Produce appends (appendRecordsToLeader), acks=-1 completion
 * (checkEnoughReplicasReachOffset), leader-epoch checks, OffsetsForLeaderEpoch, and reads for
 * consumers and for followers (fetchRecords).
 *
 * - appendAsLeader: acks=-1 with an ISR smaller than the effective min ISR =
 *   min(min.insync.replicas, replication factor) → NOT_ENOUGH_REPLICAS, nothing written; else the
 *   log stamps the batches with the leader epoch.
 * - readAsLeaderForFollower: the fetch offset is the follower's log end offset; a
 *   `lastFetchedEpoch` the leader's history contradicts gets `divergingEpoch` (KIP-320) and
 *   nothing else; otherwise the follower's progress is recorded, which may expand the ISR and
 *   move the high watermark (partition-isr.ts).
 * - checkEnoughReplicasReachOffset: done once HW ≥ the required offset;
 *   NOT_ENOUGH_REPLICAS_AFTER_APPEND if the maximal ISR is then below the effective min ISR.
 *
 * Invariant: consumers never see offsets at or above the high watermark; failures are error
 * codes in the results, never exceptions.
 *
 * Departures from Kafka: no preferred read replica (KIP-392), no remote (tiered) storage; the
 * last stable offset is the high watermark (no transactions).
 */
import { Errors, type ErrorInfo, type FetchPartitionResponse } from "../protocol";
import type { AppendResult, EpochEndOffset, PartitionLog } from "../log";
import { maximalIsr } from "./isr-state";
import { maybeExpandIsr, maybeIncrementLeaderHighWatermark } from "./partition-isr";
import { effectiveMinIsr, partitionName, type PartitionReplicaState } from "./partition-state";
import type { FollowerFetchInput, LeaderAppendOutcome, LeaderReadOutcome } from "./partition-types";

// ---- leader: appends -----------------------------------------------------------------------

/** Kafka's appendRecordsToLeader: the min ISR check for acks=-1, then the log append. */
export function appendAsLeader(
  s: PartitionReplicaState,
  records: Uint8Array,
  options: { acks: -1 | 0 | 1; origin: "client" | "coordinator"; nowMs: number },
): LeaderAppendOutcome {
  if (s.role !== "leader") {
    return {
      result: failedAppend(
        s.log,
        Errors.NOT_LEADER_OR_FOLLOWER,
        `Cannot append to ${partitionName(s)}: broker ${s.ctx.localBrokerId} is not its leader`,
      ),
      highWatermarkChanged: false,
    };
  }
  const minIsr = effectiveMinIsr(s);
  if (options.acks === -1 && s.isrState.isr.length < minIsr) {
    return {
      result: failedAppend(
        s.log,
        Errors.NOT_ENOUGH_REPLICAS,
        `The size of the current ISR [${s.isrState.isr}] is insufficient to satisfy the min.isr requirement of ${minIsr} for partition ${partitionName(s)}`,
      ),
      highWatermarkChanged: false,
    };
  }
  const result = s.log.appendAsLeader(records, {
    now: options.nowMs,
    leaderEpoch: s.leaderEpoch,
    origin: options.origin,
  });
  const highWatermarkChanged =
    result.error === Errors.NONE ? maybeIncrementLeaderHighWatermark(s, options.nowMs) : false;
  return { result, highWatermarkChanged };
}

/**
 * Partition.checkEnoughReplicasReachOffset for acks=-1: `done` once the high watermark has
 * reached `requiredOffset` (last offset + 1), with NOT_ENOUGH_REPLICAS_AFTER_APPEND if the
 * maximal ISR is then below the effective min ISR; NOT_LEADER_OR_FOLLOWER when not leader.
 */
export function checkEnoughReplicasReachOffset(
  s: PartitionReplicaState,
  requiredOffset: number,
): { done: boolean; error: ErrorInfo } {
  if (s.role !== "leader") return { done: true, error: Errors.NOT_LEADER_OR_FOLLOWER };
  if (s.log.highWatermark < requiredOffset) return { done: false, error: Errors.NONE };
  return maximalIsr(s.isrState).length >= effectiveMinIsr(s)
    ? { done: true, error: Errors.NONE }
    : { done: true, error: Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND };
}

// ---- leader: reads ---------------------------------------------------------------------------

/** FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH for a stale / future currentLeaderEpoch (-1: no check). */
export function checkLeaderEpoch(
  s: PartitionReplicaState,
  currentLeaderEpoch: number,
  requireLeader: boolean,
): ErrorInfo {
  if (currentLeaderEpoch >= 0) {
    if (currentLeaderEpoch < s.leaderEpoch) return Errors.FENCED_LEADER_EPOCH;
    if (currentLeaderEpoch > s.leaderEpoch) return Errors.UNKNOWN_LEADER_EPOCH;
  }
  if (requireLeader && s.role !== "leader") return Errors.NOT_LEADER_OR_FOLLOWER;
  return Errors.NONE;
}

/** Partition.lastOffsetForLeaderEpoch: (largest epoch ≤ `epoch`, its exclusive end offset). */
export function lastOffsetForLeaderEpoch(
  s: PartitionReplicaState,
  currentLeaderEpoch: number,
  epoch: number,
  requireLeader: boolean,
): { error: ErrorInfo } & EpochEndOffset {
  const error = checkLeaderEpoch(s, currentLeaderEpoch, requireLeader);
  if (error !== Errors.NONE) return { error, epoch: -1, endOffset: -1 };
  const answer = s.log.leaderEpochCache.endOffsetFor(epoch, s.log.logEndOffset);
  return { error: Errors.NONE, ...answer };
}

/** A consumer's read: leader only, below the high watermark. */
export function readAsLeaderForConsumer(
  s: PartitionReplicaState,
  fetchOffset: number,
  currentLeaderEpoch: number,
  maxBytes: number,
  minOneMessage = true,
): { response: FetchPartitionResponse; bytes: number } {
  const error = checkLeaderEpoch(s, currentLeaderEpoch, true);
  if (error !== Errors.NONE) return { response: errorResponse(s, error), bytes: 0 };
  const r = s.log.read(fetchOffset, maxBytes, s.log.highWatermark, minOneMessage);
  if (r.error !== Errors.NONE) return { response: errorResponse(s, r.error), bytes: 0 };
  return {
    response: {
      partitionIndex: s.partition,
      errorCode: Errors.NONE.code,
      highWatermark: r.highWatermark,
      lastStableOffset: r.highWatermark,
      logStartOffset: r.logStartOffset,
      records: r.records.length > 0 ? r.records : null,
    },
    bytes: r.records.length,
  };
}

/**
 * A follower's Fetch (Partition.fetchRecords for a follower): divergence check, read up to
 * the log end offset, then record the follower's progress. The high watermark in the answer
 * is the one from before this fetch moved it (the follower learns it on its next fetch).
 */
export function readAsLeaderForFollower(
  s: PartitionReplicaState,
  input: FollowerFetchInput,
): LeaderReadOutcome {
  const none = (response: FetchPartitionResponse): LeaderReadOutcome => ({
    response,
    bytes: 0,
    highWatermarkChanged: false,
    proposal: null,
  });
  const error = checkLeaderEpoch(s, input.currentLeaderEpoch, true);
  if (error !== Errors.NONE) return none(errorResponse(s, error));
  const follower = s.followers.get(input.replicaId);
  if (follower === undefined) {
    return none(errorResponse(s, Errors.UNKNOWN_SERVER_ERROR));
  }
  const initialHighWatermark = s.log.highWatermark;
  if (input.lastFetchedEpoch >= 0) {
    const end = s.log.leaderEpochCache.endOffsetFor(input.lastFetchedEpoch, s.log.logEndOffset);
    if (end.epoch < input.lastFetchedEpoch || end.endOffset < input.fetchOffset) {
      return none({
        partitionIndex: s.partition,
        errorCode: Errors.NONE.code,
        highWatermark: initialHighWatermark,
        lastStableOffset: initialHighWatermark,
        logStartOffset: s.log.logStartOffset,
        divergingEpoch: { epoch: end.epoch, endOffset: end.endOffset },
        records: null,
      });
    }
  }
  const leaderLogEndOffset = s.log.logEndOffset;
  const r = s.log.read(input.fetchOffset, input.maxBytes, leaderLogEndOffset, input.minOneMessage);
  if (r.error !== Errors.NONE) return none(errorResponse(s, r.error));
  follower.updateFetchState(
    input.fetchOffset,
    input.logStartOffset,
    leaderLogEndOffset,
    input.nowMs,
    input.replicaEpoch,
  );
  const proposal = maybeExpandIsr(s, follower);
  const highWatermarkChanged = maybeIncrementLeaderHighWatermark(s, input.nowMs);
  return {
    response: {
      partitionIndex: s.partition,
      errorCode: Errors.NONE.code,
      highWatermark: initialHighWatermark,
      lastStableOffset: initialHighWatermark,
      logStartOffset: r.logStartOffset,
      records: r.records.length > 0 ? r.records : null,
    },
    bytes: r.records.length,
    highWatermarkChanged,
    proposal,
  };
}

// ---- helpers -------------------------------------------------------------------------------------

function errorResponse(s: PartitionReplicaState, error: ErrorInfo): FetchPartitionResponse {
  const r: FetchPartitionResponse = {
    partitionIndex: s.partition,
    errorCode: error.code,
    highWatermark: error === Errors.OFFSET_OUT_OF_RANGE ? s.log.highWatermark : -1,
    lastStableOffset: -1,
    logStartOffset: s.log.logStartOffset,
    records: null,
  };
  if (error === Errors.NOT_LEADER_OR_FOLLOWER || error === Errors.FENCED_LEADER_EPOCH)
    r.currentLeader = { leaderId: s.leaderId, leaderEpoch: s.leaderEpoch };
  return r;
}
function failedAppend(log: PartitionLog, error: ErrorInfo, errorMessage: string): AppendResult {
  return {
    error,
    errorMessage,
    firstOffset: -1,
    lastOffset: -1,
    maxTimestamp: -1,
    logAppendTime: -1,
    logStartOffset: log.logStartOffset,
    numMessages: 0,
    validBytes: 0,
  };
}
