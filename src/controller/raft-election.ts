/**
 * Vote and election handling of the Raft state machine (raft.ts), as KRaft's QuorumState and the
 * election parts of KafkaRaftClient (KIP-595): the Vote, BeginQuorumEpoch and EndQuorumEpoch
 * handlers, vote counting, and every role transition (unattached, candidate, leader, follower,
 * resigned), including the restart from the persisted quorum-state.
 *
 * - A voter that times out becomes a candidate of epoch+1, votes for itself and sends Vote; a
 *   majority (quorum.ts) makes it leader, it appends a LeaderChange batch and sends
 *   BeginQuorumEpoch until each voter has fetched. Election timeouts are electionTimeoutMs +
 *   random[0, electionTimeoutMs) from the injected Rng (QuorumState.randomElectionTimeoutMs); a
 *   candidate that lost (rejected by a majority) or whose election timed out backs off with
 *   KafkaRaftClient.binaryExponentialElectionBackoffMs: 100 ms × random int in
 *   [0, 2^min(20, retries)), capped at electionBackoffMaxMs, where `retries` counts the
 *   consecutive elections this node has run as candidate (QuorumState: 1 for the first).
 * - A vote is granted once per epoch, only to a candidate whose log is at least as up to date.
 *
 * Invariants: one leader per epoch (accepting a second leader of an epoch throws); the epoch
 * never decreases; every change of epoch, vote or leader marks the quorum state dirty, so it is
 * persisted (Ready) before any message that depends on it is sent.
 *
 * Departures from KRaft: static voters (no KIP-853), no pre-vote (KIP-996); seeing a higher
 * epoch does not restart a running election timer (only granting a vote does, as in the Raft
 * paper).
 */
import { Errors } from "../protocol";
import { LeaderState } from "./raft-leader";
import { voteResult } from "./quorum";
import * as M from "./raft-messages";
import type { QuorumStateRecord } from "./raft-types";
import { sendFetch } from "./raft-follower";
import {
  appendLocal,
  currentLeaderId,
  fetchError,
  randomElectionTimeoutMs,
  respond,
  send,
  type RaftState,
} from "./raft-state";

/** Vote: grant at most one vote per epoch, to a candidate whose log is at least as up to date. */
export function onVote<T>(s: RaftState<T>, req: M.VoteRequest): M.VoteResponse {
  const reply = (errorCode: number, voteGranted: boolean): M.VoteResponse => ({
    errorCode,
    leaderId: currentLeaderId(s),
    leaderEpoch: s.epoch,
    voteGranted,
  });
  if (!s.addressOf.has(req.candidateId)) return reply(Errors.INCONSISTENT_VOTER_SET.code, false);
  if (req.candidateEpoch < s.epoch) return reply(Errors.FENCED_LEADER_EPOCH.code, false);
  if (req.candidateEpoch > s.epoch) becomeUnattached(s, req.candidateEpoch);
  const logUpToDate =
    req.lastOffsetEpoch > s.log.lastEpoch ||
    (req.lastOffsetEpoch === s.log.lastEpoch && req.lastOffset >= s.log.endOffset);
  let granted: boolean;
  if (s.role === "unattached" && s.votedId === -1) granted = logUpToDate;
  else granted = s.votedId === req.candidateId && s.role !== "leader";
  if (granted && s.votedId === -1) {
    s.votedId = req.candidateId;
    s.quorumStateDirty = true;
    s.electionDeadlineMs = s.nowMs + randomElectionTimeoutMs(s);
  }
  return reply(Errors.NONE.code, granted);
}

/** BeginQuorumEpoch: a leader of this or a later epoch announces itself; follow it. */
export function onBeginQuorumEpoch<T>(
  s: RaftState<T>,
  req: M.BeginQuorumEpochRequest,
): M.BeginQuorumEpochResponse {
  if (!s.addressOf.has(req.leaderId))
    return {
      errorCode: Errors.INCONSISTENT_VOTER_SET.code,
      leaderId: currentLeaderId(s),
      leaderEpoch: s.epoch,
    };
  if (req.leaderEpoch < s.epoch)
    return {
      errorCode: Errors.FENCED_LEADER_EPOCH.code,
      leaderId: currentLeaderId(s),
      leaderEpoch: s.epoch,
    };
  acceptLeader(s, req.leaderEpoch, req.leaderId);
  return { errorCode: Errors.NONE.code, leaderId: currentLeaderId(s), leaderEpoch: s.epoch };
}

