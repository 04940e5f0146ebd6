/**
 * The log of one partition replica (Kafka's UnifiedLog, without tiered storage or
 * transactions). It validates and stamps appends, checks idempotent producers
 * (producer-state.ts), keeps the leader-epoch cache, the log start offset and the high
 * watermark, applies retention and DeleteRecords, and maps failures to Kafka error codes. The
 * segments themselves live in a LocalLog (local-log.ts). Layers above hook in through
 * `addListener` (roll, truncation, log start offset, deleted segments).
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
 * - Truncation (truncateTo, truncateFullyAndStartAt) is made durable at once (fsync of the
 *   truncated segment and of the directory). Kafka leaves it in the page cache and relies on
 *   re-truncating by leader epoch after a restart; this log must be correct on its own.
 * - truncateTo cuts at the start of the batch holding the target offset and reports the
 *   resulting log end offset (Kafka sets the log end offset to the target even mid-batch).
 * - Retention renames segment files to `.deleted` and deletes them file.delete.delay.ms later,
 *   when `deleteOldSegments` or `deleteExpiredFiles` next runs (Kafka: a scheduled task).
 */
import {
  Errors,
  type ErrorInfo,
  readBatchHeader,
  NO_TIMESTAMP,
  CONTROL_FLAG_MASK,
  PRODUCER_ID_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  BASE_SEQUENCE_OFFSET,
  ATTRIBUTES_OFFSET,
} from "../protocol";
import { DiskError, joinPath, type Disk } from "./disk";
import { DEFAULT_LOG_CONFIG, deletesByRetention, type LogConfig } from "./log-config";
import { DEFAULT_LOG_SEAMS, SeamContractError, type LogSeams, type SegmentInfo } from "./seams";
import { LogCorruptionError, type LogSegment, type SegmentSettings } from "./segment";
import { assignOffsets, validateAppend, type AppendOrigin, type ValidBatch } from "./append-validation";
import { loadLog, type RecoveryReport } from "./recovery";
import { LocalLog, mkdirsDurably } from "./local-log";
import { dataView, int64At } from "./batch-scan";
import { LEADER_EPOCH_CHECKPOINT_FILENAME, LeaderEpochFileCache } from "./leader-epoch-cache";
import { CorruptCheckpointError } from "./checkpoint-file";
import type { TopicPartition } from "./topic-partition";
import { ProducerStateManager, type ProducerBatchInfo, type ProducerStateLoadReport } from "./producer-state";
import {
  EARLIEST_LOCAL_TIMESTAMP,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  MAX_TIMESTAMP,
  NO_OFFSET_FOUND,
  searchByTimestamp,
  searchMaxTimestamp,
} from "./timestamp-search";
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

const EMPTY = new Uint8Array(0);
// Module-local copies of header positions read per batch (see batch-scan.ts).
const PRODUCER_ID_AT = PRODUCER_ID_OFFSET;
const PRODUCER_EPOCH_AT = PRODUCER_EPOCH_OFFSET;
const BASE_SEQUENCE_AT = BASE_SEQUENCE_OFFSET;
const ATTRIBUTES_AT = ATTRIBUTES_OFFSET;
const CONTROL_MASK = CONTROL_FLAG_MASK;
/** Appends up to this size are copied into a reused scratch buffer (see copyOf). */
const SCRATCH_BYTES_MAX = 1024 * 1024;

export class PartitionLog {
  readonly disk: Disk;
  readonly dir: string;
  readonly topicPartition: TopicPartition;
  readonly seams: LogSeams;
  readonly leaderEpochCache: LeaderEpochFileCache;
  readonly recoveryReport: RecoveryReport;
  readonly stats: PartitionLogStats = { appends: 0, reads: 0, bytesScanned: 0, rolls: 0, flushes: 0 };
  private readonly local: LocalLog;
  private cfg: LogConfig;
  private lso: number;
  private hw: number;
  private listeners: LogListener[] = [];
  private offlineReason: string | undefined;
  private scratch = new Uint8Array(64 * 1024);
  /** Idempotent-producer state (producer-state.ts): checked on leader appends, snapshotted on roll and close. */
  readonly producerState: ProducerStateManager;
  /** How the producer state was rebuilt when the log opened. */
  readonly producerStateLoad: ProducerStateLoadReport;

