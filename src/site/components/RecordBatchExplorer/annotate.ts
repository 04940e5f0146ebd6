/**
 * Field-by-field map of an encoded RecordBatch v2, for the storage page's explorer.
 *
 * `annotateBatch` walks bytes that src/protocol's encodeRecordBatch produced and returns one span
 * per field, in byte order: the 61-byte header (batch-header.ts) and then, for an uncompressed
 * batch, every record's fields (record.ts) with their varints read by the protocol layer's own
 * decoders. For a compressed batch the records are one opaque blob in the batch; their fields are
 * annotated separately over the uncompressed record bytes (`annotateRecords`).
 *
 * Invariant (tested in annotate.test.ts): the spans of a batch tile [0, size) exactly — contiguous,
 * in order, no gaps, no overlaps — and the values read agree with decodeRecordBatch.
 *
 * Pure and browser-safe: no React, no translation (the component names and explains each field).
 */
import {
  ATTRIBUTES_OFFSET,
  COMPRESSION_CODEC_MASK,
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  DELETE_HORIZON_FLAG_MASK,
  RECORD_BATCH_OVERHEAD,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  compressionTypeForId,
  crc32c,
  decodeVarint,
  decodeVarlong,
  readBatchHeader,
  utf8Decode,
} from "../../../protocol";

/** Colour group of a field: what part of the format it belongs to. */
export type FieldKind = "framing" | "crc" | "batch" | "records" | "varint" | "payload";

/** Which field this is, for the explanation the component shows (not translated here). */
export type FieldId =
  | "baseOffset"
  | "batchLength"
  | "partitionLeaderEpoch"
  | "magic"
  | "crc"
  | "attributes"
  | "lastOffsetDelta"
  | "baseTimestamp"
  | "maxTimestamp"
  | "producerId"
  | "producerEpoch"
  | "baseSequence"
  | "recordsCount"
  | "compressedRecords"
  | "length"
  | "recordAttributes"
  | "timestampDelta"
  | "offsetDelta"
  | "keyLength"
  | "key"
  | "valueLength"
  | "value"
  | "headersCount"
  | "headerKeyLength"
  | "headerKey"
  | "headerValueLength"
  | "headerValue";

export interface FieldSpan {
  /** Unique within one annotation: "baseOffset", "r0.key", "r0.h1.headerValue", ... */
  key: string;
  id: FieldId;
  /** Kafka's name of the field, as shown ("key", "headers[1].valueLength", ...). */
  name: string;
  kind: FieldKind;
  /** Inclusive start, exclusive end, in the annotated buffer. */
  start: number;
  end: number;
  /** Index of the record the field belongs to; undefined for the batch header. */
  record?: number;
  /** The decoded value, as shown. */
  value: string;
  /** For varints: the zigzag-encoded unsigned value actually written. */
  zigzag?: string;
}

export interface AttributeBits {
  raw: number;
  compression: string;
  timestampType: "CreateTime" | "LogAppendTime";
  isTransactional: boolean;
  isControl: boolean;
  hasDeleteHorizon: boolean;
}

export interface BatchAnnotation {
  size: number;
  fields: FieldSpan[];
  attributes: AttributeBits;
  storedCrc: number;
  /** CRC-32C over [21, size), computed here. */
  computedCrc: number;
  crcStart: number;
  /** True when the records are one compressed blob (annotate them with annotateRecords). */
  compressed: boolean;
}