/** EndQuorumEpoch: the leader resigned; preferred successors stand for election first. */
export function onEndQuorumEpoch<T>(s: RaftState<T>, req: M.EndQuorumEpochRequest): M.EndQuorumEpochResponse {
  if (req.leaderEpoch < s.epoch)
    return {
      errorCode: Errors.FENCED_LEADER_EPOCH.code,
      leaderId: currentLeaderId(s),
      leaderEpoch: s.epoch,
    };
  const following = s.role === "follower" && s.leaderId === req.leaderId && req.leaderEpoch === s.epoch;
  if (req.leaderEpoch > s.epoch || following) {
    becomeUnattached(s, req.leaderEpoch);
    // KRaft shortens the wait of the preferred successors so the best one usually runs first.
    const position = req.preferredSuccessors.indexOf(s.config.nodeId);
    const capMs = Math.min(s.config.electionBackoffMaxMs, 50 * 2 ** Math.max(0, position));
    s.electionDeadlineMs = s.nowMs + (position === 0 ? 0 : s.rng.int(capMs + 1));
  }
  return { errorCode: Errors.NONE.code, leaderId: currentLeaderId(s), leaderEpoch: s.epoch };
}

/** Count a vote; a majority makes this candidate leader, a lost election starts the backoff. */
export function onVoteResponse<T>(s: RaftState<T>, correlationId: number, res: M.VoteResponse): void {
  const voterId = s.voteRequests.get(correlationId);
  s.voteRequests.delete(correlationId);
  if (voterId === undefined || s.role !== "candidate" || res.leaderEpoch !== s.epoch) return;
  if (res.errorCode === Errors.NONE.code && res.voteGranted) s.granted.add(voterId);
  else s.rejected.add(voterId);
  const result = voteResult(s.voterIds, s.granted, s.rejected);
  if (result === "won") becomeLeader(s);
  else if (result === "lost" && s.backoffDeadlineMs < 0) startBackoff(s);
}

// --- Role transitions ---------------------------------------------------------------------

/** Restart from the persisted quorum-state (QuorumState.initialize). */
export function recover<T>(s: RaftState<T>, saved: QuorumStateRecord | null): void {
  const self = s.config.nodeId;
  const logEpoch = s.log.lastEpoch;
  s.electionDeadlineMs = s.nowMs + randomElectionTimeoutMs(s);
  if (saved === null || saved.leaderEpoch < logEpoch) {
    // No file, or a file older than the log (KRaft: start unattached at the log's epoch).
    s.epoch = Math.max(logEpoch, saved?.leaderEpoch ?? 0);
    s.quorumStateDirty = true;
    return;
  }
  s.epoch = saved.leaderEpoch;
  s.votedId = saved.votedId;
  s.leaderId = saved.leaderId;
  if (saved.leaderId === self) {
    // A leader restarts resigned: it must not lead or vote again in that epoch (QuorumState.initialize).
    s.role = "resigned";
  } else if (saved.leaderId >= 0) {
    s.role = "follower";
    s.fetchDeadlineMs = s.nowMs + s.config.fetchTimeoutMs;
    sendFetch(s);
  } else if (saved.votedId === self) {
    becomeCandidateInEpoch(s, s.epoch);
  }
}

/**
 * Move to `epoch` without a known leader. As in the Raft paper, merely seeing a higher epoch
 * does not restart a running election timer (only granting a vote does): otherwise a
 * candidate that keeps losing, e.g. one with a stale log, would postpone every election.
 */
export function becomeUnattached<T>(s: RaftState<T>, epoch: number): void {
  if (epoch < s.epoch) throw new Error(`Cannot move to epoch ${epoch}: current epoch is ${s.epoch}`);
  const timerRunning = s.role === "unattached" || s.role === "candidate";
  leaveLeadership(s);
  if (epoch > s.epoch) {
    s.epoch = epoch;
    s.votedId = -1;
  }
  s.leaderId = -1;
  s.role = "unattached";
  s.fetchInFlight = null;
  if (!timerRunning) s.electionDeadlineMs = s.nowMs + randomElectionTimeoutMs(s);
  s.quorumStateDirty = true;
}

/** Follow `leaderId` in `epoch` (from BeginQuorumEpoch, or a response naming the leader). */
export function acceptLeader<T>(s: RaftState<T>, epoch: number, leaderId: number): void {
  if (epoch === s.epoch && s.role === "leader") {
    if (leaderId !== s.config.nodeId)
      throw new Error(`Raft safety violated: epoch ${epoch} has leaders ${s.config.nodeId} and ${leaderId}`);
    return;
  }
  if (epoch === s.epoch && s.role === "follower" && s.leaderId === leaderId) return;
  if (epoch === s.epoch && s.leaderId >= 0 && s.leaderId !== leaderId) {
    throw new Error(`Raft safety violated: epoch ${epoch} has leaders ${s.leaderId} and ${leaderId}`);
  }
  leaveLeadership(s);
  if (epoch > s.epoch) s.votedId = -1;
  s.epoch = epoch;
  s.leaderId = leaderId;
  s.role = "follower";
  s.quorumStateDirty = true;
  s.fetchDeadlineMs = s.nowMs + s.config.fetchTimeoutMs;
  sendFetch(s);
}

export function becomeCandidate<T>(s: RaftState<T>): void {
  becomeCandidateInEpoch(s, s.epoch + 1);
}

