/**
 * Raft for the metadata log, written as a state machine without I/O in the style of etcd's
 * raft (Step/Tick in, Ready out) and following KRaft's protocol (KIP-595, Kafka's
 * raft/KafkaRaftClient.java, QuorumState.java, LeaderState.java):
 *
 * - Terms are called epochs. A voter that times out becomes a candidate of epoch+1, votes for
 *   itself and sends Vote; a majority makes it leader, it appends a LeaderChange batch and sends
 *   BeginQuorumEpoch. Election timeouts are electionTimeoutMs + random[0, electionTimeoutMs)
 *   from the injected Rng, as in QuorumState.randomElectionTimeoutMs; a failed candidate backs
 *   off random[0, electionBackoffMaxMs].
 * - Replication is pull-based, as in KRaft: followers send Fetch(fetchOffset, lastFetchedEpoch);
 *   the leader answers with batches, or with a divergingEpoch that makes the follower truncate.
 *   A follower's fetchOffset is its acknowledgement; the high watermark is the majority end
 *   offset, counted only once it lies in the leader's own epoch. Fetches are long-polled.
 * - A follower that hears nothing from its leader for fetchTimeoutMs starts an election; a leader
 *   that hears from no majority for 1.5 × fetchTimeoutMs resigns (check-quorum).
 * - Observers (brokers) fetch with replicaId -1 and get only committed batches.
 *
 * Contract with the driver (etcd's Ready/Advance): after any input, while hasReady(), take
 * ready(), then (1) persist `quorumState` if set (atomically), (2) make the durable log equal to
 * durable[0, entriesFrom) + entries and fsync, (3) send `messages`, (4) apply `committed`, then
 * call advance(rd). Votes and fetch offsets therefore never acknowledge anything not yet durable.
 *
 * Safety invariants asserted here: one leader per epoch (a leader never accepts another leader of
 * its epoch); committed batches are never truncated; the high watermark never decreases; epochs
 * of log batches never exceed the node's epoch.
 *
 * Departures from KRaft: static voters (no KIP-853 reconfiguration), no snapshots, no pre-vote
 * (KIP-996: a voter that was cut off can depose a healthy leader when it returns with a higher
 * epoch, though its stale log cannot win), no linger/batching of proposals, time advanced by
 * tick(nowMs) rather than per-state timers; observers get committed batches only; a follower
 * re-sends a lost Fetch before its fetch timeout (fetchResendAfterMs).
 */
import { Errors } from "../protocol";
import type { Envelope, RequestEnvelope, ResponseEnvelope } from "../protocol";
import type { Rng } from "../sim/rng";
import { LeaderState, type ParkedFetch } from "./raft-leader";
import { RaftLog } from "./raft-log";
import { voteResult } from "./quorum";
import * as M from "./raft-messages";
import {
  correlationIdBase,
  type Outbound,
  type ProposeResult,
  type QuorumStateRecord,
  type RaftConfig,
  type RaftPersistedState,
  type RaftRole,
  type Ready,
} from "./raft-types";

export * from "./raft-types";

type RaftBatch<T> = M.RaftBatch<T>;

export class RaftNode<T> {
  private epoch = 0;
  private votedId = -1;
  private leaderId = -1;
  private roleValue: RaftRole = "unattached";
  private readonly log = new RaftLog<T>();
  private hw = 0;
  private nowMs: number;

  private electionDeadlineMs = 0;
  private backoffDeadlineMs = -1;
  private fetchDeadlineMs = 0;
  private fetchInFlight: { correlationId: number; sentAtMs: number } | null = null;
  private fetchRetryAtMs = 0;
  private readonly granted = new Set<number>();
  private readonly rejected = new Set<number>();
  private readonly voteRequests = new Map<number, number>(); // correlationId → voter id
  private leader: LeaderState | null = null;
  private nextCorrelationId: number;

  private readonly voterIds: number[];
  private readonly addressOf = new Map<number, string>();
  // Ready bookkeeping.
  private outbox: Outbound[] = [];
  private quorumStateDirty = false;
  private dirtyFrom: number;
  private durableEnd: number;
  private appliedEnd = 0;

