/**
 * The storage engine's seams: the few small, pure decisions that the storage lab (05) and the
 * checkpoint lab (06) replace with a learner's code. The log calls them only through a
 * `LogSeams` object; `DEFAULT_LOG_SEAMS` holds the correct, Kafka-true versions.
 *
 * | seam                       | Kafka counterpart                                         |
 * |----------------------------|-----------------------------------------------------------|
 * | findSegment                | LogSegments.floorSegment (a ConcurrentSkipListMap floor)   |
 * | lookupIndex                | OffsetIndex.lookup → AbstractIndex.largestLowerBoundSlotFor |
 * | selectSegmentsForRetention | UnifiedLog.deleteOldSegments and its three predicates      |
 * | recoveryStartSegment       | LogLoader.recoverLog: segments.values(recoveryPoint, ∞)    |
 * | writeCheckpoint            | CheckpointFile.write (tmp file, fsync, atomic rename, fsync dir) |
 * | checkSequence              | ProducerAppendInfo.checkSequence/checkProducerEpoch + findDuplicateBatch (idempotence lab 02; producer-state.ts) |
 *
 * Contract the log relies on (and checks, throwing when a seam breaks it, since that is a bug):
 * findSegment returns -1 or a valid index; lookupIndex returns 0 or one of the index's positions;
 * selectSegmentsForRetention returns base offsets of existing, inactive segments forming a
 * prefix; recoveryStartSegment returns a valid index. Within the contract a wrong answer is
 * possible (a lookup that lands after the target, a retention rule that deletes unread data): the
 * log then misbehaves observably, which is what the labs' graders detect.
 */
import type { OffsetIndexView } from "./offset-index";
import { atomicWriteFile, type CheckpointWriter } from "./checkpoint-file";
import { defaultSelectSegmentsForRetention, type RetentionConfig, type SegmentInfo } from "./retention";
import { defaultCheckSequence, type CheckSequence } from "./producer-state";

export type { CheckpointWriter, RetentionConfig, SegmentInfo };
export { defaultSelectSegmentsForRetention };

export interface LogSeams {
  /**
   * Index of the segment that may hold `targetOffset`: the one with the greatest base offset ≤
   * target, or -1 when every base offset is above it. `baseOffsets` is sorted ascending.
   */
  findSegment(baseOffsets: readonly number[], targetOffset: number): number;
  /**
   * File position to start scanning from for `targetRelativeOffset` (offset − segment base):
   * the position of the entry with the greatest relative offset ≤ target, or 0 when there is
   * none. Entries map a batch's LAST offset to that batch's start position.
   */
  lookupIndex(index: OffsetIndexView, targetRelativeOffset: number): number;
  /**
   * Base offsets of the segments to delete now, oldest first. Never the active segment, never a
   * segment whose end offset is above the high watermark, and always a prefix of `segments`.
   */
  selectSegmentsForRetention(
    segments: readonly SegmentInfo[],
    now: number,
    config: RetentionConfig,
    logStartOffset: number,
    highWatermark: number,
  ): number[];
  /**
   * Index of the first segment recovery must scan after an unclean shutdown: the segment
   * holding the recovery point (everything below it was fsynced), 0 when the point is below
   * the first segment. `segmentBaseOffsets` is sorted ascending and non-empty.
   */
  recoveryStartSegment(segmentBaseOffsets: readonly number[], recoveryPoint: number): number;
  /** Writes a checkpoint file so that a crash or power loss leaves the old or the new content, never a mix. */
  writeCheckpoint: CheckpointWriter;
  /**
   * The broker's idempotence check of one client batch against the producer's remembered state
   * (undefined: nothing known): append, duplicate of a remembered batch (answered with its
   * original offsets, nothing appended), or OUT_OF_ORDER_SEQUENCE_NUMBER / INVALID_PRODUCER_EPOCH.
   */
  checkSequence: CheckSequence;
}

/** Thrown when a seam breaks its contract (see seams.ts); a bug, not a Kafka error. */
export class SeamContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SeamContractError";
  }
}

// #region floor-lookup
/** Greatest index i with sorted[i] ≤ target, or -1. */
function floorIndex(sorted: ArrayLike<number>, length: number, target: number): number {
  let lo = 0;
  let hi = length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= target) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

export function defaultFindSegment(baseOffsets: readonly number[], targetOffset: number): number {
  return floorIndex(baseOffsets, baseOffsets.length, targetOffset);
}

export function defaultLookupIndex(index: OffsetIndexView, targetRelativeOffset: number): number {
  const i = floorIndex(index.relativeOffsets, index.relativeOffsets.length, targetRelativeOffset);
  return i < 0 ? 0 : index.positions[i]!;
}
// #endregion floor-lookup

export function defaultRecoveryStartSegment(
  segmentBaseOffsets: readonly number[],
  recoveryPoint: number,
): number {
  return Math.max(0, floorIndex(segmentBaseOffsets, segmentBaseOffsets.length, recoveryPoint));
}

export const DEFAULT_LOG_SEAMS: LogSeams = Object.freeze({
  findSegment: defaultFindSegment,
  lookupIndex: defaultLookupIndex,
  selectSegmentsForRetention: defaultSelectSegmentsForRetention,
  recoveryStartSegment: defaultRecoveryStartSegment,
  writeCheckpoint: atomicWriteFile,
  checkSequence: defaultCheckSequence,
});

/** The default seams with some replaced (what a lab does with a learner's function). */
export function logSeams(overrides: Partial<LogSeams> = {}): LogSeams {
  return Object.freeze({ ...DEFAULT_LOG_SEAMS, ...overrides });
}
