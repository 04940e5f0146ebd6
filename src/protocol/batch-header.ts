/**
 * Zero-copy access to the fixed 61-byte header of a RecordBatch v2 (magic 2), laid out as in
 * Kafka's DefaultRecordBatch.java. The log layer works on batches as bytes: it reads these
 * fields, checks the CRC, and stamps baseOffset and partitionLeaderEpoch in place, without
 * decoding records. Full encode/decode lives in record-batch.ts.
 *
 * | off | field                | type  |
 * |-----|----------------------|-------|
 * | 0   | baseOffset           | int64 |
 * | 8   | batchLength (size-12)| int32 |
 * | 12  | partitionLeaderEpoch | int32 | (not covered by the CRC)
 * | 16  | magic (2)            | int8  |
 * | 17  | crc (CRC-32C of [21, end)) | uint32 |
 * | 21  | attributes           | int16 |
 * | 23  | lastOffsetDelta      | int32 |
 * | 27  | baseTimestamp        | int64 |
 * | 35  | maxTimestamp         | int64 |
 * | 43  | producerId           | int64 |
 * | 51  | producerEpoch        | int16 |
 * | 53  | baseSequence         | int32 |
 * | 57  | recordsCount         | int32 |
 * | 61  | records...           |       |
 *
 * Offsets and timestamps are int64 on the wire; they are JS numbers here (exact below 2^53,
 * which no simulated or real log in this course approaches).
 */
import { crc32c } from "./crc32c";

export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORDS_COUNT_OFFSET = 57;
/** RECORD_BATCH_OVERHEAD in Kafka: the bytes before the first record. */
export const RECORD_BATCH_OVERHEAD = 61;
/** LOG_OVERHEAD in Kafka: baseOffset (8) + batchLength (4), the part not counted in batchLength. */
export const LOG_OVERHEAD = 12;
export const MAGIC_V2 = 2;

export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;
export const NO_TIMESTAMP = -1;

/** Attribute bits (DefaultRecordBatch.java). */
export const COMPRESSION_CODEC_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_FLAG_MASK = 0x10;
export const CONTROL_FLAG_MASK = 0x20;
export const DELETE_HORIZON_FLAG_MASK = 0x40;

/** The header fields of one batch, read without decoding its records. */
export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function readInt64(dv: DataView, pos: number): number {
  return Number(dv.getBigInt64(pos));
}

export function writeInt64(dv: DataView, pos: number, value: number): void {
  dv.setBigInt64(pos, BigInt(value));
}

/** Total size in bytes of the batch starting at `pos`, from its batchLength field. */
export function batchSizeAt(bytes: Uint8Array, pos = 0): number {
  return view(bytes).getInt32(pos + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
}

/** Read the 61-byte header at `pos`. The caller has checked that 61 bytes are present. */
export function readBatchHeader(bytes: Uint8Array, pos = 0): BatchHeader {
  const dv = view(bytes);
  return {
    baseOffset: readInt64(dv, pos + BASE_OFFSET_OFFSET),
    batchLength: dv.getInt32(pos + BATCH_LENGTH_OFFSET),
    partitionLeaderEpoch: dv.getInt32(pos + PARTITION_LEADER_EPOCH_OFFSET),
    magic: dv.getInt8(pos + MAGIC_OFFSET),
    crc: dv.getUint32(pos + CRC_OFFSET),
    attributes: dv.getInt16(pos + ATTRIBUTES_OFFSET),
    lastOffsetDelta: dv.getInt32(pos + LAST_OFFSET_DELTA_OFFSET),
    baseTimestamp: readInt64(dv, pos + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: readInt64(dv, pos + MAX_TIMESTAMP_OFFSET),
    producerId: readInt64(dv, pos + PRODUCER_ID_OFFSET),
    producerEpoch: dv.getInt16(pos + PRODUCER_EPOCH_OFFSET),
    baseSequence: dv.getInt32(pos + BASE_SEQUENCE_OFFSET),
    recordsCount: dv.getInt32(pos + RECORDS_COUNT_OFFSET),
  };
}

/** Last offset of a batch: baseOffset + lastOffsetDelta. */
export function lastOffsetOf(h: BatchHeader): number {
  return h.baseOffset + h.lastOffsetDelta;
}

/** CRC-32C over [attributes, end) of the batch at `pos`, as the crc field should hold it. */
export function computeBatchCrc(bytes: Uint8Array, pos = 0): number {
  const size = batchSizeAt(bytes, pos);
  return crc32c(bytes, pos + ATTRIBUTES_OFFSET, pos + size);
}

/** True when the stored CRC matches the batch's bytes. */
export function isBatchCrcValid(bytes: Uint8Array, pos = 0): boolean {
  return view(bytes).getUint32(pos + CRC_OFFSET) === computeBatchCrc(bytes, pos);
}

/** Stamp the base offset in place (the leader assigns offsets on append; not covered by CRC). */
export function setBaseOffset(bytes: Uint8Array, pos: number, baseOffset: number): void {
  writeInt64(view(bytes), pos + BASE_OFFSET_OFFSET, baseOffset);
}

/** Stamp the partition leader epoch in place (the leader does so on append; not covered by CRC). */
export function setPartitionLeaderEpoch(bytes: Uint8Array, pos: number, epoch: number): void {
  view(bytes).setInt32(pos + PARTITION_LEADER_EPOCH_OFFSET, epoch);
}

/** The compression codec id in the attributes: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
export function codecIdOf(attributes: number): number {
  return attributes & COMPRESSION_CODEC_MASK;
}
