/**
 * The leader side of Partition (partition.ts) that keeps the high watermark and the ISR, as in
 * Kafka's Partition.scala (maybeIncrementLeaderHW, maybeExpandIsr, maybeShrinkIsr,
 * handleAlterPartitionUpdate/Error).
 *
 * - High watermark: the highWatermarkRule seam (high-watermark.ts), never decreasing
 *   (asserted), frozen while the ISR is below the effective min ISR (Kafka 3.7).
 * - ISR expand: a follower whose LEO ≥ HW and ≥ the leader epoch's start offset, eligible
 *   (registered, unfenced, KIP-903 broker epoch) is proposed in.
 * - ISR shrink (every replica.lag.time.max.ms / 2): followers not caught up within
 *   replica.lag.time.max.ms are proposed out.
 * Changes go through AlterPartition (isr-state.ts): one proposal in flight at a time; the
 * maximal ISR (committed plus a member being added) counts for the high watermark meanwhile.
 *
 * Invariants asserted: HW never decreases and stays ≤ LEO; every proposed or committed ISR
 * contains the leader.
 *
 * Departures from Kafka: no ELR (KIP-966), no reassignment.
 */
import { Errors } from "../protocol";
import type { FollowerState } from "./follower-state";
import { committedIsr, isInflight, maximalIsr, pendingExpand, pendingShrink } from "./isr-state";
import {
  assertInvariant,
  effectiveMinIsr,
  partitionName,
  type PartitionReplicaState,
} from "./partition-state";
import type { AlterIsrAnswer, AlterIsrProposal } from "./partition-types";

/** Apply the high-watermark rule; returns true if the HW moved (never down: asserted). */
export function maybeIncrementLeaderHighWatermark(s: PartitionReplicaState, nowMs: number): boolean {
  if (s.role !== "leader") return false;
  const leaderLogEndOffset = s.log.logEndOffset;
  const maximal = maximalIsr(s.isrState);
  const followers = [...s.followers.values()].map((f) => ({
    brokerId: f.brokerId,
    logEndOffset: f.logEndOffset,
    inMaximalIsr: maximal.includes(f.brokerId),
    caughtUpAndEligible:
      f.isCaughtUp(leaderLogEndOffset, nowMs, s.ctx.replicaLagTimeMaxMs) &&
      s.ctx.isReplicaIsrEligible(f.brokerId, f.brokerEpoch),
  }));
  const before = s.log.highWatermark;
  const proposed = s.ctx.highWatermarkRule({
    leaderLogEndOffset,
    currentHighWatermark: before,
    followers,
    isrSize: s.isrState.isr.length,
    effectiveMinIsr: effectiveMinIsr(s),
  });
  if (!(proposed > before)) return false;
  s.log.maybeIncrementHighWatermark(proposed);
  const after = s.log.highWatermark;
  assertInvariant(
    after >= before,
    `High watermark of ${partitionName(s)} decreased from ${before} to ${after}`,
  );
  assertInvariant(
    after <= s.log.logEndOffset,
    `High watermark ${after} of ${partitionName(s)} is above its log end offset`,
  );
  return after > before;
}

/** Partition.maybeExpandIsr: propose a caught-up follower back into the ISR. */
export function maybeExpandIsr(s: PartitionReplicaState, follower: FollowerState): AlterIsrProposal | null {
  if (isInflight(s.isrState) || s.isrState.isr.includes(follower.brokerId)) return null;
  if (!s.replicas.includes(follower.brokerId)) return null;
  if (!s.ctx.isReplicaIsrEligible(follower.brokerId, follower.brokerEpoch)) return null;
  const inSync =
    follower.logEndOffset >= s.log.highWatermark &&
    s.leaderEpochStartOffset >= 0 &&
    follower.logEndOffset >= s.leaderEpochStartOffset;
  if (!inSync) return null;
  s.isrState = pendingExpand(s.isrState, follower.brokerId);
  return propose(s, "expand");
}

