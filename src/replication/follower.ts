/**
 * The follower's side of a Fetch answer (Kafka's AbstractFetcherThread.processFetchRequest and
 * truncate, ReplicaFetcherThread.processPartitionData), as functions over the follower's log:
 *
 * - an error: OFFSET_OUT_OF_RANGE below the leader's log start → start over there (the follower
 *   fell behind retention); above the leader's log → the truncation seam decides
 *   ("offset-out-of-range"); other errors are returned for the fetcher to back off.
 * - divergingEpoch → the truncation seam decides where to cut ("diverging-epoch").
 * - records → appendAsFollower (offsets and epochs as the leader gave them), after aligning the
 *   first batch with the log end offset (see alignToLogEnd).
 * - then the follower's high watermark = min(leader's HW, own log end offset), and its log start
 *   offset follows the leader's, up to its own high watermark.
 *
 * `truncateFollower` applies a policy's answer: min(answer, log end offset); below the log
 * start the log restarts empty there; the leader-epoch cache is trimmed either way.
 */
import {
  Errors,
  errorForCode,
  iterateBatches,
  type ErrorInfo,
  type FetchPartitionResponse,
} from "../protocol";
import type { PartitionLog } from "../log";
import type { FollowerLogView, TruncationPolicy, TruncationTrigger } from "./truncation";

export interface FollowerFetchOutcome {
  /** What the follower did. */
  action: "appended" | "truncated" | "none" | "error";
  /** The error the leader answered (NONE unless action is "error"). */
  error: ErrorInfo;
  truncatedTo?: number;
  appended: number;
}

const EMPTY = new Uint8Array(0);

export function applyLeaderAnswer(
  log: PartitionLog,
  policy: TruncationPolicy,
  data: FetchPartitionResponse,
  nowMs: number,
): FollowerFetchOutcome {
  const truncated = (to: number | null): FollowerFetchOutcome =>
    to === null
      ? { action: "none", error: Errors.NONE, appended: 0 }
      : { action: "truncated", error: Errors.NONE, truncatedTo: to, appended: 0 };
  if (data.errorCode !== Errors.NONE.code) {
    if (data.errorCode !== Errors.OFFSET_OUT_OF_RANGE.code)
      return { action: "error", error: errorForCode(data.errorCode), appended: 0 };
    if (log.logEndOffset < data.logStartOffset) {
      // Too far behind the leader's retention: start over at its log start (handleOutOfRangeError).
      return truncated(log.truncateFullyAndStartAt(data.logStartOffset, nowMs).logEndOffset);
    }
    const trigger: TruncationTrigger = {
      kind: "offset-out-of-range",
      leaderHighWatermark: data.highWatermark,
      leaderLogStartOffset: data.logStartOffset,
    };
    return truncated(truncateFollower(log, policy, trigger, nowMs));
  }
  if (data.divergingEpoch)
    return truncated(
      truncateFollower(log, policy, { kind: "diverging-epoch", ...data.divergingEpoch }, nowMs),
    );
  let appended = 0;
  let truncatedTo: number | undefined;
  if (data.records !== null && data.records.length > 0) {
    const records = alignToLogEnd(log, data.records, nowMs, (t) => (truncatedTo = t));
    if (records.length > 0) {
      const r = log.appendAsFollower(records, { now: nowMs });
      if (r.error !== Errors.NONE) return { action: "error", error: r.error, appended: 0 };
      appended = r.numMessages;
    }
  }
  // Follower HW = min(leader's HW, own log end offset) (the log clamps it).
  log.updateHighWatermark(Math.min(data.highWatermark, log.logEndOffset));
  if (data.logStartOffset > log.logStartOffset && data.logStartOffset <= log.highWatermark)
    log.deleteRecordsBefore(data.logStartOffset);
  return {
    action: truncatedTo !== undefined ? "truncated" : appended > 0 ? "appended" : "none",
    error: Errors.NONE,
    ...(truncatedTo !== undefined ? { truncatedTo } : {}),
    appended,
  };
}

/**
 * The leader returns whole batches, the first holding the fetch offset. If that batch starts
 * below our log end offset the two logs cut batches differently, which only diverged logs do:
 * truncate to its base offset first, so the append stays dense. Batches wholly below the log
 * end offset cannot occur (they end before the fetch offset) and are skipped defensively.
 */
function alignToLogEnd(
  log: PartitionLog,
  records: Uint8Array,
  nowMs: number,
  onTruncate: (to: number) => void,
): Uint8Array {
  const leo = log.logEndOffset;
  for (const b of iterateBatches(records)) {
    const base = b.header.baseOffset;
    if (base + b.header.lastOffsetDelta < leo) continue;
    if (base < leo) {
      const r = log.truncateTo(base, nowMs);
      onTruncate(r.logEndOffset);
      if (r.logEndOffset !== base) return EMPTY; // could not cut there: fetch again
    }
    return records.subarray(b.pos);
  }
  return EMPTY;
}

/** Ask `policy` where to cut and cut there; returns the new log end offset, or null if nothing was cut. */
export function truncateFollower(
  log: PartitionLog,
  policy: TruncationPolicy,
  trigger: TruncationTrigger,
  nowMs: number,
): number | null {
  const view: FollowerLogView = {
    logEndOffset: log.logEndOffset,
    highWatermark: log.highWatermark,
    logStartOffset: log.logStartOffset,
    latestEpoch: () => log.leaderEpochCache.latestEpoch(),
    endOffsetForEpoch: (epoch) => log.leaderEpochCache.endOffsetFor(epoch, log.logEndOffset),
  };
  const target = policy.truncate(view, trigger);
  if (target === null) return null;
  if (!Number.isSafeInteger(target) || target < 0)
    throw new Error(
      `Truncation policy ${policy.name} returned ${target} for ${log.topicPartition.topic}-${log.topicPartition.partition}`,
    );
  const to = Math.min(target, log.logEndOffset);
  if (to >= log.logEndOffset) {
    log.leaderEpochCache.truncateFromEnd(to);
    return null;
  }
  const r = to < log.logStartOffset ? log.truncateFullyAndStartAt(to, nowMs) : log.truncateTo(to, nowMs);
  return r.logEndOffset;
}
