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
 * the entries; pending entries are written before flush, roll, truncation and close). The file
 * work is in abstract-index.ts, shared with the offset index.
 */
import type { Disk } from "./disk";
import { AbstractIndex, createIndexFile, readIndexFile, resized } from "./abstract-index";
import { NO_TIMESTAMP } from "../protocol";

export const TIME_INDEX_ENTRY_BYTES = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex extends AbstractIndex {
  private ts: Float64Array;
  private rel: Int32Array;

  /** `loaded`: entries about to be read from the file (0 for a new index). */
  private constructor(disk: Disk, path: string, baseOffset: number, maxIndexBytes: number, loaded: number) {
    super(disk, path, baseOffset, maxIndexBytes, TIME_INDEX_ENTRY_BYTES);
    const capacity = this.initialCapacity(loaded);
    this.ts = new Float64Array(capacity);
    this.rel = new Int32Array(capacity);
  }

  static create(disk: Disk, path: string, baseOffset: number, maxIndexBytes: number): TimeIndex {
    createIndexFile(disk, path);
    return new TimeIndex(disk, path, baseOffset, maxIndexBytes, 0);
  }

  /** Load a time index file; a reason string when missing or failing the sanity checks. */
  static load(disk: Disk, path: string, baseOffset: number, maxIndexBytes: number): TimeIndex | string {
    const file = readIndexFile(disk, path, TIME_INDEX_ENTRY_BYTES);
    if (typeof file === "string") return file;
    const { view: dv, entries: n } = file;
    const index = new TimeIndex(disk, path, baseOffset, maxIndexBytes, n);
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
    index.loaded(n);
    return index;
  }

  /** Kafka's TimeIndex.isFull: one slot is kept for the entry written on roll. */
  isFull(): boolean {
    return this.count >= this.maxEntries - 1;
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
      throw new Error(`Cannot append to time index ${this.path}: it is full (${this.maxEntries} entries)`);
    if (this.count > 0) {
      const last = this.lastEntry();
      if (offset < last.offset) {
        throw new Error(
          `Cannot append offset ${offset} to time index ${this.path}: below the last offset ${last.offset}`,
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
    this.appended();
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
    this.truncateToEntries(n);
  }

  protected encodeEntry(dv: DataView, at: number, i: number): void {
    dv.setBigInt64(at, BigInt(this.ts[i]!));
    dv.setInt32(at + 8, this.rel[i]!);
  }

  private grow(): void {
    const capacity = this.grownCapacity(this.ts.length);
    this.ts = resized(this.ts, capacity, this.count);
    this.rel = resized(this.rel, capacity, this.count);
  }
}
