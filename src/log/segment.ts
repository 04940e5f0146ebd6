/**
 * One log segment (Kafka's LogSegment.java): a `.log` file of whole batches plus its sparse
 * offset and time indexes, all named by the segment's base offset.
 *
 * Invariants kept:
 * - The `.log` file is a sequence of complete, valid v2 batches with dense, increasing offsets
 *   (the log validates before it appends; recovery truncates anything else).
 * - Index entries follow LogSegment.append: before each batch, if more than
 *   index.interval.bytes were appended since the last entry, add (batch last offset → batch
 *   start position) to the offset index and (max timestamp so far → its batch's last offset)
 *   to the time index when that timestamp grew. The first batch of a segment gets no entry.
 * - Every offset in the segment fits an int32 relative to the base offset.
 *
 * Departures from Kafka: no transaction index (.txnindex); index files hold exactly their
 * entries (see offset-index.ts); if an index fills up inside a multi-batch append, the rest of
 * that append gets no entries and the segment rolls on the next append (Kafka would throw).
 * A segment emptied by truncation keeps its creation time (Kafka resets it to "now").
 */
import type { Disk } from "./disk";
import { joinPath } from "./disk";
import { OffsetIndex } from "./offset-index";
import { TimeIndex, type TimestampOffset } from "./time-index";
import { indexFileName, logFileName, timeIndexFileName, DELETED_FILE_SUFFIX } from "./log-files";
import {
  FileWindow,
  HEADER_BYTES,
  checkBatchHeader,
  dataView,
  scanHeader,
  type ScannedBatch,
} from "./batch-scan";
import { SeamContractError, defaultLookupIndex, type LogSeams } from "./seams";
import {
  CRC_OFFSET,
  ATTRIBUTES_OFFSET,
  NO_TIMESTAMP,
  PARTITION_LEADER_EPOCH_OFFSET,
  crc32c,
} from "../protocol";

/** Window for sequential scans (recovery, timestamp search, replays). */
export const SCAN_WINDOW_BYTES = 1024 * 1024;
/** Window of the scan from an index entry to the target offset (translateOffset). */
export const LOOKUP_WINDOW_BYTES = 8 * 1024;
const INT32_MAX = 0x7fffffff;
// Module-local copies of protocol constants used per batch by recovery (see batch-scan.ts).
const CRC_AT = CRC_OFFSET;
const ATTRIBUTES_AT = ATTRIBUTES_OFFSET;
const EPOCH_AT = PARTITION_LEADER_EPOCH_OFFSET;

/** The per-segment settings fixed when a segment is created or opened. */
export interface SegmentSettings {
  readonly indexIntervalBytes: number;
  readonly segmentIndexBytes: number;
}

/** One batch of an append, as the log hands it to the segment. */
export interface AppendedBatch {
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  readonly size: number;
}

/** Where an offset lives in a segment, and what finding it cost. */
export interface OffsetLookup {
  /** The first batch whose last offset is ≥ the target, or undefined if the segment has none. */
  batch: ScannedBatch | undefined;
  /** Position the index lookup returned. */
  indexPosition: number;
  /** Bytes walked over between the index position and the batch found (or the segment end). */
  bytesScanned: number;
  /** Batch headers read during the walk. */
  batchesScanned: number;
}

export interface SegmentRead {
  /** Whole batches, starting with the one holding the fetch offset; empty when none qualifies. */
  records: Uint8Array;
  /** `lookup.batch` is undefined when no batch of this segment reaches the fetch offset. */
  lookup: OffsetLookup;
}

export interface SegmentRecovery {
  validBytes: number;
  truncatedBytes: number;
  /** Why the scan stopped before the end of the file, when it did. */
  reason: string | undefined;
  /** Offset after the last valid batch. */
  nextOffset: number;
  bytesScanned: number;
  batches: number;
}

/** Thrown when bytes the log trusted turn out not to be batches (the caller reports KAFKA_STORAGE_ERROR). */
export class LogCorruptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LogCorruptionError";
  }
}

export class LogSegment {
  private sizeBytes: number;
  private bytesSinceLastIndexEntry = 0;
  private maxTs: TimestampOffset;
  private rollingBasedTimestamp: number | undefined;
  private lastModifiedMs: number;
  private dirty = false;
  private logFilePath: string;

