/**
 * RecordBatch v2 (magic 2) encode and decode, exactly as Kafka lays it out
 * (DefaultRecordBatch.java; header table in batch-header.ts, record layout in record.ts).
 *
 * Encoding: the 61-byte header, then the records, compressed as one blob when the codec is not
 * "none". batchLength = size - 12; the CRC-32C covers [attributes, end) and so excludes
 * baseOffset, batchLength and partitionLeaderEpoch, which the leader stamps on append.
 * As in Kafka's MemoryRecordsBuilder, baseTimestamp defaults to the first record's timestamp,
 * maxTimestamp to the largest record timestamp, and offsetDelta to the record's index.
 *
 * Decoding checks, in order, and throws CorruptRecordError with the position on failure:
 * framing (batchLength ≥ 49, batch inside the buffer), magic (only v2; v0/v1 named as such),
 * CRC, attributes (codec id 0-4), recordsCount against the bytes available, the decompressed
 * size against a bound (DecompressionLimitError), each record, that the records fill the batch
 * exactly and number recordsCount, and that offsetDeltas increase within [0, lastOffsetDelta].
 * Decoded keys and values are views into the input (or the decompressed buffer): no copies.
 *
 * Departures from Kafka: an empty batch is always written uncompressed (as Kafka's
 * writeEmptyHeader does); a batch with recordsCount 0 is not decompressed when read (as Kafka).
 */
import {
  ATTRIBUTES_OFFSET,
  BATCH_LENGTH_OFFSET,
  COMPRESSION_CODEC_MASK,
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  DELETE_HORIZON_FLAG_MASK,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V2,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
  RECORD_BATCH_OVERHEAD,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  readBatchHeader,
  type BatchHeader,
} from "./batch-header";
import { ByteReader, ByteWriter } from "./bytes";
import {
  CompressionCodecIds,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  compressionTypeForId,
  getCodec,
  type CodecOverrides,
  type CompressionType,
} from "./compression/index";
import { crc32c } from "./crc32c";
import { CorruptRecordError } from "./errors";
import {
  readRecord,
  recordSizeUpperBound,
  sizeOfRecordBody,
  writeRecord,
  type DecodedRecord,
  type RecordHeader,
} from "./record";
import { sizeOfVarint } from "./varint";

export type TimestampType = "CreateTime" | "LogAppendTime";

/** The smallest valid batchLength: a header with no records (61 - 12). */
export const MIN_BATCH_LENGTH = RECORD_BATCH_OVERHEAD - LOG_OVERHEAD;
/** The smallest possible encoded record: 7 one-byte fields. Bounds recordsCount before allocating. */
const MIN_RECORD_BYTES = 7;

export interface RecordInput {
  key?: Uint8Array | null;
  value: Uint8Array | null;
  headers?: readonly RecordHeader[];
  /** Absolute timestamp in ms. Give this or timestampDelta, not both. */
  timestamp?: number;
  /** Timestamp relative to the batch's baseTimestamp. */
  timestampDelta?: number;
  /** Offset relative to baseOffset; defaults to the record's index. Must increase. */
  offsetDelta?: number;
}

export interface RecordBatchInput {
  /** Default 0 (the leader assigns real offsets on append). */
  baseOffset?: number;
  /** Default -1 (producers send -1; the leader stamps its epoch). */
  partitionLeaderEpoch?: number;
  /** Default "none". */
  compression?: CompressionType;
  /** Default "CreateTime". */
  timestampType?: TimestampType;
  /** Default: the first record's timestamp; -1 (NO_TIMESTAMP) if no record gives one. */
  baseTimestamp?: number;
  /** Default: the largest record timestamp (for LogAppendTime the broker passes its append time). */
  maxTimestamp?: number;
  /** Default -1, -1, -1: not idempotent. */
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  /** Attribute bit 6 (KIP-534): baseTimestamp holds the delete horizon of a cleaned batch. */
  hasDeleteHorizon?: boolean;
  /** Default: the last record's offsetDelta (0 for an empty batch). Compacted batches keep the original. */
  lastOffsetDelta?: number;
  records: readonly RecordInput[];
}

export interface DecodedRecordBatch {
  header: BatchHeader;
  compression: CompressionType;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  hasDeleteHorizon: boolean;
  records: DecodedRecord[];
  /** Encoded size of the whole batch (batchLength + 12). */
  sizeInBytes: number;
}