function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, "0")}`;
}

function zigzag32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

function zigzag64(n: bigint): bigint {
  return BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
}

function quoted(bytes: Uint8Array): string {
  return `"${utf8Decode(bytes)}"`;
}

/** Decodes the attributes int16 into its bits (DefaultRecordBatch.java). */
export function attributeBits(raw: number): AttributeBits {
  return {
    raw,
    compression:
      compressionTypeForId(raw & COMPRESSION_CODEC_MASK) ?? `unknown (${raw & COMPRESSION_CODEC_MASK})`,
    timestampType: raw & TIMESTAMP_TYPE_MASK ? "LogAppendTime" : "CreateTime",
    isTransactional: (raw & TRANSACTIONAL_FLAG_MASK) !== 0,
    isControl: (raw & CONTROL_FLAG_MASK) !== 0,
    hasDeleteHorizon: (raw & DELETE_HORIZON_FLAG_MASK) !== 0,
  };
}

/** Annotates the header of the batch in `bytes` and, when it is uncompressed, its records. */
export function annotateBatch(bytes: Uint8Array): BatchAnnotation {
  if (bytes.length < RECORD_BATCH_OVERHEAD) {
    throw new RangeError(
      `Cannot annotate record batch: ${bytes.length} bytes, a v2 batch has at least ${RECORD_BATCH_OVERHEAD}`,
    );
  }
  const h = readBatchHeader(bytes);
  if (h.batchLength + 12 !== bytes.length) {
    throw new RangeError(
      `Cannot annotate record batch: batchLength says ${h.batchLength + 12} bytes, the buffer has ${bytes.length}`,
    );
  }
  const attributes = attributeBits(h.attributes);
  const fields: FieldSpan[] = [];
  const header = (id: FieldId, kind: FieldKind, start: number, size: number, value: string) =>
    fields.push({ key: id, id, name: id, kind, start, end: start + size, value });
  header("baseOffset", "framing", 0, 8, String(h.baseOffset));
  header("batchLength", "framing", 8, 4, String(h.batchLength));
  header("partitionLeaderEpoch", "framing", 12, 4, String(h.partitionLeaderEpoch));
  header("magic", "framing", 16, 1, String(h.magic));
  header("crc", "crc", CRC_OFFSET, 4, hex32(h.crc));
  header("attributes", "batch", ATTRIBUTES_OFFSET, 2, `0x${h.attributes.toString(16).padStart(4, "0")}`);
  header("lastOffsetDelta", "batch", 23, 4, String(h.lastOffsetDelta));
  header("baseTimestamp", "batch", 27, 8, String(h.baseTimestamp));
  header("maxTimestamp", "batch", 35, 8, String(h.maxTimestamp));
  header("producerId", "batch", 43, 8, String(h.producerId));
  header("producerEpoch", "batch", 51, 2, String(h.producerEpoch));
  header("baseSequence", "batch", 53, 4, String(h.baseSequence));
  header("recordsCount", "batch", 57, 4, String(h.recordsCount));
  const compressed = attributes.compression !== "none" && h.recordsCount > 0;
  if (compressed) {
    if (bytes.length > RECORD_BATCH_OVERHEAD) {
      fields.push({
        key: "compressedRecords",
        id: "compressedRecords",
        name: "records",
        kind: "records",
        start: RECORD_BATCH_OVERHEAD,
        end: bytes.length,
        value: `${attributes.compression}, ${bytes.length - RECORD_BATCH_OVERHEAD} B`,
      });
    }
  } else {
    fields.push(...annotateRecords(bytes, RECORD_BATCH_OVERHEAD, h.recordsCount));
  }
  return {
    size: bytes.length,
    fields,
    attributes,
    storedCrc: h.crc,
    computedCrc: crc32c(bytes, ATTRIBUTES_OFFSET, bytes.length),
    crcStart: ATTRIBUTES_OFFSET,
    compressed,
  };
}

/**
 * Annotates `count` records laid out from `start` (record.ts), up to the end of `bytes`. Throws a
 * RangeError if they do not fill the buffer exactly.
 */
export function annotateRecords(bytes: Uint8Array, start: number, count: number): FieldSpan[] {
  const fields: FieldSpan[] = [];
  let pos = start;
  const varint = (key: string, id: FieldId, name: string, record: number): number => {
    const { value, size } = decodeVarint(bytes, pos);
    fields.push({
      key,
      id,
      name,
      kind: "varint",
      start: pos,
      end: pos + size,
      record,
      value: String(value),
      zigzag: String(zigzag32(value)),
    });
    pos += size;
    return value;
  };
  const payload = (key: string, id: FieldId, name: string, record: number, length: number): void => {
    if (length < 0) return;
    if (pos + length > bytes.length) {
      throw new RangeError(`Cannot annotate ${name} of record ${record}: ${length} bytes run past the end`);
    }
    const data = bytes.subarray(pos, pos + length);
    fields.push({
      key,
      id,
      name,
      kind: "payload",
      start: pos,
      end: pos + length,
      record,
      value: quoted(data),
    });
    pos += length;
  };
  for (let r = 0; r < count; r++) {
    const p = `r${r}.`;
    const bodySize = varint(`${p}length`, "length", "length", r);
    const bodyEnd = pos + bodySize;
    fields.push({
      key: `${p}attributes`,
      id: "recordAttributes",
      name: "attributes",
      kind: "varint",
      start: pos,
      end: pos + 1,
      record: r,
      value: String(bytes[pos] ?? 0),
    });
    pos += 1;
    const ts = decodeVarlong(bytes, pos);
    fields.push({
      key: `${p}timestampDelta`,
      id: "timestampDelta",
      name: "timestampDelta",
      kind: "varint",
      start: pos,
      end: pos + ts.size,
      record: r,
      value: String(ts.value),
      zigzag: String(zigzag64(ts.value)),
    });
    pos += ts.size;
    varint(`${p}offsetDelta`, "offsetDelta", "offsetDelta", r);
    const keyLength = varint(`${p}keyLength`, "keyLength", "keyLength", r);
    payload(`${p}key`, "key", "key", r, keyLength);
    const valueLength = varint(`${p}valueLength`, "valueLength", "valueLength", r);
    payload(`${p}value`, "value", "value", r, valueLength);
    const headersCount = varint(`${p}headersCount`, "headersCount", "headersCount", r);
    for (let i = 0; i < headersCount; i++) {
      const hp = `${p}h${i}.`;
      const hn = `headers[${i}].`;
      const kl = varint(`${hp}keyLength`, "headerKeyLength", `${hn}keyLength`, r);
      payload(`${hp}key`, "headerKey", `${hn}key`, r, kl);
      const vl = varint(`${hp}valueLength`, "headerValueLength", `${hn}valueLength`, r);
      payload(`${hp}value`, "headerValue", `${hn}value`, r, vl);
    }
    if (pos !== bodyEnd) {
      throw new RangeError(
        `Cannot annotate record ${r}: its fields end at byte ${pos}, its length says ${bodyEnd}`,
      );
    }
  }
  if (pos !== bytes.length) {
    throw new RangeError(
      `Cannot annotate records: ${bytes.length - pos} bytes remain after ${count} records`,
    );
  }
  return fields;
}

/** For each byte of a buffer of `size` bytes, the index in `fields` of the span holding it (-1: none). */
export function byteOwners(fields: readonly FieldSpan[], size: number): Int32Array {
  const owners = new Int32Array(size).fill(-1);
  fields.forEach((f, i) => owners.fill(i, f.start, f.end));
  return owners;
}