  private constructor(
    private readonly disk: Disk,
    readonly dir: string,
    readonly baseOffset: number,
    private readonly settings: SegmentSettings,
    readonly offsetIndex: OffsetIndex,
    readonly timeIndex: TimeIndex,
    sizeBytes: number,
    readonly createdMs: number,
  ) {
    this.logFilePath = joinPath(dir, logFileName(baseOffset));
    this.sizeBytes = sizeBytes;
    this.maxTs = timeIndex.lastEntry();
    this.lastModifiedMs = createdMs;
  }

  /** A new, empty segment; existing files with its names are emptied. */
  static create(
    disk: Disk,
    dir: string,
    baseOffset: number,
    settings: SegmentSettings,
    now: number,
  ): LogSegment {
    const logPath = joinPath(dir, logFileName(baseOffset));
    if (disk.exists(logPath)) disk.truncate(logPath, 0);
    else disk.create(logPath);
    const oi = OffsetIndex.create(
      disk,
      joinPath(dir, indexFileName(baseOffset)),
      baseOffset,
      settings.segmentIndexBytes,
    );
    const ti = TimeIndex.create(
      disk,
      joinPath(dir, timeIndexFileName(baseOffset)),
      baseOffset,
      settings.segmentIndexBytes,
    );
    const s = new LogSegment(disk, dir, baseOffset, settings, oi, ti, 0, now);
    s.dirty = true;
    return s;
  }

  /**
   * Open an existing segment. When an index file is missing or fails its sanity check, both
   * indexes start empty and `indexProblem` says why: the caller must `recover()` the segment.
   */
  static open(
    disk: Disk,
    dir: string,
    baseOffset: number,
    settings: SegmentSettings,
    now: number,
  ): { segment: LogSegment; indexProblem?: string } {
    const logPath = joinPath(dir, logFileName(baseOffset));
    const size = disk.size(logPath);
    const oiPath = joinPath(dir, indexFileName(baseOffset));
    const tiPath = joinPath(dir, timeIndexFileName(baseOffset));
    const oi = OffsetIndex.load(disk, oiPath, baseOffset, settings.segmentIndexBytes, size);
    const ti = TimeIndex.load(disk, tiPath, baseOffset, settings.segmentIndexBytes);
    let problem: string | undefined;
    if (typeof oi === "string") problem = `offset index ${oiPath}: ${oi}`;
    else if (typeof ti === "string") problem = `time index ${tiPath}: ${ti}`;
    if (problem !== undefined || typeof oi === "string" || typeof ti === "string") {
      const freshOi = OffsetIndex.create(disk, oiPath, baseOffset, settings.segmentIndexBytes);
      const freshTi = TimeIndex.create(disk, tiPath, baseOffset, settings.segmentIndexBytes);
      return {
        segment: new LogSegment(disk, dir, baseOffset, settings, freshOi, freshTi, size, now),
        indexProblem: problem,
      };
    }
    return { segment: new LogSegment(disk, dir, baseOffset, settings, oi, ti, size, now) };
  }

  get logPath(): string {
    return this.logFilePath;
  }

  get sizeInBytes(): number {
    return this.sizeBytes;
  }

  /** Bytes written (log or index) since the last flush. */
  get isDirty(): boolean {
    return this.dirty;
  }

  get maxTimestampSoFar(): number {
    return this.maxTs.timestamp;
  }

  get offsetOfMaxTimestampSoFar(): number {
    return this.maxTs.offset;
  }

  /** LogSegment.largestTimestamp: the max record timestamp, or the last-modified time if none. */
  get largestTimestamp(): number {
    return this.maxTs.timestamp >= 0 ? this.maxTs.timestamp : this.lastModifiedMs;
  }

