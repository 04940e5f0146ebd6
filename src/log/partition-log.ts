/**
 * The log of one partition replica (Kafka's UnifiedLog, without tiered storage or
 * transactions). It validates and stamps appends, checks idempotent producers
 * (producer-state.ts), keeps the leader-epoch cache, the log start offset and the high
 * watermark, applies retention and DeleteRecords, and maps failures to Kafka error codes. The
 * segments themselves live in a LocalLog (local-log.ts). Layers above hook in through
 * `addListener` (roll, truncation, log start offset, deleted segments).
 *
 * This file holds the class: opening (recovery), state, configuration, roll, flush and close.
 * Its paths live beside it, each over the shared LogState (log-state.ts), along UnifiedLog's
 * own seams: log-append.ts (append), log-read.ts (read, ListOffsets by time),
 * log-truncation.ts (truncation, DeleteRecords, retention) and log-producer-replay.ts (feeding
 * the producer state).
 *
 * Offsets and their bounds (all exact integers):
 *   logStartOffset ≤ highWatermark ≤ logEndOffset, and recoveryPoint ≤ logEndOffset.
 *   logStartOffset — first offset a reader may fetch (inclusive); may lie inside a segment.
 *   logEndOffset   — next offset to be assigned (exclusive end of the log).
 *   highWatermark  — exclusive end of committed data; set by the replication layer
 *                    (`updateHighWatermark`), used to bound retention and DeleteRecords.
 *   recoveryPoint  — everything below it was fsynced; recovery rescans from its segment.
 * Offsets are dense: batch i+1 starts at batch i's last offset + 1 (checked on every append).
 *
 * Failures Kafka reports on the wire come back as error codes in results (AppendResult,
 * ReadResult, ...), never as exceptions. A disk error takes the log offline (Kafka takes the log
 * dir offline, LogDirFailureChannel): every later call answers KAFKA_STORAGE_ERROR until the log
 * is reopened, whose recovery repairs whatever the failed write left behind. A seam that breaks
 * its contract throws SeamContractError (a bug, not a Kafka error).
 *
 * Departures from Kafka:
 * - Time is a parameter (`now`), never read from a clock; no background scheduler (the flush
 *   Kafka schedules right after a roll runs inside the roll).
 * - Truncation is made durable at once, and cuts at a batch boundary; retention deletes
 *   `.deleted` files when it next runs (see log-truncation.ts).
 */
import { Errors } from "../protocol";
import { joinPath, type Disk } from "./disk";
import { DEFAULT_LOG_CONFIG, type LogConfig } from "./log-config";
import { DEFAULT_LOG_SEAMS, type LogSeams, type SegmentInfo } from "./seams";
import type { LogSegment, SegmentSettings } from "./segment";
import { loadLog, type RecoveryReport } from "./recovery";
import { LocalLog, mkdirsDurably } from "./local-log";
import { LEADER_EPOCH_CHECKPOINT_FILENAME, LeaderEpochFileCache } from "./leader-epoch-cache";
import { CorruptCheckpointError } from "./checkpoint-file";
import type { TopicPartition } from "./topic-partition";
import { ProducerStateManager, type ProducerStateLoadReport } from "./producer-state";
import { clamp, flushUpTo, goOffline, offlineMessage, type LogState } from "./log-state";
import { appendToLog } from "./log-append";
import { offsetForTimestamp, readLog } from "./log-read";
import {
  deleteOldSegments,
  deleteRecordsBefore,
  truncateFullyAndStartAt,
  truncateTo,
} from "./log-truncation";
import { logBatches, replayProducerState } from "./log-producer-replay";
import type {
  AppendResult,
  DeleteRecordsResult,
  FlushResult,
  LogBatch,
  LogListener,
  PartitionLogOptions,
  PartitionLogStats,
  ReadResult,
  RetentionResult,
  TimestampLookupResult,
  TruncateResult,
} from "./log-results";

export class PartitionLog {
  readonly disk: Disk;
  readonly dir: string;
  readonly topicPartition: TopicPartition;
  readonly seams: LogSeams;
  readonly leaderEpochCache: LeaderEpochFileCache;
  readonly recoveryReport: RecoveryReport;
  readonly stats: PartitionLogStats = { appends: 0, reads: 0, bytesScanned: 0, rolls: 0, flushes: 0 };
  /** Idempotent-producer state (producer-state.ts): checked on leader appends, snapshotted on roll and close. */
  readonly producerState: ProducerStateManager;
  /** How the producer state was rebuilt when the log opened. */
  readonly producerStateLoad: ProducerStateLoadReport;
  /** Everything that changes (log-state.ts), shared with the append, read and truncation paths. */
  private readonly s: LogState;

