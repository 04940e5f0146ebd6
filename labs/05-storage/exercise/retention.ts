/**
 * Lab 05, part 2: retention. Every log.retention.check.interval.ms the log asks this function
 * which of its segments to delete (seam `selectSegmentsForRetention` in src/log/seams.ts), then
 * deletes them and moves the log start offset to the first segment it keeps.
 *
 * Exercise files may import only from src/.
 */
import type { RetentionConfig, SegmentInfo } from "../../../src/log";

/**
 * Return the base offsets of the segments to delete now, oldest first.
 *
 * - `segments`: oldest first; the last one is the active segment (isActive), the one being
 *   written to. endOffset is exclusive (the next segment's base offset, or the log end offset).
 * - `now`: the broker's clock in ms; `largestTimestamp` is the newest record's timestamp in ms.
 * - `config`: retention.ms and retention.bytes (-1 means no limit), and whether cleanup.policy
 *   includes "delete" (a compacted-only topic is never trimmed by time or size).
 * - `logStartOffset`: the first offset readers may fetch. DeleteRecords can move it into the
 *   middle of a segment; segments wholly below it hold nothing anyone can read.
 * - `highWatermark`: the end (exclusive) of the records every in-sync replica has.
 */
export function selectSegmentsForRetention(
  segments: readonly SegmentInfo[],
  now: number,
  config: RetentionConfig,
  logStartOffset: number,
  highWatermark: number,
): number[] {
  // TODO(lab-05): this deletes oldest-first while a segment is expired or the partition is over
  // retention.bytes. Compare it with the rules on the storage page: which segments may it never
  // delete, how far may the size rule go, and what about logStartOffset, highWatermark and
  // config.deleteEnabled?
  void logStartOffset;
  void highWatermark;
  const deleted: number[] = [];
  let total = 0;
  for (const s of segments) total += s.sizeInBytes;
  for (const s of segments) {
    const expired = config.retentionMs >= 0 && now - s.largestTimestamp > config.retentionMs;
    const overSize = config.retentionBytes >= 0 && total > config.retentionBytes;
    if (!expired && !overSize) break;
    deleted.push(s.baseOffset);
    total -= s.sizeInBytes;
  }
  return deleted;
}