  /** Write `bytes` (whole batches described by `batches`, in order) at the end of the segment. */
  append(bytes: Uint8Array, batches: readonly AppendedBatch[], now: number): void {
    const start = this.sizeBytes;
    this.disk.append(this.logFilePath, bytes);
    this.dirty = true;
    let position = start;
    for (const b of batches) {
      if (b.maxTimestamp > this.maxTs.timestamp)
        this.maxTs = { timestamp: b.maxTimestamp, offset: b.lastOffset };
      if (
        this.bytesSinceLastIndexEntry > this.settings.indexIntervalBytes &&
        !this.offsetIndex.isFull() &&
        !this.timeIndex.isFull()
      ) {
        this.offsetIndex.append(b.lastOffset, position);
        this.timeIndex.maybeAppend(this.maxTs.timestamp, this.maxTs.offset);
        this.bytesSinceLastIndexEntry = 0;
      }
      position += b.size;
      this.bytesSinceLastIndexEntry += b.size;
    }
    if (position !== start + bytes.length)
      throw new Error(
        `Cannot account for append to ${this.logFilePath}: batch sizes sum to ${position - start}, ${bytes.length} bytes written`,
      );
    if (start === 0 && batches.length > 0) this.rollingBasedTimestamp = batches[0]!.maxTimestamp;
    this.sizeBytes = position;
    this.lastModifiedMs = now;
  }

  /**
   * LogSegment.shouldRoll: full by bytes, old by segment.ms (measured from the first batch's max
   * timestamp to the incoming max timestamp, or by wall time when there are no timestamps), an
   * index full, or an offset that would not fit an int32 relative offset.
   */
  shouldRoll(p: {
    now: number;
    maxTimestampInMessages: number;
    messagesSize: number;
    maxOffsetInMessages: number;
    segmentBytes: number;
    segmentMs: number;
  }): string | undefined {
    if (this.sizeBytes > p.segmentBytes - p.messagesSize) return "segment.bytes";
    if (this.sizeBytes > 0 && this.timeWaitedForRoll(p.now, p.maxTimestampInMessages) > p.segmentMs)
      return "segment.ms";
    if (this.offsetIndex.isFull()) return "offset index full";
    if (this.timeIndex.isFull()) return "time index full";
    if (p.maxOffsetInMessages - this.baseOffset > INT32_MAX) return "relative offset overflow";
    return undefined;
  }

  private timeWaitedForRoll(now: number, messageTimestamp: number): number {
    if (this.rollingBasedTimestamp === undefined && this.sizeBytes > 0) {
      const w = new FileWindow(this.disk, this.logFilePath, this.sizeBytes, HEADER_BYTES);
      const at = w.ensure(0, HEADER_BYTES);
      if (at >= 0) this.rollingBasedTimestamp = scanHeader(w.view, at, 0).maxTimestamp;
    }
    const ts = this.rollingBasedTimestamp ?? NO_TIMESTAMP;
    return ts >= 0 ? messageTimestamp - ts : now - this.createdMs;
  }

  /**
   * Find the batch holding `offset`: ask the `lookupIndex` seam for a starting position, then
   * walk batch headers (one small read each) to the first batch whose last offset ≥ offset.
   */
  translateOffset(offset: number, lookupIndex: LogSeams["lookupIndex"] = defaultLookupIndex): OffsetLookup {
    const target = Math.max(0, offset - this.baseOffset);
    const indexPosition = this.offsetIndex.entries === 0 ? 0 : lookupIndex(this.offsetIndex.view(), target);
    if (!Number.isInteger(indexPosition) || indexPosition < 0 || indexPosition > this.sizeBytes) {
      throw new SeamContractError(
        `lookupIndex returned position ${indexPosition} for relative offset ${target} in ${this.logFilePath} (size ${this.sizeBytes})`,
      );
    }
    // One disk read covers the whole short scan after an index lookup (at most about
    // index.interval.bytes plus a batch), instead of one read per batch header.
    const w = new FileWindow(this.disk, this.logFilePath, this.sizeBytes, LOOKUP_WINDOW_BYTES);
    let position = indexPosition;
    let batchesScanned = 0;
    while (position < this.sizeBytes) {
      const at = w.ensure(position, HEADER_BYTES);
      const problem = at < 0 ? "a header runs past the end of the file" : checkBatchHeader(w.view, at);
      if (problem !== undefined) {
        if (position === indexPosition && position !== 0) {
          throw new SeamContractError(
            `lookupIndex returned position ${position} in ${this.logFilePath}, which is not the start of a batch (${problem})`,
          );
        }
        throw new LogCorruptionError(
          `Cannot read batch at position ${position} of ${this.logFilePath}: ${problem}`,
        );
      }
      const batch = scanHeader(w.view, at, position);
      batchesScanned++;
      if (batch.lastOffset >= offset)
        return { batch, indexPosition, bytesScanned: position - indexPosition, batchesScanned };
      position += batch.size;
    }
    return { batch: undefined, indexPosition, bytesScanned: position - indexPosition, batchesScanned };
  }

