/**
 * Validation of the bytes handed to an append, before anything is written (Kafka's
 * UnifiedLog.analyzeAndValidateRecords and the batch-level checks of LogValidator). Every batch
 * is checked; one bad batch rejects the whole append, so nothing is ever half-written.
 *
 * Checks, in Kafka's order, with the error code each failure becomes:
 * - structure: whole batches only, batchLength ≥ 49, magic 2, lastOffsetDelta ≥ 0 → CORRUPT_MESSAGE
 * - size of one batch > max.message.bytes → MESSAGE_TOO_LARGE (after compression: we never decompress)
 * - CRC-32C over [attributes, end) → CORRUPT_MESSAGE
 * - leader, from a client: baseOffset must be 0 and recordsCount = lastOffsetDelta + 1 ≥ 1 → INVALID_RECORD
 * - leader, CreateTime: timestamps within message.timestamp.before/after.max.ms of now → INVALID_TIMESTAMP
 * - follower: offsets dense and increasing → UNKNOWN_SERVER_ERROR (Kafka: OffsetsOutOfOrderException, not a wire error)
 * - all batches together > segment.bytes → RECORD_LIST_TOO_LARGE
 *
 * `assignOffsets` then does what LogValidator does to valid batches in place (on the log's own
 * copy): as leader, stamp base offsets from the log end offset, the partitionLeaderEpoch, and
 * under LogAppendTime the append time (with a new CRC); as follower, keep what the leader wrote.
 *
 * Departures from Kafka: records are not decoded, so per-record checks (record CRCs for old
 * formats, keys of compacted topics, each record's timestamp) are replaced by batch-level ones:
 * the timestamp check reads the batch's baseTimestamp and maxTimestamp only.
 */
import {
  Errors,
  type ErrorInfo,
  crc32c,
  ATTRIBUTES_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  CRC_OFFSET,
  NO_TIMESTAMP,
  PARTITION_LEADER_EPOCH_OFFSET,
  RECORDS_COUNT_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  TIMESTAMP_TYPE_MASK,
} from "../protocol";
import { HEADER_BYTES, checkBatchHeader, dataView, int64At, scanHeader, setInt64At } from "./batch-scan";
import type { AppendedBatch } from "./segment";
import type { LogConfig } from "./log-config";

// Module-local copies (see batch-scan.ts: imported bindings are getters under tsx).
const CRC_AT = CRC_OFFSET;
const ATTRIBUTES_AT = ATTRIBUTES_OFFSET;
const BASE_TIMESTAMP_AT = BASE_TIMESTAMP_OFFSET;
const EPOCH_AT = PARTITION_LEADER_EPOCH_OFFSET;
const RECORDS_COUNT_AT = RECORDS_COUNT_OFFSET;
const HEADER = HEADER_BYTES;
const NO_TS = NO_TIMESTAMP;
const MAX_TIMESTAMP_AT = MAX_TIMESTAMP_OFFSET;
const LOG_APPEND_TIME_FLAG = TIMESTAMP_TYPE_MASK;
const crc32cOf = crc32c;

/** Who is appending (Kafka's AppendOrigin): clients and coordinators append as leader; replication as follower. */
export type AppendOrigin = "client" | "coordinator" | "replication";

/** One validated batch of the input. `position` is its start within the input bytes. */
export interface ValidBatch {
  position: number;
  size: number;
  baseOffset: number;
  lastOffsetDelta: number;
  maxTimestamp: number;
  partitionLeaderEpoch: number;
  recordsCount: number;
}

export interface ValidAppend {
  ok: true;
  batches: ValidBatch[];
  totalBytes: number;
  /** Records across batches (sum of lastOffsetDelta + 1). */
  offsetCount: number;
  maxTimestamp: number;
}

export interface InvalidAppend {
  ok: false;
  error: ErrorInfo;
  message: string;
}

