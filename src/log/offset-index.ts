/**
 * The offset index of one segment (`<base>.index`, Kafka's OffsetIndex.java): a sparse, sorted
 * map from offset to the file position of a batch, so that a read does not scan the segment from
 * its start. File format: 8-byte big-endian entries, `int32 relativeOffset` (offset − baseOffset)
 * then `int32 position`; no header, no checksum (a damaged index is rebuilt from the log).
 *
 * Invariants: relative offsets strictly increase, positions strictly increase, entries ≤
 * maxEntries (= segment.index.bytes / 8). An entry (o, p) means "the batch starting at byte p
 * ends at offset o", so the batch holding any target ≥ o starts at or after p.
 *
 * Departure from Kafka: Kafka preallocates the file to segment.index.bytes, mmaps it, and trims
 * it when the segment rolls. Here the file holds exactly the entries written (no trailing zeros);
 * entries live in memory (two Int32Arrays) and reach the file in small batches: when
 * PENDING_ENTRIES_MAX accumulate, and always before the segment is flushed, rolled, truncated or
 * closed. Entries not yet written are lost in a crash, which is harmless: after an unclean
 * shutdown, recovery rebuilds the index of every segment it scans, and a flushed segment's index
 * was written before its fsync. "Full" keeps Kafka's meaning, so a full index still rolls the
 * segment.
 */
import type { Disk } from "./disk";

export const OFFSET_INDEX_ENTRY_BYTES = 8;
/** Unwritten entries kept in memory before they are written to the file. */
export const PENDING_ENTRIES_MAX = 512;
const INITIAL_CAPACITY = 64;

/** A read-only view of the entries, as handed to the `lookupIndex` seam. Both arrays have one element per entry. */
export interface OffsetIndexView {
  /** Offsets relative to the segment's base offset, strictly increasing. */
  readonly relativeOffsets: Int32Array;
  /** File positions of batch starts, strictly increasing. */
  readonly positions: Int32Array;
}

export interface OffsetPosition {
  offset: number;
  position: number;
}

export class OffsetIndex {
  private rel: Int32Array;
  private pos: Int32Array;
  private count = 0;
  /** Entries present in the file; entries [written, count) are pending. */
  private written = 0;
  private cachedView: OffsetIndexView | undefined;
  readonly maxEntries: number;

  private constructor(
    private readonly disk: Disk,
    private filePath: string,
    readonly baseOffset: number,
    maxIndexBytes: number,
    capacity: number,
  ) {
    this.maxEntries = Math.floor(maxIndexBytes / OFFSET_INDEX_ENTRY_BYTES);
    this.rel = new Int32Array(Math.max(1, capacity));
    this.pos = new Int32Array(Math.max(1, capacity));
  }

  /** Create an empty index file (replacing any existing one). */
  static create(disk: Disk, path: string, baseOffset: number, maxIndexBytes: number): OffsetIndex {
    if (disk.exists(path)) disk.truncate(path, 0);
    else disk.create(path);
    return new OffsetIndex(
      disk,
      path,
      baseOffset,
      maxIndexBytes,
      Math.min(INITIAL_CAPACITY, Math.max(1, maxIndexBytes >>> 3)),
    );
  }

  /**
   * Load an index file written earlier. Returns a reason string instead when the file is
   * missing or fails the sanity checks (Kafka's OffsetIndex.sanityCheck, plus ordering and the
   * log size), so that the caller can rebuild it.
   */
  static load(
    disk: Disk,
    path: string,
    baseOffset: number,
    maxIndexBytes: number,
    logSizeBytes: number,
  ): OffsetIndex | string {
    if (!disk.exists(path)) return "missing";
    const bytes = disk.readAll(path);
    if (bytes.length % OFFSET_INDEX_ENTRY_BYTES !== 0) {
      return `size ${bytes.length} is not a multiple of ${OFFSET_INDEX_ENTRY_BYTES}`;
    }
    const n = bytes.length / OFFSET_INDEX_ENTRY_BYTES;
    const index = new OffsetIndex(disk, path, baseOffset, maxIndexBytes, Math.max(n, INITIAL_CAPACITY));
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let prevRel = -1;
    let prevPos = -1;
    for (let i = 0; i < n; i++) {
      const r = dv.getInt32(i * 8);
      const p = dv.getInt32(i * 8 + 4);
      if (r <= prevRel) return `entry ${i} has relative offset ${r}, not above the previous ${prevRel}`;
      if (p <= prevPos) return `entry ${i} has position ${p}, not above the previous ${prevPos}`;
      if (p >= logSizeBytes) return `entry ${i} has position ${p}, beyond the log size ${logSizeBytes}`;
      index.rel[i] = r;
      index.pos[i] = p;
      prevRel = r;
      prevPos = p;
    }
    index.count = n;
    index.written = n;
    return index;
  }

