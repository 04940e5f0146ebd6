/**
 * The leader-epoch cache of one partition replica (LeaderEpochFileCache.java, KIP-101): the
 * ordered entries (epoch, startOffset), where startOffset is the first offset written in that
 * leader epoch. A leader answers OffsetsForLeaderEpoch from it (`endOffsetFor`), and a follower
 * uses the answer to truncate exactly the records that diverged instead of truncating to its high
 * watermark (the two KIP-101 anomalies: loss on restart, and divergent logs).
 *
 * Invariant: entries are strictly increasing in BOTH epoch and startOffset (asserted).
 *
 * `assign(epoch, startOffset)` follows Kafka exactly, which is not "ignore anything
 * non-increasing":
 * - no change if the latest entry has the same epoch and a start offset ≤ the new one;
 * - otherwise every entry at the end whose epoch ≥ the new epoch OR whose startOffset ≥ the new
 *   startOffset is dropped (maybeTruncateNonMonotonicEntries), and the new entry is appended.
 *   So assigning a lower epoch after a higher one replaces the higher one; assigning the same
 *   epoch with a smaller start offset moves that epoch's start back.
 *
 * Persistence: `<partitionDir>/leader-epoch-checkpoint`, checkpoint format version 0, one line
 * `epoch startOffset` per entry, written through a CheckpointWriter seam (atomicWriteFile by
 * default) after every change. Departure: Kafka flushes truncations asynchronously
 * (truncate*AsyncFlush) and repairs a stale file on log load; we write synchronously, so the file
 * is never stale. A cache built with `inMemory` never writes (pure tests, scratch copies).
 *
 * Offsets: startOffset is inclusive; an epoch's end offset (endOffsetFor) is exclusive.
 */
import {
  atomicWriteFile,
  parseInt32,
  parseInt64,
  readCheckpointFile,
  writeCheckpointFile,
  type CheckpointWriter,
  type EntryFormatter,
} from "./checkpoint-file";
import { joinPath, type Disk } from "./disk";

export const LEADER_EPOCH_CHECKPOINT_FILENAME = "leader-epoch-checkpoint";
/** LeaderEpochCheckpointFile.CURRENT_VERSION. */
export const LEADER_EPOCH_CHECKPOINT_VERSION = 0;
/** OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEntry {
  readonly epoch: number;
  /** First offset of the epoch (inclusive). */
  readonly startOffset: number;
}

/** An OffsetsForLeaderEpoch answer: an epoch and its exclusive end offset. */
export interface EpochEndOffset {
  epoch: number;
  endOffset: number;
}

export const epochEntryFormatter: EntryFormatter<EpochEntry> = {
  fields: "epoch startOffset",
  format: (e) => `${e.epoch} ${e.startOffset}`,
  parse: (fields) => {
    if (fields.length !== 2) return undefined;
    const epoch = parseInt32(fields[0]!);
    const startOffset = parseInt64(fields[1]!);
    if (epoch === undefined || startOffset === undefined || epoch < 0 || startOffset < 0) return undefined;
    return { epoch, startOffset };
  },
};

/** Where a cache persists itself. */
export interface LeaderEpochCheckpoint {
  disk: Disk;
  /** `<partitionDir>/leader-epoch-checkpoint`. */
  path: string;
  writer: CheckpointWriter;
}

export class LeaderEpochFileCache {
  private epochs: EpochEntry[] = [];

  /**
   * A cache over `checkpoint` (undefined: in memory only) holding `entries`, applied in order
   * with assign's rules. Nothing is written until the first change (or `flush`).
   */
  constructor(
    private readonly checkpoint: LeaderEpochCheckpoint | undefined,
    entries: readonly EpochEntry[] = [],
  ) {
    for (const e of entries) this.apply(e);
  }

  /**
   * Load `<partitionDir>/leader-epoch-checkpoint` (missing or empty file: empty cache). Throws
   * CorruptCheckpointError for a corrupt file: the caller may then rebuild the cache from the
   * partitionLeaderEpoch of the log's batches and `flush` it.
   */
  static load(
    disk: Disk,
    partitionDir: string,
    writer: CheckpointWriter = atomicWriteFile,
  ): LeaderEpochFileCache {
    const path = joinPath(partitionDir, LEADER_EPOCH_CHECKPOINT_FILENAME);
    const entries = readCheckpointFile(disk, path, LEADER_EPOCH_CHECKPOINT_VERSION, epochEntryFormatter);
    return new LeaderEpochFileCache({ disk, path, writer }, entries);
  }

  /** A cache that is never persisted. */
  static inMemory(entries: readonly EpochEntry[] = []): LeaderEpochFileCache {
    return new LeaderEpochFileCache(undefined, entries);
  }

  /** Record that `epoch` starts at `startOffset`. Returns true (and persists) if the cache changed. */
  assign(epoch: number, startOffset: number): boolean {
    const changed = this.apply({ epoch, startOffset });
    if (changed) this.flush();
    return changed;
  }

  /** Copies of the entries, oldest first. */
  entries(): EpochEntry[] {
    return this.epochs.map((e) => ({ ...e }));
  }

  get size(): number {
    return this.epochs.length;
  }

  latestEntry(): EpochEntry | undefined {
    return this.epochs[this.epochs.length - 1];
  }

  earliestEntry(): EpochEntry | undefined {
    return this.epochs[0];
  }

