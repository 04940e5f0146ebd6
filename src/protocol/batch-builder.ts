/**
 * Accumulates records into one RecordBatch v2 the way a producer fills a batch (Kafka's
 * MemoryRecordsBuilder, used by ProducerBatch in the RecordAccumulator):
 * - the first record is always accepted; later ones only while the estimated size plus the
 *   new record's exact size stays within `writeLimitBytes` (batch.size, or more for a single
 *   oversized record);
 * - the estimate is exact without compression; with compression it is
 *   61 + uncompressed records × compressionRatioEstimate × 1.05 (the ratio comes from the
 *   caller, as Kafka's CompressionRatioEstimator keeps it per topic and codec);
 * - baseTimestamp is the first record's timestamp; offsetDeltas are 0, 1, 2, ...
 *
 * Departure from Kafka: records are kept as inputs and encoded once in `build()` rather than
 * streamed through a compressor as they arrive; sizes and acceptance are the same.
 */
import { RECORD_BATCH_OVERHEAD } from "./batch-header";
import type { CodecOverrides, CompressionType } from "./compression/index";
import { sizeOfRecord, type RecordHeader } from "./record";
import {
  COMPRESSION_RATE_ESTIMATION_FACTOR,
  encodeRecordBatch,
  estimateBatchSizeUpperBound,
  type RecordBatchInput,
  type RecordInput,
} from "./record-batch";

export interface RecordBatchBuilderOptions {
  /** The producer's batch.size (default 16384). */
  writeLimitBytes?: number;
  compression?: CompressionType;
  /** Expected compressed/uncompressed ratio (Kafka starts at 1.0). */
  compressionRatioEstimate?: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
}

export interface AppendRecord {
  timestamp: number;
  key?: Uint8Array | null;
  value: Uint8Array | null;
  headers?: readonly RecordHeader[];
}

export class RecordBatchBuilder {
  private readonly options: RecordBatchBuilderOptions;
  private readonly recordsIn: RecordInput[] = [];
  private uncompressedRecordsBytes = 0;
  private baseTimestamp: number | null = null;
  private closed = false;

  constructor(options: RecordBatchBuilderOptions = {}) {
    const limit = options.writeLimitBytes ?? 16384;
    if (!Number.isInteger(limit) || limit <= 0)
      throw new RangeError(`writeLimitBytes must be a positive integer, got ${limit}`);
    this.options = { ...options, writeLimitBytes: limit };
  }

  get numRecords(): number {
    return this.recordsIn.length;
  }

  get writeLimitBytes(): number {
    return this.options.writeLimitBytes!;
  }

  /** Uncompressed bytes of the records so far (without the 61-byte header). */
  get uncompressedBytes(): number {
    return this.uncompressedRecordsBytes;
  }

  /** Kafka's estimatedBytesWritten: exact for "none", ratio-based when compressed. */
  estimatedSizeInBytes(): number {
    const compression = this.options.compression ?? "none";
    if (compression === "none") return RECORD_BATCH_OVERHEAD + this.uncompressedRecordsBytes;
    const ratio = this.options.compressionRatioEstimate ?? 1;
    return Math.floor(
      RECORD_BATCH_OVERHEAD + this.uncompressedRecordsBytes * ratio * COMPRESSION_RATE_ESTIMATION_FACTOR,
    );
  }

  /** True once closed, or when a non-empty batch has reached its write limit. */
  isFull(): boolean {
    return this.closed || (this.recordsIn.length > 0 && this.writeLimitBytes <= this.estimatedSizeInBytes());
  }

  /** Whether `record` may be appended (the first record always may). */
  hasRoomFor(record: AppendRecord): boolean {
    if (this.isFull()) return false;
    if (this.recordsIn.length === 0) return true;
    const size = this.sizeOfNext(record);
    return this.writeLimitBytes >= this.estimatedSizeInBytes() + size;
  }

  /** Append a record; returns its offsetDelta. The caller checks hasRoomFor first. */
  append(record: AppendRecord): number {
    if (this.closed) throw new Error("Cannot append to a record batch builder after build()");
    if (!Number.isSafeInteger(record.timestamp))
      throw new RangeError(`Cannot append record: timestamp ${record.timestamp}`);
    const size = this.sizeOfNext(record);
    this.baseTimestamp ??= record.timestamp;
    const offsetDelta = this.recordsIn.length;
    this.recordsIn.push({
      key: record.key ?? null,
      value: record.value,
      headers: record.headers,
      timestamp: record.timestamp,
    });
    this.uncompressedRecordsBytes += size;
    return offsetDelta;
  }

  /** The batch input this builder describes (e.g. for inspection or re-encoding). */
  toInput(): RecordBatchInput {
    const o = this.options;
    return {
      baseOffset: o.baseOffset,
      partitionLeaderEpoch: o.partitionLeaderEpoch,
      compression: o.compression,
      producerId: o.producerId,
      producerEpoch: o.producerEpoch,
      baseSequence: o.baseSequence,
      isTransactional: o.isTransactional,
      records: this.recordsIn,
    };
  }

  /** Encode the batch and close the builder. */
  build(codecs?: CodecOverrides): Uint8Array {
    if (this.recordsIn.length === 0)
      throw new Error("Cannot build an empty record batch from a producer builder");
    this.closed = true;
    return encodeRecordBatch(this.toInput(), codecs);
  }

  private sizeOfNext(record: AppendRecord): number {
    const timestampDelta = this.baseTimestamp === null ? 0 : record.timestamp - this.baseTimestamp;
    return sizeOfRecord(
      this.recordsIn.length,
      timestampDelta,
      record.key ?? null,
      record.value,
      record.headers,
    );
  }
}

/**
 * The buffer size Kafka's RecordAccumulator gives a new batch: batch.size, or more when one
 * record alone needs more (so an oversized record still gets its own batch).
 */
export function initialBatchLimitBytes(batchSizeBytes: number, first: AppendRecord): number {
  return Math.max(batchSizeBytes, estimateBatchSizeUpperBound(first.key ?? null, first.value, first.headers));
}
