/**
 * Raft for the metadata log, written as a state machine without I/O in the style of etcd's
 * raft (Step/Tick in, Ready out) and following KRaft's protocol (KIP-595, Kafka's
 * raft/KafkaRaftClient.java, QuorumState.java, LeaderState.java):
 *
 * - Terms are called epochs. A voter that times out becomes a candidate of epoch+1, votes for
 *   itself and sends Vote; a majority makes it leader, it appends a LeaderChange batch and sends
 *   BeginQuorumEpoch. Election timeouts are electionTimeoutMs + random[0, electionTimeoutMs)
 *   from the injected Rng, as in QuorumState.randomElectionTimeoutMs; a failed candidate backs
 *   off binary-exponentially (KafkaRaftClient.binaryExponentialElectionBackoffMs, see
 *   raft-election.ts), at most electionBackoffMaxMs.
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
 * re-sends a lost Fetch before its fetch timeout (fetchResendAfterMs). A connection error
 * (onConnectionError) fails the follower's Fetch to its leader at once; the follower fetches
 * again after retryBackoffMs, and still starts an election only after fetchTimeoutMs, as KRaft
 * does; failed Vote requests are not re-sent (the election timeout covers them).
 *
 * This file holds RaftNode's inputs (tick, step, propose, resign), queries, the Ready/advance
 * contract and the request/response dispatch. The rest lives beside it, over one shared
 * RaftState (raft-state.ts), along KRaft's own seams: vote and election handling and every role
 * transition (raft-election.ts), leader replication with the high watermark and check-quorum
 * (raft-replication.ts), and follower fetch (raft-follower.ts).
 */
import { Errors } from "../protocol";
import type { Envelope, RequestEnvelope, ResponseEnvelope } from "../protocol";
import { connectionErrorCovers, type ConnectionError } from "../sim/process";
import type { Rng } from "../sim/rng";
import { RaftLog } from "./raft-log";
import * as M from "./raft-messages";
import {
  correlationIdBase,
  type ProposeResult,
  type RaftConfig,
  type RaftPersistedState,
  type RaftRole,
  type Ready,
} from "./raft-types";
import {
  appendLocal,
  checkInvariants,
  currentLeaderId,
  errorBody,
  quorumState,
  respond,
  type RaftBatch,
  type RaftState,
} from "./raft-state";
import {
  acceptLeader,
  becomeCandidate,
  becomeResigned,
  becomeUnattached,
  onBeginQuorumEpoch,
  onEndQuorumEpoch,
  onVote,
  onVoteResponse,
  recover,
  startBackoff,
} from "./raft-election";
import { maybeAdvanceHighWatermark, onFetch, tickLeader, wakeParkedFetches } from "./raft-replication";
import { fetchResendAfterMs, onFetchResponse, sendFetch } from "./raft-follower";

export * from "./raft-types";

export class RaftNode<T> {
  /** Everything that changes (raft-state.ts), shared with the election, replication and fetch code. */
  private readonly s: RaftState<T>;

  constructor(config: RaftConfig, rng: Rng, persisted: RaftPersistedState<T>, nowMs: number) {
    const voterIds = config.voters.map((v) => v.id);
    const addressOf = new Map<number, string>();
    for (const v of config.voters) addressOf.set(v.id, v.address);
    if (!addressOf.has(config.nodeId))
      throw new Error(`Cannot start Raft node ${config.nodeId}: it is not in the voter set [${voterIds}]`);
    const log = new RaftLog<T>();
    log.append(persisted.batches);
    this.s = {
      config,
      rng,
      log,
      epoch: 0,
      votedId: -1,
      leaderId: -1,
      role: "unattached",
      highWatermark: 0,
      nowMs,
      electionDeadlineMs: 0,
      backoffDeadlineMs: -1,
      candidateRetries: 0,
      fetchDeadlineMs: 0,
      fetchInFlight: null,
      fetchRetryAtMs: 0,
      granted: new Set<number>(),
      rejected: new Set<number>(),
      voteRequests: new Map<number, number>(),
      leader: null,
      nextCorrelationId: correlationIdBase(nowMs),
      voterIds,
      addressOf,
      outbox: [],
      quorumStateDirty: false,
      dirtyFrom: log.endOffset,
      durableEnd: log.endOffset,
      appliedEnd: 0,
    };
    recover(this.s, persisted.quorumState);
  }

