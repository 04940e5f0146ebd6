/**
 * The inputs and results of PartitionLog (partition-log.ts): what a broker, the replication layer
 * and the labs exchange with a partition's log. Kafka failures are error codes in these results
 * (with a sentence saying what could not be done and why), never exceptions.
 */
import type { BatchHeader, ErrorInfo } from "../protocol";
import type { Disk } from "./disk";
import type { LogConfig } from "./log-config";
import type { LogSeams } from "./seams";
import type { TimestampAndOffset } from "./timestamp-search";
import type { TopicPartition } from "./topic-partition";

export interface PartitionLogOptions {
  disk: Disk;
  /** The partition directory, e.g. "kafka-logs/orders-0" (created if missing). */
  dir: string;
  topicPartition: TopicPartition;
  config?: LogConfig;
  seams?: LogSeams;
  now: number;
  /** From recovery-point-offset-checkpoint; undefined = unknown (full scan after an unclean shutdown). */
  recoveryPoint?: number;
  /** From log-start-offset-checkpoint; undefined = the first segment's base offset. */
  logStartOffset?: number;
  /** From replication-offset-checkpoint; clamped into [logStartOffset, logEndOffset]. */
  highWatermark?: number;
  /** The `.kafka_cleanshutdown` marker was present: skip the recovery scan. */
  hadCleanShutdown?: boolean;
}

/** Result of an append (Kafka's LogAppendInfo, as the Produce response needs it). */
export interface AppendResult {
  error: ErrorInfo;
  /** Why, when error is not NONE. */
  errorMessage?: string;
  /** First offset appended (inclusive); -1 on error or when nothing was appended. */
  firstOffset: number;
  /** Last offset appended (inclusive); -1 on error or when nothing was appended. */
  lastOffset: number;
  /** Largest batch maxTimestamp appended, -1 if none. */
  maxTimestamp: number;
  /** The broker time stamped on the batches under LogAppendTime, else -1. */
  logAppendTime: number;
  logStartOffset: number;
  /** Offsets appended (lastOffset − firstOffset + 1, or 0). */
  numMessages: number;
  /** Bytes appended. */
  validBytes: number;
  /**
   * The batch repeats one of the producer's last 5 batches (idempotent producer): nothing was
   * appended and the offsets above are the original batch's (producer-state.ts).
   */
  duplicate?: boolean;
}

/** Result of a read (Kafka's FetchDataInfo plus the log's offsets and the scan cost). */
export interface ReadResult {
  error: ErrorInfo;
  errorMessage?: string;
  /** Whole batches; the first holds the fetch offset (it may start below it). Empty when none. */
  records: Uint8Array;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
  /** Base offset of the segment read from, and the file position of the first batch; -1 if none. */
  segmentBaseOffset: number;
  position: number;
  /** Bytes of batches walked over after the index lookup (the scan cost a grader can bound). */
  bytesScanned: number;
  /** Batch headers read during the walk. */
  batchesScanned: number;
}

export interface TruncateResult {
  error: ErrorInfo;
  errorMessage?: string;
  /** Whether anything was removed. */
  truncated: boolean;
  logEndOffset: number;
}

export interface DeleteRecordsResult {
  error: ErrorInfo;
  errorMessage?: string;
  /** The log start offset afterwards (DeleteRecords' low watermark). */
  lowWatermark: number;
}

export interface FlushResult {
  error: ErrorInfo;
  errorMessage?: string;
  recoveryPoint: number;
  segmentsFlushed: number;
}

export interface RetentionResult {
  error: ErrorInfo;
  errorMessage?: string;
  /** Base offsets of the segments deleted, oldest first. */
  deletedSegments: number[];
  logStartOffset: number;
}

export interface TimestampLookupResult extends TimestampAndOffset {
  error: ErrorInfo;
  errorMessage?: string;
}

/** One batch as replayed by `batchesFrom` (for producer-state rebuilds). */
export interface LogBatch {
  header: BatchHeader;
  /** A copy of the batch's bytes. */
  bytes: Uint8Array;
  segmentBaseOffset: number;
  position: number;
}

/** Hooks for the layers above (producer state, replication). All optional, called synchronously. */
export interface LogListener {
  /** A segment rolled; the new active segment starts at `newSegmentBaseOffset` (= log end offset). Kafka snapshots producer state here. */
  onRoll?(newSegmentBaseOffset: number, now: number): void;
  /** The log was truncated (truncateTo or truncateFullyAndStartAt); it now ends at `logEndOffset`. */
  onTruncate?(logEndOffset: number): void;
  /** The log start offset grew (DeleteRecords or retention). */
  onLogStartOffsetIncremented?(logStartOffset: number): void;
  /** Segments were deleted by retention. */
  onSegmentsDeleted?(baseOffsets: readonly number[]): void;
}

/** Counters for benchmarks, labs and graders. */
export interface PartitionLogStats {
  appends: number;
  reads: number;
  /** Sum of ReadResult.bytesScanned over all reads. */
  bytesScanned: number;
  rolls: number;
  flushes: number;
}
