/**
 * Retention (Kafka's UnifiedLog.deleteOldSegments and LogManager.cleanupLogs): which old
 * segments go, and how their files go.
 *
 * Rules, in Kafka's order, each walking from the oldest segment and stopping at the first one it
 * keeps (deletion is always a prefix of the log):
 * 1. log start offset (deleteLogStartOffsetBreachedSegments): the next segment starts at or
 *    below the log start offset, so nothing in this one can be read any more (DeleteRecords);
 * 2. retention.bytes (deleteRetentionSizeBreachedSegments): while the log minus this segment
 *    still holds at least retention.bytes;
 * 3. retention.ms (deleteRetentionMsBreachedSegments): the segment's largest timestamp is more
 *    than retention.ms before now.
 * Rules 2 and 3 apply only when cleanup.policy contains "delete". No rule deletes the active
 * segment or a segment that ends above the high watermark (so the log start offset never passes
 * it). Whole segments only.
 *
 * Deleting: the segment leaves the log at once and its files are renamed with `.deleted`; they
 * are removed file.delete.delay.ms later (Kafka schedules that on a thread; here whoever runs
 * retention next calls `deleteExpired(now)`). A `.deleted` file found at startup is removed
 * (recovery.ts). The rename is not fsynced: after a power loss the segment may come back, below
 * the log start offset, and is deleted again, as in Kafka.
 *
 * Departure from Kafka: Kafka 3.x also rolls an active segment that breaches retention so that a
 * later run can delete it; here the active segment simply waits for its next roll.
 */
import type { Disk } from "./disk";

/** What retention knows about one segment. Offsets: baseOffset inclusive, endOffset exclusive. */
export interface SegmentInfo {
  readonly baseOffset: number;
  /** First offset after the segment: the next segment's base offset, or the log end offset for the active segment. */
  readonly endOffset: number;
  readonly sizeInBytes: number;
  /** Largest record timestamp in the segment (LogSegment.largestTimestamp); its last-modified time when it has none. */
  readonly largestTimestamp: number;
  /** The active (last) segment, the one being appended to. */
  readonly isActive: boolean;
}

/** The configs retention reads (retention.ms, retention.bytes; -1 = unlimited). */
export interface RetentionConfig {
  readonly retentionMs: number;
  readonly retentionBytes: number;
  /** cleanup.policy contains "delete"; when false only the log-start-offset rule applies. */
  readonly deleteEnabled: boolean;
}

/**
 * Kafka's deleteOldSegments: first segments wholly below the log start offset, then (if
 * cleanup.policy has "delete") by size, then by time. Each rule walks from the oldest segment
 * and stops at the first segment it keeps; none passes the active segment or the high watermark.
 */
export function defaultSelectSegmentsForRetention(
  segments: readonly SegmentInfo[],
  now: number,
  config: RetentionConfig,
  logStartOffset: number,
  highWatermark: number,
): number[] {
  const deleted: number[] = [];
  let first = 0;
  // One pass of UnifiedLog.deletableSegments with a predicate over (segment, next segment).
  const pass = (shouldDelete: (s: SegmentInfo, next: SegmentInfo) => boolean): void => {
    while (first < segments.length - 1) {
      const s = segments[first]!;
      const next = segments[first + 1]!;
      if (s.isActive || s.endOffset > highWatermark || !shouldDelete(s, next)) return;
      deleted.push(s.baseOffset);
      first++;
    }
  };
  // deleteLogStartOffsetBreachedSegments: the next segment starts at or below the log start offset.
  pass((_s, next) => next.baseOffset <= logStartOffset);
  if (config.deleteEnabled && config.retentionBytes >= 0) {
    let total = 0;
    for (let i = first; i < segments.length; i++) total += segments[i]!.sizeInBytes;
    let excess = total - config.retentionBytes;
    if (excess >= 0) {
      pass((s) => {
        if (excess - s.sizeInBytes < 0) return false;
        excess -= s.sizeInBytes;
        return true;
      });
    }
  }
  if (config.deleteEnabled && config.retentionMs >= 0) {
    pass((s) => now - s.largestTimestamp > config.retentionMs);
  }
  return deleted;
}

/** Segment files waiting for file.delete.delay.ms to pass. */
export class PendingDeletions {
  private pending: { paths: string[]; deleteAtMs: number }[] = [];

  constructor(private readonly disk: Disk) {}

  /** Files (already renamed `.deleted`) to delete at or after `deleteAtMs`. */
  add(paths: string[], deleteAtMs: number): void {
    this.pending.push({ paths, deleteAtMs });
  }

  /** Delete the files whose time has come. Returns how many files were deleted. */
  deleteExpired(now: number): number {
    let n = 0;
    const keep: { paths: string[]; deleteAtMs: number }[] = [];
    for (const p of this.pending) {
      if (p.deleteAtMs > now) {
        keep.push(p);
        continue;
      }
      for (const path of p.paths) {
        if (this.disk.exists(path)) {
          this.disk.delete(path);
          n++;
        }
      }
    }
    this.pending = keep;
    return n;
  }

  /** Files still waiting. */
  get size(): number {
    let n = 0;
    for (const p of this.pending) n += p.paths.length;
    return n;
  }
}
