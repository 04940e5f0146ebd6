/**
 * The leader's high-watermark rule (Partition.maybeIncrementLeaderHW), as a pure function and a
 * SEAM: the replication lab swaps it to show what goes wrong with "min over all replicas" or
 * "the leader's own LEO".
 *
 * Kafka's rule: the new high watermark is the minimum of the leader's log end offset and the
 * log end offsets of every follower that is in the maximal ISR (the ISR including a member
 * being added by an AlterPartition in flight) or that is caught up and ISR-eligible (so that a
 * follower about to join does not see the HW move past it). Unknown follower offsets (-1, after
 * a leader change) hold it back. Since Kafka 3.7 (KAFKA-15583) the HW does not move at all while
 * the ISR is smaller than the effective min ISR = min(min.insync.replicas, replication factor).
 *
 * The partition applies the answer only if it is larger than the current HW: the high
 * watermark never decreases on a leader (asserted in partition-isr.ts). HW is exclusive.
 */

export interface HighWatermarkFollower {
  readonly brokerId: number;
  /** Exclusive; -1 when unknown. */
  readonly logEndOffset: number;
  readonly inMaximalIsr: boolean;
  /** Replica.isCaughtUp and ISR-eligible (unfenced, current broker epoch). */
  readonly caughtUpAndEligible: boolean;
}

export interface HighWatermarkInput {
  readonly leaderLogEndOffset: number;
  readonly currentHighWatermark: number;
  readonly followers: readonly HighWatermarkFollower[];
  /** Size of the committed ISR (leader included). */
  readonly isrSize: number;
  /** min(min.insync.replicas, replication factor). */
  readonly effectiveMinIsr: number;
}

/** Returns the high watermark the leader should have; values ≤ the current one change nothing. */
export type HighWatermarkRule = (input: HighWatermarkInput) => number;

// #region kafka-high-watermark
export const kafkaHighWatermark: HighWatermarkRule = (input) => {
  if (input.isrSize < input.effectiveMinIsr) return input.currentHighWatermark;
  let hw = input.leaderLogEndOffset;
  for (const f of input.followers) {
    if ((f.inMaximalIsr || f.caughtUpAndEligible) && f.logEndOffset < hw) hw = f.logEndOffset;
  }
  return hw;
};
// #endregion kafka-high-watermark

/** The rule before Kafka 3.7: the same minimum, but also while the ISR is below min.insync.replicas. */
export const highWatermarkBeforeKafka37: HighWatermarkRule = (input) =>
  kafkaHighWatermark({ ...input, effectiveMinIsr: 0 });
