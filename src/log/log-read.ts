/**
 * The read path of PartitionLog (partition-log.ts): Kafka's UnifiedLog.read (Fetch) and
 * UnifiedLog.fetchOffsetByTimestamp (ListOffsets). Reads go through LocalLog (local-log.ts)
 * and the seams (seams.ts); time lookups through timestamp-search.ts.
 *
 * Invariants: a read returns whole batches only, never one whose last offset is at or above
 * its exclusive bound; a fetch offset outside [logStartOffset, logEndOffset] is
 * OFFSET_OUT_OF_RANGE; a read never changes the log (only the read statistics). Corruption
 * found while reading is KAFKA_STORAGE_ERROR for that read; a disk error takes the log offline
 * (log-state.ts); a seam that breaks its contract throws SeamContractError (a bug).
 *
 * Departures from Kafka: no isolation level here (the caller passes the high watermark as the
 * bound; without transactions the last stable offset is the high watermark); no remote
 * (tiered) reads, so EARLIEST_LOCAL answers the same as EARLIEST.
 */
import { Errors, type ErrorInfo, NO_TIMESTAMP } from "../protocol";
import { SeamContractError } from "./seams";
import { LogCorruptionError } from "./segment";
import { goOffline, logName, offlineMessage, type LogState } from "./log-state";
import {
  EARLIEST_LOCAL_TIMESTAMP,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  MAX_TIMESTAMP,
  NO_OFFSET_FOUND,
  searchByTimestamp,
  searchMaxTimestamp,
} from "./timestamp-search";
import type { ReadResult, TimestampLookupResult } from "./log-results";

const EMPTY = new Uint8Array(0);

/**
 * Whole batches starting with the one that holds `fetchOffset`: up to `maxBytes` (the first
 * batch whole even if larger when `minOneMessage`, KIP-74), never a batch whose last offset is
 * at or above `maxOffsetExclusive`.
 */
export function readLog(
  s: LogState,
  fetchOffset: number,
  maxBytes: number,
  maxOffsetExclusive: number,
  minOneMessage: boolean,
): ReadResult {
  const leo = s.local.logEndOffset;
  const result: ReadResult = {
    error: Errors.NONE,
    records: EMPTY,
    logStartOffset: s.logStartOffset,
    logEndOffset: leo,
    highWatermark: s.highWatermark,
    segmentBaseOffset: -1,
    position: -1,
    bytesScanned: 0,
    batchesScanned: 0,
  };
  if (s.offlineReason !== undefined) {
    return { ...result, error: Errors.KAFKA_STORAGE_ERROR, errorMessage: offlineMessage(s, "read") };
  }
  if (!Number.isInteger(fetchOffset) || fetchOffset < s.logStartOffset || fetchOffset > leo) {
    return {
      ...result,
      error: Errors.OFFSET_OUT_OF_RANGE,
      errorMessage: `Cannot read ${logName(s)} at offset ${fetchOffset}: outside [log start offset ${s.logStartOffset}, log end offset ${leo}]`,
    };
  }
  s.stats.reads++;
  const limit = Math.min(maxOffsetExclusive, leo);
  if (fetchOffset >= limit) return result;
  try {
    const r = s.local.read(fetchOffset, Math.max(0, maxBytes), limit, minOneMessage, s.seams);
    s.stats.bytesScanned += r.bytesScanned;
    return { ...result, ...r };
  } catch (e) {
    if (e instanceof SeamContractError) throw e;
    const message = e instanceof LogCorruptionError ? e.message : goOffline(s, e, "read");
    return { ...result, error: Errors.KAFKA_STORAGE_ERROR, errorMessage: message };
  }
}

/**
 * ListOffsets: the earliest offset ≥ the log start offset whose record timestamp is ≥
 * `timestamp`, or one of the special timestamps EARLIEST (-2), LATEST (-1), MAX_TIMESTAMP (-3),
 * EARLIEST_LOCAL (-4). offset = -1 when no record qualifies.
 */
export function offsetForTimestamp(s: LogState, timestamp: number): TimestampLookupResult {
  const none = (error: ErrorInfo, errorMessage: string): TimestampLookupResult => ({
    error,
    errorMessage,
    ...NO_OFFSET_FOUND,
  });
  if (s.offlineReason !== undefined)
    return none(Errors.KAFKA_STORAGE_ERROR, offlineMessage(s, "list offsets"));
  if (timestamp === EARLIEST_TIMESTAMP || timestamp === EARLIEST_LOCAL_TIMESTAMP) {
    const leaderEpoch = s.leaderEpochCache.epochForOffset(s.logStartOffset);
    return { error: Errors.NONE, timestamp: NO_TIMESTAMP, offset: s.logStartOffset, leaderEpoch };
  }
  if (timestamp === LATEST_TIMESTAMP) {
    const leaderEpoch = s.leaderEpochCache.latestEpoch();
    return { error: Errors.NONE, timestamp: NO_TIMESTAMP, offset: s.local.logEndOffset, leaderEpoch };
  }
  if (timestamp < 0 && timestamp !== MAX_TIMESTAMP) {
    return none(
      Errors.INVALID_REQUEST,
      `Cannot list offsets for timestamp ${timestamp}: not a timestamp or special value`,
    );
  }
  try {
    const segments = s.local.segmentList();
    const found =
      timestamp === MAX_TIMESTAMP
        ? searchMaxTimestamp(segments, s.logStartOffset)
        : searchByTimestamp(segments, timestamp, s.logStartOffset);
    return { error: Errors.NONE, ...found };
  } catch (e) {
    return none(
      Errors.KAFKA_STORAGE_ERROR,
      e instanceof LogCorruptionError ? e.message : goOffline(s, e, "list offsets"),
    );
  }
}
