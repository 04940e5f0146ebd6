/**
 * What the offset index and the time index share (Kafka's AbstractIndex.java): a file of
 * fixed-size entries next to a segment, the entries held in memory, and the file work around
 * them: writing pending entries, flush, truncation, rename. Each subclass keeps its entries in
 * its own typed arrays and owns its entry format, its ordering rules and its meaning of "full".
 *
 * Invariant: entries [0, written) are in the file byte for byte (entry i at i × entryBytes);
 * entries [written, count) are pending, and at most PENDING_ENTRIES_MAX of them accumulate
 * before they are written.
 *
 * Departure from Kafka: no preallocation and no mmap (see offset-index.ts): the file holds
 * exactly the entries written, so its size is always a multiple of the entry size.
 */
import type { Disk } from "./disk";

/** Unwritten entries kept in memory before they are written to the file. */
export const PENDING_ENTRIES_MAX = 512;
/** In-memory room an index starts with; it doubles as needed, up to maxEntries. */
const INDEX_INITIAL_CAPACITY = 64;

/** Empty the index file at `path` for a new index, creating it if absent. */
export function createIndexFile(disk: Disk, path: string): void {
  if (disk.exists(path)) disk.truncate(path, 0);
  else disk.create(path);
}

/** An index file's bytes, read for loading. */
export interface IndexFileContents {
  readonly view: DataView;
  /** Whole entries in the file. */
  readonly entries: number;
}

/**
 * The bytes of an index file written earlier, or why they cannot be an index: "missing", or a
 * size that is not a whole number of `entryBytes` entries.
 */
export function readIndexFile(disk: Disk, path: string, entryBytes: number): IndexFileContents | string {
  if (!disk.exists(path)) return "missing";
  const bytes = disk.readAll(path);
  if (bytes.length % entryBytes !== 0) return `size ${bytes.length} is not a multiple of ${entryBytes}`;
  return {
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    entries: bytes.length / entryBytes,
  };
}

/** A copy of the first `used` elements of `array`, in a new array of `capacity` elements. */
export function resized<T extends Int32Array | Float64Array>(array: T, capacity: number, used: number): T {
  const next = array instanceof Int32Array ? new Int32Array(capacity) : new Float64Array(capacity);
  next.set(array.subarray(0, used));
  return next as T;
}

export abstract class AbstractIndex {
  /** Entries held in memory; entries [written, count) are pending. */
  protected count = 0;
  /** Entries present in the file. */
  private written = 0;
  readonly maxEntries: number;

  protected constructor(
    private readonly disk: Disk,
    private filePath: string,
    readonly baseOffset: number,
    maxIndexBytes: number,
    private readonly entryBytes: number,
  ) {
    this.maxEntries = Math.floor(maxIndexBytes / entryBytes);
  }

  get path(): string {
    return this.filePath;
  }

  get entries(): number {
    return this.count;
  }

  /** Size of the index as Kafka reports it (entries × entry size). */
  get sizeInBytes(): number {
    return this.count * this.entryBytes;
  }

  /** Whether the index takes no more entries (each index has its own rule). */
  abstract isFull(): boolean;

  /** Write entry `i` at byte `at` of `dv`, in the file format (entryBytes bytes, big-endian). */
  protected abstract encodeEntry(dv: DataView, at: number, i: number): void;

  /** Record that the first `n` entries were loaded from the file. */
  protected loaded(n: number): void {
    this.count = n;
    this.written = n;
  }

  /** Count the entry the subclass has just stored at index `entries`; write once enough are pending. */
  protected appended(): void {
    this.count++;
    if (this.count - this.written >= PENDING_ENTRIES_MAX) this.writePending();
  }

  /**
   * In-memory capacity for an index that starts with `loadedEntries`: room for them and for
   * INDEX_INITIAL_CAPACITY entries, or fewer when maxEntries is smaller (never below 1).
   */
  protected initialCapacity(loadedEntries: number): number {
    return Math.max(1, loadedEntries, Math.min(INDEX_INITIAL_CAPACITY, this.maxEntries));
  }

  /** The capacity to grow the in-memory arrays to from `capacity`: double, within maxEntries. */
  protected grownCapacity(capacity: number): number {
    return Math.min(
      Math.max(capacity * 2, INDEX_INITIAL_CAPACITY),
      Math.max(this.maxEntries, this.count + 1),
    );
  }

  /** Keep only the first `n` entries (Kafka's truncateToEntries), in memory and in the file. */
  truncateToEntries(n: number): void {
    if (n >= this.count) return;
    this.count = n;
    if (this.written > n) {
      this.disk.truncate(this.filePath, n * this.entryBytes);
      this.written = n;
    }
  }

  /** Write pending entries to the file (page cache). */
  writePending(): void {
    if (this.written === this.count) return;
    const n = this.count - this.written;
    const buf = new Uint8Array(n * this.entryBytes);
    const dv = new DataView(buf.buffer);
    for (let i = 0; i < n; i++) this.encodeEntry(dv, i * this.entryBytes, this.written + i);
    this.disk.writeAt(this.filePath, this.written * this.entryBytes, buf);
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
}
