/**
 * The log of one partition replica: Kafka's UnifiedLog + LocalLog without tiered storage,
 * producer state or transactions (the broker layers those on top through the listener hooks).
 * A sorted list of segments, the last one active; appends go to the active segment, which rolls
 * on segment.bytes, segment.ms, a full index, or relative-offset overflow.
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
 * is reopened, whose recovery repairs whatever the failed write left behind.
 *
 * Departures from Kafka:
 * - Time is a parameter (`now`), never read from a clock; there is no background scheduler: the
 *   flush Kafka schedules right after a roll runs synchronously inside the roll.
 * - Truncation (truncateTo, truncateFullyAndStartAt) is made durable at once (fsync of the
 *   truncated segment and of the directory). Kafka leaves it in the page cache and relies on
 *   re-truncating by leader epoch after a restart; this log must be correct on its own.
 * - truncateTo cuts at the start of the batch holding the target offset and reports the
 *   resulting log end offset (Kafka sets the log end offset to the target even mid-batch).
 * - Files of segments removed by truncation are deleted at once; retention renames them to
 *   `.deleted` and deletes them file.delete.delay.ms later, when `deleteOldSegments` or
 *   `deleteExpiredFiles` next runs.
 */
import {
  Errors,
  type ErrorInfo,
  type BatchHeader,
  readBatchHeader,
  NO_TIMESTAMP,
  PARTITION_LEADER_EPOCH_OFFSET,
  ATTRIBUTES_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  CRC_OFFSET,
  TIMESTAMP_TYPE_MASK,
  crc32c,
} from "../protocol";
import { DiskError, joinPath, parentDir, type Disk } from "./disk";
import { DEFAULT_LOG_CONFIG, deletesByRetention, type LogConfig } from "./log-config";
import {
  DEFAULT_LOG_SEAMS,
  defaultFindSegment,
  defaultLookupIndex,
  type LogSeams,
  type SegmentInfo,
} from "./seams";
import {
  LogCorruptionError,
  LogSegment,
  SeamContractError,
  type AppendedBatch,
  type SegmentSettings,
} from "./segment";
import { validateAppend, type AppendOrigin } from "./append-validation";
import { loadLog, type RecoveryReport } from "./recovery";
import { dataView, setInt64At } from "./batch-scan";
import { LEADER_EPOCH_CHECKPOINT_FILENAME, LeaderEpochFileCache } from "./leader-epoch-cache";
import { CorruptCheckpointError } from "./checkpoint-file";
import type { TopicPartition } from "./topic-partition";
import {
  EARLIEST_LOCAL_TIMESTAMP,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  MAX_TIMESTAMP,
  NO_OFFSET_FOUND,
  searchByTimestamp,
  searchMaxTimestamp,
  type TimestampAndOffset,
} from "./timestamp-search";

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