  private constructor(o: PartitionLogOptions) {
    this.disk = o.disk;
    this.dir = o.dir;
    this.topicPartition = o.topicPartition;
    const config = o.config ?? DEFAULT_LOG_CONFIG;
    this.seams = o.seams ?? DEFAULT_LOG_SEAMS;
    mkdirsDurably(o.disk, o.dir);
    const notes: string[] = [];
    let cache: LeaderEpochFileCache;
    let rebuildEpochs = false;
    try {
      cache = LeaderEpochFileCache.load(o.disk, o.dir, this.seams.writeCheckpoint);
    } catch (e) {
      if (!(e instanceof CorruptCheckpointError)) throw e;
      // Rebuild the cache from the partitionLeaderEpoch of every batch: a full recovery scan.
      notes.push(`${e.message}: rebuilding the leader-epoch cache with a full scan`);
      rebuildEpochs = true;
      const path = joinPath(o.dir, LEADER_EPOCH_CHECKPOINT_FILENAME);
      cache = new LeaderEpochFileCache({ disk: o.disk, path, writer: this.seams.writeCheckpoint });
    }
    const loaded = loadLog({
      disk: o.disk,
      dir: o.dir,
      settings: segmentSettings(config),
      seams: this.seams,
      now: o.now,
      recoveryPoint: rebuildEpochs ? undefined : o.recoveryPoint,
      logStartOffset: o.logStartOffset,
      hadCleanShutdown: (o.hadCleanShutdown ?? false) && !rebuildEpochs,
      // LogSegment.recover assigns the epochs of the batches it scans.
      onBatch: (epoch, baseOffset) => {
        if (epoch >= 0 && epoch > (cache.latestEpoch() ?? -1)) cache.assign(epoch, baseOffset);
      },
    });
    loaded.report.notes.push(...notes);
    const local = new LocalLog(
      o.disk,
      o.dir,
      loaded.segments,
      loaded.logEndOffset,
      loaded.recoveryPoint,
      segmentSettings(config),
      o.now,
    );
    local.onRoll = (base, now) => {
      this.stats.rolls++;
      // UnifiedLog.roll: snapshot the producer state at the new segment's base offset.
      this.producerState.takeSnapshot();
      for (const l of this.s.listeners) l.onRoll?.(base, now);
    };
    const logStartOffset = loaded.logStartOffset;
    this.producerState = new ProducerStateManager({
      disk: o.disk,
      dir: o.dir,
      checkSequence: this.seams.checkSequence,
    });
    // UnifiedLog.rebuildProducerState: newest snapshot ≤ log end offset, then a replay of the log.
    this.producerStateLoad = replayProducerState(this.producerState, local, logStartOffset);
    const highWatermark = clamp(o.highWatermark ?? logStartOffset, logStartOffset, local.logEndOffset);
    // LogLoader: the epoch cache may not describe offsets the log no longer has.
    cache.truncateFromEnd(local.logEndOffset);
    cache.truncateFromStart(logStartOffset);
    this.leaderEpochCache = cache;
    this.recoveryReport = loaded.report;
    this.s = {
      topicPartition: this.topicPartition,
      seams: this.seams,
      local,
      leaderEpochCache: cache,
      producerState: this.producerState,
      stats: this.stats,
      config,
      logStartOffset,
      highWatermark,
      listeners: [],
      offlineReason: undefined,
      scratch: new Uint8Array(64 * 1024),
    };
  }

  /** Open (or create) the log in `dir`, recovering it as needed. Disk errors throw (the log dir is unusable). */
  static open(options: PartitionLogOptions): PartitionLog {
    return new PartitionLog(options);
  }

  // ---- state -------------------------------------------------------------------------------