  private constructor(o: PartitionLogOptions) {
    this.disk = o.disk;
    this.dir = o.dir;
    this.topicPartition = o.topicPartition;
    this.cfg = o.config ?? DEFAULT_LOG_CONFIG;
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
      settings: this.segmentSettings(),
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
    this.local = new LocalLog(
      o.disk,
      o.dir,
      loaded.segments,
      loaded.logEndOffset,
      loaded.recoveryPoint,
      this.segmentSettings(),
      o.now,
    );
    this.local.onRoll = (base, now) => {
      this.stats.rolls++;
      // UnifiedLog.roll: snapshot the producer state at the new segment's base offset.
      this.producerState.takeSnapshot();
      for (const l of this.listeners) l.onRoll?.(base, now);
    };
    this.lso = loaded.logStartOffset;
    this.producerState = new ProducerStateManager({
      disk: o.disk,
      dir: o.dir,
      checkSequence: this.seams.checkSequence,
    });
    // UnifiedLog.rebuildProducerState: newest snapshot ≤ log end offset, then a replay of the log.
    this.producerStateLoad = this.producerState.reload(this.lso, this.local.logEndOffset, (from, to) =>
      this.producerBatches(from, to),
    );
    this.hw = clamp(o.highWatermark ?? this.lso, this.lso, this.local.logEndOffset);
    // LogLoader: the epoch cache may not describe offsets the log no longer has.
    cache.truncateFromEnd(this.local.logEndOffset);
    cache.truncateFromStart(this.lso);
    this.leaderEpochCache = cache;
    this.recoveryReport = loaded.report;
  }

  /** Open (or create) the log in `dir`, recovering it as needed. Disk errors throw (the log dir is unusable). */
  static open(options: PartitionLogOptions): PartitionLog {
    return new PartitionLog(options);
  }

  // ---- state -------------------------------------------------------------------------------

  get config(): LogConfig {
    return this.cfg;
  }
  /** First offset a reader may fetch (inclusive). */
  get logStartOffset(): number {
    return this.lso;
  }
  /** Next offset to be assigned (exclusive end of the log). */
  get logEndOffset(): number {
    return this.local.logEndOffset;
  }
  /** Exclusive end of committed data, as last set by `updateHighWatermark`. */
  get highWatermark(): number {
    return this.hw;
  }
  /** Everything below this offset has been fsynced. */
  get recoveryPoint(): number {
    return this.local.recoveryPoint;
  }
  /** Offsets appended since the last flush (Kafka's unflushedMessages). */
  get unflushedMessages(): number {
    return this.local.logEndOffset - this.local.recoveryPoint;
  }
  get lastFlushTime(): number {
    return this.local.lastFlushTime;
  }
  /** Total bytes of all segments' .log files. */
  get size(): number {
    return this.local.size;
  }
  get numberOfSegments(): number {
    return this.local.numberOfSegments;
  }
  get activeSegmentBaseOffset(): number {
    return this.local.activeSegment.baseOffset;
  }
  /** Base offset of the first segment (the log start offset may be above it). */
  get firstSegmentBaseOffset(): number {
    return this.local.firstSegmentBaseOffset;
  }
  /** Why the log is offline, or undefined while it is usable. */
  get offline(): string | undefined {
    return this.offlineReason;
  }
  /** What retention sees, oldest first. */
  segmentInfos(): SegmentInfo[] {
    return this.local.segmentInfos();
  }
  /** Direct access for tests and labs that inspect files; do not mutate. */
  segmentList(): readonly LogSegment[] {
    return this.local.segmentList();
  }