const EMPTY = new Uint8Array(0);
// Module-local copies of protocol constants used per batch (see batch-scan.ts).
const EPOCH_AT = PARTITION_LEADER_EPOCH_OFFSET;
const ATTRIBUTES_AT = ATTRIBUTES_OFFSET;
const MAX_TIMESTAMP_AT = MAX_TIMESTAMP_OFFSET;
const CRC_AT = CRC_OFFSET;
const LOG_APPEND_TIME_FLAG = TIMESTAMP_TYPE_MASK;
const NO_TS = NO_TIMESTAMP;
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
  private cfg: LogConfig;
  private segments: LogSegment[];
  private baseOffsets: number[];
  private lso: number;
  private leo: number;
  private hw: number;
  private rp: number;
  private lastFlushTimeMs: number;
  /** Segment files were created since the last flush: the next flush fsyncs the directory. */
  private dirNeedsFsync = true;
  private pendingDeletes: { paths: string[]; deleteAtMs: number }[] = [];
  private listeners: LogListener[] = [];
  private offlineReason: string | undefined;
  private scratch = new Uint8Array(64 * 1024);

  private constructor(o: PartitionLogOptions) {
    this.disk = o.disk;
    this.dir = o.dir;
    this.topicPartition = o.topicPartition;
    this.cfg = o.config ?? DEFAULT_LOG_CONFIG;
    this.seams = o.seams ?? DEFAULT_LOG_SEAMS;
    const notes: string[] = [];
    mkdirsDurably(o.disk, o.dir);
    let cache: LeaderEpochFileCache;
    let rebuildEpochs = false;
    try {
      cache = LeaderEpochFileCache.load(o.disk, o.dir, this.seams.writeCheckpoint);
    } catch (e) {
      if (!(e instanceof CorruptCheckpointError)) throw e;
      // Rebuild the cache from the partitionLeaderEpoch of every batch: a full recovery scan.
      notes.push(`${e.message}: rebuilding the leader-epoch cache with a full scan`);
      rebuildEpochs = true;
      cache = new LeaderEpochFileCache({
        disk: o.disk,
        path: joinPath(o.dir, LEADER_EPOCH_CHECKPOINT_FILENAME),
        writer: this.seams.writeCheckpoint,
      });
    }
    const loaded = loadLog({
      disk: o.disk,
      dir: o.dir,
      settings: this.settings(),
      seams: this.seams,
      now: o.now,
      recoveryPoint: rebuildEpochs ? undefined : o.recoveryPoint,
      logStartOffset: o.logStartOffset,
      hadCleanShutdown: (o.hadCleanShutdown ?? false) && !rebuildEpochs,
      onBatch: (epoch, baseOffset) => {
        if (epoch >= 0 && epoch > (cache.latestEpoch() ?? -1)) cache.assign(epoch, baseOffset);
      },
    });
    loaded.report.notes.push(...notes);
    this.segments = loaded.segments;
    this.baseOffsets = loaded.segments.map((s) => s.baseOffset);
    this.lso = loaded.logStartOffset;
    this.leo = loaded.logEndOffset;
    this.rp = loaded.recoveryPoint;
    this.hw = clamp(o.highWatermark ?? this.lso, this.lso, this.leo);
    this.lastFlushTimeMs = o.now;
    // LogLoader: the epoch cache may not describe offsets the log no longer has.
    cache.truncateFromEnd(this.leo);
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
    return this.leo;
  }
  /** Exclusive end of committed data, as last set by `updateHighWatermark`. */
  get highWatermark(): number {
    return this.hw;
  }
  /** Everything below this offset has been fsynced. */
  get recoveryPoint(): number {
    return this.rp;
  }
  /** Offsets appended since the last flush (Kafka's unflushedMessages). */
  get unflushedMessages(): number {
    return this.leo - this.rp;
  }
  get lastFlushTime(): number {
    return this.lastFlushTimeMs;
  }
  /** Total bytes of all segments' .log files. */
  get size(): number {
    let n = 0;
    for (const s of this.segments) n += s.sizeInBytes;
    return n;
  }
  get numberOfSegments(): number {
    return this.segments.length;
  }
  get activeSegmentBaseOffset(): number {
    return this.active().baseOffset;
  }
  /** Why the log is offline, or undefined while it is usable. */
  get offline(): string | undefined {
    return this.offlineReason;
  }
  /** Base offset of the first segment (Kafka's localLogStartOffset floor). */
  get firstSegmentBaseOffset(): number {
    return this.segments[0]!.baseOffset;
  }

  /** What retention sees, oldest first. */
  segmentInfos(): SegmentInfo[] {
    return this.segments.map((s, i) => ({
      baseOffset: s.baseOffset,
      endOffset: i + 1 < this.segments.length ? this.segments[i + 1]!.baseOffset : this.leo,
      sizeInBytes: s.sizeInBytes,
      largestTimestamp: s.largestTimestamp,
      isActive: i === this.segments.length - 1,
    }));
  }

  /** Direct access for tests and labs that inspect files; do not mutate. */
  segmentList(): readonly LogSegment[] {
    return this.segments;
  }

  addListener(listener: LogListener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Change the config (topic config update). Applies to segments created from now on for index settings. */
  updateConfig(config: LogConfig): void {
    this.cfg = config;
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
    if (this.offlineReason !== undefined)
      return this.appendFailure(Errors.KAFKA_STORAGE_ERROR, this.offlineMessage("append"));
    // Our own copy, made first: we never keep or modify the caller's bytes, and validating the
    // copy reads the bytes while they are hot in the CPU cache (one pass over the input).
    const data = records instanceof Uint8Array ? this.copyOf(records) : concat(records);
    const v = validateAppend(data, origin, this.cfg, now);
    if (!v.ok) return this.appendFailure(v.error, `${v.message} (partition ${this.name()})`);
    if (v.batches.length === 0) return this.appendFailure(Errors.NONE, undefined);
    const asLeader = origin !== "replication";
    if (!asLeader && v.batches[0]!.baseOffset !== this.leo) {
      return this.appendFailure(
        Errors.UNKNOWN_SERVER_ERROR,
        `Cannot append to ${this.name()} as follower: first batch base offset ${v.batches[0]!.baseOffset} is not the log end offset ${this.leo}`,
      );
    }
    const logAppendTime = asLeader && this.cfg.messageTimestampType === "LogAppendTime";
    const dv = dataView(data);
    const appended: AppendedBatch[] = [];
    const epochStarts: [number, number][] = [];
    let next = this.leo;
    let maxTimestamp = NO_TS;
    for (const b of v.batches) {
      const base = next;
      let epoch = b.partitionLeaderEpoch;
      let batchMaxTs = b.maxTimestamp;
      if (asLeader) {
        setInt64At(dv, b.position, base);
        dv.setInt32(b.position + EPOCH_AT, leaderEpoch);
        epoch = leaderEpoch;
        if (logAppendTime) {
          // DefaultRecordBatch.setMaxTimestamp: timestamp type bit, maxTimestamp, then a new CRC.
          dv.setInt16(
            b.position + ATTRIBUTES_AT,
            dv.getInt16(b.position + ATTRIBUTES_AT) | LOG_APPEND_TIME_FLAG,
          );
          setInt64At(dv, b.position + MAX_TIMESTAMP_AT, now);
          dv.setUint32(b.position + CRC_AT, crc32c(data, b.position + ATTRIBUTES_AT, b.position + b.size));
          batchMaxTs = now;
        }
      }
      const lastOffset = base + b.lastOffsetDelta;
      appended.push({ lastOffset, maxTimestamp: batchMaxTs, size: b.size });
      if (epoch >= 0) epochStarts.push([epoch, base]);
      if (batchMaxTs > maxTimestamp) maxTimestamp = batchMaxTs;
      next = lastOffset + 1;
    }
    const firstOffset = this.leo;
    try {
      this.maybeRoll(v.totalBytes, maxTimestamp, next - 1, now);
      this.active().append(data, appended, now);
      this.leo = next;
      // UnifiedLog.append: maybeAssignEpochStartOffset for every v2 batch.
      for (const [epoch, start] of epochStarts) {
        if (epoch > (this.leaderEpochCache.latestEpoch() ?? -1)) this.leaderEpochCache.assign(epoch, start);
      }
      this.stats.appends++;
      if (this.unflushedMessages >= this.cfg.flushMessages) this.flushInternal(now, this.leo);
    } catch (e) {
      return this.appendFailure(Errors.KAFKA_STORAGE_ERROR, this.goOffline(e, "append"));
    }
    return {
      error: Errors.NONE,
      firstOffset,
      lastOffset: next - 1,
      maxTimestamp,
      logAppendTime: logAppendTime ? now : NO_TS,
      logStartOffset: this.lso,
      numMessages: next - firstOffset,
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

  /** UnifiedLog.maybeRoll: roll before an append that the active segment should not take. */
  private maybeRoll(
    messagesSize: number,
    maxTimestampInMessages: number,
    maxOffsetInMessages: number,
    now: number,
  ): void {
    const segment = this.active();
    if (segment.sizeInBytes === 0) return; // an empty segment takes any single append
    const reason = segment.shouldRoll({
      now,
      maxTimestampInMessages,
      messagesSize,
      maxOffsetInMessages,
      segmentBytes: this.cfg.segmentBytes,
      segmentMs: this.cfg.segmentMs,
    });
    if (reason !== undefined) this.rollInternal(now);
  }

  /** Roll now if the active segment is not empty (Kafka's UnifiedLog.roll). Returns the active segment's base offset. */
  roll(now: number): number {
    if (this.offlineReason === undefined && this.active().sizeInBytes > 0) {
      try {
        this.rollInternal(now);
      } catch (e) {
        this.goOffline(e, "roll");
      }
    }
    return this.active().baseOffset;
  }

  private rollInternal(now: number): void {
    const newBase = this.leo;
    this.active().onBecomeInactive();
    const segment = LogSegment.create(this.disk, this.dir, newBase, this.settings(), now);
    this.segments.push(segment);
    this.baseOffsets.push(newBase);
    this.dirNeedsFsync = true;
    this.stats.rolls++;
    for (const l of this.listeners) l.onRoll?.(newBase, now);
    // UnifiedLog.roll schedules flushUptoOffsetExclusive(newSegment.baseOffset) at once.
    this.flushInternal(now, newBase);
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
    maxOffsetExclusive: number = this.leo,
    minOneMessage = true,
  ): ReadResult {
    const result: ReadResult = {
      error: Errors.NONE,
      records: EMPTY,
      logStartOffset: this.lso,
      logEndOffset: this.leo,
      highWatermark: this.hw,
      segmentBaseOffset: -1,
      position: -1,
      bytesScanned: 0,
      batchesScanned: 0,
    };
    if (this.offlineReason !== undefined)
      return { ...result, error: Errors.KAFKA_STORAGE_ERROR, errorMessage: this.offlineMessage("read") };
    if (!Number.isInteger(fetchOffset) || fetchOffset < this.lso || fetchOffset > this.leo) {
      return {
        ...result,
        error: Errors.OFFSET_OUT_OF_RANGE,
        errorMessage: `Cannot read ${this.name()} at offset ${fetchOffset}: outside [log start offset ${this.lso}, log end offset ${this.leo}]`,
      };
    }
    this.stats.reads++;
    const limit = Math.min(maxOffsetExclusive, this.leo);
    if (fetchOffset >= limit) return result;
    const i = this.seams.findSegment(this.baseOffsets, fetchOffset);
    if (!Number.isInteger(i) || i < -1 || i >= this.segments.length) {
      throw new SeamContractError(`findSegment returned ${i} for ${this.segments.length} segments`);
    }
    if (i < 0) return result;
    try {
      for (let j = i; j < this.segments.length; j++) {
        const seg = this.segments[j]!;
        const r = seg.read(fetchOffset, Math.max(0, maxBytes), limit, minOneMessage, this.seams.lookupIndex);
        result.bytesScanned += r.lookup.bytesScanned;
        result.batchesScanned += r.lookup.batchesScanned;
        if (r.lookup.batch !== undefined) {
          result.records = r.records;
          result.segmentBaseOffset = seg.baseOffset;
          result.position = r.lookup.batch.position;
          break;
        }
      }
    } catch (e) {
      if (e instanceof SeamContractError) throw e;
      const message = e instanceof LogCorruptionError ? e.message : this.goOffline(e, "read");
      return { ...result, error: Errors.KAFKA_STORAGE_ERROR, errorMessage: message };
    } finally {
      this.stats.bytesScanned += result.bytesScanned;
    }
    return result;
  }

  /**
   * ListOffsets: the earliest offset whose record timestamp is ≥ `timestamp`, or one of the
   * special timestamps EARLIEST (-2), LATEST (-1), MAX_TIMESTAMP (-3), EARLIEST_LOCAL (-4).
   * offset = -1 when no record qualifies.
   */
  offsetForTimestamp(timestamp: number): TimestampLookupResult {
    const ok = (t: TimestampAndOffset): TimestampLookupResult => ({ error: Errors.NONE, ...t });
    if (this.offlineReason !== undefined)
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: this.offlineMessage("list offsets"),
        ...NO_OFFSET_FOUND,
      };
    const epochAt = (offset: number): number | undefined => this.leaderEpochCache.epochForOffset(offset);
    if (timestamp === EARLIEST_TIMESTAMP || timestamp === EARLIEST_LOCAL_TIMESTAMP) {
      return ok({ timestamp: NO_TIMESTAMP, offset: this.lso, leaderEpoch: epochAt(this.lso) });
    }
    if (timestamp === LATEST_TIMESTAMP)
      return ok({
        timestamp: NO_TIMESTAMP,
        offset: this.leo,
        leaderEpoch: this.leaderEpochCache.latestEpoch(),
      });
    try {
      if (timestamp === MAX_TIMESTAMP) return ok(searchMaxTimestamp(this.segments, this.lso));
      if (timestamp < 0) {
        return {
          error: Errors.INVALID_REQUEST,
          errorMessage: `Cannot list offsets for timestamp ${timestamp}: not a timestamp or special value`,
          ...NO_OFFSET_FOUND,
        };
      }
      return ok(searchByTimestamp(this.segments, timestamp, this.lso));
    } catch (e) {
      const message = e instanceof LogCorruptionError ? e.message : this.goOffline(e, "list offsets");
      return { error: Errors.KAFKA_STORAGE_ERROR, errorMessage: message, ...NO_OFFSET_FOUND };
    }
  }

  /**
   * Every batch holding offsets in [fromOffset, toOffsetExclusive), oldest first (the first may
   * start below fromOffset). For replays such as rebuilding producer state. Do not modify the
   * log while iterating.
   */
  *batchesFrom(fromOffset: number, toOffsetExclusive: number = this.leo): Generator<LogBatch> {
    const i = Math.max(0, defaultFindSegment(this.baseOffsets, fromOffset));
    for (let j = i; j < this.segments.length; j++) {
      const seg = this.segments[j]!;
      if (seg.baseOffset >= toOffsetExclusive) return;
      const start = defaultLookupIndex(seg.offsetIndex.view(), Math.max(0, fromOffset - seg.baseOffset));
      for (const { batch, bytes } of seg.batches(start)) {
        if (batch.lastOffset < fromOffset) continue;
        if (batch.baseOffset >= toOffsetExclusive) return;
        yield {
          header: readBatchHeader(bytes, 0),
          bytes,
          segmentBaseOffset: seg.baseOffset,
          position: batch.position,
        };
      }
    }
  }

  // ---- high watermark, truncation, log start offset ----------------------------------------

  /** Set the high watermark, clamped into [logStartOffset, logEndOffset] (UnifiedLog.updateHighWatermark). Returns it. */
  updateHighWatermark(highWatermark: number): number {
    this.hw = clamp(highWatermark, this.lso, this.leo);
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
   * everything after it, trim the leader-epoch cache, lower the recovery point and high
   * watermark. A target at or above the log end offset removes nothing (the epoch cache is
   * still trimmed); a target below the first segment empties the log and restarts it there.
   */
  truncateTo(targetOffset: number, now: number): TruncateResult {
    if (this.offlineReason !== undefined)
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: this.offlineMessage("truncate"),
        truncated: false,
        logEndOffset: this.leo,
      };
    if (!Number.isSafeInteger(targetOffset) || targetOffset < 0)
      throw new RangeError(`Cannot truncate ${this.name()} to offset ${targetOffset}`);
    try {
      if (targetOffset >= this.leo) {
        this.leaderEpochCache.truncateFromEnd(targetOffset);
        return { error: Errors.NONE, truncated: false, logEndOffset: this.leo };
      }
      if (this.segments[0]!.baseOffset > targetOffset) {
        this.truncateFullyInternal(targetOffset, now);
        return { error: Errors.NONE, truncated: true, logEndOffset: this.leo };
      }
      let keep = this.segments.length;
      while (keep > 1 && this.segments[keep - 1]!.baseOffset > targetOffset) keep--;
      const removed = this.segments.splice(keep);
      this.baseOffsets.splice(keep);
      for (const s of removed) s.deleteFiles();
      const active = this.active();
      const { nextOffset } = active.truncateTo(targetOffset);
      active.flush();
      if (removed.length > 0) this.disk.fsyncDir(this.dir);
      this.leo = nextOffset ?? this.leo;
      this.leaderEpochCache.truncateFromEnd(this.leo);
      this.lso = Math.min(this.lso, this.leo);
      this.rp = Math.min(this.rp, this.leo);
      this.hw = Math.min(this.hw, this.leo);
      for (const l of this.listeners) l.onTruncate?.(this.leo);
      return { error: Errors.NONE, truncated: true, logEndOffset: this.leo };
    } catch (e) {
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: this.goOffline(e, "truncate"),
        truncated: false,
        logEndOffset: this.leo,
      };
    }
  }

  /** Delete every segment and restart the log empty at `newOffset` (UnifiedLog.truncateFullyAndStartAt). */
  truncateFullyAndStartAt(newOffset: number, now: number): TruncateResult {
    if (this.offlineReason !== undefined)
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: this.offlineMessage("truncate"),
        truncated: false,
        logEndOffset: this.leo,
      };
    if (!Number.isSafeInteger(newOffset) || newOffset < 0)
      throw new RangeError(`Cannot restart ${this.name()} at offset ${newOffset}`);
    try {
      this.truncateFullyInternal(newOffset, now);
      return { error: Errors.NONE, truncated: true, logEndOffset: this.leo };
    } catch (e) {
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: this.goOffline(e, "truncate"),
        truncated: false,
        logEndOffset: this.leo,
      };
    }
  }

  private truncateFullyInternal(newOffset: number, now: number): void {
    for (const s of this.segments) s.deleteFiles();
    const segment = LogSegment.create(this.disk, this.dir, newOffset, this.settings(), now);
    this.segments = [segment];
    this.baseOffsets = [newOffset];
    segment.flush();
    this.disk.fsyncDir(this.dir);
    this.dirNeedsFsync = false;
    this.leaderEpochCache.clear();
    this.lso = newOffset;
    this.leo = newOffset;
    this.rp = newOffset;
    this.hw = newOffset;
    for (const l of this.listeners) l.onTruncate?.(this.leo);
  }

  /**
   * DeleteRecords (UnifiedLog.maybeIncrementLogStartOffset): move the log start offset up to
   * `offset` (-1 means the high watermark). Segments wholly below it go at the next retention
   * run. Above the high watermark: OFFSET_OUT_OF_RANGE.
   */
  deleteRecordsBefore(offset: number): DeleteRecordsResult {
    if (this.offlineReason !== undefined)
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: this.offlineMessage("delete records"),
        lowWatermark: this.lso,
      };
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
    for (const l of this.listeners) l.onLogStartOffsetIncremented?.(offset);
  }

  // ---- retention -----------------------------------------------------------------------------

  /**
   * UnifiedLog.deleteOldSegments: ask the `selectSegmentsForRetention` seam which old segments
   * to delete (log start offset, retention.bytes, retention.ms; never the active segment or
   * past the high watermark), rename their files to `.deleted`, and advance the log start offset.
   */
  deleteOldSegments(now: number): RetentionResult {
    if (this.offlineReason !== undefined)
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: this.offlineMessage("delete old segments"),
        deletedSegments: [],
        logStartOffset: this.lso,
      };
    const infos = this.segmentInfos();
    const selected = this.seams.selectSegmentsForRetention(
      infos,
      now,
      {
        retentionMs: this.cfg.retentionMs,
        retentionBytes: this.cfg.retentionBytes,
        deleteEnabled: deletesByRetention(this.cfg),
      },
      this.lso,
      this.hw,
    );
    selected.forEach((base, k) => {
      const info = infos[k];
      if (info === undefined || info.baseOffset !== base || info.isActive) {
        throw new SeamContractError(
          `selectSegmentsForRetention must return a prefix of the inactive segments' base offsets; got [${selected.join(", ")}] for [${this.baseOffsets.join(", ")}]`,
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
        const removed = this.segments.splice(0, selected.length);
        this.baseOffsets.splice(0, selected.length);
        for (const s of removed)
          this.pendingDeletes.push({ paths: s.markDeleted(), deleteAtMs: now + this.cfg.fileDeleteDelayMs });
        if (newStart > this.lso) this.incrementLogStartOffset(newStart);
        for (const l of this.listeners) l.onSegmentsDeleted?.(selected);
      }
      this.deleteExpiredFiles(now);
    } catch (e) {
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: this.goOffline(e, "delete old segments"),
        deletedSegments: [],
        logStartOffset: this.lso,
      };
    }
    return { error: Errors.NONE, deletedSegments: selected, logStartOffset: this.lso };
  }

  /** Delete `.deleted` files whose file.delete.delay.ms has passed. Returns how many files were deleted. */
  deleteExpiredFiles(now: number): number {
    let n = 0;
    const keep: { paths: string[]; deleteAtMs: number }[] = [];
    for (const p of this.pendingDeletes) {
      if (p.deleteAtMs > now) {
        keep.push(p);
        continue;
      }
      for (const path of p.paths) {
        if (this.disk.exists(path)) {
          this.disk.delete(path);
          n++;
        }
      }
    }
    this.pendingDeletes = keep;
    return n;
  }

  // ---- flush and close -------------------------------------------------------------------------

  /**
   * fsync every segment with data below `upToOffsetExclusive` (default: the log end offset),
   * their indexes, and the directory if segment files were created since the last flush; then
   * advance the recovery point to that offset (LocalLog.flush + markFlushed).
   */
  flush(now: number, upToOffsetExclusive: number = this.leo): FlushResult {
    if (this.offlineReason !== undefined)
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: this.offlineMessage("flush"),
        recoveryPoint: this.rp,
        segmentsFlushed: 0,
      };
    try {
      const n = this.flushInternal(now, upToOffsetExclusive);
      return { error: Errors.NONE, recoveryPoint: this.rp, segmentsFlushed: n };
    } catch (e) {
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: this.goOffline(e, "flush"),
        recoveryPoint: this.rp,
        segmentsFlushed: 0,
      };
    }
  }

  /** True when flush.ms has passed since the last flush (LogManager.flushDirtyLogs' test). */
  flushDue(now: number): boolean {
    return this.leo > this.rp && now - this.lastFlushTimeMs >= this.cfg.flushMs;
  }

  private flushInternal(now: number, upTo: number): number {
    const limit = Math.min(upTo, this.leo);
    let n = 0;
    for (const s of this.segments) {
      if (s.baseOffset >= limit && !(s.baseOffset === this.leo && limit === this.leo)) break;
      if (s.flush()) n++;
    }
    if (this.dirNeedsFsync) {
      this.disk.fsyncDir(this.dir);
      this.dirNeedsFsync = false;
    }
    if (limit > this.rp) this.rp = limit;
    this.lastFlushTimeMs = now;
    this.stats.flushes++;
    return n;
  }

  /**
   * Orderly close: write the final time-index entries and pending index entries, flush
   * everything (the recovery point becomes the log end offset). The broker then checkpoints
   * and writes the clean-shutdown marker (LogManager.close).
   */
  close(now: number): FlushResult {
    if (this.offlineReason !== undefined)
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: this.offlineMessage("close"),
        recoveryPoint: this.rp,
        segmentsFlushed: 0,
      };
    try {
      for (const s of this.segments) s.close();
      this.deleteExpiredFiles(Number.MAX_SAFE_INTEGER);
      const n = this.flushInternal(now, this.leo);
      return { error: Errors.NONE, recoveryPoint: this.rp, segmentsFlushed: n };
    } catch (e) {
      return {
        error: Errors.KAFKA_STORAGE_ERROR,
        errorMessage: this.goOffline(e, "close"),
        recoveryPoint: this.rp,
        segmentsFlushed: 0,
      };
    }
  }

  /** Delete the partition's files and directory (the partition was deleted). The object is unusable afterwards. */
  deleteAll(): void {
    for (const name of this.disk.list(this.dir)) this.disk.delete(joinPath(this.dir, name));
    this.disk.rmdir(this.dir);
    this.offlineReason = "the log was deleted";
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  private settings(): SegmentSettings {
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

/**
 * Create `dir` and any missing parents so that they survive a power loss: each new directory's
 * entry is made durable by fsyncing its parent (a directory is itself an entry of its parent).
 */
export function mkdirsDurably(disk: Disk, dir: string): void {
  const missing: string[] = [];
  for (let d = dir; d !== "" && !disk.exists(d); d = parentDir(d)) missing.push(d);
  if (missing.length === 0) return;
  disk.mkdirs(dir);
  for (const d of missing.reverse()) disk.fsyncDir(parentDir(d));
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