function becomeCandidateInEpoch<T>(s: RaftState<T>, epoch: number): void {
  // QuorumState.transitionToCandidate: retries grow while this node stays a candidate.
  s.candidateRetries = s.role === "candidate" ? s.candidateRetries + 1 : 1;
  leaveLeadership(s);
  s.epoch = epoch;
  s.votedId = s.config.nodeId;
  s.leaderId = -1;
  s.role = "candidate";
  s.quorumStateDirty = true;
  s.granted.clear();
  s.rejected.clear();
  s.voteRequests.clear();
  s.granted.add(s.config.nodeId);
  s.backoffDeadlineMs = -1;
  s.electionDeadlineMs = s.nowMs + randomElectionTimeoutMs(s);
  if (voteResult(s.voterIds, s.granted, s.rejected) === "won") return becomeLeader(s);
  const body: M.VoteRequest = {
    clusterId: s.config.clusterId,
    candidateEpoch: s.epoch,
    candidateId: s.config.nodeId,
    lastOffsetEpoch: s.log.lastEpoch,
    lastOffset: s.log.endOffset,
  };
  for (const id of s.voterIds) {
    if (id === s.config.nodeId) continue;
    const correlationId = send(s, id, "Vote", body);
    s.voteRequests.set(correlationId, id);
  }
}

/** KafkaRaftClient.RETRY_BACKOFF_BASE_MS: the unit of the binary exponential election backoff. */
export const ELECTION_BACKOFF_BASE_MS = 100;

/**
 * KafkaRaftClient.binaryExponentialElectionBackoffMs: after the `retries`-th election (≥ 1),
 * wait 100 ms × a random int in [0, 2^min(20, retries)), at most electionBackoffMaxMs. The
 * first retry waits 0 or 100 ms, the second 0–300 ms, and so on: competing candidates spread
 * out more the longer they keep colliding.
 */
export function electionBackoffMs(retries: number, maxMs: number, rng: { int(n: number): number }): number {
  if (!(retries >= 1)) throw new Error(`Cannot compute an election backoff: retries ${retries} is not ≥ 1`);
  const slots = 2 << Math.min(20, retries - 1);
  return Math.min(ELECTION_BACKOFF_BASE_MS * rng.int(slots), maxMs);
}

export function startBackoff<T>(s: RaftState<T>): void {
  s.backoffDeadlineMs = s.nowMs + electionBackoffMs(s.candidateRetries, s.config.electionBackoffMaxMs, s.rng);
}

function becomeLeader<T>(s: RaftState<T>): void {
  if (s.role !== "candidate") throw new Error(`Cannot become leader from ${s.role}`);
  s.role = "leader";
  s.leaderId = s.config.nodeId;
  s.quorumStateDirty = true;
  s.leader = new LeaderState(s.config.nodeId, s.voterIds, s.log.endOffset, s.nowMs);
  appendLocal(s, [
    {
      offset: s.log.endOffset,
      epoch: s.epoch,
      control: { type: "LeaderChange", leaderId: s.config.nodeId, voters: [...s.voterIds] },
      records: [],
    },
  ]);
  sendBeginQuorumEpoch(s, s.leader);
}

export function becomeResigned<T>(s: RaftState<T>): void {
  const leader = s.leader!;
  const body: M.EndQuorumEpochRequest = {
    clusterId: s.config.clusterId,
    leaderId: s.config.nodeId,
    leaderEpoch: s.epoch,
    preferredSuccessors: leader.preferredSuccessors(),
  };
  leaveLeadership(s);
  s.role = "resigned";
  s.electionDeadlineMs = s.nowMs + randomElectionTimeoutMs(s);
  for (const id of s.voterIds) if (id !== s.config.nodeId) send(s, id, "EndQuorumEpoch", body);
}

/** Drop leader state; parked fetches get NOT_LEADER_OR_FOLLOWER so their senders look elsewhere. */
function leaveLeadership<T>(s: RaftState<T>): void {
  const leader = s.leader;
  if (!leader) return;
  s.leader = null;
  for (const p of leader.parked.values()) {
    respond(
      s,
      p.address,
      { api: "Fetch", correlationId: p.correlationId },
      fetchError(s, Errors.NOT_LEADER_OR_FOLLOWER.code),
    );
  }
}

/** To voters that have not fetched in this epoch (KRaft resends until they do). */
export function sendBeginQuorumEpoch<T>(s: RaftState<T>, leader: LeaderState): void {
  leader.beginQuorumEpochSentMs = s.nowMs;
  const body: M.BeginQuorumEpochRequest = {
    clusterId: s.config.clusterId,
    leaderId: s.config.nodeId,
    leaderEpoch: s.epoch,
  };
  for (const id of s.voterIds)
    if (id !== s.config.nodeId && !leader.hasFetched(id)) send(s, id, "BeginQuorumEpoch", body);
}
