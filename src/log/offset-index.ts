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
 * segment. The file work (pending writes, flush, truncation, rename) is in abstract-index.ts.
 */
import type { Disk } from "./disk";
import { AbstractIndex, createIndexFile, readIndexFile, resized } from "./abstract-index";

export { PENDING_ENTRIES_MAX } from "./abstract-index";
export const OFFSET_INDEX_ENTRY_BYTES = 8;

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

export class OffsetIndex extends AbstractIndex {
  private rel: Int32Array;
  private pos: Int32Array;
  private cachedView: OffsetIndexView | undefined;

  /** `loaded`: entries about to be read from the file (0 for a new index). */
  private constructor(disk: Disk, path: string, baseOffset: number, maxIndexBytes: number, loaded: number) {
    super(disk, path, baseOffset, maxIndexBytes, OFFSET_INDEX_ENTRY_BYTES);
    const capacity = this.initialCapacity(loaded);
    this.rel = new Int32Array(capacity);
    this.pos = new Int32Array(capacity);
  }

  /** Create an empty index file (replacing any existing one). */
  static create(disk: Disk, path: string, baseOffset: number, maxIndexBytes: number): OffsetIndex {
    createIndexFile(disk, path);
    return new OffsetIndex(disk, path, baseOffset, maxIndexBytes, 0);
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
    const file = readIndexFile(disk, path, OFFSET_INDEX_ENTRY_BYTES);
    if (typeof file === "string") return file;
    const { view: dv, entries: n } = file;
    const index = new OffsetIndex(disk, path, baseOffset, maxIndexBytes, n);
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
    index.loaded(n);
    return index;
  }

  isFull(): boolean {
    return this.count >= this.maxEntries;
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
      throw new Error(`Cannot append to offset index ${this.path}: it is full (${this.maxEntries} entries)`);
    const r = offset - this.baseOffset;
    if (this.count > 0 && r <= this.rel[this.count - 1]!) {
      throw new Error(
        `Cannot append offset ${offset} to offset index ${this.path}: not above the last offset ${this.lastOffset}`,
      );
    }
    if (r < 0 || r > 0x7fffffff)
      throw new Error(
        `Cannot append offset ${offset} to offset index ${this.path}: relative offset out of int32 range`,
      );
    if (this.count > 0 && position <= this.pos[this.count - 1]!) {
      throw new Error(
        `Cannot append position ${position} to offset index ${this.path}: not above the last position`,
      );
    }
    if (this.count === this.rel.length) this.grow();
    this.rel[this.count] = r;
    this.pos[this.count] = position;
    this.cachedView = undefined;
    this.appended();
  }

  /** Remove every entry whose offset is ≥ `offset` (Kafka's OffsetIndex.truncateTo), in memory and in the file. */
  truncateTo(offset: number): void {
    let n = this.count;
    while (n > 0 && this.baseOffset + this.rel[n - 1]! >= offset) n--;
    this.truncateToEntries(n);
  }

  override truncateToEntries(n: number): void {
    if (n < this.count) this.cachedView = undefined;
    super.truncateToEntries(n);
  }

  protected encodeEntry(dv: DataView, at: number, i: number): void {
    dv.setInt32(at, this.rel[i]!);
    dv.setInt32(at + 4, this.pos[i]!);
  }

  private grow(): void {
    const capacity = this.grownCapacity(this.rel.length);
    this.rel = resized(this.rel, capacity, this.count);
    this.pos = resized(this.pos, capacity, this.count);
  }
}
