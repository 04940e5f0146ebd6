/**
 * The types at the boundary of the Raft state machine (raft.ts): its configuration with KRaft's
 * defaults, the Ready it hands to its driver, what it persists, and what a proposal returns.
 */
import type { Envelope } from "../protocol";
import type { RaftBatch } from "./raft-messages";

export interface RaftConfig {
  nodeId: number;
  /** The static voter set (controller.quorum.voters): id and network address of each. */
  voters: readonly { id: number; address: string }[];
  clusterId: string;
  /** controller.quorum.election.timeout.ms (1000). */
  electionTimeoutMs: number;
  /** controller.quorum.election.backoff.max.ms (1000). */
  electionBackoffMaxMs: number;
  /** controller.quorum.fetch.timeout.ms (2000). */
  fetchTimeoutMs: number;
  /** Long-poll bound for Fetch (KafkaRaftClient.MAX_FETCH_WAIT_MS = 500). */
  fetchMaxWaitMs: number;
  /** controller.quorum.request.timeout.ms (2000): resend a Fetch that got no answer (capped at fetchTimeoutMs/2, see raft.ts). */
  requestTimeoutMs: number;
  /** controller.quorum.retry.backoff.ms (20): wait after an error before fetching again. */
  retryBackoffMs: number;
  /** Bound on one Fetch response (approximate bytes). */
  fetchMaxBytes: number;
  /** Bound on proposals not yet committed; propose fails beyond it. */
  maxUncommittedBatches: number;
  /** Bound on long-polled fetches held by the leader. */
  maxParkedFetches: number;
}

export const DEFAULT_RAFT_TIMING = {
  electionTimeoutMs: 1000,
  electionBackoffMaxMs: 1000,
  fetchTimeoutMs: 2000,
  fetchMaxWaitMs: 500,
  requestTimeoutMs: 2000,
  retryBackoffMs: 20,
  fetchMaxBytes: 1024 * 1024,
  maxUncommittedBatches: 1024,
  maxParkedFetches: 1024,
} as const;

export type RaftRole = "unattached" | "follower" | "candidate" | "leader" | "resigned";

/** The quorum-state file's content (Kafka's QuorumStateData v0). */
export interface QuorumStateRecord {
  clusterId: string;
  leaderId: number;
  leaderEpoch: number;
  votedId: number;
  appliedOffset: number;
  currentVoters: { voterId: number }[];
  data_version: 0;
}

export interface Outbound {
  to: string;
  message: Envelope;
}

export interface Ready<T> {
  /** Persist first (atomically) when set. */
  quorumState: QuorumStateRecord | null;
  /** The durable log must become durable[0, entriesFrom) + entries (truncate, append, fsync). */
  entriesFrom: number;
  entries: RaftBatch<T>[];
  /** Send after persisting. */
  messages: Outbound[];
  /** Newly committed batches, in offset order, to apply to the state machine. */
  committed: RaftBatch<T>[];
  /** The in-memory log end offset when this Ready was made. */
  logEndOffset: number;
}

export type ProposeResult =
  { ok: true; offset: number; epoch: number } | { ok: false; errorCode: number; reason: string };

/** What survives a restart: the quorum-state file and the log's batches (see raft-storage.ts). */
export interface RaftPersistedState<T> {
  quorumState: QuorumStateRecord | null;
  batches: RaftBatch<T>[];
}

/**
 * First correlation id of a process incarnation. The simulated network, unlike a TCP connection,
 * may deliver a response to a restarted node that its previous incarnation asked for; ids that
 * start at nowMs × 2^20 never repeat across incarnations (unless one sent 2^20 requests per
 * millisecond of its life), so such stale responses match nothing and are ignored.
 */
export function correlationIdBase(nowMs: number): number {
  return Math.floor(nowMs) * 2 ** 20 + 1;
}