  /**
   * Whole batches from the one holding `startOffset`: at most `maxBytes` (but the first batch
   * whole even if larger, when `minOneMessage`: KIP-74), and only batches whose last offset is
   * below `maxOffsetExclusive`. `lookup.batch` is undefined when no batch of this segment
   * reaches `startOffset` (the caller moves on to the next segment).
   */
  read(
    startOffset: number,
    maxBytes: number,
    maxOffsetExclusive: number,
    minOneMessage: boolean,
    lookupIndex: LogSeams["lookupIndex"] = defaultLookupIndex,
  ): SegmentRead {
    const lookup = this.translateOffset(startOffset, lookupIndex);
    const first = lookup.batch;
    const empty = { records: new Uint8Array(0), lookup };
    if (first === undefined) return empty;
    if (first.lastOffset >= maxOffsetExclusive) return empty;
    const available = this.sizeBytes - first.position;
    let length = Math.min(maxBytes, available);
    if (first.size > length) {
      if (!minOneMessage) return empty;
      length = first.size;
    }
    const bytes = this.disk.read(this.logFilePath, first.position, length);
    if (bytes.length < first.size)
      throw new LogCorruptionError(
        `Cannot read batch at position ${first.position} of ${this.logFilePath}: file ended early`,
      );
    const dv = dataView(bytes);
    let cut = 0;
    while (cut + HEADER_BYTES <= bytes.length) {
      const b = scanHeader(dv, cut, first.position + cut);
      if (b.size < HEADER_BYTES)
        throw new LogCorruptionError(
          `Cannot read batch at position ${b.position} of ${this.logFilePath}: size ${b.size}`,
        );
      if (cut + b.size > bytes.length || b.lastOffset >= maxOffsetExclusive) break;
      cut += b.size;
    }
    return { records: cut === bytes.length ? bytes : bytes.subarray(0, cut), lookup };
  }

  /**
   * Offset after the last batch, found from the last offset-index entry by walking headers to
   * the end of the file. `problem` is set when the tail is not a whole batch (torn write).
   */
  readNextOffset(): { nextOffset: number; bytesScanned: number; problem: string | undefined } {
    const last = this.offsetIndex.lastEntry();
    const w = new FileWindow(this.disk, this.logFilePath, this.sizeBytes, 64 * 1024);
    let position = last.position;
    let next = this.baseOffset;
    while (position < this.sizeBytes) {
      const at = w.ensure(position, HEADER_BYTES);
      const problem =
        at < 0
          ? `${this.sizeBytes - position} bytes at the end cannot hold a batch header`
          : checkBatchHeader(w.view, at);
      if (problem !== undefined)
        return { nextOffset: next, bytesScanned: w.bytesRead, problem: `position ${position}: ${problem}` };
      const b = scanHeader(w.view, at, position);
      if (position + b.size > this.sizeBytes) {
        return {
          nextOffset: next,
          bytesScanned: w.bytesRead,
          problem: `position ${position}: batch of ${b.size} bytes runs past the end (${this.sizeBytes})`,
        };
      }
      next = b.lastOffset + 1;
      position += b.size;
    }
    return { nextOffset: next, bytesScanned: w.bytesRead, problem: undefined };
  }

  /**
   * Iterate over the batches from file position `fromPosition`: each as its header and its
   * bytes (a copy). Used for replays (producer state, timestamp search) on valid data.
   */
  *batches(fromPosition = 0): Generator<{ batch: ScannedBatch; bytes: Uint8Array }> {
    for (const { batch, window } of this.walkHeaders(fromPosition, SCAN_WINDOW_BYTES)) {
      const at = window.ensure(batch.position, batch.size);
      if (at < 0)
        throw new LogCorruptionError(
          `Cannot read batch at position ${batch.position} of ${this.logFilePath}: truncated batch`,
        );
      yield { batch, bytes: window.bytes.slice(at, at + batch.size) };
    }
  }