  constructor(
    private readonly config: RaftConfig,
    private readonly rng: Rng,
    persisted: RaftPersistedState<T>,
    nowMs: number,
  ) {
    this.nowMs = nowMs;
    this.nextCorrelationId = correlationIdBase(nowMs);
    this.voterIds = config.voters.map((v) => v.id);
    for (const v of config.voters) this.addressOf.set(v.id, v.address);
    if (!this.addressOf.has(config.nodeId))
      throw new Error(
        `Cannot start Raft node ${config.nodeId}: it is not in the voter set [${this.voterIds}]`,
      );
    this.log.append(persisted.batches);
    this.dirtyFrom = this.durableEnd = this.log.endOffset;
    this.recover(persisted.quorumState);
  }

  // --- Queries -------------------------------------------------------------------------------

  get role(): RaftRole {
    return this.roleValue;
  }
  get currentEpoch(): number {
    return this.epoch;
  }
  /** The leader of the current epoch if known, else -1. */
  get currentLeaderId(): number {
    return this.roleValue === "resigned" ? -1 : this.leaderId;
  }
  get highWatermark(): number {
    return this.hw;
  }
  get logEndOffset(): number {
    return this.log.endOffset;
  }
  /** Offset of the current leader's LeaderChange batch (only while leader), else -1. */
  get epochStartOffset(): number {
    return this.leader?.epochStartOffset ?? -1;
  }
  batchAt(offset: number): RaftBatch<T> {
    return this.log.get(offset);
  }
  /** Committed batches from `fromOffset` (inclusive), bounded (for local readers in combined mode). */
  readCommitted(fromOffset: number, maxBytes: number): RaftBatch<T>[] {
    return this.log.read(fromOffset, this.hw, maxBytes);
  }

  // --- Inputs --------------------------------------------------------------------------------

  tick(nowMs: number): void {
    this.nowMs = Math.max(this.nowMs, nowMs);
    const now = this.nowMs;
    switch (this.roleValue) {
      case "unattached":
      case "resigned":
        if (now >= this.electionDeadlineMs) this.becomeCandidate();
        break;
      case "candidate":
        if (this.backoffDeadlineMs >= 0) {
          if (now >= this.backoffDeadlineMs) this.becomeCandidate();
        } else if (now >= this.electionDeadlineMs) {
          this.startBackoff();
        }
        break;
      case "follower":
        if (now >= this.fetchDeadlineMs) {
          this.becomeCandidate();
        } else if (
          this.fetchInFlight
            ? now - this.fetchInFlight.sentAtMs >= this.fetchResendAfterMs()
            : now >= this.fetchRetryAtMs
        ) {
          this.sendFetch();
        }
        break;
      case "leader":
        this.tickLeader(this.leader!);
        break;
    }
    this.checkInvariants();
  }

  step(from: string, message: Envelope, nowMs: number): void {
    this.nowMs = Math.max(this.nowMs, nowMs);
    if (message.kind === "request") this.handleRequest(from, message);
    else this.handleResponse(message);
    this.checkInvariants();
  }

  /** Append a batch of records as leader. It commits once a majority has it durable. */
  propose(records: T[]): ProposeResult {
    if (this.roleValue !== "leader")
      return {
        ok: false,
        errorCode: Errors.NOT_LEADER_OR_FOLLOWER.code,
        reason: `node ${this.config.nodeId} is not the leader`,
      };
    if (this.log.endOffset - this.hw >= this.config.maxUncommittedBatches) {
      return {
        ok: false,
        errorCode: Errors.REQUEST_TIMED_OUT.code,
        reason: `${this.config.maxUncommittedBatches} batches are already waiting to commit`,
      };
    }
    const batch: RaftBatch<T> = { offset: this.log.endOffset, epoch: this.epoch, records };
    if (M.batchSizeBytes(batch) > this.config.fetchMaxBytes) {
      return {
        ok: false,
        errorCode: Errors.MESSAGE_TOO_LARGE.code,
        reason: `batch exceeds ${this.config.fetchMaxBytes} bytes`,
      };
    }
    this.appendLocal([batch]);
    this.wakeParkedFetches();
    return { ok: true, offset: batch.offset, epoch: batch.epoch };
  }

