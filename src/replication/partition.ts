/**
 * One partition replica on one broker, as Kafka's Partition.scala: pure and synchronous over a
 * PartitionLog, driven by inputs (metadata changes, appends, follower fetches, fetch responses,
 * AlterPartition answers, ticks) and returning what the caller must do (complete delayed
 * operations when the high watermark moved, send an AlterPartition proposal). No timers, no I/O
 * besides the log: the broker's replica manager (src/broker) does the rest.
 *
 * Leader side:
 * - makeLeader: on a new leader epoch, record (epoch, log end offset) in the leader-epoch cache
 *   (the epoch's start offset, KIP-101) and reset what it knew of followers.
 * - appendAsLeader: acks=-1 with an ISR smaller than the effective min ISR =
 *   min(min.insync.replicas, replication factor) → NOT_ENOUGH_REPLICAS, nothing written; else the
 *   log stamps the batches with the leader epoch.
 * - follower fetches (readAsLeaderForFollower): the fetch offset is the follower's log end
 *   offset; a `lastFetchedEpoch` the leader's history contradicts gets `divergingEpoch`
 *   (KIP-320) and nothing else; otherwise the follower's progress is recorded, which may expand
 *   the ISR (LEO ≥ HW and ≥ the epoch's start offset) and move the high watermark.
 * - high watermark: the highWatermarkRule seam (high-watermark.ts), never decreasing
 *   (asserted), frozen while the ISR is below the effective min ISR (Kafka 3.7).
 * - ISR shrink (maybeShrinkIsr, every replica.lag.time.max.ms / 2): followers not caught up
 *   within replica.lag.time.max.ms are proposed out. Changes go through AlterPartition
 *   (isr-state.ts); one proposal in flight at a time.
 * - acks=-1 completion (checkEnoughReplicasReachOffset): done once HW ≥ the required offset;
 *   NOT_ENOUGH_REPLICAS_AFTER_APPEND if the maximal ISR is then below the effective min ISR.
 *
 * Follower side:
 * - makeFollower: on a new leader epoch, apply the truncation seam ("become-follower").
 * - fetchPosition: fetch offset = log end offset, lastFetchedEpoch = epoch of the last batch
 *   (if the policy uses epochs).
 * - applyFetchResponse: divergingEpoch → truncate per the seam; records → appendAsFollower;
 *   high watermark = min(leader's HW, own log end offset).
 *
 * This file holds the class: its state, role changes (makeLeader, makeFollower, makeNone) and
 * the follower side. The leader side lives beside it over one shared PartitionReplicaState
 * (partition-state.ts): appends, reads and epoch checks in partition-leader.ts, the high
 * watermark and ISR changes in partition-isr.ts; the types in partition-types.ts.
 *
 * Invariants asserted: HW ≤ LEO; the leader's HW never decreases during a leadership; the ISR
 * (committed and proposed) contains the leader.
 *
 * Departures from Kafka: no reassignment (adding/removing replicas), no ELR, no remote
 * (tiered) storage, no preferred read replica; a follower's log start offset follows the
 * leader's only up to its own high watermark.
 */
import { Errors, type ErrorInfo, type FetchPartitionResponse } from "../protocol";
import type { EpochEndOffset, PartitionLog } from "../log";
import { FollowerState } from "./follower-state";
import { committedIsr, isInflight, maximalIsr } from "./isr-state";
import type { TruncationTrigger } from "./truncation";
import { applyLeaderAnswer, truncateFollower, type FollowerFetchOutcome } from "./follower";
import {
  assertInvariant,
  effectiveMinIsr,
  partitionName,
  type PartitionReplicaState,
} from "./partition-state";
import {
  appendAsLeader,
  checkEnoughReplicasReachOffset,
  checkLeaderEpoch,
  lastOffsetForLeaderEpoch,
  readAsLeaderForConsumer,
  readAsLeaderForFollower,
} from "./partition-leader";
import { maybeIncrementLeaderHighWatermark, maybeShrinkIsr, onAlterIsrAnswer } from "./partition-isr";
import type {
  AlterIsrAnswer,
  AlterIsrProposal,
  FollowerFetchInput,
  LeaderAppendOutcome,
  LeaderReadOutcome,
  PartitionContext,
  PartitionStateInput,
} from "./partition-types";