  // --- Queries -------------------------------------------------------------------------------

  get role(): RaftRole {
    return this.s.role;
  }
  get currentEpoch(): number {
    return this.s.epoch;
  }
  /** The leader of the current epoch if known, else -1. */
  get currentLeaderId(): number {
    return currentLeaderId(this.s);
  }
  get highWatermark(): number {
    return this.s.highWatermark;
  }
  get logEndOffset(): number {
    return this.s.log.endOffset;
  }
  /** Offset of the current leader's LeaderChange batch (only while leader), else -1. */
  get epochStartOffset(): number {
    return this.s.leader?.epochStartOffset ?? -1;
  }
  batchAt(offset: number): RaftBatch<T> {
    return this.s.log.get(offset);
  }
  /** Committed batches from `fromOffset` (inclusive), bounded (for local readers in combined mode). */
  readCommitted(fromOffset: number, maxBytes: number): RaftBatch<T>[] {
    return this.s.log.read(fromOffset, this.s.highWatermark, maxBytes);
  }

  // --- Inputs --------------------------------------------------------------------------------

  tick(nowMs: number): void {
    this.s.nowMs = Math.max(this.s.nowMs, nowMs);
    const now = this.s.nowMs;
    switch (this.s.role) {
      case "unattached":
      case "resigned":
        if (now >= this.s.electionDeadlineMs) becomeCandidate(this.s);
        break;
      case "candidate":
        if (this.s.backoffDeadlineMs >= 0) {
          if (now >= this.s.backoffDeadlineMs) becomeCandidate(this.s);
        } else if (now >= this.s.electionDeadlineMs) {
          startBackoff(this.s);
        }
        break;
      case "follower":
        if (now >= this.s.fetchDeadlineMs) {
          becomeCandidate(this.s);
        } else if (
          this.s.fetchInFlight
            ? now - this.s.fetchInFlight.sentAtMs >= fetchResendAfterMs(this.s)
            : now >= this.s.fetchRetryAtMs
        ) {
          sendFetch(this.s);
        }
        break;
      case "leader":
        tickLeader(this.s, this.s.leader!);
        break;
    }
    checkInvariants(this.s);
  }

  /**
   * The connection to `peer` (a voter's address) failed (see ConnectionError): a follower's
   * Fetch to its leader that the error covers is forgotten and sent again after retryBackoffMs
   * (KafkaRaftClient backs off after a failed request). Vote requests are left to the
   * election timeout.
   */
  onConnectionError(peer: string, error: ConnectionError, nowMs: number): void {
    this.s.nowMs = Math.max(this.s.nowMs, nowMs);
    const s = this.s;
    const f = s.fetchInFlight;
    if (
      f !== null &&
      s.role === "follower" &&
      s.addressOf.get(s.leaderId) === peer &&
      connectionErrorCovers(error, f.correlationId, f.sentAtMs)
    ) {
      s.fetchInFlight = null;
      s.fetchRetryAtMs = s.nowMs + s.config.retryBackoffMs;
    }
    checkInvariants(s);
  }

  step(from: string, message: Envelope, nowMs: number): void {
    this.s.nowMs = Math.max(this.s.nowMs, nowMs);
    if (message.kind === "request") handleRequest(this.s, from, message);
    else handleResponse(this.s, message);
    checkInvariants(this.s);
  }

  /** Append a batch of records as leader. It commits once a majority has it durable. */
  propose(records: T[]): ProposeResult {
    if (this.s.role !== "leader")
      return {
        ok: false,
        errorCode: Errors.NOT_LEADER_OR_FOLLOWER.code,
        reason: `node ${this.s.config.nodeId} is not the leader`,
      };
    if (this.s.log.endOffset - this.s.highWatermark >= this.s.config.maxUncommittedBatches) {
      return {
        ok: false,
        errorCode: Errors.REQUEST_TIMED_OUT.code,
        reason: `${this.s.config.maxUncommittedBatches} batches are already waiting to commit`,
      };
    }
    const batch: RaftBatch<T> = { offset: this.s.log.endOffset, epoch: this.s.epoch, records };
    if (M.batchSizeBytes(batch) > this.s.config.fetchMaxBytes) {
      return {
        ok: false,
        errorCode: Errors.MESSAGE_TOO_LARGE.code,
        reason: `batch exceeds ${this.s.config.fetchMaxBytes} bytes`,
      };
    }
    appendLocal(this.s, [batch]);
    wakeParkedFetches(this.s);
    return { ok: true, offset: batch.offset, epoch: batch.epoch };
  }

