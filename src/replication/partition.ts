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
 * Invariants asserted: HW ≤ LEO; the leader's HW never decreases during a leadership; the ISR
 * (committed and proposed) contains the leader.
 *
 * Departures from Kafka: no reassignment (adding/removing replicas), no ELR, no remote
 * (tiered) storage, no preferred read replica; a follower's log start offset follows the
 * leader's only up to its own high watermark.
 */
import { Errors, type ErrorInfo, type FetchPartitionResponse } from "../protocol";
import type { AppendResult, EpochEndOffset, PartitionLog } from "../log";
import { FollowerState } from "./follower-state";
import type { HighWatermarkRule } from "./high-watermark";
import {
  committedIsr,
  isInflight,
  maximalIsr,
  pendingExpand,
  pendingShrink,
  type IsrState,
} from "./isr-state";
import type { TruncationPolicy, TruncationTrigger } from "./truncation";
import { applyLeaderAnswer, truncateFollower, type FollowerFetchOutcome } from "./follower";

export interface PartitionContext {
  readonly localBrokerId: number;
  readonly replicaLagTimeMaxMs: number;
  readonly truncation: TruncationPolicy;
  readonly highWatermarkRule: HighWatermarkRule;
  /**
   * May `brokerId` join the ISR? Registered and unfenced, and (KIP-903) the broker epoch it
   * fetched with is its registered one (`fetchBrokerEpoch` undefined: not checked).
   */
  isReplicaIsrEligible(brokerId: number, fetchBrokerEpoch: number | undefined): boolean;
}

/** The partition's registration in the metadata (src/controller PartitionRegistration). */
export interface PartitionStateInput {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly isr: readonly number[];
  readonly replicas: readonly number[];
}

/** An ISR change the leader asks the controller for (AlterPartition, one partition). */
export interface AlterIsrProposal {
  readonly topic: string;
  readonly partition: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly newIsrWithEpochs: readonly { brokerId: number; brokerEpoch: number }[];
  readonly kind: "expand" | "shrink";
}

/** What the controller answered for a proposal. */
export type AlterIsrAnswer =
  | { ok: true; leaderEpoch: number; isr: readonly number[]; partitionEpoch: number }
  | { ok: false; errorCode: number };

export interface LeaderAppendOutcome {
  result: AppendResult;
  highWatermarkChanged: boolean;
}

export interface FollowerFetchInput {
  replicaId: number;
  replicaEpoch: number;
  fetchOffset: number;
  lastFetchedEpoch: number;
  currentLeaderEpoch: number;
  logStartOffset: number;
  maxBytes: number;
  /** Return the first batch whole even if larger than maxBytes (KIP-74; the first partition of a response). */
  minOneMessage: boolean;
  nowMs: number;
}

export interface LeaderReadOutcome {
  response: FetchPartitionResponse;
  /** Bytes returned (0 when none). */
  bytes: number;
  highWatermarkChanged: boolean;
  proposal: AlterIsrProposal | null;
}

export type { FollowerFetchOutcome };