  get config(): LogConfig {
    return this.s.config;
  }
  /** First offset a reader may fetch (inclusive). */
  get logStartOffset(): number {
    return this.s.logStartOffset;
  }
  /** Next offset to be assigned (exclusive end of the log). */
  get logEndOffset(): number {
    return this.s.local.logEndOffset;
  }
  /** Exclusive end of committed data, as last set by `updateHighWatermark`. */
  get highWatermark(): number {
    return this.s.highWatermark;
  }
  /** Everything below this offset has been fsynced. */
  get recoveryPoint(): number {
    return this.s.local.recoveryPoint;
  }
  /** Offsets appended since the last flush (Kafka's unflushedMessages). */
  get unflushedMessages(): number {
    return this.s.local.logEndOffset - this.s.local.recoveryPoint;
  }
  get lastFlushTime(): number {
    return this.s.local.lastFlushTime;
  }
  /** Total bytes of all segments' .log files. */
  get size(): number {
    return this.s.local.size;
  }
  get numberOfSegments(): number {
    return this.s.local.numberOfSegments;
  }
  get activeSegmentBaseOffset(): number {
    return this.s.local.activeSegment.baseOffset;
  }
  /** Base offset of the first segment (the log start offset may be above it). */
  get firstSegmentBaseOffset(): number {
    return this.s.local.firstSegmentBaseOffset;
  }
  /** Why the log is offline, or undefined while it is usable. */
  get offline(): string | undefined {
    return this.s.offlineReason;
  }
  /** What retention sees, oldest first. */
  segmentInfos(): SegmentInfo[] {
    return this.s.local.segmentInfos();
  }
  /** Direct access for tests and labs that inspect files; do not mutate. */
  segmentList(): readonly LogSegment[] {
    return this.s.local.segmentList();
  }

  addListener(listener: LogListener): () => void {
    this.s.listeners.push(listener);
    return () => {
      this.s.listeners = this.s.listeners.filter((l) => l !== listener);
    };
  }

  /** A topic config change. Index settings apply to segments created from now on. */
  updateConfig(config: LogConfig): void {
    this.s.config = config;
    this.s.local.updateSettings(segmentSettings(config));
  }

  // ---- append ------------------------------------------------------------------------------

  // ---- append (log-append.ts) ------------------------------------------------------------------

  /**
   * Append as the partition leader (Produce, or a coordinator writing its own records): offsets
   * are assigned from the log end offset, every batch is stamped with `leaderEpoch`, and under
   * LogAppendTime with `now`. `records` is one or more whole batches; they are copied.
   */
  appendAsLeader(
    records: Uint8Array | readonly Uint8Array[],
    options: { now: number; leaderEpoch: number; origin?: "client" | "coordinator" },
  ): AppendResult {
    return appendToLog(this.s, records, options.origin ?? "client", options.leaderEpoch, options.now);
  }

  /**
   * Append as a follower: batches keep the offsets and epochs the leader gave them; the first
   * must start exactly at the log end offset.
   */
  appendAsFollower(records: Uint8Array | readonly Uint8Array[], options: { now: number }): AppendResult {
    return appendToLog(this.s, records, "replication", -1, options.now);
  }

  /** Roll now if the active segment is not empty (UnifiedLog.roll). Returns the active segment's base offset. */
  roll(now: number): number {
    if (this.s.offlineReason === undefined) {
      try {
        this.s.local.roll(now);
      } catch (e) {
        goOffline(this.s, e, "roll");
      }
    }
    return this.s.local.activeSegment.baseOffset;
  }

  // ---- read (log-read.ts) --------------------------------------------------------------------

  /**
   * Whole batches starting with the one that holds `fetchOffset`: up to `maxBytes` (the first
   * batch whole even if larger when `minOneMessage`, KIP-74), never a batch whose last offset is
   * at or above `maxOffsetExclusive` (a consumer passes the high watermark; default: log end
   * offset). Below the log start offset or above the log end offset: OFFSET_OUT_OF_RANGE.
   */
  read(
    fetchOffset: number,
    maxBytes: number,
    maxOffsetExclusive: number = this.s.local.logEndOffset,
    minOneMessage = true,
  ): ReadResult {
    return readLog(this.s, fetchOffset, maxBytes, maxOffsetExclusive, minOneMessage);
  }

  /**
   * ListOffsets: the earliest offset ≥ the log start offset whose record timestamp is ≥
   * `timestamp`, or one of the special timestamps EARLIEST (-2), LATEST (-1), MAX_TIMESTAMP (-3),
   * EARLIEST_LOCAL (-4). offset = -1 when no record qualifies.
   */
  offsetForTimestamp(timestamp: number): TimestampLookupResult {
    return offsetForTimestamp(this.s, timestamp);
  }

  /**
   * Every batch holding offsets in [fromOffset, toOffsetExclusive), oldest first (the first may
   * start below fromOffset). For replays such as rebuilding producer state. Do not modify the
   * log while iterating.
   */
  batchesFrom(
    fromOffset: number,
    toOffsetExclusive: number = this.s.local.logEndOffset,
  ): Generator<LogBatch> {
    return logBatches(this.s.local, fromOffset, toOffsetExclusive);
  }

  // ---- high watermark, truncation, log start offset, retention (log-truncation.ts) -----------

  /** Set the high watermark, clamped into [logStartOffset, logEndOffset] (UnifiedLog.updateHighWatermark). Returns it. */
  updateHighWatermark(highWatermark: number): number {
    this.s.highWatermark = clamp(highWatermark, this.s.logStartOffset, this.s.local.logEndOffset);
    return this.s.highWatermark;
  }

