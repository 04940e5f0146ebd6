/**
 * ListOffsets by timestamp over a log's segments (UnifiedLog.fetchOffsetByTimestamp,
 * LogSegment.findOffsetByTimestamp, FileRecords.searchForTimestamp): the earliest offset ≥ the
 * log start offset whose record timestamp is ≥ the target, found by
 *
 * 1. the first segment whose largest timestamp is ≥ the target,
 * 2. its time index (greatest entry with timestamp ≤ target) and then its offset index,
 * 3. a walk over batch headers to the first batch whose maxTimestamp ≥ target, and
 * 4. a decode of that batch's records (decompressing if needed) for the exact record.
 *
 * The special timestamps of the ListOffsets API: EARLIEST (-2) → log start offset, LATEST (-1)
 * → log end offset (the broker caps it at the high watermark or LSO for consumers),
 * MAX_TIMESTAMP (-3, KIP-734) → the record with the largest timestamp, EARLIEST_LOCAL (-4) →
 * the log start offset (no tiered storage here).
 */
import { decodeRecordBatch, NO_TIMESTAMP, PARTITION_LEADER_EPOCH_OFFSET } from "../protocol";
import type { LogSegment } from "./segment";

/** ListOffsetsRequest's special timestamps. */
export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;
export const MAX_TIMESTAMP = -3;
export const EARLIEST_LOCAL_TIMESTAMP = -4;

/** A ListOffsets answer for one partition (Kafka's FileRecords.TimestampAndOffset). */
export interface TimestampAndOffset {
  /** Record timestamp, or -1 (NO_TIMESTAMP) for EARLIEST/LATEST and when nothing matched. */
  timestamp: number;
  /** The offset, or -1 when no record has a timestamp ≥ the target. */
  offset: number;
  /** The partitionLeaderEpoch of the batch holding the offset (or the latest epoch for LATEST); undefined when unknown. */
  leaderEpoch: number | undefined;
}

export const NO_OFFSET_FOUND: TimestampAndOffset = Object.freeze({
  timestamp: NO_TIMESTAMP,
  offset: -1,
  leaderEpoch: undefined,
});

/** Search `segments` (oldest first) for the first record with timestamp ≥ `target` and offset ≥ `startingOffset`. */
export function searchByTimestamp(
  segments: readonly LogSegment[],
  target: number,
  startingOffset: number,
): TimestampAndOffset {
  for (const segment of segments) {
    if (segment.largestTimestamp < target) continue;
    const found = searchSegment(segment, target, startingOffset);
    if (found !== undefined) return found;
  }
  return NO_OFFSET_FOUND;
}

/** The record holding the largest timestamp in the log (KIP-734's MAX_TIMESTAMP). */
export function searchMaxTimestamp(
  segments: readonly LogSegment[],
  startingOffset: number,
): TimestampAndOffset {
  let best: LogSegment | undefined;
  for (const s of segments) {
    if (s.maxTimestampSoFar >= 0 && (best === undefined || s.maxTimestampSoFar > best.maxTimestampSoFar))
      best = s;
  }
  if (best === undefined) return NO_OFFSET_FOUND;
  return searchSegment(best, best.maxTimestampSoFar, startingOffset) ?? NO_OFFSET_FOUND;
}

function searchSegment(
  segment: LogSegment,
  target: number,
  startingOffset: number,
): TimestampAndOffset | undefined {
  const start = segment.timestampSearchStart(target, startingOffset);
  for (const { batch, bytes } of segment.batches(start)) {
    if (batch.lastOffset < startingOffset || batch.maxTimestamp < target) continue;
    const decoded = decodeRecordBatch(bytes, 0, { verifyCrc: false });
    const epoch = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(
      PARTITION_LEADER_EPOCH_OFFSET,
    );
    for (const r of decoded.records) {
      if (r.timestamp >= target && r.offset >= startingOffset) {
        return { timestamp: r.timestamp, offset: r.offset, leaderEpoch: epoch >= 0 ? epoch : undefined };
      }
    }
  }
  return undefined;
}