  /**
   * Scan the whole file (LogSegment.recover): check every batch (header, size, magic, CRC,
   * dense offsets from `expectedBaseOffset`, int32 relative offsets), rebuild both indexes,
   * and truncate at the first invalid byte. `onBatch` sees each valid batch's leader epoch.
   */
  recover(
    expectedBaseOffset: number,
    onBatch?: (partitionLeaderEpoch: number, baseOffset: number) => void,
  ): SegmentRecovery {
    this.offsetIndex.truncateToEntries(0);
    this.timeIndex.truncateTo(this.baseOffset);
    this.maxTs = { timestamp: NO_TIMESTAMP, offset: this.baseOffset };
    this.rollingBasedTimestamp = undefined;
    const fileSize = this.disk.size(this.logFilePath);
    const w = new FileWindow(this.disk, this.logFilePath, fileSize, SCAN_WINDOW_BYTES);
    let position = 0;
    let lastIndexEntry = 0;
    let expected = expectedBaseOffset;
    let reason: string | undefined;
    let batches = 0;
    while (position < fileSize) {
      let at = w.ensure(position, HEADER_BYTES);
      if (at < 0) {
        reason = `torn batch: ${fileSize - position} bytes at the end cannot hold a ${HEADER_BYTES}-byte header`;
        break;
      }
      const problem = checkBatchHeader(w.view, at);
      if (problem !== undefined) {
        reason = `invalid batch header: ${problem}`;
        break;
      }
      const b = scanHeader(w.view, at, position);
      if (position + b.size > fileSize) {
        reason = `torn batch: ${b.size}-byte batch but only ${fileSize - position} bytes left`;
        break;
      }
      at = w.ensure(position, b.size);
      const stored = w.view.getUint32(at + CRC_AT);
      const computed = crc32c(w.bytes, at + ATTRIBUTES_AT, at + b.size);
      if (stored !== computed) {
        reason = `CRC mismatch: stored ${stored.toString(16)}, computed ${computed.toString(16)}`;
        break;
      }
      if (b.baseOffset !== expected) {
        reason = `offsets not dense: batch base offset ${b.baseOffset} where ${expected} was expected`;
        break;
      }
      if (b.lastOffset - this.baseOffset > INT32_MAX) {
        reason = `offset ${b.lastOffset} does not fit a relative offset from ${this.baseOffset}`;
        break;
      }
      if (b.maxTimestamp > this.maxTs.timestamp)
        this.maxTs = { timestamp: b.maxTimestamp, offset: b.lastOffset };
      if (
        position - lastIndexEntry > this.settings.indexIntervalBytes &&
        !this.offsetIndex.isFull() &&
        !this.timeIndex.isFull()
      ) {
        this.offsetIndex.append(b.lastOffset, position);
        this.timeIndex.maybeAppend(this.maxTs.timestamp, this.maxTs.offset);
        lastIndexEntry = position;
      }
      onBatch?.(w.view.getInt32(at + EPOCH_AT), b.baseOffset);
      position += b.size;
      expected = b.lastOffset + 1;
      batches++;
    }
    const truncatedBytes = fileSize - position;
    if (truncatedBytes > 0) this.disk.truncate(this.logFilePath, position);
    this.sizeBytes = position;
    this.bytesSinceLastIndexEntry = position - lastIndexEntry;
    // As LogSegment.recover: a closed segment always ends its time index with its largest timestamp.
    this.timeIndex.maybeAppend(this.maxTs.timestamp, this.maxTs.offset, true);
    this.offsetIndex.writePending();
    this.timeIndex.writePending();
    this.dirty = true;
    return {
      validBytes: position,
      truncatedBytes,
      reason,
      nextOffset: expected,
      bytesScanned: w.bytesRead,
      batches,
    };
  }

  /**
   * LogSegment.truncateTo: drop the batch holding `offset` and everything after it, with their
   * index entries. Returns the bytes removed and the offset after the last batch kept.
   */
  truncateTo(offset: number): { bytesRemoved: number; nextOffset: number | undefined } {
    const lookup = this.translateOffset(offset);
    this.offsetIndex.truncateTo(offset);
    this.timeIndex.truncateTo(offset);
    let removed = 0;
    if (lookup.batch !== undefined) {
      removed = this.sizeBytes - lookup.batch.position;
      this.disk.truncate(this.logFilePath, lookup.batch.position);
      this.sizeBytes = lookup.batch.position;
      this.dirty = true;
    }
    this.bytesSinceLastIndexEntry = 0;
    if (this.sizeBytes === 0) this.rollingBasedTimestamp = undefined;
    this.maxTs = this.readLargestTimestamp();
    return { bytesRemoved: removed, nextOffset: lookup.batch?.baseOffset };
  }