export interface DecodeOptions {
  codecs?: CodecOverrides;
  /** Bound on the decompressed records of one batch. Default 64 MiB. */
  maxDecompressedBytes?: number;
  /** Default true. */
  verifyCrc?: boolean;
}

/** Attributes int16 from its parts (DefaultRecordBatch.computeAttributes). */
export function computeAttributes(
  compression: CompressionType,
  timestampType: TimestampType,
  isTransactional: boolean,
  isControl: boolean,
  hasDeleteHorizon: boolean,
): number {
  let a = CompressionCodecIds[compression];
  if (timestampType === "LogAppendTime") a |= TIMESTAMP_TYPE_MASK;
  if (isTransactional) a |= TRANSACTIONAL_FLAG_MASK;
  if (isControl) a |= CONTROL_FLAG_MASK;
  if (hasDeleteHorizon) a |= DELETE_HORIZON_FLAG_MASK;
  return a;
}

interface PlannedRecord {
  offsetDelta: number;
  timestampDelta: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: readonly RecordHeader[];
  bodySize: number;
}

interface Plan {
  records: PlannedRecord[];
  recordsBytes: number;
  baseTimestamp: number;
  maxTimestamp: number;
  lastOffsetDelta: number;
}

const NO_HEADERS: readonly RecordHeader[] = [];

function fail(what: string): never {
  throw new RangeError(`Cannot encode record batch: ${what}`);
}

/** Resolve defaults and deltas, validate, and size every record. */
function plan(input: RecordBatchInput): Plan {
  const recs = input.records;
  const first = recs[0];
  const baseTimestamp =
    input.baseTimestamp ??
    (first?.timestamp !== undefined
      ? first.timestamp
      : first?.timestampDelta !== undefined
        ? fail("record 0 gives timestampDelta but the batch has no baseTimestamp")
        : NO_TIMESTAMP);
  if (!Number.isSafeInteger(baseTimestamp)) fail(`baseTimestamp ${baseTimestamp} is not an integer`);
  let maxTimestamp = recs.length === 0 ? baseTimestamp : Number.NEGATIVE_INFINITY;
  let prevDelta = -1;
  let recordsBytes = 0;
  const planned: PlannedRecord[] = new Array<PlannedRecord>(recs.length);
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i]!;
    if (r.timestamp !== undefined && r.timestampDelta !== undefined) {
      fail(`record ${i} gives both timestamp and timestampDelta`);
    }
    const timestampDelta = r.timestampDelta ?? (r.timestamp === undefined ? 0 : r.timestamp - baseTimestamp);
    if (!Number.isSafeInteger(timestampDelta)) fail(`record ${i} has timestampDelta ${timestampDelta}`);
    const offsetDelta = r.offsetDelta ?? i;
    if (!Number.isInteger(offsetDelta) || offsetDelta <= prevDelta || offsetDelta > 0x7fffffff) {
      fail(`record ${i} has offsetDelta ${offsetDelta}; offsetDeltas must increase from 0 and fit an int32`);
    }
    prevDelta = offsetDelta;
    const key = r.key ?? null;
    const value = r.value;
    const headers = r.headers ?? NO_HEADERS;
    const bodySize = sizeOfRecordBody(offsetDelta, timestampDelta, key, value, headers);
    recordsBytes += sizeOfVarint(bodySize) + bodySize;
    maxTimestamp = Math.max(maxTimestamp, baseTimestamp + timestampDelta);
    planned[i] = { offsetDelta, timestampDelta, key, value, headers, bodySize };
  }
  const lastOffsetDelta = input.lastOffsetDelta ?? (recs.length === 0 ? 0 : prevDelta);
  if (lastOffsetDelta < prevDelta)
    fail(`lastOffsetDelta ${lastOffsetDelta} is below the last record's offsetDelta ${prevDelta}`);
  return {
    records: planned,
    recordsBytes,
    baseTimestamp,
    maxTimestamp: input.maxTimestamp ?? maxTimestamp,
    lastOffsetDelta,
  };
}

/** Exact size of `input` encoded without compression: 61 + the records. */
export function sizeOfUncompressedBatch(input: RecordBatchInput): number {
  return RECORD_BATCH_OVERHEAD + plan(input).recordsBytes;
}

/**
 * Upper bound on a batch holding just this record (Kafka's
 * AbstractRecords.estimateSizeInBytesUpperBound for magic 2), whatever its deltas.
 */