  /** The latest epoch with an entry, or undefined when the cache is empty. */
  latestEpoch(): number | undefined {
    return this.latestEntry()?.epoch;
  }

  epochEntry(epoch: number): EpochEntry | undefined {
    return this.epochs.find((e) => e.epoch === epoch);
  }

  /** Greatest cached epoch < `epoch`. */
  previousEpoch(epoch: number): number | undefined {
    let found: number | undefined;
    for (const e of this.epochs) if (e.epoch < epoch) found = e.epoch;
    return found;
  }

  /** Smallest cached epoch > `epoch`. */
  nextEpoch(epoch: number): number | undefined {
    return this.epochs.find((e) => e.epoch > epoch)?.epoch;
  }

  /** The epoch in which `offset` was written: the last entry with startOffset ≤ offset. */
  epochForOffset(offset: number): number | undefined {
    let found: number | undefined;
    for (const e of this.epochs) {
      if (e.startOffset > offset) break;
      found = e.epoch;
    }
    return found;
  }

  /**
   * OffsetsForLeaderEpoch (LeaderEpochFileCache.endOffsetFor): the largest cached epoch ≤
   * `requestedEpoch` and its exclusive end offset, i.e. the start offset of the next higher
   * epoch, or `logEndOffset` when the requested epoch is the latest.
   * - requested = UNDEFINED_EPOCH, or above every cached epoch, or an empty cache: (-1, -1).
   * - requested below the first cached epoch: (requestedEpoch, first entry's startOffset), as
   *   Kafka's code does (its Javadoc still says UNDEFINED): that data is gone from this log, and
   *   the follower must not keep anything at or above where this log's history begins.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH) return undefinedAnswer;
    if (this.latestEpoch() === requestedEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higherIndex = this.epochs.findIndex((e) => e.epoch > requestedEpoch);
    if (higherIndex < 0) return undefinedAnswer;
    const higher = this.epochs[higherIndex]!;
    const floor = this.epochs[higherIndex - 1];
    if (floor === undefined) return { epoch: requestedEpoch, endOffset: higher.startOffset };
    return { epoch: floor.epoch, endOffset: higher.startOffset };
  }

  /**
   * Remove entries with startOffset ≥ `endOffset` (the log was truncated to end there,
   * exclusive). Returns the removed entries; persists if any.
   */
  truncateFromEnd(endOffset: number): EpochEntry[] {
    const latest = this.latestEntry();
    if (endOffset < 0 || latest === undefined || latest.startOffset < endOffset) return [];
    const keep = this.epochs.findIndex((e) => e.startOffset >= endOffset);
    const removed = this.epochs.splice(keep);
    this.flush();
    return removed;
  }

  /**
   * The log now starts at `startOffset` (retention, DeleteRecords): drop entries that start at
   * or below it and re-add the last of them as starting at `startOffset`. Returns the removed
   * entries (before the rewrite); persists if any.
   */
  truncateFromStart(startOffset: number): EpochEntry[] {
    let n = 0;
    while (n < this.epochs.length && this.epochs[n]!.startOffset <= startOffset) n++;
    if (n === 0) return [];
    const removed = this.epochs.splice(0, n);
    this.epochs.unshift({ epoch: removed[n - 1]!.epoch, startOffset });
    this.checkInvariant();
    this.flush();
    return removed;
  }

  /** Remove every entry and persist the empty cache (clearAndFlush). */
  clear(): void {
    this.epochs = [];
    this.flush();
  }

  /** Write the entries to the checkpoint file (no-op for an in-memory cache). */
  flush(): void {
    if (this.checkpoint === undefined) return;
    const { disk, path, writer } = this.checkpoint;
    writeCheckpointFile(
      disk,
      path,
      LEADER_EPOCH_CHECKPOINT_VERSION,
      this.epochs,
      epochEntryFormatter,
      writer,
    );
  }

  /** Kafka's assign(EpochEntry): isUpdateNeeded, then maybeTruncateNonMonotonicEntries and put. */
  private apply(entry: EpochEntry): boolean {
    const { epoch, startOffset } = entry;
    if (
      !Number.isInteger(epoch) ||
      epoch < 0 ||
      epoch > 2 ** 31 - 1 ||
      !Number.isSafeInteger(startOffset) ||
      startOffset < 0
    ) {
      throw new RangeError(
        `Cannot assign leader epoch ${epoch} at start offset ${startOffset}: both must be ≥ 0`,
      );
    }
    const latest = this.latestEntry();
    if (latest !== undefined && latest.epoch === epoch && startOffset >= latest.startOffset) return false;
    while (this.epochs.length > 0) {
      const last = this.epochs[this.epochs.length - 1]!;
      if (last.epoch < epoch && last.startOffset < startOffset) break;
      this.epochs.pop();
    }
    this.epochs.push({ epoch, startOffset });
    this.checkInvariant();
    return true;
  }

  private checkInvariant(): void {
    for (let i = 1; i < this.epochs.length; i++) {
      const a = this.epochs[i - 1]!;
      const b = this.epochs[i]!;
      if (!(a.epoch < b.epoch && a.startOffset < b.startOffset)) {
        throw new Error(
          `Leader epoch cache invariant broken: ${JSON.stringify(a)} before ${JSON.stringify(b)}`,
        );
      }
    }
  }
}
