/**
 * The idempotent producer's bookkeeping (the non-transactional part of Kafka's
 * TransactionManager and TxnPartitionMap): the producer id and epoch from InitProducerId, and
 * per partition the next sequence to assign, the last acknowledged sequence and the batches in
 * flight (drained, not yet completed), ordered by sequence.
 *
 * What the Java client does, and this one too (KIP-360 for the epoch bump):
 * - sequences start at 0 per partition and advance by the batch's record count; a batch keeps
 *   its sequence across retries, so the broker can recognise a resend (duplicate) and refuse
 *   a gap (OUT_OF_ORDER_SEQUENCE_NUMBER);
 * - OUT_OF_ORDER_SEQUENCE_NUMBER for a batch that is NOT the next one after the last
 *   acknowledged sequence is retried as is: an earlier batch is being retried and the gap
 *   closes when it lands. For the next batch it is a real gap (the broker lost what it had
 *   acknowledged): the producer bumps its epoch locally, restarts the partition's in-flight
 *   batches at sequence 0 under the new epoch, and retries;
 * - UNKNOWN_PRODUCER_ID is retried with an epoch bump the same way;
 * - a batch that fails for good after it got a sequence, or that expires (delivery.timeout.ms)
 *   after it was sent, leaves the partition's sequences "unresolved": no new batch of that
 *   partition is drained until its in-flight batches complete; then, if the last acknowledged
 *   sequence is not the last one assigned, the epoch is bumped for that partition;
 * - when the epoch reaches Short.MAX_VALUE the producer asks for a new producer id instead;
 * - a batch split after MESSAGE_TOO_LARGE leaves the in-flight list, and its pieces enter it
 *   with consecutive sequences covering its range (the next sequence does not move).
 *
 * Departures: no transactions; a bump does not wait for the other partitions' in-flight
 * batches (as Kafka, those partitions move to the new epoch once their in-flight batches are done).
 */
import { Errors, type ErrorInfo } from "../protocol/errors";
import { NO_SEQUENCE } from "../protocol/batch-header";
import type { ProducerBatch } from "./producer-batch";

const INT16_MAX = 32767;
const INT32_MAX = 2147483647;

interface PartitionEntry {
  /** The producer id and epoch this partition's sequences belong to. */
  producerId: number;
  producerEpoch: number;
  nextSequence: number;
  lastAckedSequence: number;
  lastAckedOffset: number;
  /** Drained, not completed; ascending sequence. */
  inflight: ProducerBatch[];
}

function addSequence(seq: number, n: number): number {
  return seq > INT32_MAX - n ? n - (INT32_MAX - seq) - 1 : seq + n;
}

export class IdempotenceManager {
  producerId = -1;
  producerEpoch = -1;
  private readonly partitions = new Map<string, PartitionEntry>();
  /** Partitions whose sequence state is unknown, with the next sequence at that time. */
  private readonly unresolved = new Map<string, number>();
  private readonly toRewrite = new Set<string>();
  private epochBumpRequired = false;
  /** A new producer id is needed (none yet, or the epoch is exhausted). */
  private needsProducerId = true;

  get hasProducerId(): boolean {
    return this.producerId >= 0 && !this.needsProducerId;
  }

  /** Whether the sender must send InitProducerId before producing. */
  get producerIdRequired(): boolean {
    return this.needsProducerId;
  }

  /** InitProducerId answered. */
  setProducerIdAndEpoch(producerId: number, producerEpoch: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.needsProducerId = false;
  }

  private entry(key: string): PartitionEntry {
    let e = this.partitions.get(key);
    if (e === undefined) {
      e = {
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        nextSequence: 0,
        lastAckedSequence: NO_SEQUENCE,
        lastAckedOffset: -1,
        inflight: [],
      };
      this.partitions.set(key, e);
    }
    return e;
  }

  /** Next sequence of a partition (for tests and labs). */
  sequenceNumber(key: string): number {
    return this.entry(key).nextSequence;
  }

  lastAckedSequence(key: string): number {
    return this.entry(key).lastAckedSequence;
  }

  hasUnresolvedSequence(key: string): boolean {
    return this.unresolved.has(key);
  }

  private hasStaleProducerIdAndEpoch(e: PartitionEntry): boolean {
    return e.producerId !== this.producerId || e.producerEpoch !== this.producerEpoch;
  }

