/**
 * Lab 05, part 1 — reference solution. Both lookups are floor searches done by binary search:
 * Kafka keeps segments in a skip list keyed by base offset (LogSegments.floorSegment) and
 * binary-searches the memory-mapped index (AbstractIndex.largestLowerBoundSlotFor).
 */
import type { OffsetIndexView } from "../../../src/log";

/** Greatest i with sorted[i] ≤ target (sorted ascending), or -1: O(log n) reads. */
function floorSlot(sorted: ArrayLike<number>, target: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= target) {
      found = mid; // a candidate; a later one may also be ≤ target
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** The segment with the greatest base offset ≤ target (floor, not ceiling), or -1. */
export function findSegment(baseOffsets: readonly number[], targetOffset: number): number {
  return floorSlot(baseOffsets, targetOffset);
}

/**
 * The position of the entry with the greatest relative offset ≤ target. That entry's batch ends
 * at or before the target, so the batch holding the target starts at or after its position; the
 * next entry is past the target, so at most about index.interval.bytes lie in between.
 */
export function lookupIndex(index: OffsetIndexView, targetRelativeOffset: number): number {
  const slot = floorSlot(index.relativeOffsets, targetRelativeOffset);
  return slot < 0 ? 0 : index.positions[slot]!;
}
