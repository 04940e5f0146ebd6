/**
 * The time index of one segment (`<base>.timeindex`, Kafka's TimeIndex.java): a sparse map from
 * "largest timestamp so far" to the last offset of the batch that carried it, used by ListOffsets
 * (offset for a timestamp) and by time-based retention. File format: 12-byte big-endian entries,
 * `int64 timestamp` then `int32 relativeOffset`.
 *
 * Invariants: timestamps strictly increase, relative offsets never decrease. An entry is added
 * only when the segment's max timestamp has grown (`maybeAppend`). As in Kafka, the index counts
 * as full one entry early (entries ≥ maxEntries − 1): the last slot is kept for the final entry
 * written when the segment rolls or closes (`maybeAppend(..., skipFullCheck = true)`), so that the
 * segment's largest timestamp survives a restart.
 *
 * Departure from Kafka: same as offset-index.ts (no preallocation or mmap; the file holds exactly
 * the entries; pending entries are written before flush, roll, truncation and close).
 */
import type { Disk } from "./disk";
import { PENDING_ENTRIES_MAX } from "./offset-index";
import { NO_TIMESTAMP } from "../protocol";

export const TIME_INDEX_ENTRY_BYTES = 12;
const INITIAL_CAPACITY = 64;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex {
  private ts: Float64Array;
  private rel: Int32Array;
  private count = 0;
  private written = 0;
  readonly maxEntries: number;

  private constructor(
    private readonly disk: Disk,
    private filePath: string,
    readonly baseOffset: number,
    maxIndexBytes: number,
    capacity: number,
  ) {
    this.maxEntries = Math.floor(maxIndexBytes / TIME_INDEX_ENTRY_BYTES);
    this.ts = new Float64Array(Math.max(1, capacity));
    this.rel = new Int32Array(Math.max(1, capacity));
  }

  static create(disk: Disk, path: string, baseOffset: number, maxIndexBytes: number): TimeIndex {
    if (disk.exists(path)) disk.truncate(path, 0);
    else disk.create(path);
    return new TimeIndex(
      disk,
      path,
      baseOffset,
      maxIndexBytes,
      Math.min(INITIAL_CAPACITY, Math.max(1, Math.floor(maxIndexBytes / 12))),
    );
  }

  /** Load a time index file; a reason string when missing or failing the sanity checks. */
  static load(disk: Disk, path: string, baseOffset: number, maxIndexBytes: number): TimeIndex | string {
    if (!disk.exists(path)) return "missing";
    const bytes = disk.readAll(path);
    if (bytes.length % TIME_INDEX_ENTRY_BYTES !== 0)
      return `size ${bytes.length} is not a multiple of ${TIME_INDEX_ENTRY_BYTES}`;
    const n = bytes.length / TIME_INDEX_ENTRY_BYTES;
    const index = new TimeIndex(disk, path, baseOffset, maxIndexBytes, Math.max(n, INITIAL_CAPACITY));
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let prevTs = -Infinity;
    let prevRel = -1;
    for (let i = 0; i < n; i++) {
      const t = Number(dv.getBigInt64(i * 12));
      const r = dv.getInt32(i * 12 + 8);
      if (t <= prevTs) return `entry ${i} has timestamp ${t}, not above the previous ${prevTs}`;
      if (r < prevRel || r < 0) return `entry ${i} has relative offset ${r}, below the previous ${prevRel}`;
      index.ts[i] = t;
      index.rel[i] = r;
      prevTs = t;
      prevRel = r;
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

  /** Kafka's TimeIndex.isFull: one slot is kept for the entry written on roll. */
  isFull(): boolean {
    return this.count >= this.maxEntries - 1;
  }

  get sizeInBytes(): number {
    return this.count * TIME_INDEX_ENTRY_BYTES;
  }

  /** The last entry, or (NO_TIMESTAMP, baseOffset) when empty. */
  lastEntry(): TimestampOffset {
    return this.count === 0
      ? { timestamp: NO_TIMESTAMP, offset: this.baseOffset }
      : this.entry(this.count - 1);
  }

  entry(i: number): TimestampOffset {
    if (i < 0 || i >= this.count)
      throw new RangeError(`Cannot read time index entry ${i}: the index has ${this.count} entries`);
    return { timestamp: this.ts[i]!, offset: this.baseOffset + this.rel[i]! };
  }

  /**
   * Append (timestamp, offset) if the timestamp is above the last entry's (Kafka's maybeAppend).
   * `skipFullCheck` is for the final entry written when the segment becomes inactive.
   */
  maybeAppend(timestamp: number, offset: number, skipFullCheck = false): void {
    if (!skipFullCheck && this.isFull())
      throw new Error(
        `Cannot append to time index ${this.filePath}: it is full (${this.maxEntries} entries)`,
      );
    if (this.count > 0) {
      const last = this.lastEntry();
      if (offset < last.offset) {
        throw new Error(
          `Cannot append offset ${offset} to time index ${this.filePath}: below the last offset ${last.offset}`,
        );
      }
      if (timestamp <= last.timestamp) return;
    } else if (timestamp < 0) {
      return; // no timestamp yet (NO_TIMESTAMP = -1)
    }
    if (this.count >= this.maxEntries) return; // no slot left at all; the final entry is best-effort
    if (this.count === this.ts.length) this.grow();
    this.ts[this.count] = timestamp;
    this.rel[this.count] = offset - this.baseOffset;
    this.count++;
    if (this.count - this.written >= PENDING_ENTRIES_MAX) this.writePending();
  }

  /**
   * The entry with the largest timestamp ≤ `targetTimestamp`, or (NO_TIMESTAMP, baseOffset) if
   * none (Kafka's TimeIndex.lookup). Binary search.
   */
  lookup(targetTimestamp: number): TimestampOffset {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! <= targetTimestamp) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? { timestamp: NO_TIMESTAMP, offset: this.baseOffset } : this.entry(found);
  }

  /** Remove every entry whose offset is ≥ `offset` (Kafka's TimeIndex.truncateTo). */
  truncateTo(offset: number): void {
    let n = this.count;
    while (n > 0 && this.baseOffset + this.rel[n - 1]! >= offset) n--;
    if (n >= this.count) return;
    this.count = n;
    if (this.written > n) {
      this.disk.truncate(this.filePath, n * TIME_INDEX_ENTRY_BYTES);
      this.written = n;
    }
  }

  writePending(): void {
    if (this.written === this.count) return;
    const n = this.count - this.written;
    const buf = new Uint8Array(n * TIME_INDEX_ENTRY_BYTES);
    const dv = new DataView(buf.buffer);
    for (let i = 0; i < n; i++) {
      dv.setBigInt64(i * 12, BigInt(this.ts[this.written + i]!));
      dv.setInt32(i * 12 + 8, this.rel[this.written + i]!);
    }
    this.disk.writeAt(this.filePath, this.written * TIME_INDEX_ENTRY_BYTES, buf);
    this.written = this.count;
  }

  flush(): void {
    this.writePending();
    this.disk.fsync(this.filePath);
  }

  renameTo(newPath: string): void {
    this.disk.rename(this.filePath, newPath);
    this.filePath = newPath;
  }

  private grow(): void {
    const cap = Math.min(
      Math.max(this.ts.length * 2, INITIAL_CAPACITY),
      Math.max(this.maxEntries, this.count + 1),
    );
    const ts = new Float64Array(cap);
    const rel = new Int32Array(cap);
    ts.set(this.ts.subarray(0, this.count));
    rel.set(this.rel.subarray(0, this.count));
    this.ts = ts;
    this.rel = rel;
  }
}
