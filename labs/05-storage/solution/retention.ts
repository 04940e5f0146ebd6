/**
 * Lab 05, part 2 — reference solution: Kafka's UnifiedLog.deleteOldSegments. Walk the segments
 * oldest first and stop at the first one that must stay, so deletions always form a prefix and
 * the log start offset simply moves to the first segment kept.
 *
 * A segment goes when all of these hold:
 * - it is not the active segment (Kafka rolls a new active segment before deleting an expired
 *   one; this log leaves that to its roll rules);
 * - all its offsets are below the high watermark (every in-sync replica has them);
 * - and one rule applies: the next segment starts at or below the log start offset (everything
 *   in it was deleted by DeleteRecords), or, when cleanup.policy includes "delete", the
 *   partition stays at or above retention.bytes without it, or its newest record is older than
 *   retention.ms.
 */
import type { RetentionConfig, SegmentInfo } from "../../../src/log";

export function selectSegmentsForRetention(
  segments: readonly SegmentInfo[],
  now: number,
  config: RetentionConfig,
  logStartOffset: number,
  highWatermark: number,
): number[] {
  let remainingBytes = 0;
  for (const s of segments) remainingBytes += s.sizeInBytes;
  const deleted: number[] = [];
  for (let i = 0; i + 1 < segments.length; i++) {
    const segment = segments[i]!;
    const next = segments[i + 1]!;
    if (segment.isActive || segment.endOffset > highWatermark) break;
    const belowLogStart = next.baseOffset <= logStartOffset;
    const overSize =
      config.deleteEnabled &&
      config.retentionBytes >= 0 &&
      remainingBytes - segment.sizeInBytes >= config.retentionBytes;
    const expired =
      config.deleteEnabled && config.retentionMs >= 0 && now - segment.largestTimestamp > config.retentionMs;
    if (!belowLogStart && !overSize && !expired) break;
    deleted.push(segment.baseOffset);
    remainingBytes -= segment.sizeInBytes;
  }
  return deleted;
}