  addListener(listener: LogListener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** A topic config change. Index settings apply to segments created from now on. */
  updateConfig(config: LogConfig): void {
    this.cfg = config;
    this.local.updateSettings(this.segmentSettings());
  }

  // ---- append ------------------------------------------------------------------------------

  /**
   * Append as the partition leader (Produce, or a coordinator writing its own records): offsets
   * are assigned from the log end offset, every batch is stamped with `leaderEpoch`, and under
   * LogAppendTime with `now`. `records` is one or more whole batches; they are copied.
   */
  appendAsLeader(
    records: Uint8Array | readonly Uint8Array[],
    options: { now: number; leaderEpoch: number; origin?: "client" | "coordinator" },
  ): AppendResult {
    return this.append(records, options.origin ?? "client", options.leaderEpoch, options.now);
  }

  /**
   * Append as a follower: batches keep the offsets and epochs the leader gave them; the first
   * must start exactly at the log end offset.
   */
  appendAsFollower(records: Uint8Array | readonly Uint8Array[], options: { now: number }): AppendResult {
    return this.append(records, "replication", -1, options.now);
  }

  private append(
    records: Uint8Array | readonly Uint8Array[],
    origin: AppendOrigin,
    leaderEpoch: number,
    now: number,
  ): AppendResult {
    if (this.offlineReason !== undefined) {
      return this.appendFailure(Errors.KAFKA_STORAGE_ERROR, this.offlineMessage("append"));
    }
    const input = records instanceof Uint8Array ? records : concat(records);
    const v = validateAppend(input, origin, this.cfg, now);
    if (!v.ok) return this.appendFailure(v.error, `${v.message} (partition ${this.name()})`);
    if (v.batches.length === 0) return this.appendFailure(Errors.NONE, undefined);
    // Our own copy, to stamp and write: we never keep or modify the caller's bytes. (Copying after
    // the CRC check measured a little faster than checking the copy.)
    const data = input === records ? this.copyOf(input) : input;
    const firstOffset = this.local.logEndOffset;
    const asLeader = origin !== "replication";
    if (!asLeader && v.batches[0]!.baseOffset !== firstOffset) {
      return this.appendFailure(
        Errors.UNKNOWN_SERVER_ERROR,
        `Cannot append to ${this.name()} as follower: first batch base offset ${v.batches[0]!.baseOffset} is not the log end offset ${firstOffset}`,
      );
    }
    const logAppendTime = asLeader && this.cfg.messageTimestampType === "LogAppendTime";
    const producerBatches = producerInfos(data, v.batches);
    if (origin === "client") {
      // UnifiedLog.analyzeAndValidateProducerState: duplicates and sequence/epoch errors.
      const check = this.producerState.analyzeLeaderAppend(producerBatches);
      if (check.kind === "error")
        return this.appendFailure(check.error, `${check.message} (partition ${this.name()})`);
      if (check.kind === "duplicate") {
        const d = check.batch;
        return {
          error: Errors.NONE,
          firstOffset: d.firstOffset,
          lastOffset: d.lastOffset,
          maxTimestamp: d.timestamp,
          logAppendTime: logAppendTime ? d.timestamp : NO_TIMESTAMP,
          logStartOffset: this.lso,
          numMessages: 0,
          validBytes: 0,
          duplicate: true,
        };
      }
    }
    const a = assignOffsets(data, v.batches, {
      firstOffset,
      asLeader,
      leaderEpoch,
      logAppendTimeMs: logAppendTime ? now : undefined,
    });
    try {
      this.local.append(data, a.appended, a.maxTimestamp, this.cfg, now);
      for (let i = 0; i < producerBatches.length; i++) {
        const pb = producerBatches[i]!;
        pb.baseOffset = a.appended[i]!.lastOffset - pb.lastOffsetDelta;
        pb.maxTimestamp = a.appended[i]!.maxTimestamp;
        this.producerState.update(pb);
      }
      // UnifiedLog.append: maybeAssignEpochStartOffset for every v2 batch.
      for (const [epoch, start] of a.epochStarts) {
        if (epoch > (this.leaderEpochCache.latestEpoch() ?? -1)) this.leaderEpochCache.assign(epoch, start);
      }
      this.stats.appends++;
      if (this.unflushedMessages >= this.cfg.flushMessages) this.flushInternal(this.local.logEndOffset, now);
    } catch (e) {
      return this.appendFailure(Errors.KAFKA_STORAGE_ERROR, this.goOffline(e, "append"));
    }
    return {
      error: Errors.NONE,
      firstOffset,
      lastOffset: a.nextOffset - 1,
      maxTimestamp: a.maxTimestamp,
      logAppendTime: logAppendTime ? now : NO_TIMESTAMP,
      logStartOffset: this.lso,
      numMessages: a.nextOffset - firstOffset,
      validBytes: v.totalBytes,
    };
  }

  /**
   * A copy of `input` to stamp and write. Small appends reuse one scratch buffer (the Disk port
   * writes or copies synchronously and keeps no reference), which spares the garbage collector
   * a 16 KiB allocation per produce request; large ones get their own buffer.
   */
  private copyOf(input: Uint8Array): Uint8Array {
    if (input.length > SCRATCH_BYTES_MAX) return input.slice();
    if (this.scratch.length < input.length) {
      let n = this.scratch.length;
      while (n < input.length) n *= 2;
      this.scratch = new Uint8Array(n);
    }
    const out = this.scratch.subarray(0, input.length);
    out.set(input);
    return out;
  }

  private appendFailure(error: ErrorInfo, message: string | undefined): AppendResult {
    const r: AppendResult = {
      error,
      firstOffset: -1,
      lastOffset: -1,
      maxTimestamp: NO_TIMESTAMP,
      logAppendTime: NO_TIMESTAMP,
      logStartOffset: this.lso,
      numMessages: 0,
      validBytes: 0,
    };
    if (message !== undefined) r.errorMessage = message;
    return r;
  }

  /** Roll now if the active segment is not empty (UnifiedLog.roll). Returns the active segment's base offset. */
  roll(now: number): number {
    if (this.offlineReason === undefined) {
      try {
        this.local.roll(now);
      } catch (e) {
        this.goOffline(e, "roll");
      }
    }
    return this.local.activeSegment.baseOffset;
  }

  // ---- read --------------------------------------------------------------------------------

  /**
   * Whole batches starting with the one that holds `fetchOffset`: up to `maxBytes` (the first
   * batch whole even if larger when `minOneMessage`, KIP-74), never a batch whose last offset is
   * at or above `maxOffsetExclusive` (a consumer passes the high watermark; default: log end
   * offset). Below the log start offset or above the log end offset: OFFSET_OUT_OF_RANGE.
   */
  read(
    fetchOffset: number,
    maxBytes: number,
    maxOffsetExclusive: number = this.local.logEndOffset,
    minOneMessage = true,
  ): ReadResult {
    const leo = this.local.logEndOffset;
    const result: ReadResult = {
      error: Errors.NONE,
      records: EMPTY,
      logStartOffset: this.lso,
      logEndOffset: leo,
      highWatermark: this.hw,
      segmentBaseOffset: -1,
      position: -1,
      bytesScanned: 0,
      batchesScanned: 0,
    };
    if (this.offlineReason !== undefined) {
      return { ...result, error: Errors.KAFKA_STORAGE_ERROR, errorMessage: this.offlineMessage("read") };
    }
    if (!Number.isInteger(fetchOffset) || fetchOffset < this.lso || fetchOffset > leo) {
      return {
        ...result,
        error: Errors.OFFSET_OUT_OF_RANGE,
        errorMessage: `Cannot read ${this.name()} at offset ${fetchOffset}: outside [log start offset ${this.lso}, log end offset ${leo}]`,
      };
    }
    this.stats.reads++;
    const limit = Math.min(maxOffsetExclusive, leo);
    if (fetchOffset >= limit) return result;
    try {
      const r = this.local.read(fetchOffset, Math.max(0, maxBytes), limit, minOneMessage, this.seams);
      this.stats.bytesScanned += r.bytesScanned;
      return { ...result, ...r };
    } catch (e) {
      if (e instanceof SeamContractError) throw e;
      const message = e instanceof LogCorruptionError ? e.message : this.goOffline(e, "read");
      return { ...result, error: Errors.KAFKA_STORAGE_ERROR, errorMessage: message };
    }
  }

  /**
   * ListOffsets: the earliest offset ≥ the log start offset whose record timestamp is ≥
   * `timestamp`, or one of the special timestamps EARLIEST (-2), LATEST (-1), MAX_TIMESTAMP (-3),
   * EARLIEST_LOCAL (-4). offset = -1 when no record qualifies.
   */
  offsetForTimestamp(timestamp: number): TimestampLookupResult {
    const none = (error: ErrorInfo, errorMessage: string): TimestampLookupResult => ({
      error,
      errorMessage,
      ...NO_OFFSET_FOUND,
    });
    if (this.offlineReason !== undefined)
      return none(Errors.KAFKA_STORAGE_ERROR, this.offlineMessage("list offsets"));
    if (timestamp === EARLIEST_TIMESTAMP || timestamp === EARLIEST_LOCAL_TIMESTAMP) {
      const leaderEpoch = this.leaderEpochCache.epochForOffset(this.lso);
      return { error: Errors.NONE, timestamp: NO_TIMESTAMP, offset: this.lso, leaderEpoch };
    }
    if (timestamp === LATEST_TIMESTAMP) {
      const leaderEpoch = this.leaderEpochCache.latestEpoch();
      return { error: Errors.NONE, timestamp: NO_TIMESTAMP, offset: this.local.logEndOffset, leaderEpoch };
    }
    if (timestamp < 0 && timestamp !== MAX_TIMESTAMP) {
      return none(
        Errors.INVALID_REQUEST,
        `Cannot list offsets for timestamp ${timestamp}: not a timestamp or special value`,
      );
    }
    try {
      const segments = this.local.segmentList();
      const found =
        timestamp === MAX_TIMESTAMP
          ? searchMaxTimestamp(segments, this.lso)
          : searchByTimestamp(segments, timestamp, this.lso);
      return { error: Errors.NONE, ...found };
    } catch (e) {
      return none(
        Errors.KAFKA_STORAGE_ERROR,
        e instanceof LogCorruptionError ? e.message : this.goOffline(e, "list offsets"),
      );
    }
  }

  /**
   * Every batch holding offsets in [fromOffset, toOffsetExclusive), oldest first (the first may
   * start below fromOffset). For replays such as rebuilding producer state. Do not modify the
   * log while iterating.
   */
  *batchesFrom(fromOffset: number, toOffsetExclusive: number = this.local.logEndOffset): Generator<LogBatch> {
    for (const { segment, batch, bytes } of this.local.batches(fromOffset, toOffsetExclusive)) {
      yield {
        header: readBatchHeader(bytes, 0),
        bytes,
        segmentBaseOffset: segment.baseOffset,
        position: batch.position,
      };
    }
  }

  /** The producer fields of every batch in [fromOffset, toOffsetExclusive), for the producer-state replay. */
  private *producerBatches(fromOffset: number, toOffsetExclusive: number): Generator<ProducerBatchInfo> {
    for (const { header: h } of this.batchesFrom(fromOffset, toOffsetExclusive)) {
      yield {
        producerId: h.producerId,
        producerEpoch: h.producerEpoch,
        baseSequence: h.baseSequence,
        lastOffsetDelta: h.lastOffsetDelta,
        baseOffset: h.baseOffset,
        maxTimestamp: h.maxTimestamp,
        isControl: (h.attributes & CONTROL_FLAG_MASK) !== 0,
      };
    }
  }

  // ---- high watermark, truncation, log start offset ----------------------------------------

  /** Set the high watermark, clamped into [logStartOffset, logEndOffset] (UnifiedLog.updateHighWatermark). Returns it. */
  updateHighWatermark(highWatermark: number): number {
    this.hw = clamp(highWatermark, this.lso, this.local.logEndOffset);
    return this.hw;
  }

  /** Raise the high watermark if `highWatermark` is above it (never lowers it). Returns true if it moved. */
  maybeIncrementHighWatermark(highWatermark: number): boolean {
    if (highWatermark <= this.hw) return false;
    const before = this.hw;
    this.updateHighWatermark(highWatermark);
    return this.hw > before;
  }

  /**
   * Follower truncation (UnifiedLog.truncateTo): remove the batch holding `targetOffset` and
   * everything after it, trim the leader-epoch cache, lower the recovery point, the high
   * watermark and (as Kafka) the log start offset to the new end. A target at or above the log
   * end offset removes nothing (the epoch cache is still trimmed); a target below the first
   * segment empties the log and restarts it there.
   */
  truncateTo(targetOffset: number, now: number): TruncateResult {
    if (!Number.isSafeInteger(targetOffset) || targetOffset < 0) {
      throw new RangeError(`Cannot truncate ${this.name()} to offset ${targetOffset}`);
    }
    return this.truncation("truncate", () => {
      if (targetOffset >= this.local.logEndOffset) {
        this.leaderEpochCache.truncateFromEnd(targetOffset);
        return false;
      }
      if (this.local.firstSegmentBaseOffset > targetOffset) {
        this.restartAt(targetOffset, now);
        return true;
      }
      const end = this.local.truncateTo(targetOffset);
      this.leaderEpochCache.truncateFromEnd(end);
      this.lso = Math.min(this.lso, end);
      this.hw = Math.min(this.hw, end);
      return true;
    });
  }

  /** Delete every segment and restart the log empty at `newOffset` (UnifiedLog.truncateFullyAndStartAt). */
  truncateFullyAndStartAt(newOffset: number, now: number): TruncateResult {
    if (!Number.isSafeInteger(newOffset) || newOffset < 0) {
      throw new RangeError(`Cannot restart ${this.name()} at offset ${newOffset}`);
    }
    return this.truncation("truncate fully", () => {
      this.restartAt(newOffset, now);
      return true;
    });
  }

  private truncation(what: string, run: () => boolean): TruncateResult {
    if (this.offlineReason !== undefined) {
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: this.offlineMessage(what),
        truncated: false,
        logEndOffset: this.logEndOffset,
      };
    }
    try {
      const truncated = run();
      if (truncated) {
        // ProducerStateManager.truncateAndReload: forget state above the new end.
        this.producerState.reload(this.lso, this.logEndOffset, (from, to) => this.producerBatches(from, to));
        for (const l of this.listeners) l.onTruncate?.(this.logEndOffset);
      }
      return { error: Errors.NONE, truncated, logEndOffset: this.logEndOffset };
    } catch (e) {
      const errorMessage = this.goOffline(e, what);
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage,
        truncated: false,
        logEndOffset: this.logEndOffset,
      };
    }
  }

  private restartAt(newOffset: number, now: number): void {
    this.local.truncateFullyAndStartAt(newOffset, now);
    this.producerState.truncateFullyAndStartAt(newOffset);
    this.leaderEpochCache.clear();
    this.lso = newOffset;
    this.hw = newOffset;
  }

  /**
   * DeleteRecords (UnifiedLog.maybeIncrementLogStartOffset): move the log start offset up to
   * `offset` (-1 means the high watermark). Segments wholly below it go at the next retention
   * run. Above the high watermark: OFFSET_OUT_OF_RANGE.
   */
  deleteRecordsBefore(offset: number): DeleteRecordsResult {
    if (this.offlineReason !== undefined) {
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: this.offlineMessage("delete records"),
        lowWatermark: this.lso,
      };
    }
    const target = offset === -1 ? this.hw : offset;
    if (!Number.isSafeInteger(target) || target < 0 || target > this.hw) {
      return {
        error: Errors.OFFSET_OUT_OF_RANGE,
        errorMessage: `Cannot delete records of ${this.name()} before offset ${offset}: it is above the high watermark ${this.hw}`,
        lowWatermark: this.lso,
      };
    }
    try {
      if (target > this.lso) this.incrementLogStartOffset(target);
    } catch (e) {
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: this.goOffline(e, "delete records"),
        lowWatermark: this.lso,
      };
    }
    return { error: Errors.NONE, lowWatermark: this.lso };
  }

  private incrementLogStartOffset(offset: number): void {
    this.lso = offset;
    this.leaderEpochCache.truncateFromStart(offset);
    this.producerState.onLogStartOffsetIncremented(offset);
    for (const l of this.listeners) l.onLogStartOffsetIncremented?.(offset);
  }

  // ---- retention -----------------------------------------------------------------------------

  /**
   * UnifiedLog.deleteOldSegments: ask the `selectSegmentsForRetention` seam which old segments
   * to delete (log start offset, retention.bytes, retention.ms; never the active segment or
   * past the high watermark; retention.ts), rename their files `.deleted`, advance the log start
   * offset, and delete `.deleted` files whose file.delete.delay.ms has passed.
   */
  deleteOldSegments(now: number): RetentionResult {
    if (this.offlineReason !== undefined) {
      const errorMessage = this.offlineMessage("delete old segments");
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage,
        deletedSegments: [],
        logStartOffset: this.lso,
      };
    }
    const infos = this.local.segmentInfos();
    const config = {
      retentionMs: this.cfg.retentionMs,
      retentionBytes: this.cfg.retentionBytes,
      deleteEnabled: deletesByRetention(this.cfg),
    };
    const selected = this.seams.selectSegmentsForRetention(infos, now, config, this.lso, this.hw);
    selected.forEach((base, k) => {
      const info = infos[k];
      if (info === undefined || info.baseOffset !== base || info.isActive) {
        const all = infos.map((i) => i.baseOffset).join(", ");
        throw new SeamContractError(
          `selectSegmentsForRetention must return a prefix of the inactive segments' base offsets; got [${selected.join(", ")}] for [${all}]`,
        );
      }
    });
    const newStart = infos[selected.length]!.baseOffset;
    if (selected.length > 0 && newStart > this.hw) {
      throw new SeamContractError(
        `selectSegmentsForRetention would move the log start offset to ${newStart}, above the high watermark ${this.hw}`,
      );
    }
    try {
      if (selected.length > 0) {
        this.local.removeOldestSegments(selected.length, now + this.cfg.fileDeleteDelayMs);
        if (newStart > this.lso) this.incrementLogStartOffset(newStart);
        this.producerState.deleteSnapshotsBefore(this.local.firstSegmentBaseOffset);
        for (const l of this.listeners) l.onSegmentsDeleted?.(selected);
      }
      this.local.deleteExpiredFiles(now);
    } catch (e) {
      const errorMessage = this.goOffline(e, "delete old segments");
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage,
        deletedSegments: [],
        logStartOffset: this.lso,
      };
    }
    return { error: Errors.NONE, deletedSegments: selected, logStartOffset: this.lso };
  }

  /** Delete `.deleted` files whose file.delete.delay.ms has passed. Returns how many files were deleted. */
  deleteExpiredFiles(now: number): number {
    return this.local.deleteExpiredFiles(now);
  }

  // ---- flush and close -------------------------------------------------------------------------

  /**
   * fsync every segment with data below `upToOffsetExclusive` (default: the log end offset),
   * their indexes, and the directory if segment files were created since the last flush; then
   * advance the recovery point to that offset (LocalLog.flush + markFlushed).
   */
  flush(now: number, upToOffsetExclusive: number = this.local.logEndOffset): FlushResult {
    return this.flushing("flush", () => this.flushInternal(upToOffsetExclusive, now));
  }

  /** True when flush.ms has passed since the last flush and something is unflushed (LogManager.flushDirtyLogs). */
  flushDue(now: number): boolean {
    return this.unflushedMessages > 0 && now - this.local.lastFlushTime >= this.cfg.flushMs;
  }

  /**
   * Orderly close: write the final time-index entries and pending index entries, flush
   * everything (the recovery point becomes the log end offset). The broker then checkpoints
   * and writes the clean-shutdown marker (LogManager.close).
   */
  close(now: number): FlushResult {
    return this.flushing("close", () => {
      this.stats.flushes++;
      const n = this.local.close(now);
      this.producerState.takeSnapshot(); // clean shutdown: the next open replays nothing
      return n;
    });
  }

  private flushInternal(upTo: number, now: number): number {
    this.stats.flushes++;
    return this.local.flush(upTo, now);
  }

  private flushing(what: string, run: () => number): FlushResult {
    if (this.offlineReason !== undefined) {
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: this.offlineMessage(what),
        recoveryPoint: this.recoveryPoint,
        segmentsFlushed: 0,
      };
    }
    try {
      const segmentsFlushed = run();
      return { error: Errors.NONE, recoveryPoint: this.recoveryPoint, segmentsFlushed };
    } catch (e) {
      const errorMessage = this.goOffline(e, what);
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
    this.local.deleteAll();
    this.offlineReason = "the log was deleted";
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private segmentSettings(): SegmentSettings {
    return { indexIntervalBytes: this.cfg.indexIntervalBytes, segmentIndexBytes: this.cfg.segmentIndexBytes };
  }

  private name(): string {
    return `${this.topicPartition.topic}-${this.topicPartition.partition}`;
  }

  private offlineMessage(what: string): string {
    return `Cannot ${what} ${this.name()}: the log is offline after a disk error (${this.offlineReason ?? ""})`;
  }

  /** A disk error: the log goes offline (Kafka's LogDirFailureChannel). Other errors are bugs and rethrown. */
  private goOffline(e: unknown, what: string): string {
    if (!(e instanceof DiskError)) throw e;
    this.offlineReason = e.message;
    return `Cannot ${what} ${this.name()}: ${e.message}; the log is offline until it is reopened`;
  }
}

/** The producer fields of validated batches, read from their headers (offsets filled in after the append). */
function producerInfos(data: Uint8Array, batches: readonly ValidBatch[]): ProducerBatchInfo[] {
  const dv = dataView(data);
  return batches.map((b) => ({
    producerId: int64At(dv, b.position + PRODUCER_ID_AT),
    producerEpoch: dv.getInt16(b.position + PRODUCER_EPOCH_AT),
    baseSequence: dv.getInt32(b.position + BASE_SEQUENCE_AT),
    lastOffsetDelta: b.lastOffsetDelta,
    baseOffset: -1,
    maxTimestamp: b.maxTimestamp,
    isControl: (dv.getInt16(b.position + ATTRIBUTES_AT) & CONTROL_MASK) !== 0,
  }));
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