  /** Graceful resignation (orderly shutdown): tell the voters so that one takes over at once. */
  resign(): void {
    if (this.roleValue === "leader") this.becomeResigned();
  }

  // --- Ready / advance ------------------------------------------------------------------------

  hasReady(): boolean {
    return (
      this.quorumStateDirty ||
      this.outbox.length > 0 ||
      this.dirtyFrom < this.log.endOffset ||
      this.dirtyFrom < this.durableEnd ||
      this.appliedEnd < this.hw
    );
  }

  ready(): Ready<T> {
    const rd: Ready<T> = {
      quorumState: this.quorumStateDirty ? this.quorumState() : null,
      entriesFrom: this.dirtyFrom,
      entries: this.log.read(this.dirtyFrom, this.log.endOffset, Number.POSITIVE_INFINITY),
      messages: this.outbox,
      committed: this.log.read(this.appliedEnd, this.hw, Number.POSITIVE_INFINITY),
      logEndOffset: this.log.endOffset,
    };
    this.outbox = [];
    this.quorumStateDirty = false;
    this.dirtyFrom = this.log.endOffset;
    this.appliedEnd = this.hw;
    return rd;
  }

  /** The driver persisted `rd`: the leader may now count its own durable entries. */
  advance(rd: Ready<T>): void {
    this.durableEnd = Math.min(rd.logEndOffset, this.dirtyFrom);
    if (this.leader) this.maybeAdvanceHighWatermark(this.leader);
    this.checkInvariants();
  }

  // --- Requests ---------------------------------------------------------------------------------

  private handleRequest(from: string, req: RequestEnvelope): void {
    const body = req.body as { clusterId?: string };
    if (body.clusterId !== this.config.clusterId) {
      this.respond(from, req, this.errorBody(req.api, Errors.INCONSISTENT_CLUSTER_ID.code));
      return;
    }
    switch (req.api) {
      case "Vote":
        return this.respond(from, req, this.onVote(req.body as M.VoteRequest));
      case "BeginQuorumEpoch":
        return this.respond(from, req, this.onBeginQuorumEpoch(req.body as M.BeginQuorumEpochRequest));
      case "EndQuorumEpoch":
        return this.respond(from, req, this.onEndQuorumEpoch(req.body as M.EndQuorumEpochRequest));
      case "Fetch":
        return this.onFetch(from, req as RequestEnvelope<M.RaftFetchRequest>);
      default:
        this.respond(from, req, this.errorBody(req.api, Errors.INVALID_REQUEST.code));
    }
  }

  private onVote(req: M.VoteRequest): M.VoteResponse {
    const reply = (errorCode: number, voteGranted: boolean): M.VoteResponse => ({
      errorCode,
      leaderId: this.currentLeaderId,
      leaderEpoch: this.epoch,
      voteGranted,
    });
    if (!this.addressOf.has(req.candidateId)) return reply(Errors.INCONSISTENT_VOTER_SET.code, false);
    if (req.candidateEpoch < this.epoch) return reply(Errors.FENCED_LEADER_EPOCH.code, false);
    if (req.candidateEpoch > this.epoch) this.becomeUnattached(req.candidateEpoch);
    const logUpToDate =
      req.lastOffsetEpoch > this.log.lastEpoch ||
      (req.lastOffsetEpoch === this.log.lastEpoch && req.lastOffset >= this.log.endOffset);
    let granted: boolean;
    if (this.roleValue === "unattached" && this.votedId === -1) granted = logUpToDate;
    else granted = this.votedId === req.candidateId && this.roleValue !== "leader";
    if (granted && this.votedId === -1) {
      this.votedId = req.candidateId;
      this.quorumStateDirty = true;
      this.electionDeadlineMs = this.nowMs + this.randomElectionTimeoutMs();
    }
    return reply(Errors.NONE.code, granted);
  }

  private onBeginQuorumEpoch(req: M.BeginQuorumEpochRequest): M.BeginQuorumEpochResponse {
    if (!this.addressOf.has(req.leaderId))
      return {
        errorCode: Errors.INCONSISTENT_VOTER_SET.code,
        leaderId: this.currentLeaderId,
        leaderEpoch: this.epoch,
      };
    if (req.leaderEpoch < this.epoch)
      return {
        errorCode: Errors.FENCED_LEADER_EPOCH.code,
        leaderId: this.currentLeaderId,
        leaderEpoch: this.epoch,
      };
    this.acceptLeader(req.leaderEpoch, req.leaderId);
    return { errorCode: Errors.NONE.code, leaderId: this.currentLeaderId, leaderEpoch: this.epoch };
  }