  /** Graceful resignation (orderly shutdown): tell the voters so that one takes over at once. */
  resign(): void {
    if (this.s.role === "leader") becomeResigned(this.s);
  }

  // --- Ready / advance ------------------------------------------------------------------------

  hasReady(): boolean {
    return (
      this.s.quorumStateDirty ||
      this.s.outbox.length > 0 ||
      this.s.dirtyFrom < this.s.log.endOffset ||
      this.s.dirtyFrom < this.s.durableEnd ||
      this.s.appliedEnd < this.s.highWatermark
    );
  }

  ready(): Ready<T> {
    const rd: Ready<T> = {
      quorumState: this.s.quorumStateDirty ? quorumState(this.s) : null,
      entriesFrom: this.s.dirtyFrom,
      entries: this.s.log.read(this.s.dirtyFrom, this.s.log.endOffset, Number.POSITIVE_INFINITY),
      messages: this.s.outbox,
      committed: this.s.log.read(this.s.appliedEnd, this.s.highWatermark, Number.POSITIVE_INFINITY),
      logEndOffset: this.s.log.endOffset,
    };
    this.s.outbox = [];
    this.s.quorumStateDirty = false;
    this.s.dirtyFrom = this.s.log.endOffset;
    this.s.appliedEnd = this.s.highWatermark;
    return rd;
  }

  /** The driver persisted `rd`: the leader may now count its own durable entries. */
  advance(rd: Ready<T>): void {
    this.s.durableEnd = Math.min(rd.logEndOffset, this.s.dirtyFrom);
    if (this.s.leader) maybeAdvanceHighWatermark(this.s, this.s.leader);
    checkInvariants(this.s);
  }
}

// --- Dispatch: requests ----------------------------------------------------------------------

function handleRequest<T>(s: RaftState<T>, from: string, req: RequestEnvelope): void {
  const body = req.body as { clusterId?: string };
  if (body.clusterId !== s.config.clusterId) {
    respond(s, from, req, errorBody(s, req.api, Errors.INCONSISTENT_CLUSTER_ID.code));
    return;
  }
  switch (req.api) {
    case "Vote":
      return respond(s, from, req, onVote(s, req.body as M.VoteRequest));
    case "BeginQuorumEpoch":
      return respond(s, from, req, onBeginQuorumEpoch(s, req.body as M.BeginQuorumEpochRequest));
    case "EndQuorumEpoch":
      return respond(s, from, req, onEndQuorumEpoch(s, req.body as M.EndQuorumEpochRequest));
    case "Fetch":
      return onFetch(s, from, req as RequestEnvelope<M.RaftFetchRequest>);
    default:
      respond(s, from, req, errorBody(s, req.api, Errors.INVALID_REQUEST.code));
  }
}

// --- Dispatch: responses -------------------------------------------------------------------

function handleResponse<T>(s: RaftState<T>, res: ResponseEnvelope): void {
  const body = res.body as {
    errorCode: number;
    leaderId?: number;
    leaderEpoch?: number;
    currentLeader?: M.CurrentLeader;
  };
  const hint = body.currentLeader ?? { leaderId: body.leaderId ?? -1, leaderEpoch: body.leaderEpoch ?? -1 };
  // KRaft's maybeHandleCommonResponse: a newer epoch in any response moves us to it, and a
  // known leader of our own epoch ends an election we are waiting on.
  const knownLeader = hint.leaderId >= 0 && hint.leaderId !== s.config.nodeId;
  if (hint.leaderEpoch > s.epoch) {
    if (knownLeader) acceptLeader(s, hint.leaderEpoch, hint.leaderId);
    else becomeUnattached(s, hint.leaderEpoch);
    return;
  }
  if (hint.leaderEpoch === s.epoch && knownLeader && (s.role === "unattached" || s.role === "candidate")) {
    return acceptLeader(s, s.epoch, hint.leaderId);
  }
  if (res.api === "Vote") onVoteResponse(s, res.correlationId, res.body as M.VoteResponse);
  else if (res.api === "Fetch") onFetchResponse(s, res.correlationId, res.body as M.RaftFetchResponse<T>);
  // BeginQuorumEpoch and EndQuorumEpoch responses carry nothing beyond the common fields.
}