  /** RecordAccumulator.shouldStopDrainBatchesForPartition, for the idempotent producer. */
  shouldStopDrain(first: ProducerBatch): boolean {
    if (!this.hasProducerId) return true;
    const e = this.entry(first.tpKey);
    if (!first.hasSequence) {
      // New batches wait while old-epoch batches are in flight, or while sequences are unknown.
      if (e.inflight.length > 0 && this.hasStaleProducerIdAndEpoch(e)) return true;
      if (this.unresolved.has(first.tpKey)) return true;
    }
    const firstInFlight = e.inflight[0];
    // A retry goes only when it is the first in-flight sequence: retries are resent in order.
    if (firstInFlight !== undefined && first.hasSequence && first.baseSequence !== firstInFlight.baseSequence)
      return true;
    return false;
  }

  /** Give a newly drained batch the current id, epoch and the partition's next sequence. */
  assignSequence(batch: ProducerBatch): void {
    const e = this.entry(batch.tpKey);
    if (this.hasStaleProducerIdAndEpoch(e) && e.inflight.length === 0) {
      // TransactionManager.maybeUpdateProducerIdAndEpoch: the partition moves to the new epoch.
      e.producerId = this.producerId;
      e.producerEpoch = this.producerEpoch;
      e.nextSequence = 0;
      e.lastAckedSequence = NO_SEQUENCE;
    }
    batch.setProducerState(this.producerId, this.producerEpoch, e.nextSequence);
    e.nextSequence = addSequence(e.nextSequence, batch.recordCount);
    this.addInFlight(e, batch);
  }

  /**
   * Track a batch that already has its sequence as in flight (TransactionManager.addInFlightBatch):
   * the pieces of a split batch, which take over its sequence range.
   */
  addInFlightBatch(batch: ProducerBatch): void {
    if (!batch.hasSequence) throw new Error(`Cannot track ${batch.toString()} in flight: it has no sequence`);
    this.addInFlight(this.entry(batch.tpKey), batch);
  }

  /** Stop tracking a batch without an outcome (TransactionManager.removeInFlightBatch: it was split). */
  removeInFlightBatch(batch: ProducerBatch): void {
    this.removeInFlight(batch);
  }

  private addInFlight(e: PartitionEntry, batch: ProducerBatch): void {
    if (e.inflight.includes(batch)) return;
    let i = e.inflight.length;
    while (i > 0 && e.inflight[i - 1]!.baseSequence > batch.baseSequence) i--;
    e.inflight.splice(i, 0, batch);
  }

  private removeInFlight(batch: ProducerBatch): void {
    const e = this.partitions.get(batch.tpKey);
    if (e === undefined) return;
    const i = e.inflight.indexOf(batch);
    if (i >= 0) e.inflight.splice(i, 1);
  }

  /** The batch was acknowledged (TransactionManager.handleCompletedBatch). */
  handleCompletedBatch(batch: ProducerBatch, baseOffset: number): void {
    const e = this.entry(batch.tpKey);
    if (batch.producerId === e.producerId && batch.producerEpoch === e.producerEpoch) {
      if (e.lastAckedSequence === NO_SEQUENCE || batch.lastSequence > e.lastAckedSequence) {
        e.lastAckedSequence = batch.lastSequence;
        if (baseOffset >= 0) e.lastAckedOffset = baseOffset + batch.recordCount - 1;
      }
    }
    this.removeInFlight(batch);
  }

  /**
   * The batch failed for good (TransactionManager.handleFailedBatch). `adjustSequences`: it had
   * a sequence and the failure came from the broker, so later sequences of the partition are
   * now wrong: bump the epoch for it.
   */
  handleFailedBatch(batch: ProducerBatch, error: ErrorInfo | undefined, adjustSequences: boolean): void {
    this.removeInFlight(batch);
    if (
      error === Errors.OUT_OF_ORDER_SEQUENCE_NUMBER ||
      error === Errors.UNKNOWN_PRODUCER_ID ||
      adjustSequences
    ) {
      if (batch.hasSequence) this.requestEpochBumpForPartition(batch.tpKey);
    }
  }