/** Check every batch in `bytes` (concatenated batches) for an append by `origin`. */
export function validateAppend(
  bytes: Uint8Array,
  origin: AppendOrigin,
  config: LogConfig,
  now: number,
): ValidAppend | InvalidAppend {
  const dv = dataView(bytes);
  const batches: ValidBatch[] = [];
  const asLeader = origin !== "replication";
  let position = 0;
  let offsetCount = 0;
  let maxTimestamp = NO_TS;
  while (position < bytes.length) {
    const remaining = bytes.length - position;
    if (remaining < HEADER)
      return failure(
        batches.length,
        position,
        Errors.CORRUPT_MESSAGE,
        `${remaining} trailing bytes cannot hold a ${HEADER}-byte batch header`,
      );
    const problem = checkBatchHeader(dv, position);
    if (problem !== undefined) return failure(batches.length, position, Errors.CORRUPT_MESSAGE, problem);
    const h = scanHeader(dv, position, position);
    if (h.size > remaining)
      return failure(
        batches.length,
        position,
        Errors.CORRUPT_MESSAGE,
        `batchLength says ${h.size} bytes but only ${remaining} remain`,
      );
    if (h.size > config.maxMessageBytes) {
      return failure(
        batches.length,
        position,
        Errors.MESSAGE_TOO_LARGE,
        `the batch is ${h.size} bytes, above max.message.bytes ${config.maxMessageBytes}`,
      );
    }
    const stored = dv.getUint32(position + CRC_AT);
    const computed = crc32cOf(bytes, position + ATTRIBUTES_AT, position + h.size);
    if (stored !== computed) {
      return failure(
        batches.length,
        position,
        Errors.CORRUPT_MESSAGE,
        `CRC mismatch: the batch says ${hex(stored)}, its bytes give ${hex(computed)}`,
      );
    }
    const lastOffsetDelta = h.lastOffset - h.baseOffset;
    const recordsCount = dv.getInt32(position + RECORDS_COUNT_AT);
    if (asLeader) {
      if (origin === "client" && h.baseOffset !== 0) {
        return failure(
          batches.length,
          position,
          Errors.INVALID_RECORD,
          `a client batch must have base offset 0, this one has ${h.baseOffset}`,
        );
      }
      if (recordsCount <= 0 || recordsCount !== lastOffsetDelta + 1) {
        return failure(
          batches.length,
          position,
          Errors.INVALID_RECORD,
          `inconsistent batch: ${recordsCount} records but lastOffsetDelta ${lastOffsetDelta}`,
        );
      }
      if (config.messageTimestampType === "CreateTime") {
        const tsProblem = timestampProblem(
          int64At(dv, position + BASE_TIMESTAMP_AT),
          h.maxTimestamp,
          now,
          config,
        );
        if (tsProblem !== undefined)
          return failure(batches.length, position, Errors.INVALID_TIMESTAMP, tsProblem);
      }
    } else {
      const prev = batches[batches.length - 1];
      if (prev !== undefined && h.baseOffset !== prev.baseOffset + prev.lastOffsetDelta + 1) {
        return failure(
          batches.length,
          position,
          Errors.UNKNOWN_SERVER_ERROR,
          `offsets out of order: base offset ${h.baseOffset} follows last offset ${prev.baseOffset + prev.lastOffsetDelta}`,
        );
      }
    }
    if (h.maxTimestamp > maxTimestamp) maxTimestamp = h.maxTimestamp;
    batches.push({
      position,
      size: h.size,
      baseOffset: h.baseOffset,
      lastOffsetDelta,
      maxTimestamp: h.maxTimestamp,
      partitionLeaderEpoch: dv.getInt32(position + EPOCH_AT),
      recordsCount,
    });
    offsetCount += lastOffsetDelta + 1;
    position += h.size;
  }
  if (position > config.segmentBytes) {
    return {
      ok: false,
      error: Errors.RECORD_LIST_TOO_LARGE,
      message: `Cannot append ${position} bytes: larger than segment.bytes ${config.segmentBytes}`,
    };
  }
  return { ok: true, batches, totalBytes: position, offsetCount, maxTimestamp };
}

export interface AssignedOffsets {
  /** What the segment needs per batch (offsets and timestamps as written). */
  appended: AppendedBatch[];
  /** (epoch, base offset) of every batch with an epoch, for the leader-epoch cache. */
  epochStarts: [number, number][];
  maxTimestamp: number;
  /** The log end offset after the append. */
  nextOffset: number;
}

/**
 * Stamp validated batches in `data` (the log's own copy) for the append. As leader: base offsets
 * from `firstOffset`, partitionLeaderEpoch = `leaderEpoch`, and with `logAppendTimeMs` the
 * LogAppendTime attribute, maxTimestamp and a recomputed CRC (DefaultRecordBatch.setMaxTimestamp).
 * As follower: nothing changes; offsets were checked dense from `firstOffset` by the caller.
 */
export function assignOffsets(
  data: Uint8Array,
  batches: readonly ValidBatch[],
  o: { firstOffset: number; asLeader: boolean; leaderEpoch: number; logAppendTimeMs: number | undefined },
): AssignedOffsets {
  const dv = dataView(data);
  const appended: AppendedBatch[] = [];
  const epochStarts: [number, number][] = [];
  let next = o.firstOffset;
  let maxTimestamp = NO_TS;
  for (const b of batches) {
    const base = next;
    let epoch = b.partitionLeaderEpoch;
    let batchMaxTs = b.maxTimestamp;
    if (o.asLeader) {
      setInt64At(dv, b.position, base);
      dv.setInt32(b.position + EPOCH_AT, o.leaderEpoch);
      epoch = o.leaderEpoch;
      if (o.logAppendTimeMs !== undefined) {
        dv.setInt16(
          b.position + ATTRIBUTES_AT,
          dv.getInt16(b.position + ATTRIBUTES_AT) | LOG_APPEND_TIME_FLAG,
        );
        setInt64At(dv, b.position + MAX_TIMESTAMP_AT, o.logAppendTimeMs);
        dv.setUint32(b.position + CRC_AT, crc32cOf(data, b.position + ATTRIBUTES_AT, b.position + b.size));
        batchMaxTs = o.logAppendTimeMs;
      }
    }
    const lastOffset = base + b.lastOffsetDelta;
    appended.push({ lastOffset, maxTimestamp: batchMaxTs, size: b.size });
    if (epoch >= 0) epochStarts.push([epoch, base]);
    if (batchMaxTs > maxTimestamp) maxTimestamp = batchMaxTs;
    next = lastOffset + 1;
  }
  return { appended, epochStarts, maxTimestamp, nextOffset: next };
}

function failure(index: number, position: number, error: ErrorInfo, what: string): InvalidAppend {
  return { ok: false, error, message: `Cannot append batch ${index} (at byte ${position}): ${what}` };
}

function timestampProblem(
  baseTimestamp: number,
  maxTimestamp: number,
  now: number,
  config: LogConfig,
): string | undefined {
  for (const ts of [baseTimestamp, maxTimestamp]) {
    if (ts === NO_TS) continue;
    if (ts < now - config.messageTimestampBeforeMaxMs) {
      return `timestamp ${ts} is more than message.timestamp.before.max.ms ${config.messageTimestampBeforeMaxMs} before now (${now})`;
    }
    if (ts > now + config.messageTimestampAfterMaxMs) {
      return `timestamp ${ts} is more than message.timestamp.after.max.ms ${config.messageTimestampAfterMaxMs} after now (${now})`;
    }
  }
  return undefined;
}

function hex(n: number): string {
  return "0x" + n.toString(16).padStart(8, "0");
}
