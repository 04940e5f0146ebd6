/**
 * Lab 06, part 2: where recovery starts. After an unclean shutdown the log asks this function
 * which segment to start re-validating from (seam `recoveryStartSegment` in src/log/seams.ts);
 * it scans that segment and every later one batch by batch (size, CRC, dense offsets) and cuts
 * at the first bad byte. Segments before it are trusted as they are.
 *
 * Exercise files may import only from src/.
 */

/**
 * `segmentBaseOffsets`: each segment's first offset, sorted ascending, never empty.
 * `recoveryPoint`: from recovery-point-offset-checkpoint; every offset below it was fsynced
 * before the checkpoint was written.
 *
 * Return the index of the first segment recovery must scan.
 */
export function recoveryStartSegment(segmentBaseOffsets: readonly number[], recoveryPoint: number): number {
  // TODO(lab-06): "only the active segment can hold unflushed bytes", so this trusts every other
  // segment. Kafka flushes a rolled segment asynchronously, and the checkpoint can be minutes
  // old: which bytes does the recovery point actually vouch for? (Scanning everything is safe,
  // but a broker with terabytes of log would take hours to restart: the grader bounds the scan.)
  void recoveryPoint;
  return segmentBaseOffsets.length - 1;
}
