/**
 * One batch of records for one partition, from its first record to its final outcome (Kafka's
 * ProducerBatch): open while records are appended (a RecordBatchBuilder), then closed into
 * RecordBatch v2 bytes when the sender drains it, then sent, maybe retried, and completed
 * exactly once — every record's callback gets its offset, or the error.
 *
 * Producer id, epoch and base sequence are stamped into the closed bytes at drain time, and
 * re-stamped (with a new CRC) when an idempotent producer bumps its epoch and restarts the
 * partition's sequences (ProducerBatch.resetProducerState). A retry resends the same bytes.
 *
 * `maybeWritten` tracks whether any attempt may have reached a log: set by a lost or timed-out
 * request, or by an error the broker returns after appending (see `errorMayFollowAppend`). A
 * batch that fails with it unset definitely was not written (history outcome "fail"); with it
 * set the outcome is unknown ("info").
 *
 * A batch the broker refuses as too large (MESSAGE_TOO_LARGE, above the topic's
 * max.message.bytes) is `split` into smaller batches (ProducerBatch.split): its records, in
 * order, with their callbacks, its creation time (the delivery timeout keeps running) and, for
 * an idempotent producer, consecutive sequences from its own base sequence, so the broker sees
 * the same sequence range cut in pieces. The split batches are closed at once (no appends) and
 * hold no buffer.memory (Kafka allocates them off the pool). The big batch then ends without
 * telling its records anything: their outcome is the split batches'.
 */
import { Errors, KafkaError, type ErrorInfo } from "../protocol/errors";
import { RecordBatchBuilder, type AppendRecord } from "../protocol/batch-builder";
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  CRC_OFFSET,
  NO_SEQUENCE,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
} from "../protocol/batch-header";
import type { CompressionType } from "../protocol/compression/index";
import { crc32c } from "../protocol/crc32c";
import { estimateBatchSizeUpperBound } from "../protocol/record-batch";

const INT32_MAX = 2147483647;

/** seq + n on the int32 sequence ring (sequences wrap from Integer.MAX_VALUE to 0, as Kafka's). */
export function incrementSequence(seq: number, n: number): number {
  return seq > INT32_MAX - n ? n - (INT32_MAX - seq) - 1 : seq + n;
}

/** What a record learns when its batch is acknowledged. */
export interface RecordAck {
  /** Offset of the record, -1 when unknown (acks=0, or DUPLICATE_SEQUENCE_NUMBER). */
  offset: number;
  /** LogAppendTime from the broker, or -1 (CreateTime topics). */
  logAppendTime: number;
  logStartOffset: number;
}

/**
 * Told once per record of its outcome; `index` is what the record was appended with (its
 * place in the send call), so one callback object serves a whole call.
 */
export interface RecordCallback {
  onAck(index: number, ack: RecordAck): void;
  /** `maybeWritten`: an attempt may have been written (history outcome unknown, not failed). */
  onError(index: number, error: KafkaError, maybeWritten: boolean): void;
}

export interface BatchOptions {
  /** batch.size, or more for one oversized record. */
  writeLimitBytes: number;
  compression: CompressionType;
  acks: -1 | 0 | 1;
  /** The Produce request's timeoutMs (how long the broker may wait for acks=all). */
  brokerTimeoutMs: number;
}

/** Errors that a broker may return after the batch reached the leader's log. */
export function errorMayFollowAppend(error: ErrorInfo, acks: -1 | 0 | 1): boolean {
  switch (error) {
    case Errors.REQUEST_TIMED_OUT: // acks=all purgatory expired: in the leader's log
    case Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case Errors.NETWORK_EXCEPTION:
    case Errors.UNKNOWN_SERVER_ERROR:
    case Errors.KAFKA_STORAGE_ERROR:
      return true;
    case Errors.NOT_LEADER_OR_FOLLOWER: // acks=all: leadership lost while waiting in purgatory
      return acks === -1;
    default:
      return false;
  }
}

