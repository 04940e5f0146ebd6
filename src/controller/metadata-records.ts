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
 * - No directories (JBOD), ELR (KIP-966), reassignment (adding/removingReplicas), leader
 *   recovery state, features, RemoveTopicRecord (no DeleteTopics yet).
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
