/**
 * The record accumulator (Kafka's RecordAccumulator): one queue of batches per partition.
 * `append` adds a record to the partition's last open batch, or starts a new one; the sender
 * asks `ready` which leaders have something to send and `drain`s at most one batch per
 * partition per Produce request, up to max.request.size.
 *
 * A partition's first batch is sendable when (RecordAccumulator.partitionReady):
 * - it is full, or a second batch exists behind it, or linger.ms has passed since it was
 *   created, or a flush or close is waiting, and
 * - it is not backing off after a failed attempt (retry.backoff.ms, exponential).
 * Retried batches go back to the FRONT of their queue; for an idempotent producer they are
 * put back in sequence order (insertInSequenceOrder), and only the batch with the partition's
 * first in-flight sequence may go, so retries of one partition are resent one at a time, in
 * order (RecordAccumulator.shouldStopDrainBatchesForPartition).
 *
 * A batch refused with MESSAGE_TOO_LARGE is split (`splitAndReenqueue`, Kafka's
 * RecordAccumulator.splitAndReenqueue): its records, in order, go back to the front of the
 * queue as smaller batches, as if never tried (no backoff, attempts from 0), in sequence order
 * for an idempotent producer. See `splitLimitBytes` for the size of the pieces.
 *
 * Memory (buffer.memory, buffer-pool.ts): a new batch reserves max(batch.size, its first
 * record's upper-bound size) bytes from the pool, given back when the batch completes (or is
 * split). When the pool cannot give them now, `append` answers `blockedBytes` and the producer
 * waits for them (max.block.ms), then calls `append` again with the bytes reserved.
 *
 * Departures from Kafka: no buffer pool of real buffers (bytes are counted, see
 * buffer-pool.ts); a batch that batch.size would not split (the topic's max.message.bytes is
 * below batch.size) is halved at once instead of being resent whole once more (KAFKA-8350),
 * and a split always makes progress (see `splitAndReenqueue`).
 */
import type { AppendRecord } from "../protocol/batch-builder";
import { initialBatchLimitBytes } from "../protocol/batch-builder";
import type { CompressionType } from "../protocol/compression/index";
import type { NodeId } from "../sim/process";
import type { BufferPool } from "./buffer-pool";
import type { IdempotenceManager } from "./idempotence";
import { ProducerBatch, type RecordCallback } from "./producer-batch";

export interface AccumulatorConfig {
  batchSize: number;
  lingerMs: number;
  deliveryTimeoutMs: number;
}

export interface AppendOptions {
  compression: CompressionType;
  acks: -1 | 0 | 1;
  brokerTimeoutMs: number;
}

export interface AppendResult {
  batch: ProducerBatch;
  newBatchCreated: boolean;
  /** Bytes the record added to its batch (for the sticky partitioner). */
  appendedBytes: number;
  /** Every batch of the partition is full: the sticky partitioner may switch. */
  allBatchesFull: boolean;
}

export interface ReadyResult {
  readyNodes: Set<NodeId>;
  /** Time until the next batch may become sendable (linger or backoff), Infinity if none. */
  nextReadyCheckDelayMs: number;
  /** Topics with a queued batch whose partition has no known leader: refresh metadata. */
  unknownLeaderTopics: Set<string>;
}

/** No memory for the new batch the record needs: reserve `blockedBytes`, then append again. */
export interface AppendBlocked {
  batch: undefined;
  blockedBytes: number;
}

/** Where a partition's leader is, from the metadata cache. */
export type LeaderLookup = (topic: string, partition: number) => NodeId | undefined;