  private onEndQuorumEpoch(req: M.EndQuorumEpochRequest): M.EndQuorumEpochResponse {
    if (req.leaderEpoch < this.epoch)
      return {
        errorCode: Errors.FENCED_LEADER_EPOCH.code,
        leaderId: this.currentLeaderId,
        leaderEpoch: this.epoch,
      };
    const following =
      this.roleValue === "follower" && this.leaderId === req.leaderId && req.leaderEpoch === this.epoch;
    if (req.leaderEpoch > this.epoch || following) {
      this.becomeUnattached(req.leaderEpoch);
      // KRaft shortens the wait of the preferred successors so the best one usually runs first.
      const position = req.preferredSuccessors.indexOf(this.config.nodeId);
      const capMs = Math.min(this.config.electionBackoffMaxMs, 50 * 2 ** Math.max(0, position));
      this.electionDeadlineMs = this.nowMs + (position === 0 ? 0 : this.rng.int(capMs + 1));
    }
    return { errorCode: Errors.NONE.code, leaderId: this.currentLeaderId, leaderEpoch: this.epoch };
  }

  private onFetch(from: string, req: RequestEnvelope<M.RaftFetchRequest>): void {
    const body = req.body;
    const isVoter =
      body.replicaId !== M.OBSERVER_REPLICA_ID &&
      this.addressOf.has(body.replicaId) &&
      body.replicaId !== this.config.nodeId;
    if (this.roleValue !== "leader")
      return this.respond(from, req, this.fetchError(Errors.NOT_LEADER_OR_FOLLOWER.code));
    if (isVoter || body.currentLeaderEpoch !== -1) {
      if (body.currentLeaderEpoch < this.epoch)
        return this.respond(from, req, this.fetchError(Errors.FENCED_LEADER_EPOCH.code));
      if (body.currentLeaderEpoch > this.epoch)
        return this.respond(from, req, this.fetchError(Errors.UNKNOWN_LEADER_EPOCH.code));
    }
    const leader = this.leader!;
    if (body.fetchOffset < 0) {
      if (isVoter) leader.recordFetch(body.replicaId, null, this.nowMs);
      return this.respond(from, req, this.fetchError(Errors.OFFSET_OUT_OF_RANGE.code));
    }
    const diverging = this.log.validateFetchPosition(body.fetchOffset, body.lastFetchedEpoch);
    if (diverging) {
      if (isVoter) leader.recordFetch(body.replicaId, null, this.nowMs);
      return this.respond(from, req, { ...this.fetchError(Errors.NONE.code), divergingEpoch: diverging });
    }
    if (isVoter) {
      leader.recordFetch(body.replicaId, body.fetchOffset, this.nowMs);
      this.maybeAdvanceHighWatermark(leader);
    }
    const limit = isVoter ? this.log.endOffset : this.hw;
    const parkable =
      body.fetchOffset >= limit && body.maxWaitMs > 0 && leader.parked.size < this.config.maxParkedFetches;
    if (!parkable) return this.respond(from, req, this.fetchData(body, isVoter));
    leader.park({
      address: from,
      correlationId: req.correlationId,
      request: body,
      isVoter,
      highWatermarkAtPark: this.hw,
      deadlineMs: this.nowMs + Math.min(body.maxWaitMs, this.config.fetchMaxWaitMs),
    });
  }

  private fetchData(req: M.RaftFetchRequest, isVoter: boolean): M.RaftFetchResponse<T> {
    const limit = isVoter ? this.log.endOffset : this.hw;
    const batches = this.log.read(req.fetchOffset, limit, Math.min(req.maxBytes, this.config.fetchMaxBytes));
    return { ...this.fetchError(Errors.NONE.code), batches };
  }