  /** A batch that may have been sent expired: the partition's sequences are unknown until its in-flight batches are done. */
  markSequenceUnresolved(batch: ProducerBatch): void {
    this.removeInFlight(batch);
    if (!this.unresolved.has(batch.tpKey))
      this.unresolved.set(batch.tpKey, this.entry(batch.tpKey).nextSequence);
  }

  private isNextSequence(key: string, sequence: number): boolean {
    const e = this.entry(key);
    return sequence - e.lastAckedSequence === 1;
  }

  private isNextSequenceForUnresolvedPartition(key: string, sequence: number): boolean {
    return this.unresolved.has(key) && this.unresolved.get(key) === sequence;
  }

  private requestEpochBumpForPartition(key: string): void {
    this.epochBumpRequired = true;
    this.toRewrite.add(key);
  }

  /** Whether an idempotent producer retries this broker error (TransactionManager.canRetry). */
  canRetry(error: ErrorInfo, logStartOffset: number, batch: ProducerBatch): boolean {
    const key = batch.tpKey;
    if (error === Errors.UNKNOWN_PRODUCER_ID) {
      if (logStartOffset === -1) return true;
      this.requestEpochBumpForPartition(key);
      return true;
    }
    if (error === Errors.OUT_OF_ORDER_SEQUENCE_NUMBER) {
      if (
        !this.unresolved.has(key) &&
        (batch.sequenceHasBeenReset || !this.isNextSequence(key, batch.baseSequence))
      ) {
        return true; // an earlier batch is being retried: wait for it
      }
      if (!this.unresolved.has(key) || this.isNextSequenceForUnresolvedPartition(key, batch.baseSequence)) {
        this.requestEpochBumpForPartition(key);
      }
      return true;
    }
    return error.retriable;
  }

  /** TransactionManager.maybeResolveSequences: settle unresolved partitions with nothing in flight. */
  maybeResolveSequences(): void {
    for (const key of [...this.unresolved.keys()]) {
      const e = this.entry(key);
      if (e.inflight.length > 0) continue;
      if (!this.isNextSequence(key, e.nextSequence)) this.requestEpochBumpForPartition(key);
      this.unresolved.delete(key);
    }
  }

  /**
   * TransactionManager.bumpIdempotentEpochAndResetIdIfNeeded: apply a pending epoch bump (or
   * ask for a new producer id when the epoch is exhausted). Returns true when InitProducerId
   * must be sent before producing.
   */
  bumpEpochIfNeeded(): boolean {
    if (this.epochBumpRequired) {
      if (this.producerEpoch >= INT16_MAX) {
        this.needsProducerId = true;
        this.partitions.clear();
        this.unresolved.clear();
      } else {
        this.producerEpoch++;
        for (const key of this.toRewrite) this.startSequencesAtBeginning(key);
      }
      this.toRewrite.clear();
      this.epochBumpRequired = false;
    }
    return this.needsProducerId;
  }

  /** TxnPartitionMap.startSequencesAtBeginning: in-flight batches of `key` restart at 0 under the current epoch. */
  private startSequencesAtBeginning(key: string): void {
    const e = this.entry(key);
    let seq = 0;
    for (const b of e.inflight) {
      b.resetProducerState(this.producerId, this.producerEpoch, seq);
      seq = addSequence(seq, b.recordCount);
    }
    e.producerId = this.producerId;
    e.producerEpoch = this.producerEpoch;
    e.nextSequence = seq;
    e.lastAckedSequence = NO_SEQUENCE;
    this.unresolved.delete(key);
  }

  /** A snapshot for debugging and labs: per partition, sequences and in-flight batches. */
  describe(): Record<string, unknown> {
    const partitions: Record<string, unknown> = {};
    for (const [key, e] of this.partitions) {
      partitions[key] = {
        epoch: e.producerEpoch,
        nextSequence: e.nextSequence,
        lastAckedSequence: e.lastAckedSequence,
        inflight: e.inflight.map((b) => b.baseSequence),
        unresolved: this.unresolved.get(key),
      };
    }
    return {
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      epochBumpRequired: this.epochBumpRequired,
      partitions,
    };
  }

  /** Whether the batch still belongs to the current producer id and epoch (else it cannot be retried). */
  isCurrent(batch: ProducerBatch): boolean {
    return batch.producerId === this.producerId && batch.producerEpoch === this.producerEpoch;
  }
}
