/**
 * The shapes of the consumer's public API, after KafkaJS (`consumer.run({ eachMessage })`,
 * `subscribe`, `seek`, `pause`, `commitOffsets`) and Kafka's Java consumer (`poll`,
 * `commitSync` / `commitAsync`, `committed`, rebalance listeners), with Kafka's meanings:
 * a committed offset is the NEXT offset to read (last processed + 1).
 *
 * Departures from KafkaJS: offsets are numbers, not strings; a record carries its key and value
 * both as bytes and as UTF-8 text (there are no deserializers); `heartbeat()` in the payloads is
 * accepted but not needed (heartbeats run in a background task, as in the Java client).
 */
import { KafkaError, type ErrorInfo } from "../protocol/errors";

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to read. */
  offset: number;
}

/** An offset to commit: the next offset to read, with optional metadata and leader epoch. */
export interface OffsetToCommit extends TopicPartitionOffset {
  metadata?: string | null;
  /** Leader epoch of the last consumed record (KIP-320); -1 or absent if unknown. */
  leaderEpoch?: number;
}

export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: number;
  /** CreateTime or LogAppendTime in ms, per the topic's message.timestamp.type. */
  timestamp: number;
  /** The batch's partitionLeaderEpoch: the leader epoch at which the record was written. */
  leaderEpoch: number;
  key: string | null;
  value: string | null;
  keyBytes: Uint8Array | null;
  valueBytes: Uint8Array | null;
  headers: Record<string, string | null>;
}

/** Called around rebalances (Java's ConsumerRebalanceListener); awaited before the consumer moves on. */
export interface RebalanceListener {
  /** Partitions taken away while this member is still in the group (commit their offsets here). */
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  /** Partitions newly assigned (before any record of them is returned). */
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  /**
   * Partitions lost: the member was already out of the group (session expired, poll interval
   * exceeded, fenced), so another member may own them now; committing is pointless. Defaults to
   * onPartitionsRevoked, as in Kafka.
   */
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>;
}

export interface SubscribeOptions {
  topics: readonly string[];
  /** KafkaJS: start from the earliest offset when the group has no committed offset for a partition. */
  fromBeginning?: boolean;
  listener?: RebalanceListener;
}

export interface PollOptions {
  /** How long to wait for records (default 1000 ms). */
  timeoutMs?: number;
  /** At most this many records (default max.poll.records). */
  maxRecords?: number;
}

export interface Batch {
  topic: string;
  partition: number;
  highWatermark: number;
  messages: ConsumerRecord[];
  isEmpty(): boolean;
  firstOffset(): number | null;
  lastOffset(): number;
}

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: ConsumerRecord;
  heartbeat(): Promise<void>;
  /** Pause this partition; returns a function that resumes it. */
  pause(): () => void;
}

export interface EachBatchPayload {
  batch: Batch;
  /** Mark records up to and including `offset` processed (if the handler throws, consumption resumes after it). */
  resolveOffset(offset: number): void;
  heartbeat(): Promise<void>;
  pause(): () => void;
  /** Commit the consumed positions now if auto-commit is on and the interval elapsed. */
  commitOffsetsIfNecessary(): Promise<void>;
  isRunning(): boolean;
  /** True once this batch's partition was revoked or sought: stop processing it. */
  isStale(): boolean;
}

export interface RunConfig {
  eachMessage?: (payload: EachMessagePayload) => Promise<void>;
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  /** Overrides enable.auto.commit for this run (commits the consumed position inside poll). */
  autoCommit?: boolean;
  /** How many partitions' batches are processed at once (default 1). */
  partitionsConsumedConcurrently?: number;
  /** Called when a handler throws; the partition is sought back to the failed record and retried after retry.backoff.ms. */
  onError?: (error: unknown, partition: TopicPartition) => void;
}

/** Kafka's CommitFailedException: the member is no longer part of the generation that owned the partitions. */
export class CommitFailedError extends KafkaError {
  constructor(info: ErrorInfo, detail: string) {
    super(info, detail);
    this.name = "CommitFailedError";
  }
}

/** Kafka's RebalanceInProgressException: commit again after the rebalance completes (call poll). */
export class RebalanceInProgressError extends KafkaError {
  constructor(info: ErrorInfo, detail: string) {
    super(info, detail);
    this.name = "RebalanceInProgressError";
  }
}

/** Kafka's OffsetOutOfRangeException / NoOffsetForPartitionException (auto.offset.reset=none). */
export class OffsetOutOfRangeError extends KafkaError {
  readonly partitions: TopicPartition[];
  constructor(info: ErrorInfo, detail: string, partitions: TopicPartition[]) {
    super(info, detail);
    this.name = "OffsetOutOfRangeError";
    this.partitions = partitions;
  }
}

/** Kafka's TimeoutException for blocking calls bounded by default.api.timeout.ms. */
export class ConsumerTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConsumerTimeoutError";
  }
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