  private fetchError(errorCode: number): M.RaftFetchResponse<T> {
    return {
      topic: M.METADATA_TOPIC,
      errorCode,
      highWatermark: this.hw,
      currentLeader: { leaderId: this.currentLeaderId, leaderEpoch: this.epoch },
      batches: [],
    };
  }

  private errorBody(api: string, errorCode: number): unknown {
    if (api === "Fetch") return this.fetchError(errorCode);
    return { errorCode, leaderId: this.currentLeaderId, leaderEpoch: this.epoch, voteGranted: false };
  }

  // --- Responses ----------------------------------------------------------------------------

  private handleResponse(res: ResponseEnvelope): void {
    const body = res.body as {
      errorCode: number;
      leaderId?: number;
      leaderEpoch?: number;
      currentLeader?: M.CurrentLeader;
    };
    const hint = body.currentLeader ?? { leaderId: body.leaderId ?? -1, leaderEpoch: body.leaderEpoch ?? -1 };
    // KRaft's maybeHandleCommonResponse: a newer epoch in any response moves us to it, and a
    // known leader of our own epoch ends an election we are waiting on.
    const knownLeader = hint.leaderId >= 0 && hint.leaderId !== this.config.nodeId;
    if (hint.leaderEpoch > this.epoch) {
      if (knownLeader) this.acceptLeader(hint.leaderEpoch, hint.leaderId);
      else this.becomeUnattached(hint.leaderEpoch);
      return;
    }
    if (
      hint.leaderEpoch === this.epoch &&
      knownLeader &&
      (this.roleValue === "unattached" || this.roleValue === "candidate")
    ) {
      return this.acceptLeader(this.epoch, hint.leaderId);
    }
    if (res.api === "Vote") this.onVoteResponse(res.correlationId, res.body as M.VoteResponse);
    else if (res.api === "Fetch") this.onFetchResponse(res.correlationId, res.body as M.RaftFetchResponse<T>);
    // BeginQuorumEpoch and EndQuorumEpoch responses carry nothing beyond the common fields.
  }

  private onVoteResponse(correlationId: number, res: M.VoteResponse): void {
    const voterId = this.voteRequests.get(correlationId);
    this.voteRequests.delete(correlationId);
    if (voterId === undefined || this.roleValue !== "candidate" || res.leaderEpoch !== this.epoch) return;
    if (res.errorCode === Errors.NONE.code && res.voteGranted) this.granted.add(voterId);
    else this.rejected.add(voterId);
    const result = voteResult(this.voterIds, this.granted, this.rejected);
    if (result === "won") this.becomeLeader();
    else if (result === "lost" && this.backoffDeadlineMs < 0) this.startBackoff();
  }

  private onFetchResponse(correlationId: number, res: M.RaftFetchResponse<T>): void {
    if (this.fetchInFlight?.correlationId !== correlationId || this.roleValue !== "follower") return;
    this.fetchInFlight = null;
    if (
      res.currentLeader.leaderEpoch === this.epoch &&
      res.currentLeader.leaderId >= 0 &&
      res.currentLeader.leaderId !== this.leaderId
    ) {
      throw new Error(
        `Raft safety violated: epoch ${this.epoch} has leaders ${this.leaderId} and ${res.currentLeader.leaderId}`,
      );
    }
    if (res.errorCode !== Errors.NONE.code) {
      this.fetchRetryAtMs = this.nowMs + this.config.retryBackoffMs;
      return;
    }
    this.fetchDeadlineMs = this.nowMs + this.config.fetchTimeoutMs;
    if (res.divergingEpoch) {
      const own = this.log.endOffsetForEpoch(res.divergingEpoch.epoch);
      const truncateTo = Math.min(res.divergingEpoch.endOffset, own.endOffset);
      if (truncateTo < this.hw) {
        throw new Error(
          `Cannot truncate metadata log to ${truncateTo}: batches below the high watermark ${this.hw} are committed`,
        );
      }
      this.truncateLocal(truncateTo);
    } else {
      if (res.batches.length > 0 && res.batches[0]!.offset !== this.log.endOffset) {
        throw new Error(
          `Cannot append fetched batches: first offset ${res.batches[0]!.offset} is not the log end offset ${this.log.endOffset}`,
        );
      }
      for (const b of res.batches) {
        if (b.epoch > this.epoch)
          throw new Error(
            `Cannot append batch ${b.offset}: its epoch ${b.epoch} is above the current epoch ${this.epoch}`,
          );
      }
      this.appendLocal(res.batches);
      this.raiseHighWatermark(Math.min(res.highWatermark, this.log.endOffset));
    }
    this.sendFetch();
  }