  get path(): string {
    return this.filePath;
  }

  get entries(): number {
    return this.count;
  }

  isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  /** Size of the index as Kafka reports it (entries × 8). */
  get sizeInBytes(): number {
    return this.count * OFFSET_INDEX_ENTRY_BYTES;
  }

  /** Absolute offset of the last entry, or the base offset when empty (as Kafka's lastOffset). */
  get lastOffset(): number {
    return this.count === 0 ? this.baseOffset : this.baseOffset + this.rel[this.count - 1]!;
  }

  /** The last entry, or (baseOffset, 0) when empty. */
  lastEntry(): OffsetPosition {
    return this.count === 0 ? { offset: this.baseOffset, position: 0 } : this.entry(this.count - 1);
  }

  entry(i: number): OffsetPosition {
    if (i < 0 || i >= this.count)
      throw new RangeError(`Cannot read offset index entry ${i}: the index has ${this.count} entries`);
    return { offset: this.baseOffset + this.rel[i]!, position: this.pos[i]! };
  }

  /** Entries as typed-array views (valid until the next append or truncation). */
  view(): OffsetIndexView {
    if (this.cachedView === undefined) {
      this.cachedView = {
        relativeOffsets: this.rel.subarray(0, this.count),
        positions: this.pos.subarray(0, this.count),
      };
    }
    return this.cachedView;
  }

  /** Add an entry. Kafka's OffsetIndex.append: the offset must be above the last one. */
  append(offset: number, position: number): void {
    if (this.isFull())
      throw new Error(
        `Cannot append to offset index ${this.filePath}: it is full (${this.maxEntries} entries)`,
      );
    const r = offset - this.baseOffset;
    if (this.count > 0 && r <= this.rel[this.count - 1]!) {
      throw new Error(
        `Cannot append offset ${offset} to offset index ${this.filePath}: not above the last offset ${this.lastOffset}`,
      );
    }
    if (r < 0 || r > 0x7fffffff)
      throw new Error(
        `Cannot append offset ${offset} to offset index ${this.filePath}: relative offset out of int32 range`,
      );
    if (this.count > 0 && position <= this.pos[this.count - 1]!) {
      throw new Error(
        `Cannot append position ${position} to offset index ${this.filePath}: not above the last position`,
      );
    }
    if (this.count === this.rel.length) this.grow();
    this.rel[this.count] = r;
    this.pos[this.count] = position;
    this.count++;
    this.cachedView = undefined;
    if (this.count - this.written >= PENDING_ENTRIES_MAX) this.writePending();
  }

  /** Remove every entry whose offset is ≥ `offset` (Kafka's OffsetIndex.truncateTo), in memory and in the file. */
  truncateTo(offset: number): void {
    let n = this.count;
    while (n > 0 && this.baseOffset + this.rel[n - 1]! >= offset) n--;
    this.truncateToEntries(n);
  }

  truncateToEntries(n: number): void {
    if (n >= this.count) return;
    this.count = n;
    this.cachedView = undefined;
    if (this.written > n) {
      this.disk.truncate(this.filePath, n * OFFSET_INDEX_ENTRY_BYTES);
      this.written = n;
    }
  }

  /** Write pending entries to the file (page cache). */
  writePending(): void {
    if (this.written === this.count) return;
    const n = this.count - this.written;
    const buf = new Uint8Array(n * OFFSET_INDEX_ENTRY_BYTES);
    const dv = new DataView(buf.buffer);
    for (let i = 0; i < n; i++) {
      dv.setInt32(i * 8, this.rel[this.written + i]!);
      dv.setInt32(i * 8 + 4, this.pos[this.written + i]!);
    }
    this.disk.writeAt(this.filePath, this.written * OFFSET_INDEX_ENTRY_BYTES, buf);
    this.written = this.count;
  }

  /** Write pending entries and fsync the file. */
  flush(): void {
    this.writePending();
    this.disk.fsync(this.filePath);
  }

  /** Rename the file (the caller picks the new name, e.g. with a ".deleted" suffix). */
  renameTo(newPath: string): void {
    this.disk.rename(this.filePath, newPath);
    this.filePath = newPath;
  }

  private grow(): void {
    const cap = Math.min(
      Math.max(this.rel.length * 2, INITIAL_CAPACITY),
      Math.max(this.maxEntries, this.count + 1),
    );
    const rel = new Int32Array(cap);
    const pos = new Int32Array(cap);
    rel.set(this.rel.subarray(0, this.count));
    pos.set(this.pos.subarray(0, this.count));
    this.rel = rel;
    this.pos = pos;
  }
}
