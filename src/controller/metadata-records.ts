/**
 * The records of the metadata log, named and shaped after Kafka's metadata record schemas
 * (metadata/src/main/resources/common/metadata/*.json): RegisterBrokerRecord, FenceBrokerRecord,
 * UnfenceBrokerRecord, TopicRecord, PartitionRecord, PartitionChangeRecord, ConfigRecord.
 * The controller writes them through Raft; every controller and broker applies the committed
 * ones, in log order, to its MetadataImage (metadata-image.ts).
 *
 * Departures from Kafka:
 * - Structured values with a `type` tag instead of binary ApiMessageAndVersion.
 * - Kafka 3.3+ writes BrokerRegistrationChangeRecord for fencing; we keep the original
 *   Fence/UnfenceBrokerRecord (same meaning).
 * - No directories (JBOD), reassignment (adding/removingReplicas), leader recovery state,
 *   features, RemoveTopicRecord (no DeleteTopics yet).
 * - KIP-966 (Eligible Leader Replicas): PartitionRecord and PartitionChangeRecord version 2 carry
 *   `eligibleLeaderReplicas` and `lastKnownElr` as tagged fields, absent unless set. We keep them
 *   optional in the same way: a controller with ELR off never writes them, so its metadata log
 *   is the same as before ELR existed.
 */

/** PartitionChangeRecord.leader: the leader did not change. */
export const NO_LEADER_CHANGE = -2;
/** A partition without a leader (LeaderAndIsr.NO_LEADER). */
export const NO_LEADER = -1;

/** ConfigResource.Type: TOPIC = 2, BROKER = 4. */
export const CONFIG_RESOURCE_TOPIC = 2;

export interface BrokerEndpoint {
  name: string;
  host: string;
  port: number;
  securityProtocol: number;
}

export interface RegisterBrokerRecord {
  type: "RegisterBrokerRecord";
  brokerId: number;
  /** Random per broker process start; a new one means the broker restarted. */
  incarnationId: string;
  /** KRaft: the offset of the batch holding this record. */
  brokerEpoch: number;
  endPoints: BrokerEndpoint[];
  rack: string | null;
  /** A new registration starts fenced. */
  fenced: boolean;
}

export interface FenceBrokerRecord {
  type: "FenceBrokerRecord";
  id: number;
  epoch: number;
}

export interface UnfenceBrokerRecord {
  type: "UnfenceBrokerRecord";
  id: number;
  epoch: number;
}

export interface TopicRecord {
  type: "TopicRecord";
  name: string;
  /** Kafka's Uuid in its URL-safe base64 form (22 characters). */
  topicId: string;
}

export interface PartitionRecord {
  type: "PartitionRecord";
  partitionId: number;
  topicId: string;
  /** Assignment order; replicas[0] is the preferred leader. */
  replicas: number[];
  isr: number[];
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  /**
   * KIP-966: replicas outside the ISR that hold every committed record (they left the ISR while
   * it was below min.insync.replicas, so the high watermark could not pass them). Absent = [].
   */
  eligibleLeaderReplicas?: number[];
  /** KIP-966: the last known leader once the ISR and ELR emptied (see partition-change.ts). Absent = []. */
  lastKnownElr?: number[];
}

/**
 * A change to a partition. As in Kafka, epochs are not carried: applying it bumps
 * partitionEpoch, and leaderEpoch too whenever `leader` is not NO_LEADER_CHANGE.
 */
export interface PartitionChangeRecord {
  type: "PartitionChangeRecord";
  partitionId: number;
  topicId: string;
  /** null = ISR unchanged. */
  isr: number[] | null;
  /** NO_LEADER_CHANGE (-2), NO_LEADER (-1), or the new leader. */
  leader: number;
  /** KIP-966: absent or null = ELR unchanged; otherwise the new eligible leader replicas. */
  eligibleLeaderReplicas?: number[] | null;
  /** KIP-966: absent or null = unchanged; otherwise the new last known ELR. */
  lastKnownElr?: number[] | null;
}

export interface ConfigRecord {
  type: "ConfigRecord";
  resourceType: typeof CONFIG_RESOURCE_TOPIC;
  resourceName: string;
  name: string;
  /** null removes the override. */
  value: string | null;
}

export type MetadataRecord =
  | RegisterBrokerRecord
  | FenceBrokerRecord
  | UnfenceBrokerRecord
  | TopicRecord
  | PartitionRecord
  | PartitionChangeRecord
  | ConfigRecord;