  // --- Role transitions ---------------------------------------------------------------------

  private recover(saved: QuorumStateRecord | null): void {
    const self = this.config.nodeId;
    const logEpoch = this.log.lastEpoch;
    this.electionDeadlineMs = this.nowMs + this.randomElectionTimeoutMs();
    if (saved === null || saved.leaderEpoch < logEpoch) {
      // No file, or a file older than the log (KRaft: start unattached at the log's epoch).
      this.epoch = Math.max(logEpoch, saved?.leaderEpoch ?? 0);
      this.quorumStateDirty = true;
      return;
    }
    this.epoch = saved.leaderEpoch;
    this.votedId = saved.votedId;
    this.leaderId = saved.leaderId;
    if (saved.leaderId === self) {
      // A leader restarts resigned: it must not lead or vote again in that epoch (QuorumState.initialize).
      this.roleValue = "resigned";
    } else if (saved.leaderId >= 0) {
      this.roleValue = "follower";
      this.fetchDeadlineMs = this.nowMs + this.config.fetchTimeoutMs;
      this.sendFetch();
    } else if (saved.votedId === self) {
      this.becomeCandidateInEpoch(this.epoch);
    }
  }

  /**
   * Move to `epoch` without a known leader. As in the Raft paper, merely seeing a higher epoch
   * does not restart a running election timer (only granting a vote does): otherwise a
   * candidate that keeps losing, e.g. one with a stale log, would postpone every election.
   */
  private becomeUnattached(epoch: number): void {
    if (epoch < this.epoch) throw new Error(`Cannot move to epoch ${epoch}: current epoch is ${this.epoch}`);
    const timerRunning = this.roleValue === "unattached" || this.roleValue === "candidate";
    this.leaveLeadership();
    if (epoch > this.epoch) {
      this.epoch = epoch;
      this.votedId = -1;
    }
    this.leaderId = -1;
    this.roleValue = "unattached";
    this.fetchInFlight = null;
    if (!timerRunning) this.electionDeadlineMs = this.nowMs + this.randomElectionTimeoutMs();
    this.quorumStateDirty = true;
  }

  /** Follow `leaderId` in `epoch` (from BeginQuorumEpoch, or a response naming the leader). */
  private acceptLeader(epoch: number, leaderId: number): void {
    if (epoch === this.epoch && this.roleValue === "leader") {
      if (leaderId !== this.config.nodeId)
        throw new Error(
          `Raft safety violated: epoch ${epoch} has leaders ${this.config.nodeId} and ${leaderId}`,
        );
      return;
    }
    if (epoch === this.epoch && this.roleValue === "follower" && this.leaderId === leaderId) return;
    if (epoch === this.epoch && this.leaderId >= 0 && this.leaderId !== leaderId) {
      throw new Error(`Raft safety violated: epoch ${epoch} has leaders ${this.leaderId} and ${leaderId}`);
    }
    this.leaveLeadership();
    if (epoch > this.epoch) this.votedId = -1;
    this.epoch = epoch;
    this.leaderId = leaderId;
    this.roleValue = "follower";
    this.quorumStateDirty = true;
    this.fetchDeadlineMs = this.nowMs + this.config.fetchTimeoutMs;
    this.sendFetch();
  }

  private becomeCandidate(): void {
    this.becomeCandidateInEpoch(this.epoch + 1);
  }