export function estimateBatchSizeUpperBound(
  key: Uint8Array | null,
  value: Uint8Array | null,
  headers?: readonly RecordHeader[],
): number {
  return RECORD_BATCH_OVERHEAD + recordSizeUpperBound(key, value, headers);
}

/** Kafka's COMPRESSION_RATE_ESTIMATION_FACTOR: estimates err on the large side by 5%. */
export const COMPRESSION_RATE_ESTIMATION_FACTOR = 1.05;

/**
 * Estimated batch size once compressed, the way Kafka's MemoryRecordsBuilder estimates it
 * before closing a batch: header + uncompressed records × ratio × 1.05 (ratio 1 when unknown;
 * exact for "none").
 */
export function estimateCompressedBatchSize(
  uncompressedRecordsBytes: number,
  compression: CompressionType,
  compressionRatio = 1,
): number {
  if (compression === "none") return RECORD_BATCH_OVERHEAD + uncompressedRecordsBytes;
  return (
    RECORD_BATCH_OVERHEAD +
    Math.ceil(uncompressedRecordsBytes * compressionRatio * COMPRESSION_RATE_ESTIMATION_FACTOR)
  );
}

/** Reused for records before compression; replaced when one huge batch has grown it. */
let scratch = new ByteWriter(64 * 1024);
const SCRATCH_KEEP_BYTES = 8 * 1024 * 1024;

function writeRecords(w: ByteWriter, p: Plan): void {
  for (const r of p.records)
    writeRecord(w, r.offsetDelta, r.timestampDelta, r.key, r.value, r.headers, r.bodySize);
}

/** Encode a RecordBatch v2. `codecs` replaces the built-in codecs (e.g. in tests). */
export function encodeRecordBatch(input: RecordBatchInput, codecs?: CodecOverrides): Uint8Array {
  const p = plan(input);
  const compression: CompressionType = p.records.length === 0 ? "none" : (input.compression ?? "none");
  const codec = getCodec(compression, codecs);
  let payload: Uint8Array | null = null;
  if (compression !== "none") {
    writeRecords(scratch.reset(), p);
    payload = codec.compress(scratch.view());
    if (scratch.capacity > SCRATCH_KEEP_BYTES) scratch = new ByteWriter(64 * 1024);
  }
  const size = RECORD_BATCH_OVERHEAD + (payload ? payload.length : p.recordsBytes);
  const w = new ByteWriter(size);
  const attributes = computeAttributes(
    compression,
    input.timestampType ?? "CreateTime",
    input.isTransactional ?? false,
    input.isControl ?? false,
    input.hasDeleteHorizon ?? false,
  );
  w.int64(input.baseOffset ?? 0);
  w.int32(size - LOG_OVERHEAD);
  w.int32(input.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH);
  w.int8(MAGIC_V2);
  const crcAt = w.reserve(4);
  w.int16(attributes);
  w.int32(p.lastOffsetDelta);
  w.int64(p.baseTimestamp);
  w.int64(p.maxTimestamp);
  w.int64(input.producerId ?? NO_PRODUCER_ID);
  w.int16(input.producerEpoch ?? NO_PRODUCER_EPOCH);
  w.int32(input.baseSequence ?? NO_SEQUENCE);
  w.int32(p.records.length);
  if (payload) w.bytes(payload);
  else writeRecords(w, p);
  if (w.length !== size) throw new Error(`Batch size mismatch: planned ${size} bytes, wrote ${w.length}`);
  const out = w.view();
  w.setInt32At(crcAt, crc32c(out, ATTRIBUTES_OFFSET, size));
  return out;
}