export class Partition {
  private roleValue: "leader" | "follower" | "none" = "none";
  private leaderIdValue = -1;
  private leaderEpochValue = -1;
  private partitionEpochValue = -1;
  private replicasValue: readonly number[] = [];
  private isrState: IsrState = committedIsr([]);
  private readonly followers = new Map<number, FollowerState>();
  private leaderEpochStartOffset = -1;
  private inflight: AlterIsrProposal | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly log: PartitionLog,
    private readonly ctx: PartitionContext,
  ) {}

  // ---- state -------------------------------------------------------------------------------

  get role(): "leader" | "follower" | "none" {
    return this.roleValue;
  }
  get isLeader(): boolean {
    return this.roleValue === "leader";
  }
  get leaderId(): number {
    return this.leaderIdValue;
  }
  get leaderEpoch(): number {
    return this.leaderEpochValue;
  }
  get partitionEpoch(): number {
    return this.partitionEpochValue;
  }
  get replicas(): readonly number[] {
    return this.replicasValue;
  }
  /** The committed ISR (what the controller has). */
  get isr(): readonly number[] {
    return this.isrState.isr;
  }
  /** The committed ISR plus a member being added (see isr-state.ts). */
  get maximalIsr(): readonly number[] {
    return maximalIsr(this.isrState);
  }
  get isrChangeInFlight(): boolean {
    return isInflight(this.isrState);
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
    return Math.min(this.log.config.minInsyncReplicas, Math.max(1, this.replicasValue.length));
  }
  followerState(brokerId: number): FollowerState | undefined {
    return this.followers.get(brokerId);
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
    const me = this.ctx.localBrokerId;
    assertInvariant(
      state.leader === me,
      `makeLeader for ${this.name()} names leader ${state.leader}, not ${me}`,
    );
    assertInvariant(
      state.isr.includes(me),
      `makeLeader for ${this.name()}: ISR [${state.isr}] lacks the leader ${me}`,
    );
    if (state.partitionEpoch < this.partitionEpochValue && this.roleValue !== "none")
      return { applied: false, isNewLeader: false, highWatermarkChanged: false };
    const isNewLeader = this.roleValue !== "leader";
    const isNewLeaderEpoch = state.leaderEpoch > this.leaderEpochValue || isNewLeader;
    this.replicasValue = [...state.replicas];
    this.isrState = committedIsr(state.isr);
    this.inflight = null;
    for (const id of [...this.followers.keys()]) if (!state.replicas.includes(id)) this.followers.delete(id);
    for (const id of state.replicas)
      if (id !== me && !this.followers.has(id)) this.followers.set(id, new FollowerState(id));
    if (isNewLeaderEpoch) {
      const start = this.log.logEndOffset;
      // Kafka: maybeAssignEpochStartOffset. A follower may hold entries of a later epoch than any
      // in this log; caching (epoch, LEO) lets it find where its log diverges.
      this.log.leaderEpochCache.assign(state.leaderEpoch, start);
      for (const f of this.followers.values())
        f.reset(nowMs, start, isNewLeader, state.isr.includes(f.brokerId));
      this.leaderEpochStartOffset = start;
    }
    this.roleValue = "leader";
    this.leaderIdValue = me;
    this.leaderEpochValue = state.leaderEpoch;
    this.partitionEpochValue = state.partitionEpoch;
    const highWatermarkChanged = this.maybeIncrementLeaderHighWatermark(nowMs);
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
    if (state.partitionEpoch < this.partitionEpochValue && this.roleValue !== "none")
      return { applied: false, isNewLeaderEpoch: false, wasLeader: false, truncatedTo: null };
    const wasLeader = this.roleValue === "leader";
    const isNewLeaderEpoch = state.leaderEpoch > this.leaderEpochValue || this.roleValue !== "follower";
    this.roleValue = "follower";
    this.replicasValue = [...state.replicas];
    this.isrState = committedIsr(state.isr);
    this.inflight = null;
    this.followers.clear();
    this.leaderIdValue = state.leader;
    this.leaderEpochValue = state.leaderEpoch;
    this.partitionEpochValue = state.partitionEpoch;
    this.leaderEpochStartOffset = -1;
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
    this.roleValue = "none";
    this.followers.clear();
    this.inflight = null;
  }

  // ---- leader: appends -----------------------------------------------------------------------

  /** Kafka's appendRecordsToLeader: the min ISR check for acks=-1, then the log append. */
  appendAsLeader(
    records: Uint8Array,
    options: { acks: -1 | 0 | 1; origin: "client" | "coordinator"; nowMs: number },
  ): LeaderAppendOutcome {
    if (this.roleValue !== "leader") {
      return {
        result: failedAppend(
          this.log,
          Errors.NOT_LEADER_OR_FOLLOWER,
          `Cannot append to ${this.name()}: broker ${this.ctx.localBrokerId} is not its leader`,
        ),
        highWatermarkChanged: false,
      };
    }
    const minIsr = this.effectiveMinIsr;
    if (options.acks === -1 && this.isr.length < minIsr) {
      return {
        result: failedAppend(
          this.log,
          Errors.NOT_ENOUGH_REPLICAS,
          `The size of the current ISR [${this.isr}] is insufficient to satisfy the min.isr requirement of ${minIsr} for partition ${this.name()}`,
        ),
        highWatermarkChanged: false,
      };
    }
    const result = this.log.appendAsLeader(records, {
      now: options.nowMs,
      leaderEpoch: this.leaderEpochValue,
      origin: options.origin,
    });
    const highWatermarkChanged =
      result.error === Errors.NONE ? this.maybeIncrementLeaderHighWatermark(options.nowMs) : false;
    return { result, highWatermarkChanged };
  }

  /**
   * Partition.checkEnoughReplicasReachOffset for acks=-1: `done` once the high watermark has
   * reached `requiredOffset` (last offset + 1), with NOT_ENOUGH_REPLICAS_AFTER_APPEND if the
   * maximal ISR is then below the effective min ISR; NOT_LEADER_OR_FOLLOWER when not leader.
   */
  checkEnoughReplicasReachOffset(requiredOffset: number): { done: boolean; error: ErrorInfo } {
    if (this.roleValue !== "leader") return { done: true, error: Errors.NOT_LEADER_OR_FOLLOWER };
    if (this.log.highWatermark < requiredOffset) return { done: false, error: Errors.NONE };
    return this.maximalIsr.length >= this.effectiveMinIsr
      ? { done: true, error: Errors.NONE }
      : { done: true, error: Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND };
  }

  // ---- leader: reads ---------------------------------------------------------------------------

  /** FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH for a stale / future currentLeaderEpoch (-1: no check). */
  checkLeaderEpoch(currentLeaderEpoch: number, requireLeader: boolean): ErrorInfo {
    if (currentLeaderEpoch >= 0) {
      if (currentLeaderEpoch < this.leaderEpochValue) return Errors.FENCED_LEADER_EPOCH;
      if (currentLeaderEpoch > this.leaderEpochValue) return Errors.UNKNOWN_LEADER_EPOCH;
    }
    if (requireLeader && this.roleValue !== "leader") return Errors.NOT_LEADER_OR_FOLLOWER;
    return Errors.NONE;
  }

  /** Partition.lastOffsetForLeaderEpoch: (largest epoch ≤ `epoch`, its exclusive end offset). */
  lastOffsetForLeaderEpoch(
    currentLeaderEpoch: number,
    epoch: number,
    requireLeader: boolean,
  ): { error: ErrorInfo } & EpochEndOffset {
    const error = this.checkLeaderEpoch(currentLeaderEpoch, requireLeader);
    if (error !== Errors.NONE) return { error, epoch: -1, endOffset: -1 };
    const answer = this.log.leaderEpochCache.endOffsetFor(epoch, this.log.logEndOffset);
    return { error: Errors.NONE, ...answer };
  }

  /** A consumer's read: leader only, below the high watermark. */
  readAsLeaderForConsumer(
    fetchOffset: number,
    currentLeaderEpoch: number,
    maxBytes: number,
    minOneMessage = true,
  ): { response: FetchPartitionResponse; bytes: number } {
    const error = this.checkLeaderEpoch(currentLeaderEpoch, true);
    if (error !== Errors.NONE) return { response: this.errorResponse(error), bytes: 0 };
    const r = this.log.read(fetchOffset, maxBytes, this.log.highWatermark, minOneMessage);
    if (r.error !== Errors.NONE) return { response: this.errorResponse(r.error), bytes: 0 };
    return {
      response: {
        partitionIndex: this.partition,
        errorCode: Errors.NONE.code,
        highWatermark: r.highWatermark,
        lastStableOffset: r.highWatermark,
        logStartOffset: r.logStartOffset,
        records: r.records.length > 0 ? r.records : null,
      },
      bytes: r.records.length,
    };
  }

  /**
   * A follower's Fetch (Partition.fetchRecords for a follower): divergence check, read up to
   * the log end offset, then record the follower's progress. The high watermark in the answer
   * is the one from before this fetch moved it (the follower learns it on its next fetch).
   */
  readAsLeaderForFollower(input: FollowerFetchInput): LeaderReadOutcome {
    const none = (response: FetchPartitionResponse): LeaderReadOutcome => ({
      response,
      bytes: 0,
      highWatermarkChanged: false,
      proposal: null,
    });
    const error = this.checkLeaderEpoch(input.currentLeaderEpoch, true);
    if (error !== Errors.NONE) return none(this.errorResponse(error));
    const follower = this.followers.get(input.replicaId);
    if (follower === undefined) {
      return none(this.errorResponse(Errors.UNKNOWN_SERVER_ERROR));
    }
    const initialHighWatermark = this.log.highWatermark;
    if (input.lastFetchedEpoch >= 0) {
      const end = this.log.leaderEpochCache.endOffsetFor(input.lastFetchedEpoch, this.log.logEndOffset);
      if (end.epoch < input.lastFetchedEpoch || end.endOffset < input.fetchOffset) {
        return none({
          partitionIndex: this.partition,
          errorCode: Errors.NONE.code,
          highWatermark: initialHighWatermark,
          lastStableOffset: initialHighWatermark,
          logStartOffset: this.log.logStartOffset,
          divergingEpoch: { epoch: end.epoch, endOffset: end.endOffset },
          records: null,
        });
      }
    }
    const leaderLogEndOffset = this.log.logEndOffset;
    const r = this.log.read(input.fetchOffset, input.maxBytes, leaderLogEndOffset, input.minOneMessage);
    if (r.error !== Errors.NONE) return none(this.errorResponse(r.error));
    follower.updateFetchState(
      input.fetchOffset,
      input.logStartOffset,
      leaderLogEndOffset,
      input.nowMs,
      input.replicaEpoch,
    );
    const proposal = this.maybeExpandIsr(follower);
    const highWatermarkChanged = this.maybeIncrementLeaderHighWatermark(input.nowMs);
    return {
      response: {
        partitionIndex: this.partition,
        errorCode: Errors.NONE.code,
        highWatermark: initialHighWatermark,
        lastStableOffset: initialHighWatermark,
        logStartOffset: r.logStartOffset,
        records: r.records.length > 0 ? r.records : null,
      },
      bytes: r.records.length,
      highWatermarkChanged,
      proposal,
    };
  }

  // ---- leader: high watermark and ISR ----------------------------------------------------------

  /** Apply the high-watermark rule; returns true if the HW moved (never down: asserted). */
  maybeIncrementLeaderHighWatermark(nowMs: number): boolean {
    if (this.roleValue !== "leader") return false;
    const leaderLogEndOffset = this.log.logEndOffset;
    const maximal = this.maximalIsr;
    const followers = [...this.followers.values()].map((f) => ({
      brokerId: f.brokerId,
      logEndOffset: f.logEndOffset,
      inMaximalIsr: maximal.includes(f.brokerId),
      caughtUpAndEligible:
        f.isCaughtUp(leaderLogEndOffset, nowMs, this.ctx.replicaLagTimeMaxMs) &&
        this.ctx.isReplicaIsrEligible(f.brokerId, f.brokerEpoch),
    }));
    const before = this.log.highWatermark;
    const proposed = this.ctx.highWatermarkRule({
      leaderLogEndOffset,
      currentHighWatermark: before,
      followers,
      isrSize: this.isr.length,
      effectiveMinIsr: this.effectiveMinIsr,
    });
    if (!(proposed > before)) return false;
    this.log.maybeIncrementHighWatermark(proposed);
    const after = this.log.highWatermark;
    assertInvariant(after >= before, `High watermark of ${this.name()} decreased from ${before} to ${after}`);
    assertInvariant(
      after <= this.log.logEndOffset,
      `High watermark ${after} of ${this.name()} is above its log end offset`,
    );
    return after > before;
  }

  /** Partition.maybeExpandIsr: propose a caught-up follower back into the ISR. */
  private maybeExpandIsr(follower: FollowerState): AlterIsrProposal | null {
    if (isInflight(this.isrState) || this.isr.includes(follower.brokerId)) return null;
    if (!this.replicasValue.includes(follower.brokerId)) return null;
    if (!this.ctx.isReplicaIsrEligible(follower.brokerId, follower.brokerEpoch)) return null;
    const inSync =
      follower.logEndOffset >= this.log.highWatermark &&
      this.leaderEpochStartOffset >= 0 &&
      follower.logEndOffset >= this.leaderEpochStartOffset;
    if (!inSync) return null;
    this.isrState = pendingExpand(this.isrState, follower.brokerId);
    return this.propose("expand");
  }

  /** Partition.maybeShrinkIsr: propose every follower not caught up within replica.lag.time.max.ms out. */
  maybeShrinkIsr(nowMs: number): AlterIsrProposal | null {
    if (this.roleValue !== "leader" || isInflight(this.isrState)) return null;
    const leo = this.log.logEndOffset;
    const outOfSync = this.isr.filter((id) => {
      if (id === this.ctx.localBrokerId) return false;
      const f = this.followers.get(id);
      return f === undefined || !f.isCaughtUp(leo, nowMs, this.ctx.replicaLagTimeMaxMs);
    });
    if (outOfSync.length === 0) return null;
    this.isrState = pendingShrink(this.isrState, outOfSync);
    return this.propose("shrink");
  }

  private propose(kind: "expand" | "shrink"): AlterIsrProposal {
    const proposed = this.isrState.kind === "committed" ? this.isr : this.isrState.proposedIsr;
    assertInvariant(
      proposed.includes(this.ctx.localBrokerId),
      `Proposed ISR [${proposed}] of ${this.name()} lacks the leader`,
    );
    const proposal: AlterIsrProposal = {
      topic: this.topic,
      partition: this.partition,
      leaderEpoch: this.leaderEpochValue,
      partitionEpoch: this.partitionEpochValue,
      newIsrWithEpochs: proposed.map((brokerId) => ({
        brokerId,
        brokerEpoch:
          brokerId === this.ctx.localBrokerId ? -1 : (this.followers.get(brokerId)?.brokerEpoch ?? -1),
      })),
      kind,
    };
    this.inflight = proposal;
    return proposal;
  }

  /** The proposal in flight, if any (to re-send after a lost request). */
  get inflightProposal(): AlterIsrProposal | null {
    return this.inflight;
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
    if (proposal !== this.inflight || this.roleValue !== "leader")
      return { highWatermarkChanged: false, retry: false };
    if (!answer.ok) {
      if (answer.errorCode === Errors.INELIGIBLE_REPLICA.code) {
        this.isrState = committedIsr(this.isr);
        this.inflight = null;
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
    if (answer.leaderEpoch !== this.leaderEpochValue || answer.partitionEpoch < this.partitionEpochValue) {
      return { highWatermarkChanged: false, retry: false };
    }
    assertInvariant(
      answer.isr.includes(this.ctx.localBrokerId),
      `Committed ISR [${answer.isr}] of ${this.name()} lacks its leader`,
    );
    this.isrState = committedIsr(answer.isr);
    this.partitionEpochValue = answer.partitionEpoch;
    this.inflight = null;
    return { highWatermarkChanged: this.maybeIncrementLeaderHighWatermark(nowMs), retry: false };
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
      fetchOffset: this.log.logEndOffset,
      lastFetchedEpoch: this.ctx.truncation.fetchesWithLastEpoch
        ? (this.log.leaderEpochCache.latestEpoch() ?? -1)
        : -1,
      currentLeaderEpoch: this.leaderEpochValue,
      logStartOffset: this.log.logStartOffset,
    };
  }

  /** Apply the leader's answer for this partition (AbstractFetcherThread.processFetchRequest). */
  applyFetchResponse(data: FetchPartitionResponse, fetchOffset: number, nowMs: number): FollowerFetchOutcome {
    if (this.roleValue !== "follower" || fetchOffset !== this.log.logEndOffset) {
      return { action: "none", error: Errors.NONE, appended: 0 }; // stale answer
    }
    return applyLeaderAnswer(this.log, this.ctx.truncation, data, nowMs);
  }

  private applyTruncation(trigger: TruncationTrigger, nowMs: number): number | null {
    return truncateFollower(this.log, this.ctx.truncation, trigger, nowMs);
  }

  // ---- helpers -------------------------------------------------------------------------------------

  private errorResponse(error: ErrorInfo): FetchPartitionResponse {
    const r: FetchPartitionResponse = {
      partitionIndex: this.partition,
      errorCode: error.code,
      highWatermark: error === Errors.OFFSET_OUT_OF_RANGE ? this.log.highWatermark : -1,
      lastStableOffset: -1,
      logStartOffset: this.log.logStartOffset,
      records: null,
    };
    if (error === Errors.NOT_LEADER_OR_FOLLOWER || error === Errors.FENCED_LEADER_EPOCH)
      r.currentLeader = { leaderId: this.leaderIdValue, leaderEpoch: this.leaderEpochValue };
    return r;
  }

  private name(): string {
    return `${this.topic}-${this.partition}`;
  }
}

function failedAppend(log: PartitionLog, error: ErrorInfo, errorMessage: string): AppendResult {
  return {
    error,
    errorMessage,
    firstOffset: -1,
    lastOffset: -1,
    maxTimestamp: -1,
    logAppendTime: -1,
    logStartOffset: log.logStartOffset,
    numMessages: 0,
    validBytes: 0,
  };
}

/** An invariant: its violation is a bug in the replication code, never bad input. */
export function assertInvariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`Replication invariant violated: ${message}`);
}