export * from "./partition-types";
export { assertInvariant };
export type { FollowerFetchOutcome };

export class Partition {
  /** Everything that changes (partition-state.ts), shared with the leader-side code. */
  private readonly s: PartitionReplicaState;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly log: PartitionLog,
    ctx: PartitionContext,
  ) {
    this.s = {
      topic,
      partition,
      log,
      ctx,
      role: "none",
      leaderId: -1,
      leaderEpoch: -1,
      partitionEpoch: -1,
      replicas: [],
      isrState: committedIsr([]),
      followers: new Map<number, FollowerState>(),
      leaderEpochStartOffset: -1,
      inflight: null,
    };
  }

  // ---- state -------------------------------------------------------------------------------

  get role(): "leader" | "follower" | "none" {
    return this.s.role;
  }
  get isLeader(): boolean {
    return this.s.role === "leader";
  }
  get leaderId(): number {
    return this.s.leaderId;
  }
  get leaderEpoch(): number {
    return this.s.leaderEpoch;
  }
  get partitionEpoch(): number {
    return this.s.partitionEpoch;
  }
  get replicas(): readonly number[] {
    return this.s.replicas;
  }
  /** The committed ISR (what the controller has). */
  get isr(): readonly number[] {
    return this.s.isrState.isr;
  }
  /** The committed ISR plus a member being added (see isr-state.ts). */
  get maximalIsr(): readonly number[] {
    return maximalIsr(this.s.isrState);
  }
  get isrChangeInFlight(): boolean {
    return isInflight(this.s.isrState);
  }
  get highWatermark(): number {
    return this.log.highWatermark;
  }
  get logEndOffset(): number {
    return this.log.logEndOffset;
  }
  get logStartOffset(): number {
    return this.log.logStartOffset;
  }
  /** min(min.insync.replicas, replication factor). */
  get effectiveMinIsr(): number {
    return effectiveMinIsr(this.s);
  }
  followerState(brokerId: number): FollowerState | undefined {
    return this.s.followers.get(brokerId);
  }

  // ---- role changes ------------------------------------------------------------------------

  /**
   * Become (or stay) leader with `state` (Partition.makeLeader). Ignored when its partition
   * epoch is older than ours. Returns whether this broker just became leader, and whether the
   * high watermark moved (e.g. the ISR is down to the leader alone).
   */
  makeLeader(
    state: PartitionStateInput,
    nowMs: number,
  ): { applied: boolean; isNewLeader: boolean; highWatermarkChanged: boolean } {
    const me = this.s.ctx.localBrokerId;
    assertInvariant(
      state.leader === me,
      `makeLeader for ${partitionName(this.s)} names leader ${state.leader}, not ${me}`,
    );
    assertInvariant(
      state.isr.includes(me),
      `makeLeader for ${partitionName(this.s)}: ISR [${state.isr}] lacks the leader ${me}`,
    );
    if (state.partitionEpoch < this.s.partitionEpoch && this.s.role !== "none")
      return { applied: false, isNewLeader: false, highWatermarkChanged: false };
    const isNewLeader = this.s.role !== "leader";
    const isNewLeaderEpoch = state.leaderEpoch > this.s.leaderEpoch || isNewLeader;
    this.s.replicas = [...state.replicas];
    this.s.isrState = committedIsr(state.isr);
    this.s.inflight = null;
    for (const id of [...this.s.followers.keys()])
      if (!state.replicas.includes(id)) this.s.followers.delete(id);
    for (const id of state.replicas)
      if (id !== me && !this.s.followers.has(id)) this.s.followers.set(id, new FollowerState(id));
    if (isNewLeaderEpoch) {
      const start = this.s.log.logEndOffset;
      // Kafka: maybeAssignEpochStartOffset. A follower may hold entries of a later epoch than any
      // in this log; caching (epoch, LEO) lets it find where its log diverges.
      this.s.log.leaderEpochCache.assign(state.leaderEpoch, start);
      for (const f of this.s.followers.values())
        f.reset(nowMs, start, isNewLeader, state.isr.includes(f.brokerId));
      this.s.leaderEpochStartOffset = start;
    }
    this.s.role = "leader";
    this.s.leaderId = me;
    this.s.leaderEpoch = state.leaderEpoch;
    this.s.partitionEpoch = state.partitionEpoch;
    const highWatermarkChanged = maybeIncrementLeaderHighWatermark(this.s, nowMs);
    return { applied: true, isNewLeader, highWatermarkChanged };
  }

  /**
   * Become (or stay) a follower of `state.leader` (Partition.makeFollower). On a new leader
   * epoch the truncation seam decides what to cut ("become-follower"). Returns whether the
   * fetcher must restart (new leader epoch) and where the log was truncated, if it was.
   */
  makeFollower(
    state: PartitionStateInput,
    nowMs: number,
  ): { applied: boolean; isNewLeaderEpoch: boolean; wasLeader: boolean; truncatedTo: number | null } {
    if (state.partitionEpoch < this.s.partitionEpoch && this.s.role !== "none")
      return { applied: false, isNewLeaderEpoch: false, wasLeader: false, truncatedTo: null };
    const wasLeader = this.s.role === "leader";
    const isNewLeaderEpoch = state.leaderEpoch > this.s.leaderEpoch || this.s.role !== "follower";
    this.s.role = "follower";
    this.s.replicas = [...state.replicas];
    this.s.isrState = committedIsr(state.isr);
    this.s.inflight = null;
    this.s.followers.clear();
    this.s.leaderId = state.leader;
    this.s.leaderEpoch = state.leaderEpoch;
    this.s.partitionEpoch = state.partitionEpoch;
    this.s.leaderEpochStartOffset = -1;
    let truncatedTo: number | null = null;
    if (isNewLeaderEpoch && state.leader >= 0) {
      truncatedTo = this.applyTruncation(
        { kind: "become-follower", leaderId: state.leader, leaderEpoch: state.leaderEpoch },
        nowMs,
      );
    }
    return { applied: true, isNewLeaderEpoch, wasLeader, truncatedTo };
  }

  /** The replica is no longer assigned to this broker, or the broker shuts down: stop acting on it. */
  makeNone(): void {
    this.s.role = "none";
    this.s.followers.clear();
    this.s.inflight = null;
  }

  // ---- leader: appends and reads (partition-leader.ts) -------------------------------------

  /** Kafka's appendRecordsToLeader: the min ISR check for acks=-1, then the log append. */
  appendAsLeader(
    records: Uint8Array,
    options: { acks: -1 | 0 | 1; origin: "client" | "coordinator"; nowMs: number },
  ): LeaderAppendOutcome {
    return appendAsLeader(this.s, records, options);
  }

  /**
   * Partition.checkEnoughReplicasReachOffset for acks=-1: `done` once the high watermark has
   * reached `requiredOffset` (last offset + 1), with NOT_ENOUGH_REPLICAS_AFTER_APPEND if the
   * maximal ISR is then below the effective min ISR; NOT_LEADER_OR_FOLLOWER when not leader.
   */
  checkEnoughReplicasReachOffset(requiredOffset: number): { done: boolean; error: ErrorInfo } {
    return checkEnoughReplicasReachOffset(this.s, requiredOffset);
  }

  /** FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH for a stale / future currentLeaderEpoch (-1: no check). */
  checkLeaderEpoch(currentLeaderEpoch: number, requireLeader: boolean): ErrorInfo {
    return checkLeaderEpoch(this.s, currentLeaderEpoch, requireLeader);
  }

  /** Partition.lastOffsetForLeaderEpoch: (largest epoch ≤ `epoch`, its exclusive end offset). */
  lastOffsetForLeaderEpoch(
    currentLeaderEpoch: number,
    epoch: number,
    requireLeader: boolean,
  ): { error: ErrorInfo } & EpochEndOffset {
    return lastOffsetForLeaderEpoch(this.s, currentLeaderEpoch, epoch, requireLeader);
  }

  /** A consumer's read: leader only, below the high watermark. */
  readAsLeaderForConsumer(
    fetchOffset: number,
    currentLeaderEpoch: number,
    maxBytes: number,
    minOneMessage = true,
  ): { response: FetchPartitionResponse; bytes: number } {
    return readAsLeaderForConsumer(this.s, fetchOffset, currentLeaderEpoch, maxBytes, minOneMessage);
  }

  /**
   * A follower's Fetch (Partition.fetchRecords for a follower): divergence check, read up to
   * the log end offset, then record the follower's progress. The high watermark in the answer
   * is the one from before this fetch moved it (the follower learns it on its next fetch).
   */
  readAsLeaderForFollower(input: FollowerFetchInput): LeaderReadOutcome {
    return readAsLeaderForFollower(this.s, input);
  }

  // ---- leader: high watermark and ISR (partition-isr.ts) -----------------------------------

  /** Apply the high-watermark rule; returns true if the HW moved (never down: asserted). */
  maybeIncrementLeaderHighWatermark(nowMs: number): boolean {
    return maybeIncrementLeaderHighWatermark(this.s, nowMs);
  }

  /** Partition.maybeShrinkIsr: propose every follower not caught up within replica.lag.time.max.ms out. */
  maybeShrinkIsr(nowMs: number): AlterIsrProposal | null {
    return maybeShrinkIsr(this.s, nowMs);
  }

  /** The proposal in flight, if any (to re-send after a lost request). */
  get inflightProposal(): AlterIsrProposal | null {
    return this.s.inflight;
  }

  /**
   * The controller answered `proposal` (Partition.handleAlterPartitionUpdate/Error). A stale
   * answer (another proposal or a metadata update since) is ignored. Success commits the ISR;
   * INELIGIBLE_REPLICA reverts to the committed state; other errors keep the proposal pending
   * until metadata brings the partition's new state (as Kafka does). Returns whether the HW moved
   * and whether the caller should retry the same proposal (a retriable error).
   */
  onAlterIsrAnswer(
    proposal: AlterIsrProposal,
    answer: AlterIsrAnswer,
    nowMs: number,
  ): { highWatermarkChanged: boolean; retry: boolean } {
    return onAlterIsrAnswer(this.s, proposal, answer, nowMs);
  }

  // ---- follower ----------------------------------------------------------------------------------

  /** Where the follower fetches from: its log end offset, with lastFetchedEpoch if the policy uses epochs. */
  fetchPosition(): {
    fetchOffset: number;
    lastFetchedEpoch: number;
    currentLeaderEpoch: number;
    logStartOffset: number;
  } {
    return {
      fetchOffset: this.s.log.logEndOffset,
      lastFetchedEpoch: this.s.ctx.truncation.fetchesWithLastEpoch
        ? (this.s.log.leaderEpochCache.latestEpoch() ?? -1)
        : -1,
      currentLeaderEpoch: this.s.leaderEpoch,
      logStartOffset: this.s.log.logStartOffset,
    };
  }

  /** Apply the leader's answer for this partition (AbstractFetcherThread.processFetchRequest). */
  applyFetchResponse(data: FetchPartitionResponse, fetchOffset: number, nowMs: number): FollowerFetchOutcome {
    if (this.s.role !== "follower" || fetchOffset !== this.s.log.logEndOffset) {
      return { action: "none", error: Errors.NONE, appended: 0 }; // stale answer
    }
    return applyLeaderAnswer(this.s.log, this.s.ctx.truncation, data, nowMs);
  }

  private applyTruncation(trigger: TruncationTrigger, nowMs: number): number | null {
    return truncateFollower(this.s.log, this.s.ctx.truncation, trigger, nowMs);
  }
}
