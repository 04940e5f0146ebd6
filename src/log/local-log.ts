/**
 * The segments of one partition directory (Kafka's LocalLog.scala): the sorted segment list,
 * the log end offset, the recovery point, rolling, reading across segments, truncation,
 * flushing, and handing old segments to deletion. It knows bytes and offsets; what they mean
 * (validation, leader epochs, the high watermark, the log start offset, retention policy,
 * error codes) is PartitionLog's business (partition-log.ts, Kafka's UnifiedLog).
 *
 * Invariants kept: at least one segment; base offsets strictly increase; the last segment is
 * the active one and ends at the log end offset; every other segment ends where the next one
 * begins; recoveryPoint ≤ logEndOffset, and every offset below it was fsynced (log and indexes).
 *
 * Disk errors are thrown (DiskError) for PartitionLog to turn into KAFKA_STORAGE_ERROR; so are
 * LogCorruptionError (trusted bytes that are not batches) and SeamContractError (a seam broke its
 * contract).
 *
 * Departures from Kafka: the flush Kafka schedules after a roll runs inside `roll`; truncation is
 * fsynced at once (see log-truncation.ts); segments removed by truncation are deleted at once.
 */
import { joinPath, parentDir, type Disk } from "./disk";
import { LogSegment, type AppendedBatch, type SegmentSettings } from "./segment";
import {
  SeamContractError,
  defaultFindSegment,
  defaultLookupIndex,
  type LogSeams,
  type SegmentInfo,
} from "./seams";
import { PendingDeletions } from "./retention";
import type { ScannedBatch } from "./batch-scan";

/** What `LocalLog.read` found. */
export interface LocalRead {
  /** Whole batches; empty when nothing qualifies. */
  records: Uint8Array;
  /** Segment read from and file position of the first batch; -1 when nothing was found. */
  segmentBaseOffset: number;
  position: number;
  bytesScanned: number;
  batchesScanned: number;
}

/** The configs `append` needs to decide whether to roll first. */
export interface RollLimits {
  readonly segmentBytes: number;
  readonly segmentMs: number;
}

export class LocalLog {
  private segments: LogSegment[];
  private baseOffsets: number[];
  private leo: number;
  private rp: number;
  private lastFlushTimeMs: number;
  /** Segment files were created since the last flush: the next flush fsyncs the directory. */
  private dirNeedsFsync = true;
  private readonly pendingDeletes: PendingDeletions;
  /** Called after every roll with the new active segment's base offset (UnifiedLog takes producer snapshots there). */
  onRoll: ((newSegmentBaseOffset: number, now: number) => void) | undefined;

  constructor(
    readonly disk: Disk,
    readonly dir: string,
    segments: LogSegment[],
    logEndOffset: number,
    recoveryPoint: number,
    private settings: SegmentSettings,
    now: number,
  ) {
    if (segments.length === 0) throw new Error(`Cannot open log ${dir}: it has no segment`);
    this.segments = segments;
    this.baseOffsets = segments.map((s) => s.baseOffset);
    this.leo = logEndOffset;
    this.rp = Math.min(recoveryPoint, logEndOffset);
    this.lastFlushTimeMs = now;
    this.pendingDeletes = new PendingDeletions(disk);
  }

  // ---- state ---------------------------------------------------------------------------------

