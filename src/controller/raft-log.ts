/**
 * The in-memory view of the metadata log that the Raft state machine reads and changes. The
 * durable copy is written by raft-storage.ts from the Ready the node hands out; this class only
 * keeps batches, their sizes and an epoch index (KRaft's leader-epoch cache:
 * (epoch, startOffset) pairs, as in Kafka's LeaderEpochFileCache).
 *
 * Invariants (asserted): batch offsets are contiguous from 0; epochs never decrease along the
 * log; the epoch index holds exactly the first offset of each epoch present.
 *
 * Departure from KRaft: no log start offset > 0, because there are no snapshots. The whole
 * metadata log stays in memory; the course's clusters write a few thousand batches at most.
 */
import { batchSizeBytes, type RaftBatch } from "./raft-messages";

export interface EpochEnd {
  /** The largest epoch in the log that is ≤ the requested one (0 if none). */
  epoch: number;
  /** Exclusive end of that epoch: start of the next higher epoch, or the log end offset. */
  endOffset: number;
}

export class RaftLog<T> {
  private readonly batches: RaftBatch<T>[] = [];
  private readonly sizes: number[] = [];
  /** (epoch, startOffset), ascending in both. */
  private readonly epochStarts: { epoch: number; startOffset: number }[] = [];

  /** Exclusive: the offset the next batch will get. */
  get endOffset(): number {
    return this.batches.length;
  }

  /** Epoch of the last batch, 0 for an empty log. */
  get lastEpoch(): number {
    return this.epochStarts.at(-1)?.epoch ?? 0;
  }

  /** Epoch of the batch at `offset` (0 for offset -1, the position before the first batch). */
  epochAt(offset: number): number {
    if (offset === -1) return 0;
    const batch = this.batches[offset];
    if (batch === undefined)
      throw new Error(`Cannot read epoch at offset ${offset}: log end offset is ${this.endOffset}`);
    return batch.epoch;
  }

  get(offset: number): RaftBatch<T> {
    const batch = this.batches[offset];
    if (batch === undefined)
      throw new Error(`Cannot read batch at offset ${offset}: log end offset is ${this.endOffset}`);
    return batch;
  }

  /** Append batches that continue the log. */
  append(batches: readonly RaftBatch<T>[]): void {
    for (const batch of batches) {
      if (batch.offset !== this.endOffset) {
        throw new Error(
          `Cannot append batch: offset ${batch.offset} is not the log end offset ${this.endOffset}`,
        );
      }
      if (batch.epoch < this.lastEpoch) {
        throw new Error(
          `Cannot append batch at offset ${batch.offset}: epoch ${batch.epoch} is below the last epoch ${this.lastEpoch}`,
        );
      }
      if (batch.epoch > this.lastEpoch)
        this.epochStarts.push({ epoch: batch.epoch, startOffset: batch.offset });
      this.batches.push(batch);
      this.sizes.push(batchSizeBytes(batch));
    }
  }

  /** Remove every batch at offset ≥ `endOffset`. */
  truncateTo(endOffset: number): void {
    if (endOffset < 0 || endOffset > this.endOffset) {
      throw new Error(`Cannot truncate log to ${endOffset}: log end offset is ${this.endOffset}`);
    }
    this.batches.length = endOffset;
    this.sizes.length = endOffset;
    while (this.epochStarts.length > 0 && this.epochStarts.at(-1)!.startOffset >= endOffset)
      this.epochStarts.pop();
  }

  /**
   * KRaft's endOffsetForEpoch (Kafka's LeaderEpochFileCache.endOffsetFor): the largest epoch ≤
   * `epoch` present in the log, and where it ends. An empty log (or no such epoch) gives (0, 0).
   */
  endOffsetForEpoch(epoch: number): EpochEnd {
    for (let i = this.epochStarts.length - 1; i >= 0; i--) {
      const entry = this.epochStarts[i]!;
      if (entry.epoch <= epoch) {
        const next = this.epochStarts[i + 1];
        return { epoch: entry.epoch, endOffset: next === undefined ? this.endOffset : next.startOffset };
      }
    }
    return { epoch: 0, endOffset: 0 };
  }

  /**
   * KRaft's ReplicatedLog.validateOffsetAndEpoch (without snapshots): does a fetcher whose log
   * ends at `fetchOffset` with a batch of `lastFetchedEpoch` hold a prefix of this log? If not,
   * returns where that epoch ends here, so that the fetcher truncates to it. A fetcher whose log
   * runs past ours (a deposed leader's uncommitted tail) diverges too.
   */
  validateFetchPosition(fetchOffset: number, lastFetchedEpoch: number): EpochEnd | null {
    if (fetchOffset === 0) return null;
    const end = this.endOffsetForEpoch(lastFetchedEpoch);
    if (end.epoch !== lastFetchedEpoch || end.endOffset < fetchOffset) return end;
    return null;
  }

  /**
   * Batches from `fromOffset` (inclusive) to `toOffset` (exclusive), stopping before the total
   * size passes `maxBytes` — but always at least one batch, so that replication never stalls on
   * one large batch (as Kafka does since KIP-74).
   */
  read(fromOffset: number, toOffset: number, maxBytes: number): RaftBatch<T>[] {
    if (fromOffset < 0 || fromOffset > this.endOffset) {
      throw new Error(`Cannot read from offset ${fromOffset}: log end offset is ${this.endOffset}`);
    }
    const out: RaftBatch<T>[] = [];
    let bytes = 0;
    for (let offset = fromOffset; offset < Math.min(toOffset, this.endOffset); offset++) {
      const size = this.sizes[offset]!;
      if (out.length > 0 && bytes + size > maxBytes) break;
      out.push(this.batches[offset]!);
      bytes += size;
    }
    return out;
  }
}