  /** Raise the high watermark if `highWatermark` is above it (never lowers it). Returns true if it moved. */
  maybeIncrementHighWatermark(highWatermark: number): boolean {
    if (highWatermark <= this.s.highWatermark) return false;
    const before = this.s.highWatermark;
    this.updateHighWatermark(highWatermark);
    return this.s.highWatermark > before;
  }

  /**
   * Follower truncation (UnifiedLog.truncateTo): remove the batch holding `targetOffset` and
   * everything after it, trim the leader-epoch cache, lower the recovery point, the high
   * watermark and (as Kafka) the log start offset to the new end. A target at or above the log
   * end offset removes nothing (the epoch cache is still trimmed); a target below the first
   * segment empties the log and restarts it there.
   */
  truncateTo(targetOffset: number, now: number): TruncateResult {
    return truncateTo(this.s, targetOffset, now);
  }

  /** Delete every segment and restart the log empty at `newOffset` (UnifiedLog.truncateFullyAndStartAt). */
  truncateFullyAndStartAt(newOffset: number, now: number): TruncateResult {
    return truncateFullyAndStartAt(this.s, newOffset, now);
  }

  /**
   * DeleteRecords (UnifiedLog.maybeIncrementLogStartOffset): move the log start offset up to
   * `offset` (-1 means the high watermark). Segments wholly below it go at the next retention
   * run. Above the high watermark: OFFSET_OUT_OF_RANGE.
   */
  deleteRecordsBefore(offset: number): DeleteRecordsResult {
    return deleteRecordsBefore(this.s, offset);
  }

  /**
   * UnifiedLog.deleteOldSegments: ask the `selectSegmentsForRetention` seam which old segments
   * to delete (log start offset, retention.bytes, retention.ms; never the active segment or
   * past the high watermark; retention.ts), rename their files `.deleted`, advance the log start
   * offset, and delete `.deleted` files whose file.delete.delay.ms has passed.
   */
  deleteOldSegments(now: number): RetentionResult {
    return deleteOldSegments(this.s, now);
  }

  /** Delete `.deleted` files whose file.delete.delay.ms has passed. Returns how many files were deleted. */
  deleteExpiredFiles(now: number): number {
    return this.s.local.deleteExpiredFiles(now);
  }

  // ---- flush and close -------------------------------------------------------------------------

  /**
   * fsync every segment with data below `upToOffsetExclusive` (default: the log end offset),
   * their indexes, and the directory if segment files were created since the last flush; then
   * advance the recovery point to that offset (LocalLog.flush + markFlushed).
   */
  flush(now: number, upToOffsetExclusive: number = this.s.local.logEndOffset): FlushResult {
    return this.flushing("flush", () => flushUpTo(this.s, upToOffsetExclusive, now));
  }

  /** True when flush.ms has passed since the last flush and something is unflushed (LogManager.flushDirtyLogs). */
  flushDue(now: number): boolean {
    return this.unflushedMessages > 0 && now - this.s.local.lastFlushTime >= this.s.config.flushMs;
  }

  /**
   * Orderly close: write the final time-index entries and pending index entries, flush
   * everything (the recovery point becomes the log end offset). The broker then checkpoints
   * and writes the clean-shutdown marker (LogManager.close).
   */
  close(now: number): FlushResult {
    return this.flushing("close", () => {
      this.stats.flushes++;
      const n = this.s.local.close(now);
      this.producerState.takeSnapshot(); // clean shutdown: the next open replays nothing
      return n;
    });
  }

  private flushing(what: string, run: () => number): FlushResult {
    if (this.s.offlineReason !== undefined) {
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: offlineMessage(this.s, what),
        recoveryPoint: this.recoveryPoint,
        segmentsFlushed: 0,
      };
    }
    try {
      const segmentsFlushed = run();
      return { error: Errors.NONE, recoveryPoint: this.recoveryPoint, segmentsFlushed };
    } catch (e) {
      const errorMessage = goOffline(this.s, e, what);
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage,
        recoveryPoint: this.recoveryPoint,
        segmentsFlushed: 0,
      };
    }
  }

  /** Delete the partition's files and directory (the partition was deleted). The log is unusable afterwards. */
  deleteAll(): void {
    this.s.local.deleteAll();
    this.s.offlineReason = "the log was deleted";
  }
}

function segmentSettings(config: LogConfig): SegmentSettings {
  return { indexIntervalBytes: config.indexIntervalBytes, segmentIndexBytes: config.segmentIndexBytes };
}
