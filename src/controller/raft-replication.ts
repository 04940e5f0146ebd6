/**
 * Leader replication in the Raft state machine (raft.ts), as KRaft's LeaderState and the
 * leader's Fetch handling in KafkaRaftClient (KIP-595). Replication is pull-based: followers
 * send Fetch(fetchOffset, lastFetchedEpoch); the leader answers with batches, or with a
 * divergingEpoch that makes the follower truncate. A voter's fetchOffset is its
 * acknowledgement; the high watermark is the majority end offset (raft-leader.ts), counted only
 * once it lies in the leader's own epoch. Fetches that find nothing new are long-polled (parked)
 * up to fetchMaxWaitMs, at most maxParkedFetches of them.
 *
 * Check-quorum: a leader that hears from no majority for 1.5 × fetchTimeoutMs resigns.
 * Observers (brokers, replicaId -1) get committed batches only.
 *
 * Invariants: the high watermark never decreases and never passes the leader's own durable
 * end (durableEnd), so nothing is acknowledged before it is on disk; a parked fetch is answered
 * exactly once (on new data, deadline, or loss of leadership).
 *
 * Departures from KRaft: no linger/batching of proposals; parked fetches are checked on tick
 * rather than by per-request timers.
 */
import { Errors } from "../protocol";
import type { RequestEnvelope } from "../protocol";
import type { LeaderState, ParkedFetch } from "./raft-leader";
import * as M from "./raft-messages";
import { becomeResigned, sendBeginQuorumEpoch } from "./raft-election";
import { fetchError, raiseHighWatermark, respond, type RaftState } from "./raft-state";

/** A Fetch from a voter or an observer: validate epochs and position, record progress, answer or park. */
export function onFetch<T>(s: RaftState<T>, from: string, req: RequestEnvelope<M.RaftFetchRequest>): void {
  const body = req.body;
  const isVoter =
    body.replicaId !== M.OBSERVER_REPLICA_ID &&
    s.addressOf.has(body.replicaId) &&
    body.replicaId !== s.config.nodeId;
  if (s.role !== "leader") return respond(s, from, req, fetchError(s, Errors.NOT_LEADER_OR_FOLLOWER.code));
  if (isVoter || body.currentLeaderEpoch !== -1) {
    if (body.currentLeaderEpoch < s.epoch)
      return respond(s, from, req, fetchError(s, Errors.FENCED_LEADER_EPOCH.code));
    if (body.currentLeaderEpoch > s.epoch)
      return respond(s, from, req, fetchError(s, Errors.UNKNOWN_LEADER_EPOCH.code));
  }
  const leader = s.leader!;
  if (body.fetchOffset < 0) {
    if (isVoter) leader.recordFetch(body.replicaId, null, s.nowMs);
    return respond(s, from, req, fetchError(s, Errors.OFFSET_OUT_OF_RANGE.code));
  }
  const diverging = s.log.validateFetchPosition(body.fetchOffset, body.lastFetchedEpoch);
  if (diverging) {
    if (isVoter) leader.recordFetch(body.replicaId, null, s.nowMs);
    return respond(s, from, req, { ...fetchError(s, Errors.NONE.code), divergingEpoch: diverging });
  }
  if (isVoter) {
    leader.recordFetch(body.replicaId, body.fetchOffset, s.nowMs);
    maybeAdvanceHighWatermark(s, leader);
  }
  const limit = isVoter ? s.log.endOffset : s.highWatermark;
  const parkable =
    body.fetchOffset >= limit && body.maxWaitMs > 0 && leader.parked.size < s.config.maxParkedFetches;
  if (!parkable) return respond(s, from, req, fetchData(s, body, isVoter));
  leader.park({
    address: from,
    correlationId: req.correlationId,
    request: body,
    isVoter,
    highWatermarkAtPark: s.highWatermark,
    deadlineMs: s.nowMs + Math.min(body.maxWaitMs, s.config.fetchMaxWaitMs),
  });
}

function fetchData<T>(s: RaftState<T>, req: M.RaftFetchRequest, isVoter: boolean): M.RaftFetchResponse<T> {
  const limit = isVoter ? s.log.endOffset : s.highWatermark;
  const batches = s.log.read(req.fetchOffset, limit, Math.min(req.maxBytes, s.config.fetchMaxBytes));
  return { ...fetchError(s, Errors.NONE.code), batches };
}

// --- Leader duties ------------------------------------------------------------------------

/** Expire parked fetches, resign without a quorum (check-quorum), re-send BeginQuorumEpoch. */
export function tickLeader<T>(s: RaftState<T>, leader: LeaderState): void {
  const now = s.nowMs;
  for (const p of [...leader.parked.values()]) if (now >= p.deadlineMs) completeParked(s, leader, p);
  if (!leader.hasQuorumContact(now, Math.floor(s.config.fetchTimeoutMs * 1.5))) return becomeResigned(s);
  if (now - leader.beginQuorumEpochSentMs >= s.config.fetchTimeoutMs / 2) sendBeginQuorumEpoch(s, leader);
}

export function maybeAdvanceHighWatermark<T>(s: RaftState<T>, leader: LeaderState): void {
  const candidate = leader.computeHighWatermark(s.durableEnd);
  if (candidate !== null && candidate > s.highWatermark) {
    raiseHighWatermark(s, candidate);
    wakeParkedFetches(s);
  }
}

export function wakeParkedFetches<T>(s: RaftState<T>): void {
  const leader = s.leader;
  if (!leader) return;
  for (const p of leader.wakeable(s.log.endOffset, s.highWatermark)) completeParked(s, leader, p);
}

function completeParked<T>(s: RaftState<T>, leader: LeaderState, p: ParkedFetch): void {
  leader.parked.delete(p.address);
  respond(s, p.address, { api: "Fetch", correlationId: p.correlationId }, fetchData(s, p.request, p.isVoter));
}