export class ProducerBatch {
  readonly createdMs: number;
  readonly options: BatchOptions;
  private builder: RecordBatchBuilder | undefined;
  /** The records as appended, kept for a split (Kafka re-reads them from the built batch). */
  private readonly records: AppendRecord[] = [];
  private readonly callbacks: RecordCallback[] = [];
  private readonly indices: number[] = [];
  /** Largest upper-bound size of one record as a batch of its own (ProducerBatch.maxRecordSize). */
  private maxRecordSizeValue = 0;
  private encoded: Uint8Array | undefined;
  private recordCountValue = 0;
  /** Send attempts so far. */
  attempts = 0;
  /** Time of the last attempt (or of the last re-enqueue), for retry backoff. */
  lastAttemptMs: number;
  /** The backoff before the next attempt (set when re-enqueued for a retry). */
  retryBackoffMs = 0;
  /** Re-enqueued after a failed attempt (Kafka's inRetry()). */
  inRetry = false;
  maybeWritten = false;
  done = false;
  producerId = -1;
  producerEpoch = -1;
  baseSequence = NO_SEQUENCE;
  /** The sequence was rewritten by an epoch bump (ProducerBatch.sequenceHasBeenReset). */
  sequenceHasBeenReset = false;
  /** buffer.memory bytes this batch holds until it completes (0 for split batches). */
  poolBytes = 0;
  /** Made by `split` (ProducerBatch.isSplitBatch): a further split halves it. */
  readonly isSplitBatch: boolean;
  /** Ended by a split: its records now belong to the split batches. */
  wasSplit = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly tpKey: string,
    options: BatchOptions,
    now: number,
    isSplitBatch = false,
  ) {
    this.options = options;
    this.createdMs = now;
    this.lastAttemptMs = now;
    this.isSplitBatch = isSplitBatch;
    this.builder = new RecordBatchBuilder({
      writeLimitBytes: options.writeLimitBytes,
      compression: options.compression,
    });
  }

  get recordCount(): number {
    return this.recordCountValue;
  }

  get isClosed(): boolean {
    return this.encoded !== undefined;
  }

  /** Bytes if closed, else Kafka's estimate of the batch once closed. */
  get estimatedSizeInBytes(): number {
    return this.encoded?.length ?? this.builder!.estimatedSizeInBytes();
  }

  /** No more records fit (or the batch is closed). */
  isFull(): boolean {
    return this.encoded !== undefined || this.builder!.isFull();
  }

  /** Whether this batch may take a record with these settings. */
  accepts(options: Pick<BatchOptions, "compression" | "acks">): boolean {
    return (
      this.encoded === undefined &&
      this.options.compression === options.compression &&
      this.options.acks === options.acks
    );
  }

  /** Append if there is room; returns the record's offset delta, or -1 if it does not fit. */
  tryAppend(record: AppendRecord, callback: RecordCallback, index: number): number {
    const b = this.builder;
    if (b === undefined || !b.hasRoomFor(record)) return -1;
    const delta = b.append(record);
    this.records.push(record);
    this.callbacks.push(callback);
    this.indices.push(index);
    this.recordCountValue++;
    const upper = estimateBatchSizeUpperBound(record.key ?? null, record.value, record.headers);
    if (upper > this.maxRecordSizeValue) this.maxRecordSizeValue = upper;
    return delta;
  }

  /** The largest of its records' upper-bound sizes as a batch of one (bytes). */
  get maxRecordSizeBytes(): number {
    return this.maxRecordSizeValue;
  }

  /**
   * The batch's records cut into closed batches of at most `splitLimitBytes` each (estimated
   * as a new batch is filled; a record alone always fits), in order, sharing its callbacks,
   * creation time and `maybeWritten`; with a sequence, the pieces get consecutive sequences
   * from this batch's base sequence under its producer id and epoch (ProducerBatch.split).
   * Changes nothing in this batch: the caller commits with `markSplit`.
   */
  split(splitLimitBytes: number): ProducerBatch[] {
    if (this.recordCountValue === 0) throw new Error(`Cannot split ${this.toString()}: it has no records`);
    if (this.done) throw new Error(`Cannot split ${this.toString()}: it is already completed`);
    const limit = Math.max(1, Math.floor(splitLimitBytes));
    const out: ProducerBatch[] = [];
    let current: ProducerBatch | undefined;
    for (let i = 0; i < this.records.length; i++) {
      const record = this.records[i]!;
      if (current === undefined || current.tryAppend(record, this.callbacks[i]!, this.indices[i]!) < 0) {
        current = new ProducerBatch(
          this.topic,
          this.partition,
          this.tpKey,
          { ...this.options, writeLimitBytes: limit },
          this.createdMs,
          true,
        );
        current.maybeWritten = this.maybeWritten;
        if (current.tryAppend(record, this.callbacks[i]!, this.indices[i]!) < 0)
          throw new Error(`Cannot split ${this.toString()}: a new batch refused its first record`);
        out.push(current);
      }
    }
    let sequence = this.baseSequence;
    for (const b of out) {
      if (this.hasSequence) {
        b.setProducerState(this.producerId, this.producerEpoch, sequence);
        sequence = incrementSequence(sequence, b.recordCount);
      }
      b.close();
    }
    return out;
  }

  /** This batch was replaced by its split batches: it is done, and tells its records nothing. */
  markSplit(): void {
    if (this.done) throw new Error(`Cannot retire ${this.toString()} after a split: it is already completed`);
    this.done = true;
    this.wasSplit = true;
  }

  /** Close the batch: no more appends; encode it. Idempotent. */
  close(): Uint8Array {
    if (this.encoded === undefined) {
      this.encoded = this.builder!.build();
      this.builder = undefined;
      if (this.producerId >= 0) this.stamp();
    }
    return this.encoded;
  }

  /** The bytes to send (closes the batch if open). */
  bytes(): Uint8Array {
    return this.close();
  }

  /** Last sequence of the batch (baseSequence + count − 1, wrapping), or -1. */
  get lastSequence(): number {
    if (this.baseSequence === NO_SEQUENCE) return NO_SEQUENCE;
    return incrementSequence(this.baseSequence, this.recordCountValue - 1);
  }

  get hasSequence(): boolean {
    return this.baseSequence !== NO_SEQUENCE;
  }

  /** Give the batch its producer id, epoch and base sequence (idempotent producer, at drain). */
  setProducerState(producerId: number, producerEpoch: number, baseSequence: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.baseSequence = baseSequence;
    if (this.encoded !== undefined) this.stamp();
  }

  /** After an epoch bump: new epoch and sequence (ProducerBatch.resetProducerState). */
  resetProducerState(producerId: number, producerEpoch: number, baseSequence: number): void {
    this.sequenceHasBeenReset = true;
    this.setProducerState(producerId, producerEpoch, baseSequence);
  }

  private stamp(): void {
    const bytes = this.encoded!;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    dv.setBigInt64(PRODUCER_ID_OFFSET, BigInt(this.producerId));
    dv.setInt16(PRODUCER_EPOCH_OFFSET, this.producerEpoch);
    dv.setInt32(BASE_SEQUENCE_OFFSET, this.baseSequence);
    dv.setUint32(CRC_OFFSET, crc32c(bytes, ATTRIBUTES_OFFSET, bytes.length));
  }

  /** Whether the delivery timeout has passed (ProducerBatch.hasReachedDeliveryTimeout). */
  hasReachedDeliveryTimeout(deliveryTimeoutMs: number, now: number): boolean {
    return now - this.createdMs >= deliveryTimeoutMs;
  }

  /** Success: every record gets baseOffset + its index. Returns false if already completed. */
  complete(baseOffset: number, logAppendTime: number, logStartOffset: number): boolean {
    if (this.done) return false;
    this.done = true;
    for (let i = 0; i < this.callbacks.length; i++) {
      this.callbacks[i]!.onAck(this.indices[i]!, {
        offset: baseOffset < 0 ? -1 : baseOffset + i,
        logAppendTime,
        logStartOffset,
      });
    }
    return true;
  }

  /** Failure: every record gets the error. Returns false if already completed. */
  fail(error: KafkaError): boolean {
    if (this.done) return false;
    this.done = true;
    for (let i = 0; i < this.callbacks.length; i++)
      this.callbacks[i]!.onError(this.indices[i]!, error, this.maybeWritten);
    return true;
  }

  toString(): string {
    return `${this.topic}-${this.partition}[${this.recordCountValue} records${this.isSplitBatch ? ", split" : ""}${this.hasSequence ? `, seq ${this.baseSequence}-${this.lastSequence} epoch ${this.producerEpoch}` : ""}]`;
  }
}

/** A KafkaError with a detail, for batch failures. */
export function batchError(info: ErrorInfo, detail: string): KafkaError {
  return new KafkaError(info, detail);
}