  private becomeCandidateInEpoch(epoch: number): void {
    this.leaveLeadership();
    this.epoch = epoch;
    this.votedId = this.config.nodeId;
    this.leaderId = -1;
    this.roleValue = "candidate";
    this.quorumStateDirty = true;
    this.granted.clear();
    this.rejected.clear();
    this.voteRequests.clear();
    this.granted.add(this.config.nodeId);
    this.backoffDeadlineMs = -1;
    this.electionDeadlineMs = this.nowMs + this.randomElectionTimeoutMs();
    if (voteResult(this.voterIds, this.granted, this.rejected) === "won") return this.becomeLeader();
    const body: M.VoteRequest = {
      clusterId: this.config.clusterId,
      candidateEpoch: this.epoch,
      candidateId: this.config.nodeId,
      lastOffsetEpoch: this.log.lastEpoch,
      lastOffset: this.log.endOffset,
    };
    for (const id of this.voterIds) {
      if (id === this.config.nodeId) continue;
      const correlationId = this.send(id, "Vote", body);
      this.voteRequests.set(correlationId, id);
    }
  }

  private startBackoff(): void {
    this.backoffDeadlineMs = this.nowMs + this.rng.int(this.config.electionBackoffMaxMs + 1);
  }

  private becomeLeader(): void {
    if (this.roleValue !== "candidate") throw new Error(`Cannot become leader from ${this.roleValue}`);
    this.roleValue = "leader";
    this.leaderId = this.config.nodeId;
    this.quorumStateDirty = true;
    this.leader = new LeaderState(this.config.nodeId, this.voterIds, this.log.endOffset, this.nowMs);
    this.appendLocal([
      {
        offset: this.log.endOffset,
        epoch: this.epoch,
        control: { type: "LeaderChange", leaderId: this.config.nodeId, voters: [...this.voterIds] },
        records: [],
      },
    ]);
    this.sendBeginQuorumEpoch(this.leader);
  }

  private becomeResigned(): void {
    const leader = this.leader!;
    const body: M.EndQuorumEpochRequest = {
      clusterId: this.config.clusterId,
      leaderId: this.config.nodeId,
      leaderEpoch: this.epoch,
      preferredSuccessors: leader.preferredSuccessors(),
    };
    this.leaveLeadership();
    this.roleValue = "resigned";
    this.electionDeadlineMs = this.nowMs + this.randomElectionTimeoutMs();
    for (const id of this.voterIds) if (id !== this.config.nodeId) this.send(id, "EndQuorumEpoch", body);
  }

  /** Drop leader state; parked fetches get NOT_LEADER_OR_FOLLOWER so their senders look elsewhere. */
  private leaveLeadership(): void {
    const leader = this.leader;
    if (!leader) return;
    this.leader = null;
    for (const p of leader.parked.values()) {
      this.outbox.push({
        to: p.address,
        message: {
          kind: "response",
          api: "Fetch",
          correlationId: p.correlationId,
          body: this.fetchError(Errors.NOT_LEADER_OR_FOLLOWER.code),
        },
      });
    }
  }

  // --- Leader duties ------------------------------------------------------------------------

  private tickLeader(leader: LeaderState): void {
    const now = this.nowMs;
    for (const p of [...leader.parked.values()]) if (now >= p.deadlineMs) this.completeParked(leader, p);
    if (!leader.hasQuorumContact(now, Math.floor(this.config.fetchTimeoutMs * 1.5)))
      return this.becomeResigned();
    if (now - leader.beginQuorumEpochSentMs >= this.config.fetchTimeoutMs / 2)
      this.sendBeginQuorumEpoch(leader);
  }

  /** To voters that have not fetched in this epoch (KRaft resends until they do). */
  private sendBeginQuorumEpoch(leader: LeaderState): void {
    leader.beginQuorumEpochSentMs = this.nowMs;
    const body: M.BeginQuorumEpochRequest = {
      clusterId: this.config.clusterId,
      leaderId: this.config.nodeId,
      leaderEpoch: this.epoch,
    };
    for (const id of this.voterIds)
      if (id !== this.config.nodeId && !leader.hasFetched(id)) this.send(id, "BeginQuorumEpoch", body);
  }

  private maybeAdvanceHighWatermark(leader: LeaderState): void {
    const candidate = leader.computeHighWatermark(this.durableEnd);
    if (candidate !== null && candidate > this.hw) {
      this.raiseHighWatermark(candidate);
      this.wakeParkedFetches();
    }
  }

  private wakeParkedFetches(): void {
    const leader = this.leader;
    if (!leader) return;
    for (const p of leader.wakeable(this.log.endOffset, this.hw)) this.completeParked(leader, p);
  }

