/**
 * The mutable state of one PartitionLog (partition-log.ts), shared by the files that implement
 * its paths: log-append.ts, log-read.ts, log-truncation.ts (truncation, DeleteRecords,
 * retention) and log-producer-replay.ts. Kafka keeps these as fields of UnifiedLog; here the
 * class holds one LogState and hands it to those functions, so that each path reads as one file.
 * Not exported from the layer's index: callers use PartitionLog.
 *
 * Invariant (kept by every writer of this record):
 *   logStartOffset ≤ highWatermark ≤ local.logEndOffset, all exact integers.
 *
 * Also here: the offline rule (Kafka's LogDirFailureChannel): a DiskError takes the log offline
 * and every later call answers KAFKA_STORAGE_ERROR; any other exception is a bug and is rethrown.
 */
import { DiskError } from "./disk";
import type { LogConfig } from "./log-config";
import type { LogSeams } from "./seams";
import type { LocalLog } from "./local-log";
import type { LeaderEpochFileCache } from "./leader-epoch-cache";
import type { TopicPartition } from "./topic-partition";
import type { ProducerStateManager } from "./producer-state";
import type { LogListener, PartitionLogStats } from "./log-results";

export interface LogState {
  readonly topicPartition: TopicPartition;
  readonly seams: LogSeams;
  readonly local: LocalLog;
  readonly leaderEpochCache: LeaderEpochFileCache;
  readonly producerState: ProducerStateManager;
  readonly stats: PartitionLogStats;
  config: LogConfig;
  /** First offset a reader may fetch (inclusive). */
  logStartOffset: number;
  /** Exclusive end of committed data. */
  highWatermark: number;
  listeners: LogListener[];
  /** Why the log is offline, or undefined while it is usable. */
  offlineReason: string | undefined;
  /** Reused buffer for small appends (log-append.ts copyOf). */
  scratch: Uint8Array;
}

/** "topic-partition", for error messages. */
export function logName(s: LogState): string {
  return `${s.topicPartition.topic}-${s.topicPartition.partition}`;
}

export function offlineMessage(s: LogState, what: string): string {
  return `Cannot ${what} ${logName(s)}: the log is offline after a disk error (${s.offlineReason ?? ""})`;
}

/** A disk error: the log goes offline (Kafka's LogDirFailureChannel). Other errors are bugs and rethrown. */
export function goOffline(s: LogState, e: unknown, what: string): string {
  if (!(e instanceof DiskError)) throw e;
  s.offlineReason = e.message;
  return `Cannot ${what} ${logName(s)}: ${e.message}; the log is offline until it is reopened`;
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

/** fsync up to `upTo` (exclusive) and count the flush (LocalLog.flush). Returns the segments flushed. */
export function flushUpTo(s: LogState, upTo: number, now: number): number {
  s.stats.flushes++;
  return s.local.flush(upTo, now);
}