interface PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly batches: ProducerBatch[];
  /** Muted while a batch is in flight with max.in.flight.requests.per.connection=1. */
  muted: boolean;
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export class RecordAccumulator {
  private readonly queues = new Map<string, PartitionQueue>();
  /** Every batch not yet completed (queued or in flight). */
  private readonly incomplete = new Set<ProducerBatch>();
  private emptyWaiters: (() => void)[] = [];
  private queued = 0;
  private flushesInProgress = 0;
  private closing = false;
  /** Round-robin start per node, so every partition gets its turn in drains. */
  private readonly drainIndex = new Map<NodeId, number>();

  constructor(
    private readonly config: AccumulatorConfig,
    /** buffer.memory: every batch created by `append` holds bytes of it until completed. */
    readonly pool: BufferPool,
  ) {}

  /** Batches queued (not in flight). */
  get queuedBatches(): number {
    return this.queued;
  }

  get incompleteBatches(): number {
    return this.incomplete.size;
  }

  hasIncomplete(): boolean {
    return this.incomplete.size > 0;
  }

  /**
   * Append a record to the partition's last batch, or to a new batch if there is memory for it
   * (`reservedBytes`: bytes the caller already reserved from the pool for this record, used for
   * the new batch or given back). Without memory, answers `blockedBytes` and changes nothing.
   */
  append(
    topic: string,
    partition: number,
    record: AppendRecord,
    callback: RecordCallback,
    /** Passed back to the callback with the outcome. */
    index: number,
    options: AppendOptions,
    now: number,
    reservedBytes = 0,
  ): AppendResult | AppendBlocked {
    const q = this.queue(topic, partition);
    const last = q.batches[q.batches.length - 1];
    if (last !== undefined && last.accepts(options)) {
      const before = last.estimatedSizeInBytes;
      if (last.tryAppend(record, callback, index) >= 0) {
        this.pool.deallocate(reservedBytes);
        return {
          batch: last,
          newBatchCreated: false,
          appendedBytes: last.estimatedSizeInBytes - before,
          allBatchesFull: last.isFull(),
        };
      }
    }
    // RecordAccumulator.append: a new batch gets max(batch.size, the record's upper bound).
    const bytes = initialBatchLimitBytes(this.config.batchSize, record);
    if (reservedBytes !== bytes) {
      this.pool.deallocate(reservedBytes);
      if (!this.pool.tryAllocate(bytes)) return { batch: undefined, blockedBytes: bytes };
    }
    const batch = new ProducerBatch(
      topic,
      partition,
      q.key,
      {
        writeLimitBytes: bytes,
        compression: options.compression,
        acks: options.acks,
        brokerTimeoutMs: options.brokerTimeoutMs,
      },
      now,
    );
    batch.poolBytes = bytes;
    const before = batch.estimatedSizeInBytes;
    if (batch.tryAppend(record, callback, index) < 0)
      throw new Error(`Cannot append to ${q.key}: a new batch refused its first record`);
    q.batches.push(batch);
    this.queued++;
    this.incomplete.add(batch);
    return {
      batch,
      newBatchCreated: true,
      appendedBytes: batch.estimatedSizeInBytes - before,
      allBatchesFull: batch.isFull(),
    };
  }

  /** Which leaders have a sendable batch, and when to look again (RecordAccumulator.ready). */
  ready(now: number, leaderOf: LeaderLookup): ReadyResult {
    const readyNodes = new Set<NodeId>();
    const unknownLeaderTopics = new Set<string>();
    let nextReadyCheckDelayMs = Infinity;
    const flushing = this.flushesInProgress > 0 || this.closing;
    for (const q of this.queues.values()) {
      const first = q.batches[0];
      if (first === undefined) continue;
      const leader = leaderOf(q.topic, q.partition);
      if (leader === undefined) {
        unknownLeaderTopics.add(q.topic);
        continue;
      }
      if (readyNodes.has(leader) || q.muted) continue;
      const waitedMs = now - first.lastAttemptMs;
      const backingOff = first.inRetry && waitedMs < first.retryBackoffMs;
      const timeToWaitMs = backingOff ? first.retryBackoffMs : this.config.lingerMs;
      const full = q.batches.length > 1 || first.isFull();
      const expired = waitedMs >= timeToWaitMs;
      const sendable = full || expired || flushing;
      if (sendable && !backingOff) {
        readyNodes.add(leader);
      } else {
        const left = Math.max(timeToWaitMs - waitedMs, 0);
        if (left < nextReadyCheckDelayMs) nextReadyCheckDelayMs = left;
      }
    }
    return { readyNodes, nextReadyCheckDelayMs, unknownLeaderTopics };
  }

  /**
   * Take up to one batch per partition led by `node`, round-robin, within `maxRequestSize`
   * (the first batch always, however large), all with the same acks. Drained batches are
   * closed and, for an idempotent producer, given their producer id, epoch and sequence.
   */
  drain(
    node: NodeId,
    leaderOf: LeaderLookup,
    maxRequestSize: number,
    now: number,
    idempotence: IdempotenceManager | undefined,
  ): ProducerBatch[] {
    const queues = [...this.queues.values()].filter(
      (q) => q.batches.length > 0 && !q.muted && leaderOf(q.topic, q.partition) === node,
    );
    if (queues.length === 0) return [];
    const out: ProducerBatch[] = [];
    let size = 0;
    let acks: -1 | 0 | 1 | undefined;
    const start = (this.drainIndex.get(node) ?? 0) % queues.length;
    for (let i = 0; i < queues.length; i++) {
      const q = queues[(start + i) % queues.length]!;
      const first = q.batches[0]!;
      if (first.inRetry && now - first.lastAttemptMs < first.retryBackoffMs) continue;
      if (acks !== undefined && first.options.acks !== acks) continue;
      if (out.length > 0 && size + first.estimatedSizeInBytes > maxRequestSize) {
        this.drainIndex.set(node, (start + i) % queues.length);
        break;
      }
      if (idempotence !== undefined && idempotence.shouldStopDrain(first)) continue;
      q.batches.shift();
      this.queued--;
      if (idempotence !== undefined && !first.hasSequence) idempotence.assignSequence(first);
      first.close();
      size += first.estimatedSizeInBytes;
      acks ??= first.options.acks;
      out.push(first);
      this.drainIndex.set(node, (start + i + 1) % queues.length);
    }
    return out;
  }

  /** Put a batch back for a retry: at the front, or in sequence order for an idempotent producer. */
  reenqueue(batch: ProducerBatch, now: number, backoffMs: number): void {
    batch.inRetry = true;
    batch.lastAttemptMs = now;
    batch.retryBackoffMs = backoffMs;
    this.putBack(batch);
  }

  /** Queue a batch that was taken out before: in sequence order if it has one, else at the front. */
  private putBack(batch: ProducerBatch): void {
    const q = this.queue(batch.topic, batch.partition);
    if (batch.hasSequence) insertInSequenceOrder(q.batches, batch);
    else q.batches.unshift(batch);
    this.queued++;
  }

  /**
   * The limit for the pieces of a batch refused as too large: batch.size the first time
   * (RecordAccumulator.splitAndReenqueue), but half the batch — never less than its largest
   * record — when it is already a split batch or batch.size would leave it whole, which happens
   * when the topic's max.message.bytes is below batch.size (KAFKA-8350's fix, without the
   * round trip that only proves batch.size does not help).
   */
  splitLimitBytes(big: ProducerBatch): number {
    const size = big.estimatedSizeInBytes;
    if (!big.isSplitBatch && this.config.batchSize < size) return this.config.batchSize;
    return Math.max(big.maxRecordSizeBytes, Math.floor(size / 2));
  }

  /**
   * Sender.completeBatch on MESSAGE_TOO_LARGE for a batch of several records: replace it by
   * smaller batches at the front of its queue (RecordAccumulator.splitAndReenqueue), tracked
   * in flight by the idempotent producer with the big batch's sequences, and give its memory
   * back. Returns the split batches, in order. A split always yields at least two batches: when
   * the limit would leave the batch whole (one record nearly as large as the batch: Kafka would
   * resend it unchanged until the delivery timeout), it is cut at half its size, and as a last
   * resort (size estimates of compressed batches) one record per batch.
   */
  splitAndReenqueue(big: ProducerBatch, idempotence: IdempotenceManager | undefined): ProducerBatch[] {
    if (big.recordCount < 2) throw new Error(`Cannot split ${big.toString()}: it holds one record`);
    let parts = big.split(this.splitLimitBytes(big));
    if (parts.length < 2) parts = big.split(Math.floor(big.estimatedSizeInBytes / 2));
    if (parts.length < 2) parts = big.split(1);
    idempotence?.removeInFlightBatch(big);
    for (let i = parts.length - 1; i >= 0; i--) {
      const b = parts[i]!;
      this.incomplete.add(b);
      if (b.hasSequence) idempotence?.addInFlightBatch(b);
      this.putBack(b);
    }
    big.markSplit();
    this.completed(big);
    return parts;
  }

  /** Batches still queued whose delivery timeout passed (removed from their queues). */
  expiredBatches(now: number): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    for (const q of this.queues.values()) {
      while (q.batches.length > 0) {
        const first = q.batches[0]!;
        if (!first.hasReachedDeliveryTimeout(this.config.deliveryTimeoutMs, now)) break;
        q.batches.shift();
        this.queued--;
        out.push(first);
      }
    }
    return out;
  }

  /** Earliest creation time of a queued batch (for the delivery-timeout wake-up), or Infinity. */
  earliestQueuedCreatedMs(): number {
    let t = Infinity;
    for (const q of this.queues.values()) {
      const first = q.batches[0];
      if (first !== undefined && first.createdMs < t) t = first.createdMs;
    }
    return t;
  }

  /** The batch reached its final outcome (or was split): forget it and give its memory back. */
  completed(batch: ProducerBatch): void {
    if (!this.incomplete.delete(batch)) return;
    this.pool.deallocate(batch.poolBytes);
    if (this.incomplete.size === 0 && this.emptyWaiters.length > 0) {
      const waiters = this.emptyWaiters;
      this.emptyWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Resolves once every batch appended so far (and since) has its final outcome. */
  allComplete(): Promise<void> {
    if (this.incomplete.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.push(resolve));
  }

  /** Remove every queued batch (the producer is closing with an error); returns them. */
  abandonQueued(): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    for (const q of this.queues.values()) {
      out.push(...q.batches);
      q.batches.length = 0;
    }
    this.queued = 0;
    return out;
  }

  mute(key: string): void {
    const q = this.queues.get(key);
    if (q !== undefined) q.muted = true;
  }

  unmute(key: string): void {
    const q = this.queues.get(key);
    if (q !== undefined) q.muted = false;
  }

  /** Make every batch sendable at once (KafkaProducer.flush) until `endFlush`. */
  beginFlush(): void {
    this.flushesInProgress++;
  }

  endFlush(): void {
    this.flushesInProgress--;
  }

  /** The producer is closing: every batch is sendable at once from now on. */
  beginClose(): void {
    this.closing = true;
  }

  /** Whether any batch of the partition is still open for appends (sticky partitioner). */
  allBatchesFull(topic: string, partition: number): boolean {
    const q = this.queues.get(tpKey(topic, partition));
    const last = q?.batches[q.batches.length - 1];
    return last === undefined || last.isFull();
  }

  /** A snapshot of the queues for debugging and labs: per partition, its batches in order. */
  describe(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const q of this.queues.values()) {
      if (q.batches.length > 0)
        out[q.key] = q.batches.map(
          (b) =>
            `${b.toString()}${b.inRetry ? ` retry#${b.attempts} at ${b.lastAttemptMs}+${b.retryBackoffMs}` : ""}${q.muted ? " muted" : ""}`,
        );
    }
    return out;
  }

  private queue(topic: string, partition: number): PartitionQueue {
    const key = tpKey(topic, partition);
    let q = this.queues.get(key);
    if (q === undefined) {
      q = { topic, partition, key, batches: [], muted: false };
      this.queues.set(key, q);
    }
    return q;
  }
}

/**
 * RecordAccumulator.insertInSequenceOrder: before the first batch with a higher sequence
 * (batches without a sequence are new and always come after).
 */
function insertInSequenceOrder(batches: ProducerBatch[], batch: ProducerBatch): void {
  let i = 0;
  while (i < batches.length) {
    const b = batches[i]!;
    if (!b.hasSequence || b.baseSequence > batch.baseSequence) break;
    i++;
  }
  batches.splice(i, 0, batch);
}