  private completeParked(leader: LeaderState, p: ParkedFetch): void {
    leader.parked.delete(p.address);
    this.outbox.push({
      to: p.address,
      message: {
        kind: "response",
        api: "Fetch",
        correlationId: p.correlationId,
        body: this.fetchData(p.request, p.isVoter),
      },
    });
  }

  // --- Helpers -----------------------------------------------------------------------------

  private sendFetch(): void {
    const body: M.RaftFetchRequest = {
      clusterId: this.config.clusterId,
      topic: M.METADATA_TOPIC,
      replicaId: this.config.nodeId,
      currentLeaderEpoch: this.epoch,
      fetchOffset: this.log.endOffset,
      lastFetchedEpoch: this.log.epochAt(this.log.endOffset - 1),
      maxWaitMs: this.config.fetchMaxWaitMs,
      maxBytes: this.config.fetchMaxBytes,
    };
    const correlationId = this.send(this.leaderId, "Fetch", body);
    this.fetchInFlight = { correlationId, sentAtMs: this.nowMs };
  }

  private send(
    voterId: number,
    api: "Vote" | "BeginQuorumEpoch" | "EndQuorumEpoch" | "Fetch",
    body: unknown,
  ): number {
    const correlationId = this.nextCorrelationId++;
    const to = this.addressOf.get(voterId);
    if (to === undefined) throw new Error(`Cannot send ${api}: ${voterId} is not a voter`);
    this.outbox.push({
      to,
      message: { kind: "request", api, correlationId, clientId: String(this.config.nodeId), body },
    });
    return correlationId;
  }

  private respond(to: string, req: RequestEnvelope, body: unknown): void {
    this.outbox.push({
      to,
      message: { kind: "response", api: req.api, correlationId: req.correlationId, body },
    });
  }

  private appendLocal(batches: RaftBatch<T>[]): void {
    if (batches.length === 0) return;
    this.dirtyFrom = Math.min(this.dirtyFrom, this.log.endOffset);
    this.log.append(batches);
  }

  private truncateLocal(endOffset: number): void {
    if (endOffset >= this.log.endOffset) return;
    this.log.truncateTo(endOffset);
    // durableEnd keeps the disk's end until the driver truncates it (hasReady sees dirtyFrom < durableEnd).
    this.dirtyFrom = Math.min(this.dirtyFrom, endOffset);
  }

  private raiseHighWatermark(offset: number): void {
    if (offset > this.hw) this.hw = offset;
  }

  /**
   * How long a follower waits for a Fetch answer before sending it again: the request timeout,
   * but at most half the fetch timeout. Departure: KRaft relies on TCP, where a lost request
   * surfaces as a disconnect; the simulated network may drop a message silently, and one lost
   * Fetch must not cost an election.
   */
  private fetchResendAfterMs(): number {
    return Math.min(this.config.requestTimeoutMs, Math.floor(this.config.fetchTimeoutMs / 2));
  }

  private randomElectionTimeoutMs(): number {
    const t = this.config.electionTimeoutMs;
    return t === 0 ? 0 : t + this.rng.int(t);
  }

  private quorumState(): QuorumStateRecord {
    return {
      clusterId: this.config.clusterId,
      leaderId: this.leaderId,
      leaderEpoch: this.epoch,
      votedId: this.votedId,
      appliedOffset: 0,
      currentVoters: this.voterIds.map((voterId) => ({ voterId })),
      data_version: 0,
    };
  }

  private checkInvariants(): void {
    if (this.hw > this.log.endOffset)
      throw new Error(
        `Raft invariant violated: high watermark ${this.hw} is above log end offset ${this.log.endOffset}`,
      );
    if (this.log.lastEpoch > this.epoch)
      throw new Error(
        `Raft invariant violated: log epoch ${this.log.lastEpoch} is above the node's epoch ${this.epoch}`,
      );
    if (
      this.roleValue === "leader" &&
      (this.leaderId !== this.config.nodeId || this.votedId !== this.config.nodeId || !this.leader)
    ) {
      throw new Error(
        `Raft invariant violated: leader ${this.config.nodeId} of epoch ${this.epoch} has leaderId ${this.leaderId}, votedId ${this.votedId}`,
      );
    }
  }
}
