/**
 * The mutable state of one RaftNode (raft.ts) and the small helpers every part of it uses:
 * sending requests and responses into the outbox, appending to and truncating the in-memory
 * log (with the Ready bookkeeping), raising the high watermark, error responses, the random
 * election timeout, the quorum-state record, and the invariant check. Kafka keeps this state
 * in QuorumState and KafkaRaftClient; here RaftNode holds one RaftState and hands it to the
 * election (raft-election.ts), leader replication (raft-replication.ts) and follower fetch
 * (raft-follower.ts) code. Not exported from the layer's index.
 *
 * Invariants (checkInvariants, run after every input): highWatermark ≤ log end offset; no log
 * batch has an epoch above the node's epoch; a leader has leaderId = votedId = its own id and a
 * LeaderState. The high watermark only rises (raiseHighWatermark).
 *
 * Departures from KRaft: the outbox replaces network channels (the driver sends it with
 * Ready); correlation ids are drawn from one counter per node.
 */
import type { RequestEnvelope } from "../protocol";
import type { Rng } from "../sim/rng";
import type { LeaderState } from "./raft-leader";
import type { RaftLog } from "./raft-log";
import * as M from "./raft-messages";
import type { Outbound, QuorumStateRecord, RaftConfig, RaftRole } from "./raft-types";

export type RaftBatch<T> = M.RaftBatch<T>;

export interface RaftState<T> {
  readonly config: RaftConfig;
  readonly rng: Rng;
  readonly log: RaftLog<T>;
  epoch: number;
  votedId: number;
  leaderId: number;
  role: RaftRole;
  highWatermark: number;
  nowMs: number;

  electionDeadlineMs: number;
  backoffDeadlineMs: number;
  /** Consecutive elections run as candidate (QuorumState's CandidateState.retries); 0 if never. */
  candidateRetries: number;
  fetchDeadlineMs: number;
  fetchInFlight: { correlationId: number; sentAtMs: number } | null;
  fetchRetryAtMs: number;
  readonly granted: Set<number>;
  readonly rejected: Set<number>;
  /** correlationId → voter id. */
  readonly voteRequests: Map<number, number>;
  leader: LeaderState | null;
  nextCorrelationId: number;

  readonly voterIds: number[];
  readonly addressOf: Map<number, string>;
  // Ready bookkeeping.
  outbox: Outbound[];
  quorumStateDirty: boolean;
  dirtyFrom: number;
  durableEnd: number;
  appliedEnd: number;
}

/** The leader of the current epoch if known, else -1. */
export function currentLeaderId<T>(s: RaftState<T>): number {
  return s.role === "resigned" ? -1 : s.leaderId;
}

export function send<T>(
  s: RaftState<T>,
  voterId: number,
  api: "Vote" | "BeginQuorumEpoch" | "EndQuorumEpoch" | "Fetch",
  body: unknown,
): number {
  const correlationId = s.nextCorrelationId++;
  const to = s.addressOf.get(voterId);
  if (to === undefined) throw new Error(`Cannot send ${api}: ${voterId} is not a voter`);
  s.outbox.push({
    to,
    message: { kind: "request", api, correlationId, clientId: String(s.config.nodeId), body },
  });
  return correlationId;
}

export function respond<T>(
  s: RaftState<T>,
  to: string,
  req: Pick<RequestEnvelope, "api" | "correlationId">,
  body: unknown,
): void {
  s.outbox.push({
    to,
    message: { kind: "response", api: req.api, correlationId: req.correlationId, body },
  });
}

export function appendLocal<T>(s: RaftState<T>, batches: RaftBatch<T>[]): void {
  if (batches.length === 0) return;
  s.dirtyFrom = Math.min(s.dirtyFrom, s.log.endOffset);
  s.log.append(batches);
}

export function truncateLocal<T>(s: RaftState<T>, endOffset: number): void {
  if (endOffset >= s.log.endOffset) return;
  s.log.truncateTo(endOffset);
  // durableEnd keeps the disk's end until the driver truncates it (hasReady sees dirtyFrom < durableEnd).
  s.dirtyFrom = Math.min(s.dirtyFrom, endOffset);
}

export function raiseHighWatermark<T>(s: RaftState<T>, offset: number): void {
  if (offset > s.highWatermark) s.highWatermark = offset;
}

export function fetchError<T>(s: RaftState<T>, errorCode: number): M.RaftFetchResponse<T> {
  return {
    topic: M.METADATA_TOPIC,
    errorCode,
    highWatermark: s.highWatermark,
    currentLeader: { leaderId: currentLeaderId(s), leaderEpoch: s.epoch },
    batches: [],
  };
}

export function errorBody<T>(s: RaftState<T>, api: string, errorCode: number): unknown {
  if (api === "Fetch") return fetchError(s, errorCode);
  return { errorCode, leaderId: currentLeaderId(s), leaderEpoch: s.epoch, voteGranted: false };
}

export function randomElectionTimeoutMs<T>(s: RaftState<T>): number {
  const t = s.config.electionTimeoutMs;
  return t === 0 ? 0 : t + s.rng.int(t);
}

export function quorumState<T>(s: RaftState<T>): QuorumStateRecord {
  return {
    clusterId: s.config.clusterId,
    leaderId: s.leaderId,
    leaderEpoch: s.epoch,
    votedId: s.votedId,
    appliedOffset: 0,
    currentVoters: s.voterIds.map((voterId) => ({ voterId })),
    data_version: 0,
  };
}

export function checkInvariants<T>(s: RaftState<T>): void {
  if (s.highWatermark > s.log.endOffset)
    throw new Error(
      `Raft invariant violated: high watermark ${s.highWatermark} is above log end offset ${s.log.endOffset}`,
    );
  if (s.log.lastEpoch > s.epoch)
    throw new Error(
      `Raft invariant violated: log epoch ${s.log.lastEpoch} is above the node's epoch ${s.epoch}`,
    );
  if (s.role === "leader" && (s.leaderId !== s.config.nodeId || s.votedId !== s.config.nodeId || !s.leader)) {
    throw new Error(
      `Raft invariant violated: leader ${s.config.nodeId} of epoch ${s.epoch} has leaderId ${s.leaderId}, votedId ${s.votedId}`,
    );
  }
}
