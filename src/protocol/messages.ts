/**
 * Request and response bodies of the client-facing and replication APIs, with the field names of
 * Kafka's message schemas (clients/src/main/resources/common/message/<Api>Request.json and
 * <Api>Response.json). These are the contract between brokers, clients and the group coordinator.
 *
 * Simplifications (say so where it matters):
 * - Structured values instead of the binary request encoding (see api.ts); record data is real
 *   RecordBatch v2 bytes (`records`).
 * - Latest-version shapes only; fields a single-cluster course never uses (rack, throttling
 *   quotas, topic ids in Fetch, tagged fields) are omitted.
 * - Group protocol metadata and assignments are structured objects rather than the bytes of
 *   ConsumerProtocolSubscription / ConsumerProtocolAssignment.
 * - Controller APIs (BrokerRegistration, BrokerHeartbeat, AlterPartition, Raft) live in
 *   src/controller.
 */

// ---------------------------------------------------------------------------------------------
// Produce (API 0)

export interface ProduceRequest {
  transactionalId: string | null;
  /** 0: no response at all; 1: leader append; -1 (all): every ISR member has it (HW passed it). */
  acks: -1 | 0 | 1;
  timeoutMs: number;
  topicData: { name: string; partitionData: { index: number; records: Uint8Array }[] }[];
}

export interface ProducePartitionResponse {
  index: number;
  errorCode: number;
  /** Offset of the first record appended; -1 on error. */
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  errorMessage: string | null;
  /** Leader hint on NOT_LEADER_OR_FOLLOWER (KIP-951). */
  currentLeader?: { leaderId: number; leaderEpoch: number };
}

export interface ProduceResponse {
  responses: { name: string; partitionResponses: ProducePartitionResponse[] }[];
  throttleTimeMs: number;
}

// ---------------------------------------------------------------------------------------------
// Fetch (API 1) — used by consumers (replicaId -1) and by followers (replicaId = broker id).

export const CONSUMER_REPLICA_ID = -1;

export type IsolationLevel = 0 | 1; // 0 read_uncommitted, 1 read_committed

export interface FetchPartition {
  partition: number;
  /** The fetcher's view of the leader epoch; a mismatch gets FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH. -1 skips the check. */
  currentLeaderEpoch: number;
  fetchOffset: number;
  /** Epoch of the last batch the fetcher has (followers, IBP 2.7+): lets the leader detect divergence. -1 if none. */
  lastFetchedEpoch: number;
  logStartOffset: number;
  partitionMaxBytes: number;
}

export interface FetchRequest {
  replicaId: number;
  /** The follower's broker epoch (KIP-903); -1 for consumers. */
  replicaEpoch: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: IsolationLevel;
  topics: { topic: string; partitions: FetchPartition[] }[];
}

export interface FetchPartitionResponse {
  partitionIndex: number;
  errorCode: number;
  /** Exclusive: the first offset not yet committed. */
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** Set when the fetcher's log diverges from the leader's (KIP-320/IBP 2.7): truncate to endOffset. */
  divergingEpoch?: { epoch: number; endOffset: number };
  currentLeader?: { leaderId: number; leaderEpoch: number };
  /** Concatenated RecordBatch v2 bytes, or null when there is nothing to return. */
  records: Uint8Array | null;
}

export interface FetchResponse {
  errorCode: number;
  responses: { topic: string; partitions: FetchPartitionResponse[] }[];
}

// ---------------------------------------------------------------------------------------------
// ListOffsets (API 2)

export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;

export interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel: IsolationLevel;
  topics: { name: string; partitions: { partitionIndex: number; currentLeaderEpoch: number; timestamp: number }[] }[];
}

export interface ListOffsetsResponse {
  topics: {
    name: string;
    partitions: { partitionIndex: number; errorCode: number; timestamp: number; offset: number; leaderEpoch: number }[];
  }[];
}

// ---------------------------------------------------------------------------------------------
// Metadata (API 3)

export interface MetadataRequest {
  /** null = all topics. */
  topics: { name: string }[] | null;
  allowAutoTopicCreation: boolean;
}

