/**
 * Everything that removes data from a PartitionLog (partition-log.ts): follower truncation at
 * the end (UnifiedLog.truncateTo, truncateFullyAndStartAt), DeleteRecords at the start
 * (UnifiedLog.maybeIncrementLogStartOffset), and retention (UnifiedLog.deleteOldSegments, whose
 * predicates live in retention.ts behind the selectSegmentsForRetention seam).
 *
 * Invariants: logStartOffset ≤ highWatermark ≤ logEndOffset after every call; retention and
 * DeleteRecords never pass the high watermark (a seam that would is a SeamContractError); the
 * leader-epoch cache and the producer state never describe offsets the log no longer has;
 * listeners hear of every truncation, log start offset increment and segment deletion.
 *
 * Departures from Kafka:
 * - Truncation is made durable at once (fsync of the truncated segment and of the directory).
 *   Kafka leaves it in the page cache and relies on re-truncating by leader epoch after a
 *   restart; this log must be correct on its own.
 * - truncateTo cuts at the start of the batch holding the target offset and reports the
 *   resulting log end offset (Kafka sets the log end offset to the target even mid-batch).
 * - Retention renames segment files to `.deleted` and deletes them file.delete.delay.ms later,
 *   when `deleteOldSegments` or `deleteExpiredFiles` next runs (Kafka: a scheduled task).
 */
import { Errors } from "../protocol";
import { deletesByRetention } from "./log-config";
import { SeamContractError } from "./seams";
import { goOffline, logName, offlineMessage, type LogState } from "./log-state";
import { replayProducerState } from "./log-producer-replay";
import type { DeleteRecordsResult, RetentionResult, TruncateResult } from "./log-results";

/**
 * Follower truncation (UnifiedLog.truncateTo): remove the batch holding `targetOffset` and
 * everything after it, trim the leader-epoch cache, lower the recovery point, the high
 * watermark and (as Kafka) the log start offset to the new end. A target at or above the log
 * end offset removes nothing (the epoch cache is still trimmed); a target below the first
 * segment empties the log and restarts it there.
 */
export function truncateTo(s: LogState, targetOffset: number, now: number): TruncateResult {
  if (!Number.isSafeInteger(targetOffset) || targetOffset < 0) {
    throw new RangeError(`Cannot truncate ${logName(s)} to offset ${targetOffset}`);
  }
  return truncation(s, "truncate", () => {
    if (targetOffset >= s.local.logEndOffset) {
      s.leaderEpochCache.truncateFromEnd(targetOffset);
      return false;
    }
    if (s.local.firstSegmentBaseOffset > targetOffset) {
      restartAt(s, targetOffset, now);
      return true;
    }
    const end = s.local.truncateTo(targetOffset);
    s.leaderEpochCache.truncateFromEnd(end);
    s.logStartOffset = Math.min(s.logStartOffset, end);
    s.highWatermark = Math.min(s.highWatermark, end);
    return true;
  });
}

/** Delete every segment and restart the log empty at `newOffset` (UnifiedLog.truncateFullyAndStartAt). */
export function truncateFullyAndStartAt(s: LogState, newOffset: number, now: number): TruncateResult {
  if (!Number.isSafeInteger(newOffset) || newOffset < 0) {
    throw new RangeError(`Cannot restart ${logName(s)} at offset ${newOffset}`);
  }
  return truncation(s, "truncate fully", () => {
    restartAt(s, newOffset, now);
    return true;
  });
}

function truncation(s: LogState, what: string, run: () => boolean): TruncateResult {
  if (s.offlineReason !== undefined) {
    return {
      error: Errors.KAFKA_STORAGE_ERROR,
      errorMessage: offlineMessage(s, what),
      truncated: false,
      logEndOffset: s.local.logEndOffset,
    };
  }
  try {
    const truncated = run();
    if (truncated) {
      // ProducerStateManager.truncateAndReload: forget state above the new end.
      replayProducerState(s.producerState, s.local, s.logStartOffset);
      for (const l of s.listeners) l.onTruncate?.(s.local.logEndOffset);
    }
    return { error: Errors.NONE, truncated, logEndOffset: s.local.logEndOffset };
  } catch (e) {
    const errorMessage = goOffline(s, e, what);
    return {
      error: Errors.KAFKA_STORAGE_ERROR,
      errorMessage,
      truncated: false,
      logEndOffset: s.local.logEndOffset,
    };
  }
}

