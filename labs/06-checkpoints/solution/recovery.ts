/**
 * Lab 06, part 2 — reference solution: Kafka's LogLoader.recoverLog scans
 * `segments.values(recoveryPoint, Long.MAX)`: the segment holding the recovery point and every
 * later one. Everything below the recovery point was fsynced; the bytes after it in its segment
 * may not have been, so that segment is scanned too. A binary search finds it.
 */
export function recoveryStartSegment(segmentBaseOffsets: readonly number[], recoveryPoint: number): number {
  let lo = 0;
  let hi = segmentBaseOffsets.length - 1;
  let found = 0; // a recovery point below the first segment: scan everything
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segmentBaseOffsets[mid]! <= recoveryPoint) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