  get logEndOffset(): number {
    return this.leo;
  }
  get recoveryPoint(): number {
    return this.rp;
  }
  get lastFlushTime(): number {
    return this.lastFlushTimeMs;
  }
  get size(): number {
    let n = 0;
    for (const s of this.segments) n += s.sizeInBytes;
    return n;
  }
  get numberOfSegments(): number {
    return this.segments.length;
  }
  get activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }
  get firstSegmentBaseOffset(): number {
    return this.segments[0]!.baseOffset;
  }
  segmentList(): readonly LogSegment[] {
    return this.segments;
  }
  segmentBaseOffsets(): readonly number[] {
    return this.baseOffsets;
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

  /** Index settings for segments created from now on (a topic config change). */
  updateSettings(settings: SegmentSettings): void {
    this.settings = settings;
  }

  // ---- append and roll -------------------------------------------------------------------------

  /**
   * Write `data` (validated, stamped batches described by `batches`) at the end of the log,
   * rolling first if the active segment should not take it (UnifiedLog.maybeRoll +
   * LocalLog.append). Returns true if a roll happened.
   */
  append(
    data: Uint8Array,
    batches: readonly AppendedBatch[],
    maxTimestamp: number,
    limits: RollLimits,
    now: number,
  ): boolean {
    const last = batches[batches.length - 1];
    if (last === undefined) return false;
    const active = this.activeSegment;
    let rolled = false;
    // An empty segment takes any single append (Kafka would roll it into another empty one).
    if (active.sizeInBytes > 0) {
      const reason = active.shouldRoll({
        now,
        maxTimestampInMessages: maxTimestamp,
        messagesSize: data.length,
        maxOffsetInMessages: last.lastOffset,
        segmentBytes: limits.segmentBytes,
        segmentMs: limits.segmentMs,
      });
      if (reason !== undefined) {
        this.roll(now);
        rolled = true;
      }
    }
    this.activeSegment.append(data, batches, now);
    this.leo = last.lastOffset + 1;
    return rolled;
  }

  /**
   * Start a new active segment at the log end offset (LocalLog.roll), then flush everything
   * below it, as UnifiedLog.roll schedules at once. No-op on an empty active segment.
   */
  roll(now: number): void {
    if (this.activeSegment.sizeInBytes === 0) return;
    const newBase = this.leo;
    this.activeSegment.onBecomeInactive();
    const segment = LogSegment.create(this.disk, this.dir, newBase, this.settings, now);
    this.segments.push(segment);
    this.baseOffsets.push(newBase);
    this.dirNeedsFsync = true;
    this.onRoll?.(newBase, now);
    this.flush(newBase, now);
  }

  // ---- read --------------------------------------------------------------------------------------

  /**
   * Whole batches from the one holding `fetchOffset` (LocalLog.read): the `findSegment` seam
   * picks the segment, its read walks from the `lookupIndex` seam's position; a segment with
   * nothing at or after the offset passes the read to the next segment.
   */
  read(
    fetchOffset: number,
    maxBytes: number,
    maxOffsetExclusive: number,
    minOneMessage: boolean,
    seams: LogSeams,
  ): LocalRead {
    const out: LocalRead = {
      records: new Uint8Array(0),
      segmentBaseOffset: -1,
      position: -1,
      bytesScanned: 0,
      batchesScanned: 0,
    };
    const i = seams.findSegment(this.baseOffsets, fetchOffset);
    if (!Number.isInteger(i) || i < -1 || i >= this.segments.length) {
      throw new SeamContractError(`findSegment returned ${i} for ${this.segments.length} segments`);
    }
    if (i < 0) return out;
    for (let j = i; j < this.segments.length; j++) {
      const seg = this.segments[j]!;
      const r = seg.read(fetchOffset, maxBytes, maxOffsetExclusive, minOneMessage, seams.lookupIndex);
      out.bytesScanned += r.lookup.bytesScanned;
      out.batchesScanned += r.lookup.batchesScanned;
      if (r.lookup.batch !== undefined) {
        out.records = r.records;
        out.segmentBaseOffset = seg.baseOffset;
        out.position = r.lookup.batch.position;
        break;
      }
    }
    return out;
  }

  /** Batches holding offsets in [fromOffset, toOffsetExclusive), each with a copy of its bytes. */
  *batches(
    fromOffset: number,
    toOffsetExclusive: number,
  ): Generator<{ segment: LogSegment; batch: ScannedBatch; bytes: Uint8Array }> {
    const i = Math.max(0, defaultFindSegment(this.baseOffsets, fromOffset));
    for (let j = i; j < this.segments.length; j++) {
      const segment = this.segments[j]!;
      if (segment.baseOffset >= toOffsetExclusive) return;
      const start = defaultLookupIndex(
        segment.offsetIndex.view(),
        Math.max(0, fromOffset - segment.baseOffset),
      );
      for (const { batch, bytes } of segment.batches(start)) {
        if (batch.lastOffset < fromOffset) continue;
        if (batch.baseOffset >= toOffsetExclusive) return;
        yield { segment, batch, bytes };
      }
    }
  }

  // ---- truncation and deletion -----------------------------------------------------------------

  /**
   * Remove the batch holding `targetOffset` and everything after it (LocalLog.truncateTo):
   * later segments are deleted, the floor segment is cut; both durably. Requires
   * firstSegmentBaseOffset ≤ targetOffset < logEndOffset. Returns the new log end offset.
   */
  truncateTo(targetOffset: number): number {
    if (targetOffset < this.firstSegmentBaseOffset || targetOffset >= this.leo) {
      throw new RangeError(
        `Cannot truncate ${this.dir} to ${targetOffset}: outside [${this.firstSegmentBaseOffset}, ${this.leo})`,
      );
    }
    let keep = this.segments.length;
    while (keep > 1 && this.segments[keep - 1]!.baseOffset > targetOffset) keep--;
    const removed = this.segments.splice(keep);
    this.baseOffsets.splice(keep);
    for (const s of removed) s.deleteFiles();
    const active = this.activeSegment;
    const { nextOffset } = active.truncateTo(targetOffset);
    active.flush();
    if (removed.length > 0) this.disk.fsyncDir(this.dir);
    this.leo = nextOffset ?? this.leo;
    this.rp = Math.min(this.rp, this.leo);
    return this.leo;
  }

  /** Delete every segment and start empty at `newOffset`, durably (LocalLog.truncateFullyAndStartAt). */
  truncateFullyAndStartAt(newOffset: number, now: number): void {
    for (const s of this.segments) s.deleteFiles();
    const segment = LogSegment.create(this.disk, this.dir, newOffset, this.settings, now);
    this.segments = [segment];
    this.baseOffsets = [newOffset];
    segment.flush();
    this.disk.fsyncDir(this.dir);
    this.dirNeedsFsync = false;
    this.leo = newOffset;
    this.rp = newOffset;
  }

  /**
   * Take the `count` oldest segments out of the log (never the active one) and rename their
   * files `.deleted`, to be deleted at `deleteAtMs` (LocalLog.removeAndDeleteSegments, async).
   */
  removeOldestSegments(count: number, deleteAtMs: number): LogSegment[] {
    if (count <= 0) return [];
    if (count >= this.segments.length)
      throw new Error(`Cannot remove ${count} of ${this.segments.length} segments: the active segment stays`);
    const removed = this.segments.splice(0, count);
    this.baseOffsets.splice(0, count);
    for (const s of removed) this.pendingDeletes.add(s.markDeleted(), deleteAtMs);
    return removed;
  }

  /** Delete `.deleted` files whose time has come. Returns how many files were deleted. */
  deleteExpiredFiles(now: number): number {
    return this.pendingDeletes.deleteExpired(now);
  }

  // ---- flush, close, delete ------------------------------------------------------------------------

  /**
   * fsync the segments holding data below `upToOffsetExclusive` and their indexes, then the
   * directory if segment files were created since the last flush (they survive a power loss
   * only then); advance the recovery point (LocalLog.flush + markFlushed). Returns how many
   * segments were fsynced.
   */
  flush(upToOffsetExclusive: number, now: number): number {
    const limit = Math.min(upToOffsetExclusive, this.leo);
    let n = 0;
    for (const s of this.segments) {
      // Segments starting at or after the limit hold nothing below it; an empty active segment
      // at the log end is flushed with a full flush so that its files exist durably.
      if (s.baseOffset >= limit && !(s.baseOffset === this.leo && limit === this.leo)) break;
      if (s.flush()) n++;
    }
    if (this.dirNeedsFsync) {
      this.disk.fsyncDir(this.dir);
      this.dirNeedsFsync = false;
    }
    if (limit > this.rp) this.rp = limit;
    this.lastFlushTimeMs = now;
    return n;
  }

  /** Final index entries written, pending deletions done, everything flushed. */
  close(now: number): number {
    for (const s of this.segments) s.close();
    this.pendingDeletes.deleteExpired(Number.MAX_SAFE_INTEGER);
    return this.flush(this.leo, now);
  }

  /** Delete every file of the directory and the directory itself. */
  deleteAll(): void {
    for (const name of this.disk.list(this.dir)) this.disk.delete(joinPath(this.dir, name));
    this.disk.rmdir(this.dir);
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
