/**
 * The metadata log's entries and the Raft RPC bodies, named as in KRaft (KIP-595; Kafka's
 * VoteRequest.json, BeginQuorumEpochRequest.json, EndQuorumEpochRequest.json and the Fetch
 * fields KRaft uses). They travel inside the envelopes of src/protocol/api.ts under the api names
 * Vote (52), BeginQuorumEpoch (53), EndQuorumEpoch (54) and Fetch (1, topic __cluster_metadata).
 *
 * Vocabulary: KRaft calls Raft's "term" the *epoch* (leaderEpoch, candidateEpoch); we do too.
 *
 * Departures from KRaft, on purpose:
 * - One log entry is one atomic batch of metadata records and takes ONE offset (Kafka gives
 *   every record its own offset inside a batch). Offsets therefore count batches.
 * - Batches are structured values, not RecordBatch bytes (the network copies values; the disk
 *   format is in raft-storage.ts).
 * - Single partition (__cluster_metadata-0) and flat bodies instead of topics[].partitions[].
 * - Observers (brokers) fetch with replicaId -1 and receive only committed batches, so they never
 *   truncate (KRaft observers replicate the uncommitted tail too and may truncate it).
 * - No snapshots (FetchSnapshot), no dynamic voter changes (KIP-853), no pre-vote (KIP-996).
 */

/** KRaft's metadata topic; its single partition is the Raft log. */
export const METADATA_TOPIC = "__cluster_metadata";

/** replicaId of an observer (a broker's metadata fetcher, a tool): not a voter, never counted. */
export const OBSERVER_REPLICA_ID = -1;

/** Written by a new leader as the first batch of its epoch (KRaft's LeaderChangeMessage control record). */
export interface LeaderChangeMessage {
  type: "LeaderChange";
  leaderId: number;
  voters: number[];
}

/** One entry of the metadata log: an atomic batch of records, or a control batch. */
export interface RaftBatch<T> {
  /** Position in the log, from 0. */
  offset: number;
  /** Epoch of the leader that appended it (its partitionLeaderEpoch). */
  epoch: number;
  /** Set on control batches (then `records` is empty). */
  control?: LeaderChangeMessage;
  records: T[];
}

/** Who leads, as seen by the responder. leaderId -1 = unknown. */
export interface CurrentLeader {
  leaderId: number;
  leaderEpoch: number;
}

export interface VoteRequest {
  clusterId: string;
  candidateEpoch: number;
  candidateId: number;
  /** Epoch of the candidate's last log entry (0 if its log is empty). */
  lastOffsetEpoch: number;
  /** The candidate's log end offset (exclusive). */
  lastOffset: number;
}

export interface VoteResponse {
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
  voteGranted: boolean;
}

export interface BeginQuorumEpochRequest {
  clusterId: string;
  leaderId: number;
  leaderEpoch: number;
}

export interface BeginQuorumEpochResponse {
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
}

export interface EndQuorumEpochRequest {
  clusterId: string;
  leaderId: number;
  leaderEpoch: number;
  /** Voters in the order the resigning leader would like them to run (most caught-up first). */
  preferredSuccessors: number[];
}

export interface EndQuorumEpochResponse {
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
}

/** A Fetch of the metadata log: voters replicate it (pull-based, as KRaft), observers read it. */
export interface RaftFetchRequest {
  clusterId: string;
  topic: typeof METADATA_TOPIC;
  /** Voter id, or OBSERVER_REPLICA_ID. */
  replicaId: number;
  /** The fetcher's epoch; the leader answers FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH on a mismatch. Observers send -1 (no check). */
  currentLeaderEpoch: number;
  /** Next offset the fetcher wants = its log end offset (exclusive bound of what it has). */
  fetchOffset: number;
  /** Epoch of the fetcher's entry at fetchOffset-1 (0 when fetchOffset is 0): lets the leader detect divergence. */
  lastFetchedEpoch: number;
  /** Long poll: the leader may hold the request this long waiting for new data. */
  maxWaitMs: number;
  /** Bound on the response size (approximate: JSON characters of the batches). */
  maxBytes: number;
}

export interface RaftFetchResponse<T> {
  topic: typeof METADATA_TOPIC;
  errorCode: number;
  /** Exclusive: batches below it are committed. -1 when the responder does not know. */
  highWatermark: number;
  currentLeader: CurrentLeader;
  /** Set when the fetcher's log diverges from the leader's: truncate to the end of this epoch and fetch again. */
  divergingEpoch?: { epoch: number; endOffset: number };
  /** Contiguous batches starting at the request's fetchOffset. */
  batches: RaftBatch<T>[];
}

/** Approximate serialized size of a batch, used for fetch bounds. */
export function batchSizeBytes(batch: RaftBatch<unknown>): number {
  return JSON.stringify(batch).length;
}