  /** The largest timestamp: the time index's last entry, then a scan of the batches after it. */
  readLargestTimestamp(): TimestampOffset {
    let best = this.timeIndex.lastEntry();
    const position = defaultLookupIndex(this.offsetIndex.view(), best.offset - this.baseOffset);
    for (const { batch } of this.headers(position)) {
      if (batch.maxTimestamp > best.timestamp)
        best = { timestamp: batch.maxTimestamp, offset: batch.lastOffset };
    }
    return best;
  }

  /** Refresh the cached max timestamp from the files (for a segment opened without recovery). */
  loadLargestTimestamp(): void {
    this.maxTs = this.readLargestTimestamp();
  }

  /** Batch headers from a position to the end, without copying batch bytes. */
  *headers(fromPosition = 0): Generator<{ batch: ScannedBatch }> {
    for (const { batch } of this.walkHeaders(fromPosition, 64 * 1024)) yield { batch };
  }

  /**
   * Walk the batch headers of valid data from file position `fromPosition` to the end of the
   * file, reading through one window of `windowBytes` (also handed out, so that a caller can
   * take the batch's bytes from it). A torn header or an impossible size is LogCorruptionError.
   */
  private *walkHeaders(
    fromPosition: number,
    windowBytes: number,
  ): Generator<{ batch: ScannedBatch; window: FileWindow }> {
    const size = this.sizeBytes;
    const window = new FileWindow(this.disk, this.logFilePath, size, windowBytes);
    let position = fromPosition;
    while (position < size) {
      const at = window.ensure(position, HEADER_BYTES);
      if (at < 0)
        throw new LogCorruptionError(
          `Cannot read batch at position ${position} of ${this.logFilePath}: truncated header`,
        );
      const batch = scanHeader(window.view, at, position);
      if (batch.size < HEADER_BYTES)
        throw new LogCorruptionError(
          `Cannot read batch at position ${position} of ${this.logFilePath}: size ${batch.size}`,
        );
      yield { batch, window };
      position += batch.size;
    }
  }

  /** Start position for a timestamp search (TimeIndex then OffsetIndex lookup, as Kafka's findOffsetByTimestamp). */
  timestampSearchStart(timestamp: number, startingOffset: number): number {
    const entry = this.timeIndex.lookup(timestamp);
    const target = Math.max(entry.offset, startingOffset) - this.baseOffset;
    return defaultLookupIndex(this.offsetIndex.view(), target);
  }

  /** LogSegment.onBecomeInactiveSegment: write the final time-index entry and pending index entries. */
  onBecomeInactive(): void {
    this.timeIndex.maybeAppend(this.maxTs.timestamp, this.maxTs.offset, true);
    this.offsetIndex.writePending();
    this.timeIndex.writePending();
    this.dirty = true;
  }

  /** fsync the log and its indexes (log first, as LogSegment.flush) if anything changed since the last flush. */
  flush(): boolean {
    if (!this.dirty) return false;
    this.disk.fsync(this.logFilePath);
    this.offsetIndex.flush();
    this.timeIndex.flush();
    this.dirty = false;
    return true;
  }

  /** Before a clean close: the final time-index entry and pending index entries reach the files. */
  close(): void {
    this.onBecomeInactive();
  }

  /** Delete the segment's files under their current names. */
  deleteFiles(): void {
    for (const path of [this.logFilePath, this.offsetIndex.path, this.timeIndex.path]) {
      if (this.disk.exists(path)) this.disk.delete(path);
    }
  }

  /** Rename the segment's files with a ".deleted" suffix; returns the new paths. */
  markDeleted(): string[] {
    const paths: string[] = [];
    const log = this.logFilePath + DELETED_FILE_SUFFIX;
    this.disk.rename(this.logFilePath, log);
    this.logFilePath = log;
    paths.push(log);
    for (const idx of [this.offsetIndex, this.timeIndex]) {
      if (this.disk.exists(idx.path)) {
        const p = idx.path + DELETED_FILE_SUFFIX;
        idx.renameTo(p);
        paths.push(p);
      }
    }
    return paths;
  }
}
