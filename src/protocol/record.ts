/**
 * One record inside a RecordBatch v2, laid out as Kafka's DefaultRecord.java:
 *
 *   length          varint   bytes after this field
 *   attributes      int8     unused, 0
 *   timestampDelta  varlong  record timestamp - batch baseTimestamp
 *   offsetDelta     varint   record offset - batch baseOffset
 *   keyLength       varint   -1 = null key
 *   key             bytes
 *   valueLength     varint   -1 = null value
 *   value           bytes
 *   headersCount    varint
 *   headers         [keyLength varint, key UTF-8, valueLength varint (-1 = null), value]
 *
 * Invariant kept: `sizeOfRecord` is exactly what `writeRecord` writes, so batch sizes can be
 * computed before encoding. Decoding checks that the fields fill exactly `length` bytes.
 * Decoded keys, values and header values are views into the (decompressed) batch bytes.
 */
import { ByteReader, ByteWriter, utf8Length } from "./bytes";
import { CorruptRecordError } from "./errors";
import { sizeOfVarint, sizeOfVarlong } from "./varint";

export interface RecordHeader {
  key: string;
  value: Uint8Array | null;
}

export interface DecodedRecord {
  /** Absolute offset: baseOffset + offsetDelta. */
  offset: number;
  /** Absolute timestamp: baseTimestamp + timestampDelta, or the batch maxTimestamp for LogAppendTime. */
  timestamp: number;
  offsetDelta: number;
  timestampDelta: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
  /** Record-level attributes byte (unused by Kafka, normally 0). */
  attributes: number;
  /** Encoded size including the length varint (DefaultRecord.sizeInBytes). */
  sizeInBytes: number;
}

/** MAX_RECORD_OVERHEAD in Kafka: length (5) + attributes (1) + timestampDelta (10) + offsetDelta (5). */
export const MAX_RECORD_OVERHEAD = 21;

const EMPTY_HEADERS: readonly RecordHeader[] = [];

/** Size of key, value and headers as encoded (with their length varints and the header count). */
export function sizeOfKeyValueHeaders(
  key: Uint8Array | null,
  value: Uint8Array | null,
  headers: readonly RecordHeader[] = EMPTY_HEADERS,
): number {
  let size = key === null ? 1 : sizeOfVarint(key.length) + key.length;
  size += value === null ? 1 : sizeOfVarint(value.length) + value.length;
  size += sizeOfVarint(headers.length);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    const k = utf8Length(h.key);
    size += sizeOfVarint(k) + k;
    size += h.value === null ? 1 : sizeOfVarint(h.value.length) + h.value.length;
  }
  return size;
}

/** Bytes after the length varint. */
export function sizeOfRecordBody(
  offsetDelta: number,
  timestampDelta: number,
  key: Uint8Array | null,
  value: Uint8Array | null,
  headers: readonly RecordHeader[] = EMPTY_HEADERS,
): number {
  return (
    1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + sizeOfKeyValueHeaders(key, value, headers)
  );
}

/** Exact encoded size of a record, including its length varint (DefaultRecord.sizeInBytes). */
export function sizeOfRecord(
  offsetDelta: number,
  timestampDelta: number,
  key: Uint8Array | null,
  value: Uint8Array | null,
  headers: readonly RecordHeader[] = EMPTY_HEADERS,
): number {
  const body = sizeOfRecordBody(offsetDelta, timestampDelta, key, value, headers);
  return sizeOfVarint(body) + body;
}

/**
 * An upper bound on a record's size whatever its deltas turn out to be (Kafka's
 * DefaultRecord.recordSizeUpperBound): MAX_RECORD_OVERHEAD + key, value and headers.
 */
export function recordSizeUpperBound(
  key: Uint8Array | null,
  value: Uint8Array | null,
  headers: readonly RecordHeader[] = EMPTY_HEADERS,
): number {
  return MAX_RECORD_OVERHEAD + sizeOfKeyValueHeaders(key, value, headers);
}

/** Append one record to `w`; returns its encoded size. `body` is sizeOfRecordBody, if known. */
export function writeRecord(
  w: ByteWriter,
  offsetDelta: number,
  timestampDelta: number,
  key: Uint8Array | null,
  value: Uint8Array | null,
  headers: readonly RecordHeader[] = EMPTY_HEADERS,
  body: number = sizeOfRecordBody(offsetDelta, timestampDelta, key, value, headers),
): number {
  const start = w.length;
  w.varint(body);
  w.int8(0);
  w.varlong(timestampDelta);
  w.varint(offsetDelta);
  w.varintBytes(key);
  w.varintBytes(value);
  w.varint(headers.length);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    w.varint(utf8Length(h.key));
    w.utf8(h.key);
    w.varintBytes(h.value);
  }
  const written = w.length - start;
  if (written !== sizeOfVarint(body) + body) {
    throw new Error(`Record size mismatch: computed ${sizeOfVarint(body) + body} bytes, wrote ${written}`);
  }
  return written;
}

/**
 * Read one record at the reader's position. `logAppendTime` is the batch maxTimestamp when the
 * batch uses LogAppendTime (every record then carries it, as in DefaultRecordBatch), else null.
 */
export function readRecord(
  r: ByteReader,
  baseOffset: number,
  baseTimestamp: number,
  logAppendTime: number | null,
): DecodedRecord {
  const start = r.pos;
  const bodySize = r.varint("record length");
  if (bodySize < 0) throw new CorruptRecordError(`Invalid record length ${bodySize}`, start);
  const bodyStart = r.pos;
  if (bodySize > r.end - bodyStart) {
    throw new CorruptRecordError(
      `Record length ${bodySize} runs past the end of the records (${r.end - bodyStart} bytes left)`,
      start,
    );
  }
  // Read the body within its own bounds so a field cannot borrow bytes from the next record.
  const outerEnd = r.end;
  r.end = bodyStart + bodySize;
  const body = r;
  const attributes = body.int8("record attributes");
  const timestampDelta = body.varlong("timestampDelta");
  const offsetDelta = body.varint("offsetDelta");
  const key = body.varintBytes("record key");
  const value = body.varintBytes("record value");
  const headerCountAt = body.pos;
  const headerCount = body.varint("headersCount");
  if (headerCount < 0) {
    throw new CorruptRecordError(`Invalid negative header count ${headerCount}`, headerCountAt);
  }
  // Each header takes at least 2 bytes: a bound before allocating.
  if (headerCount > body.remaining / 2) {
    throw new CorruptRecordError(
      `Header count ${headerCount} cannot fit in the ${body.remaining} bytes left in the record`,
      headerCountAt,
    );
  }
  const headers: RecordHeader[] = headerCount === 0 ? [] : new Array<RecordHeader>(headerCount);
  for (let i = 0; i < headerCount; i++) {
    const keyAt = body.pos;
    const keyLength = body.varint("header key length");
    if (keyLength < 0) throw new CorruptRecordError(`Invalid negative header key size ${keyLength}`, keyAt);
    const hkey = body.utf8(keyLength, "header key");
    const hvalue = body.varintBytes("header value");
    headers[i] = { key: hkey, value: hvalue };
  }
  if (body.remaining !== 0) {
    throw new CorruptRecordError(
      `Invalid record size: expected ${bodySize} bytes of record body, read ${bodySize - body.remaining}`,
      start,
    );
  }
  r.end = outerEnd;
  return {
    offset: baseOffset + offsetDelta,
    timestamp: logAppendTime ?? baseTimestamp + timestampDelta,
    offsetDelta,
    timestampDelta,
    key,
    value,
    headers,
    attributes,
    sizeInBytes: r.pos - start,
  };
}
