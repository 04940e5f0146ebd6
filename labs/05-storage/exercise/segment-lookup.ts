/**
 * Lab 05, part 1: finding an offset on disk. The log calls these two functions on every read
 * (seams `findSegment` and `lookupIndex` in src/log/seams.ts); the grader reads every offset of a
 * partition through them and counts the bytes each read scans.
 *
 * Exercise files may import only from src/ (the integrity test loads the pristine starter from
 * another folder at the same depth).
 */
import type { OffsetIndexView } from "../../../src/log";

/**
 * Which segment may hold `targetOffset`? `baseOffsets` holds each segment's base offset (its
 * first offset), sorted ascending; segment i holds the offsets from baseOffsets[i] up to, but
 * not including, baseOffsets[i + 1].
 *
 * Return the index of the segment with the greatest base offset ≤ targetOffset, or -1 when every
 * base offset is above it.
 */
export function findSegment(baseOffsets: readonly number[], targetOffset: number): number {
  // TODO(lab-05): reads at some offsets come back starting at a later offset, and the consumer
  // skips records. Work through baseOffsets = [0, 100, 200] with targets 50, 100 and 250.
  let lo = 0;
  let hi = baseOffsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (baseOffsets[mid]! <= targetOffset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Where in the segment's .log file should the read start looking for `targetRelativeOffset`
 * (the target offset minus the segment's base offset)?
 *
 * The sparse offset index has one entry every index.interval.bytes: entry i says "the batch
 * starting at byte positions[i] ends at relative offset relativeOffsets[i]". Both arrays are
 * sorted ascending. The log reads batch headers forward from the position you return until it
 * reaches the batch holding the target, so the position must be at or before that batch — and
 * as close to it as the index allows. Return 0 (the segment's start) when no entry qualifies.
 */
export function lookupIndex(index: OffsetIndexView, targetRelativeOffset: number): number {
  // TODO(lab-05): starting at byte 0 is always correct, and always slow: a read may walk the
  // whole segment. Use the index (it can hold thousands of entries per segment).
  void index;
  void targetRelativeOffset;
  return 0;
}
