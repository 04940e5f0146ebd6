/**
 * The producer's built-in partitioner (Kafka's BuiltInPartitioner and KafkaProducer.partition):
 * 1. an explicit `partition` wins;
 * 2. a key → toPositive(murmur2(keyBytes)) % numPartitions, counting every partition whether it
 *    has a leader or not (src/protocol/murmur2.ts; the B4 vectors are tested);
 * 3. no key (or partitioner.ignore.keys=true) → sticky partitioning (KIP-480, reworked by
 *    KIP-794 in 3.3): every keyless record of a topic goes to the same "sticky" partition until
 *    at least batch.size bytes were produced to it AND its batches are full (so the last batch
 *    is not left half empty), or 2 × batch.size bytes were produced whatever the batches; then a
 *    new sticky partition is drawn at random among the partitions that have a leader.
 *
 * Randomness comes from the client's seeded Rng, so runs are reproducible.
 *
 * Departure from Kafka: no adaptive weighting (partitioner.adaptive.partitioning.enable): the
 * next sticky partition is drawn uniformly among available partitions (it may be the same one
 * again, as in Kafka's uniform case), not weighted toward shorter queues.
 */
import { partitionForKey } from "../protocol/murmur2";
import type { Rng } from "../sim/rng";

/** A custom partitioner (stands in for partitioner.class): return a partition, or undefined for the built-in choice. */
export type Partitioner = (args: {
  topic: string;
  key: Uint8Array | null;
  numPartitions: number;
  /** Partitions that currently have a leader. */
  availablePartitions: readonly number[];
}) => number | undefined;

interface StickyState {
  partition: number;
  /** Bytes produced to the sticky partition since it was chosen. */
  producedBytes: number;
}

export class BuiltInPartitioner {
  private readonly sticky = new Map<string, StickyState>();

  constructor(
    private readonly rng: Rng,
    /** batch.size: the sticky partition changes after this many bytes. */
    private readonly stickyBatchSizeBytes: number,
    private readonly ignoreKeys = false,
  ) {}

  /**
   * The partition of a record. `availablePartitions` (those with a leader) are where a new
   * sticky partition is drawn; when none has a leader, all partitions are candidates.
   */
  partition(
    topic: string,
    key: Uint8Array | null,
    numPartitions: number,
    availablePartitions: readonly number[],
  ): number {
    if (key !== null && !this.ignoreKeys) return partitionForKey(key, numPartitions);
    return this.stickyPartition(topic, numPartitions, availablePartitions);
  }

  /** The current sticky partition of a topic, choosing one if none is set or it is out of range. */
  stickyPartition(topic: string, numPartitions: number, availablePartitions: readonly number[]): number {
    const s = this.sticky.get(topic);
    if (s !== undefined && s.partition < numPartitions) return s.partition;
    const partition = this.draw(numPartitions, availablePartitions);
    this.sticky.set(topic, { partition, producedBytes: 0 });
    return partition;
  }

  /**
   * After a keyless record of `appendedBytes` went to `partition` (BuiltInPartitioner
   * .updatePartitionInfo). `allBatchesFull`: the partition's queue has no batch with room left.
   */
  onAppend(
    topic: string,
    partition: number,
    appendedBytes: number,
    allBatchesFull: boolean,
    numPartitions: number,
    availablePartitions: readonly number[],
  ): void {
    const s = this.sticky.get(topic);
    if (s === undefined || s.partition !== partition) return;
    s.producedBytes += appendedBytes;
    const enough = s.producedBytes >= this.stickyBatchSizeBytes && allBatchesFull;
    const tooMuch = s.producedBytes >= 2 * this.stickyBatchSizeBytes;
    if (enough || tooMuch) {
      s.partition = this.draw(numPartitions, availablePartitions);
      s.producedBytes = 0;
    }
  }

  private draw(numPartitions: number, available: readonly number[]): number {
    const candidates = available.length > 0 ? available.filter((p) => p < numPartitions) : [];
    if (candidates.length === 0) return this.rng.int(numPartitions);
    return this.rng.pick(candidates);
  }
}