export interface MetadataPartition {
  errorCode: number;
  partitionIndex: number;
  /** -1 when the partition has no leader. */
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

export interface MetadataTopic {
  errorCode: number;
  name: string;
  isInternal: boolean;
  partitions: MetadataPartition[];
}

export interface MetadataResponse {
  brokers: { nodeId: number; host: string; port: number }[];
  clusterId: string;
  controllerId: number;
  topics: MetadataTopic[];
}

// ---------------------------------------------------------------------------------------------
// CreateTopics (API 19)

export interface CreateTopicsRequest {
  topics: {
    name: string;
    /** -1 = broker default (num.partitions). */
    numPartitions: number;
    /** -1 = broker default (default.replication.factor). */
    replicationFactor: number;
    configs: { name: string; value: string | null }[];
  }[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreateTopicsResponse {
  topics: {
    name: string;
    errorCode: number;
    errorMessage: string | null;
    numPartitions: number;
    replicationFactor: number;
  }[];
}

// ---------------------------------------------------------------------------------------------
// InitProducerId (API 22)

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  /** -1 for a new producer; set with producerEpoch to bump the epoch of an existing one (KIP-360). */
  producerId: number;
  producerEpoch: number;
}

export interface InitProducerIdResponse {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

// ---------------------------------------------------------------------------------------------
// OffsetForLeaderEpoch (API 23)

export interface OffsetForLeaderEpochRequest {
  /** The follower's broker id, or -1 (consumer validating its position, KIP-320). */
  replicaId: number;
  topics: { topic: string; partitions: { partition: number; currentLeaderEpoch: number; leaderEpoch: number }[] }[];
}

export interface OffsetForLeaderEpochResponse {
  topics: {
    topic: string;
    partitions: { errorCode: number; partition: number; leaderEpoch: number; endOffset: number }[];
  }[];
}

// ---------------------------------------------------------------------------------------------
// Consumer groups: FindCoordinator (10), JoinGroup (11), Heartbeat (12), LeaveGroup (13),
// SyncGroup (14), OffsetCommit (8), OffsetFetch (9). Classic protocol (KIP-848's
// ConsumerGroupHeartbeat is not modelled).

export interface FindCoordinatorRequest {
  key: string;
  /** 0 = group, 1 = transaction. */
  keyType: 0 | 1;
}

export interface FindCoordinatorResponse {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

/** What a member subscribes to (ConsumerProtocolSubscription). */
export interface GroupSubscription {
  topics: string[];
  ownedPartitions: { topic: string; partitions: number[] }[];
}

/** What a member is assigned (ConsumerProtocolAssignment). */
export interface GroupAssignment {
  assignedPartitions: { topic: string; partitions: number[] }[];
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** "" on the first join. */
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  /** Assignor names in preference order, each with the member's subscription. */
  protocols: { name: string; metadata: GroupSubscription }[];
  reason: string | null;
}

export interface JoinGroupResponse {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Non-empty only for the leader: every member's subscription. */
  members: { memberId: string; groupInstanceId: string | null; metadata: GroupSubscription }[];
  /**
   * JoinGroup v9+ (KIP-814): the static leader rejoined a Stable group; it must not run the
   * assignor (the group keeps its assignment) but is still the leader. False otherwise.
   */
  skipAssignment: boolean;
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  /** Only the leader sends assignments. */
  assignments: { memberId: string; assignment: GroupAssignment }[];
}

export interface SyncGroupResponse {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: GroupAssignment;
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  errorCode: number;
}

export interface LeaveGroupRequest {
  groupId: string;
  members: { memberId: string; groupInstanceId: string | null; reason: string | null }[];
}

export interface LeaveGroupResponse {
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

export interface OffsetCommitRequest {
  groupId: string;
  /** The generation for classic groups; -1 for a standalone (assign()) consumer. */
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      /** The NEXT offset to read (last processed + 1). */
      committedOffset: number;
      committedLeaderEpoch: number;
      committedMetadata: string | null;
    }[];
  }[];
}

export interface OffsetCommitResponse {
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

export interface OffsetFetchRequest {
  groupId: string;
  /** null = every partition the group has committed. */
  topics: { name: string; partitionIndexes: number[] }[] | null;
  requireStable: boolean;
}

export interface OffsetFetchResponse {
  errorCode: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      /** -1 when the group has no committed offset for the partition. */
      committedOffset: number;
      committedLeaderEpoch: number;
      metadata: string | null;
      errorCode: number;
    }[];
  }[];
}