function restartAt(s: LogState, newOffset: number, now: number): void {
  s.local.truncateFullyAndStartAt(newOffset, now);
  s.producerState.truncateFullyAndStartAt(newOffset);
  s.leaderEpochCache.clear();
  s.logStartOffset = newOffset;
  s.highWatermark = newOffset;
}

/**
 * DeleteRecords (UnifiedLog.maybeIncrementLogStartOffset): move the log start offset up to
 * `offset` (-1 means the high watermark). Segments wholly below it go at the next retention
 * run. Above the high watermark: OFFSET_OUT_OF_RANGE.
 */
export function deleteRecordsBefore(s: LogState, offset: number): DeleteRecordsResult {
  if (s.offlineReason !== undefined) {
    return {
      error: Errors.KAFKA_STORAGE_ERROR,
      errorMessage: offlineMessage(s, "delete records"),
      lowWatermark: s.logStartOffset,
    };
  }
  const target = offset === -1 ? s.highWatermark : offset;
  if (!Number.isSafeInteger(target) || target < 0 || target > s.highWatermark) {
    return {
      error: Errors.OFFSET_OUT_OF_RANGE,
      errorMessage: `Cannot delete records of ${logName(s)} before offset ${offset}: it is above the high watermark ${s.highWatermark}`,
      lowWatermark: s.logStartOffset,
    };
  }
  try {
    if (target > s.logStartOffset) incrementLogStartOffset(s, target);
  } catch (e) {
    return {
      error: Errors.KAFKA_STORAGE_ERROR,
      errorMessage: goOffline(s, e, "delete records"),
      lowWatermark: s.logStartOffset,
    };
  }
  return { error: Errors.NONE, lowWatermark: s.logStartOffset };
}

function incrementLogStartOffset(s: LogState, offset: number): void {
  s.logStartOffset = offset;
  s.leaderEpochCache.truncateFromStart(offset);
  s.producerState.onLogStartOffsetIncremented(offset);
  for (const l of s.listeners) l.onLogStartOffsetIncremented?.(offset);
}

/**
 * UnifiedLog.deleteOldSegments: ask the `selectSegmentsForRetention` seam which old segments
 * to delete (log start offset, retention.bytes, retention.ms; never the active segment or
 * past the high watermark; retention.ts), rename their files `.deleted`, advance the log start
 * offset, and delete `.deleted` files whose file.delete.delay.ms has passed.
 */
export function deleteOldSegments(s: LogState, now: number): RetentionResult {
  if (s.offlineReason !== undefined) {
    const errorMessage = offlineMessage(s, "delete old segments");
    return {
      error: Errors.KAFKA_STORAGE_ERROR,
      errorMessage,
      deletedSegments: [],
      logStartOffset: s.logStartOffset,
    };
  }
  const infos = s.local.segmentInfos();
  const config = {
    retentionMs: s.config.retentionMs,
    retentionBytes: s.config.retentionBytes,
    deleteEnabled: deletesByRetention(s.config),
  };
  const selected = s.seams.selectSegmentsForRetention(infos, now, config, s.logStartOffset, s.highWatermark);
  selected.forEach((base, k) => {
    const info = infos[k];
    if (info === undefined || info.baseOffset !== base || info.isActive) {
      const all = infos.map((i) => i.baseOffset).join(", ");
      throw new SeamContractError(
        `selectSegmentsForRetention must return a prefix of the inactive segments' base offsets; got [${selected.join(", ")}] for [${all}]`,
      );
    }
  });
  const newStart = infos[selected.length]!.baseOffset;
  if (selected.length > 0 && newStart > s.highWatermark) {
    throw new SeamContractError(
      `selectSegmentsForRetention would move the log start offset to ${newStart}, above the high watermark ${s.highWatermark}`,
    );
  }
  try {
    if (selected.length > 0) {
      s.local.removeOldestSegments(selected.length, now + s.config.fileDeleteDelayMs);
      if (newStart > s.logStartOffset) incrementLogStartOffset(s, newStart);
      s.producerState.deleteSnapshotsBefore(s.local.firstSegmentBaseOffset);
      for (const l of s.listeners) l.onSegmentsDeleted?.(selected);
    }
    s.local.deleteExpiredFiles(now);
  } catch (e) {
    const errorMessage = goOffline(s, e, "delete old segments");
    return {
      error: Errors.KAFKA_STORAGE_ERROR,
      errorMessage,
      deletedSegments: [],
      logStartOffset: s.logStartOffset,
    };
  }
  return { error: Errors.NONE, deletedSegments: selected, logStartOffset: s.logStartOffset };
}