function int32At(bytes: Uint8Array, p: number): number {
  return (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!;
}

/**
 * Check the framing of the batch at `pos` without decoding it: the size field, that the batch
 * lies inside `bytes`, and the magic. Returns its size in bytes.
 */
export function checkBatchFraming(
  bytes: Uint8Array,
  pos = 0,
  maxBatchBytes = Number.MAX_SAFE_INTEGER,
): number {
  const left = bytes.length - pos;
  if (left < LOG_OVERHEAD) {
    throw new CorruptRecordError(
      `Cannot read record batch: ${left} bytes left, a batch needs at least ${RECORD_BATCH_OVERHEAD}`,
      pos,
    );
  }
  const batchLength = int32At(bytes, pos + BATCH_LENGTH_OFFSET);
  if (batchLength < MIN_BATCH_LENGTH) {
    throw new CorruptRecordError(
      `Invalid batchLength ${batchLength}: a v2 batch has at least ${MIN_BATCH_LENGTH}`,
      pos + BATCH_LENGTH_OFFSET,
    );
  }
  const size = batchLength + LOG_OVERHEAD;
  if (size > maxBatchBytes) {
    throw new CorruptRecordError(
      `Batch of ${size} bytes exceeds the largest allowed (${maxBatchBytes})`,
      pos,
    );
  }
  if (left > MAGIC_OFFSET) checkMagic(bytes[pos + MAGIC_OFFSET]!, pos);
  if (size > left) {
    throw new CorruptRecordError(
      `Record batch truncated: batchLength says ${size} bytes, only ${left} present`,
      pos,
    );
  }
  return size;
}

function checkMagic(magic: number, pos: number): void {
  if (magic === MAGIC_V2) return;
  const signed = (magic << 24) >> 24;
  const what =
    signed === 0 || signed === 1
      ? `magic ${signed} (message format v${signed}, before Kafka 0.11) is not supported; only RecordBatch v2 (magic 2) is`
      : `invalid magic ${signed}; only RecordBatch v2 (magic 2) is supported`;
  throw new CorruptRecordError(`Cannot read record batch: ${what}`, pos + MAGIC_OFFSET);
}

/** Throw unless the batch's stored CRC matches its bytes. */
export function checkBatchCrc(bytes: Uint8Array, pos: number, size: number): void {
  const stored = int32At(bytes, pos + CRC_OFFSET) >>> 0;
  const computed = crc32c(bytes, pos + ATTRIBUTES_OFFSET, pos + size);
  if (stored !== computed) {
    throw new CorruptRecordError(
      `Record batch is corrupt: stored crc 0x${stored.toString(16)}, computed crc 0x${computed.toString(16)}`,
      pos + CRC_OFFSET,
    );
  }
}

/** Framing, magic and CRC of the complete batch at `pos`; returns its header and size. */
export function verifyRecordBatch(bytes: Uint8Array, pos = 0): { header: BatchHeader; sizeInBytes: number } {
  const size = checkBatchFraming(bytes, pos);
  checkBatchCrc(bytes, pos, size);
  return { header: readBatchHeader(bytes, pos), sizeInBytes: size };
}

/** Decode the batch at `pos`, records included. */
export function decodeRecordBatch(
  bytes: Uint8Array,
  pos = 0,
  options: DecodeOptions = {},
): DecodedRecordBatch {
  const size = checkBatchFraming(bytes, pos);
  if (options.verifyCrc ?? true) checkBatchCrc(bytes, pos, size);
  const header = readBatchHeader(bytes, pos);
  const codecId = header.attributes & COMPRESSION_CODEC_MASK;
  const compression = compressionTypeForId(codecId);
  if (compression === undefined) {
    throw new CorruptRecordError(
      `Unknown compression codec id ${codecId} in batch attributes (Kafka defines 0-4)`,
      pos + ATTRIBUTES_OFFSET,
    );
  }
  const timestampType: TimestampType =
    header.attributes & TIMESTAMP_TYPE_MASK ? "LogAppendTime" : "CreateTime";
  const count = header.recordsCount;
  if (count < 0)
    throw new CorruptRecordError(`Invalid recordsCount ${count}`, pos + RECORD_BATCH_OVERHEAD - 4);

  let reader: ByteReader;
  let compressedAt: number | null = null; // batch position, when records were decompressed
  if (count === 0) {
    reader = new ByteReader(bytes, pos + size, pos + size);
  } else if (compression === "none") {
    reader = new ByteReader(bytes, pos + RECORD_BATCH_OVERHEAD, pos + size);
  } else {
    const codec = getCodec(compression, options.codecs);
    const data = codec.decompress(
      bytes.subarray(pos + RECORD_BATCH_OVERHEAD, pos + size),
      options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
    );
    reader = new ByteReader(data);
    compressedAt = pos;
  }
  if (count > reader.remaining / MIN_RECORD_BYTES) {
    throw new CorruptRecordError(
      `recordsCount ${count} cannot fit in ${reader.remaining} bytes of ${compression === "none" ? "" : "decompressed "}records`,
      pos + RECORD_BATCH_OVERHEAD - 4,
    );
  }
  const logAppendTime = timestampType === "LogAppendTime" ? header.maxTimestamp : null;
  const records: DecodedRecord[] = new Array<DecodedRecord>(count);
  let prevDelta = -1;
  try {
    for (let i = 0; i < count; i++) {
      const at = reader.pos;
      const r = readRecord(reader, header.baseOffset, header.baseTimestamp, logAppendTime);
      if (r.offsetDelta <= prevDelta || r.offsetDelta > header.lastOffsetDelta) {
        throw new CorruptRecordError(
          `Record ${i} has offsetDelta ${r.offsetDelta}; expected above ${prevDelta} and at most lastOffsetDelta ${header.lastOffsetDelta}`,
          at,
        );
      }
      prevDelta = r.offsetDelta;
      records[i] = r;
    }
  } catch (e) {
    // Positions inside decompressed data do not index `bytes`: say where they are instead.
    if (e instanceof CorruptRecordError && compressedAt !== null) {
      throw new CorruptRecordError(
        `${e.message.replace(/^CORRUPT_MESSAGE: /, "")}, inside the decompressed ${compression} records of the batch at byte ${compressedAt}`,
      );
    }
    throw e;
  }
  if (reader.remaining !== 0) {
    throw new CorruptRecordError(
      `Incorrect declared batch size: ${reader.remaining} bytes remain after the ${count} records recordsCount declares`,
      compressedAt === null ? reader.pos : undefined,
    );
  }
  return {
    header,
    compression,
    timestampType,
    isTransactional: (header.attributes & TRANSACTIONAL_FLAG_MASK) !== 0,
    isControl: (header.attributes & CONTROL_FLAG_MASK) !== 0,
    hasDeleteHorizon: (header.attributes & DELETE_HORIZON_FLAG_MASK) !== 0,
    records,
    sizeInBytes: size,
  };
}

export interface BatchSlice {
  /** Where the batch starts in the buffer. */
  pos: number;
  sizeInBytes: number;
  header: BatchHeader;
}

/** An incomplete batch at the end of a buffer (normal at the end of a Fetch response). */
export interface TruncatedTail {
  pos: number;
  /** Bytes present from `pos` to the end. */
  bytes: number;
  reason: string;
}

export interface SplitOptions {
  /** Check each batch's CRC too. Default false (framing and magic only). */
  verifyCrc?: boolean;
  /** Reject batches larger than this (Kafka's max.message.bytes check). */
  maxBatchBytes?: number;
}

/**
 * Walk concatenated batches. Yields each complete batch; returns the truncated tail, if any
 * (a partial batch at the end is not an error, as in Kafka's ByteBufferLogInputStream).
 * A malformed batch (size below the minimum, wrong magic, bad CRC when checked) throws.
 */
export function* iterateBatches(
  bytes: Uint8Array,
  options: SplitOptions = {},
): Generator<BatchSlice, TruncatedTail | null> {
  let pos = 0;
  while (pos < bytes.length) {
    const left = bytes.length - pos;
    if (left < LOG_OVERHEAD) {
      return { pos, bytes: left, reason: `${left} bytes: baseOffset and batchLength incomplete` };
    }
    const batchLength = int32At(bytes, pos + BATCH_LENGTH_OFFSET);
    if (batchLength >= MIN_BATCH_LENGTH && batchLength + LOG_OVERHEAD > left) {
      if (left > MAGIC_OFFSET) checkMagic(bytes[pos + MAGIC_OFFSET]!, pos);
      return { pos, bytes: left, reason: `batch of ${batchLength + LOG_OVERHEAD} bytes, ${left} present` };
    }
    const size = checkBatchFraming(bytes, pos, options.maxBatchBytes);
    if (options.verifyCrc) checkBatchCrc(bytes, pos, size);
    yield { pos, sizeInBytes: size, header: readBatchHeader(bytes, pos) };
    pos += size;
  }
  return null;
}

/** All complete batches in `bytes` and the truncated tail, if any. */
export function splitBatches(
  bytes: Uint8Array,
  options: SplitOptions = {},
): { batches: BatchSlice[]; truncatedTail: TruncatedTail | null } {
  const batches: BatchSlice[] = [];
  const it = iterateBatches(bytes, options);
  for (;;) {
    const step = it.next();
    if (step.done) return { batches, truncatedTail: step.value };
    batches.push(step.value);
  }
}

/** Decode every complete batch in `bytes` (e.g. a Fetch response's records); ignores a truncated tail. */
export function decodeRecordBatches(bytes: Uint8Array, options: DecodeOptions = {}): DecodedRecordBatch[] {
  const out: DecodedRecordBatch[] = [];
  for (const slice of iterateBatches(bytes)) out.push(decodeRecordBatch(bytes, slice.pos, options));
  return out;
}