/** Partition.maybeShrinkIsr: propose every follower not caught up within replica.lag.time.max.ms out. */
export function maybeShrinkIsr(s: PartitionReplicaState, nowMs: number): AlterIsrProposal | null {
  if (s.role !== "leader" || isInflight(s.isrState)) return null;
  const leo = s.log.logEndOffset;
  const outOfSync = s.isrState.isr.filter((id) => {
    if (id === s.ctx.localBrokerId) return false;
    const f = s.followers.get(id);
    return f === undefined || !f.isCaughtUp(leo, nowMs, s.ctx.replicaLagTimeMaxMs);
  });
  if (outOfSync.length === 0) return null;
  s.isrState = pendingShrink(s.isrState, outOfSync);
  return propose(s, "shrink");
}

function propose(s: PartitionReplicaState, kind: "expand" | "shrink"): AlterIsrProposal {
  const proposed = s.isrState.kind === "committed" ? s.isrState.isr : s.isrState.proposedIsr;
  assertInvariant(
    proposed.includes(s.ctx.localBrokerId),
    `Proposed ISR [${proposed}] of ${partitionName(s)} lacks the leader`,
  );
  const proposal: AlterIsrProposal = {
    topic: s.topic,
    partition: s.partition,
    leaderEpoch: s.leaderEpoch,
    partitionEpoch: s.partitionEpoch,
    newIsrWithEpochs: proposed.map((brokerId) => ({
      brokerId,
      brokerEpoch: brokerId === s.ctx.localBrokerId ? -1 : (s.followers.get(brokerId)?.brokerEpoch ?? -1),
    })),
    kind,
  };
  s.inflight = proposal;
  return proposal;
}

/**
 * The controller answered `proposal` (Partition.handleAlterPartitionUpdate/Error). A stale
 * answer (another proposal or a metadata update since) is ignored. Success commits the ISR;
 * INELIGIBLE_REPLICA reverts to the committed state; other errors keep the proposal pending
 * until metadata brings the partition's new state (as Kafka does). Returns whether the HW moved
 * and whether the caller should retry the same proposal (a retriable error).
 */
export function onAlterIsrAnswer(
  s: PartitionReplicaState,
  proposal: AlterIsrProposal,
  answer: AlterIsrAnswer,
  nowMs: number,
): { highWatermarkChanged: boolean; retry: boolean } {
  if (proposal !== s.inflight || s.role !== "leader") return { highWatermarkChanged: false, retry: false };
  if (!answer.ok) {
    if (answer.errorCode === Errors.INELIGIBLE_REPLICA.code) {
      s.isrState = committedIsr(s.isrState.isr);
      s.inflight = null;
      return { highWatermarkChanged: false, retry: false };
    }
    const waitForMetadata = [
      Errors.UNKNOWN_TOPIC_OR_PARTITION.code,
      Errors.UNKNOWN_TOPIC_ID.code,
      Errors.FENCED_LEADER_EPOCH.code,
      Errors.INVALID_UPDATE_VERSION.code,
      Errors.NEW_LEADER_ELECTED.code,
      Errors.INVALID_REQUEST.code,
      Errors.STALE_BROKER_EPOCH.code,
    ].includes(answer.errorCode);
    return { highWatermarkChanged: false, retry: !waitForMetadata };
  }
  if (answer.leaderEpoch !== s.leaderEpoch || answer.partitionEpoch < s.partitionEpoch) {
    return { highWatermarkChanged: false, retry: false };
  }
  assertInvariant(
    answer.isr.includes(s.ctx.localBrokerId),
    `Committed ISR [${answer.isr}] of ${partitionName(s)} lacks its leader`,
  );
  s.isrState = committedIsr(answer.isr);
  s.partitionEpoch = answer.partitionEpoch;
  s.inflight = null;
  return { highWatermarkChanged: maybeIncrementLeaderHighWatermark(s, nowMs), retry: false };
}
