/**
 * Kafka's protocol error codes, as in clients/src/main/java/org/apache/kafka/common/protocol/Errors.java.
 * Only the codes this course's broker and clients produce are listed. As in Kafka, a failure the
 * protocol can describe travels as an error code in a response; exceptions are for bugs.
 */

export interface ErrorInfo {
  readonly code: number;
  readonly name: string;
  /** Whether a client may retry the same request (Kafka's RetriableException subclasses). */
  readonly retriable: boolean;
  readonly message: string;
}

function e(code: number, name: string, retriable: boolean, message: string): ErrorInfo {
  return { code, name, retriable, message };
}

export const Errors = {
  NONE: e(0, "NONE", false, "No error."),
  UNKNOWN_SERVER_ERROR: e(-1, "UNKNOWN_SERVER_ERROR", false, "The server experienced an unexpected error."),
  OFFSET_OUT_OF_RANGE: e(1, "OFFSET_OUT_OF_RANGE", false, "The requested offset is not within the range of offsets maintained by the server."),
  CORRUPT_MESSAGE: e(2, "CORRUPT_MESSAGE", true, "The message contents does not match the message CRC or the message is otherwise corrupt."),
  UNKNOWN_TOPIC_OR_PARTITION: e(3, "UNKNOWN_TOPIC_OR_PARTITION", true, "This server does not host this topic-partition."),
  LEADER_NOT_AVAILABLE: e(5, "LEADER_NOT_AVAILABLE", true, "There is no leader for this topic-partition as we are in the middle of a leadership election."),
  NOT_LEADER_OR_FOLLOWER: e(6, "NOT_LEADER_OR_FOLLOWER", true, "For requests intended only for the leader, this error indicates that the broker is not the current leader."),
  REQUEST_TIMED_OUT: e(7, "REQUEST_TIMED_OUT", true, "The request timed out."),
  BROKER_NOT_AVAILABLE: e(8, "BROKER_NOT_AVAILABLE", false, "The broker is not available."),
  REPLICA_NOT_AVAILABLE: e(9, "REPLICA_NOT_AVAILABLE", true, "The replica is not available for the requested topic-partition."),
  MESSAGE_TOO_LARGE: e(10, "MESSAGE_TOO_LARGE", false, "The request included a message larger than the max message size the server will accept."),
  OFFSET_METADATA_TOO_LARGE: e(12, "OFFSET_METADATA_TOO_LARGE", false, "The metadata field of the offset request was too large."),
  NETWORK_EXCEPTION: e(13, "NETWORK_EXCEPTION", true, "The server disconnected before a response was received."),
  COORDINATOR_LOAD_IN_PROGRESS: e(14, "COORDINATOR_LOAD_IN_PROGRESS", true, "The coordinator is loading and hence can't process requests."),
  COORDINATOR_NOT_AVAILABLE: e(15, "COORDINATOR_NOT_AVAILABLE", true, "The coordinator is not available."),
  NOT_COORDINATOR: e(16, "NOT_COORDINATOR", true, "This is not the correct coordinator."),
  INVALID_TOPIC_EXCEPTION: e(17, "INVALID_TOPIC_EXCEPTION", false, "The request attempted to perform an operation on an invalid topic."),
  RECORD_LIST_TOO_LARGE: e(18, "RECORD_LIST_TOO_LARGE", false, "The request included message batch larger than the configured segment size on the server."),
  NOT_ENOUGH_REPLICAS: e(19, "NOT_ENOUGH_REPLICAS", true, "Messages are rejected since there are fewer in-sync replicas than required."),
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: e(20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", true, "Messages are written to the log, but to fewer in-sync replicas than required."),
  INVALID_REQUIRED_ACKS: e(21, "INVALID_REQUIRED_ACKS", false, "Produce request specified an invalid value for required acks."),
  ILLEGAL_GENERATION: e(22, "ILLEGAL_GENERATION", false, "Specified group generation id is not valid."),
  INCONSISTENT_GROUP_PROTOCOL: e(23, "INCONSISTENT_GROUP_PROTOCOL", false, "The group member's supported protocols are incompatible with those of existing members."),
  INVALID_GROUP_ID: e(24, "INVALID_GROUP_ID", false, "The configured groupId is invalid."),
  UNKNOWN_MEMBER_ID: e(25, "UNKNOWN_MEMBER_ID", false, "The coordinator is not aware of this member."),
  INVALID_SESSION_TIMEOUT: e(26, "INVALID_SESSION_TIMEOUT", false, "The session timeout is not within the range allowed by the broker."),
  REBALANCE_IN_PROGRESS: e(27, "REBALANCE_IN_PROGRESS", false, "The group is rebalancing, so a rejoin is needed."),
  INVALID_COMMIT_OFFSET_SIZE: e(28, "INVALID_COMMIT_OFFSET_SIZE", false, "The committing offset data size is not valid."),
  INVALID_TIMESTAMP: e(32, "INVALID_TIMESTAMP", false, "The timestamp of the message is out of acceptable range."),
  INVALID_PARTITIONS: e(37, "INVALID_PARTITIONS", false, "Number of partitions is below 1."),
  INVALID_REPLICATION_FACTOR: e(38, "INVALID_REPLICATION_FACTOR", false, "Replication factor is below 1 or larger than the number of available brokers."),
  INVALID_REQUEST: e(42, "INVALID_REQUEST", false, "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker."),
  OUT_OF_ORDER_SEQUENCE_NUMBER: e(45, "OUT_OF_ORDER_SEQUENCE_NUMBER", false, "The broker received an out of order sequence number."),
  DUPLICATE_SEQUENCE_NUMBER: e(46, "DUPLICATE_SEQUENCE_NUMBER", false, "The broker received a duplicate sequence number."),
  INVALID_PRODUCER_EPOCH: e(47, "INVALID_PRODUCER_EPOCH", false, "Producer attempted to produce with an old epoch."),
  TOPIC_ALREADY_EXISTS: e(36, "TOPIC_ALREADY_EXISTS", false, "Topic with this name already exists."),
  KAFKA_STORAGE_ERROR: e(56, "KAFKA_STORAGE_ERROR", true, "Disk error when trying to access log file on the disk."),
  UNKNOWN_PRODUCER_ID: e(59, "UNKNOWN_PRODUCER_ID", false, "This exception is raised by the broker if it could not locate the producer metadata associated with the producerId in question."),
  FENCED_LEADER_EPOCH: e(74, "FENCED_LEADER_EPOCH", true, "The leader epoch in the request is older than the epoch on the broker."),
  UNKNOWN_LEADER_EPOCH: e(75, "UNKNOWN_LEADER_EPOCH", true, "The leader epoch in the request is newer than the epoch on the broker."),
  MEMBER_ID_REQUIRED: e(79, "MEMBER_ID_REQUIRED", false, "The group member needs to have a valid member id before actually entering a consumer group."),
  ELECTION_NOT_NEEDED: e(84, "ELECTION_NOT_NEEDED", false, "Leader election not needed for topic partition."),
  INELIGIBLE_REPLICA: e(107, "INELIGIBLE_REPLICA", false, "The new ISR contains at least one ineligible replica."),
  NEW_LEADER_ELECTED: e(108, "NEW_LEADER_ELECTED", false, "The AlterPartition request successfully updated the partition state but the leader has changed."),
  OFFSET_MOVED_TO_TIERED_STORAGE: e(109, "OFFSET_MOVED_TO_TIERED_STORAGE", false, "The requested offset is moved to tiered storage."),
  FENCED_MEMBER_EPOCH: e(110, "FENCED_MEMBER_EPOCH", false, "The member epoch is fenced by the group coordinator."),
  INVALID_RECORD: e(87, "INVALID_RECORD", false, "This record has failed the validation on broker and hence will be rejected."),
  FENCED_INSTANCE_ID: e(82, "FENCED_INSTANCE_ID", false, "The broker rejected this static consumer since another consumer with the same group.instance.id has registered with a different member.id."),
  STALE_BROKER_EPOCH: e(77, "STALE_BROKER_EPOCH", false, "Broker epoch has changed."),
  INVALID_UPDATE_VERSION: e(95, "INVALID_UPDATE_VERSION", false, "The given update version was invalid."),
  UNSUPPORTED_COMPRESSION_TYPE: e(76, "UNSUPPORTED_COMPRESSION_TYPE", false, "The requesting client does not support the compression type of given partition."),
  BROKER_ID_NOT_REGISTERED: e(102, "BROKER_ID_NOT_REGISTERED", false, "The given broker ID was not registered."),
  // Controller (KRaft) errors, used by src/controller.
  INVALID_CONFIG: e(40, "INVALID_CONFIG", false, "Configuration is invalid."),
  NOT_CONTROLLER: e(41, "NOT_CONTROLLER", true, "This is not the correct controller for this cluster."),
  INCONSISTENT_VOTER_SET: e(94, "INCONSISTENT_VOTER_SET", false, "Indicates that the either the sender or recipient of a voter-only request is not one of the expected voters."),
  UNKNOWN_TOPIC_ID: e(100, "UNKNOWN_TOPIC_ID", true, "This server does not host this topic ID."),
  DUPLICATE_BROKER_REGISTRATION: e(101, "DUPLICATE_BROKER_REGISTRATION", false, "This broker ID is already in use."),
  INCONSISTENT_CLUSTER_ID: e(104, "INCONSISTENT_CLUSTER_ID", false, "The clusterId in the request does not match that found on the server."),
} as const;

export type ErrorName = keyof typeof Errors;

const byCode = new Map<number, ErrorInfo>(Object.values(Errors).map((x) => [x.code, x]));

/** Look up an error by its numeric code; unknown codes map to UNKNOWN_SERVER_ERROR. */
export function errorForCode(code: number): ErrorInfo {
  return byCode.get(code) ?? Errors.UNKNOWN_SERVER_ERROR;
}

/**
 * A Kafka error raised to client code (the learner-facing API rejects promises with it), named
 * as Kafka's Java client names the condition, e.g. `NOT_ENOUGH_REPLICAS`.
 */
export class KafkaError extends Error {
  readonly code: number;
  readonly type: ErrorName | string;
  readonly retriable: boolean;
  constructor(info: ErrorInfo, detail?: string) {
    super(detail ? `${info.name}: ${detail}` : `${info.name}: ${info.message}`);
    this.name = "KafkaError";
    this.code = info.code;
    this.type = info.name;
    this.retriable = info.retriable;
  }
}

/**
 * Bytes that do not form a valid RecordBatch v2 or record (Kafka's CorruptRecordException, error
 * CORRUPT_MESSAGE). Thrown by every decoder in the protocol layer: a truncated field, a bad CRC, a
 * length that points past the end, a malformed compressed payload. `position` is the absolute
 * index in the buffer being decoded where the problem was found, when known.
 */
export class CorruptRecordError extends KafkaError {
  readonly position: number | undefined;
  constructor(detail: string, position?: number) {
    super(Errors.CORRUPT_MESSAGE, position === undefined ? detail : `${detail} (at byte ${position})`);
    this.name = "CorruptRecordError";
    this.position = position;
  }
}

/**
 * Decompressed data would exceed the caller's bound (a "decompression bomb", or simply a batch
 * larger than this reader accepts). A CorruptRecordError so that callers rejecting bad batches
 * reject these too; `limitBytes` says which bound was hit.
 */
export class DecompressionLimitError extends CorruptRecordError {
  readonly limitBytes: number;
  constructor(detail: string, limitBytes: number) {
    super(detail);
    this.name = "DecompressionLimitError";
    this.limitBytes = limitBytes;
  }
}

/**
 * A codec that exists in Kafka but cannot run yet (zstd before `await initCodecs()`), or a codec
 * id Kafka does not define (Kafka's UNSUPPORTED_COMPRESSION_TYPE, error 76).
 */
export class UnsupportedCompressionError extends KafkaError {
  constructor(detail: string) {
    super(Errors.UNSUPPORTED_COMPRESSION_TYPE, detail);
    this.name = "UnsupportedCompressionError";
  }
}
