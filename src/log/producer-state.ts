/**
 * Idempotent-producer state of one partition (Kafka's ProducerStateManager, ProducerStateEntry,
 * ProducerAppendInfo and the producer-state part of UnifiedLog), and the broker's sequence
 * check as a small pure function, `checkSequence`, which the idempotence lab (02) replaces
 * through `LogSeams.checkSequence`.
 *
 * Per producer id the partition remembers the epoch and the last 5 batches
 * (NUM_BATCHES_TO_RETAIN): their first/last sequence, first/last offset and max timestamp. A
 * leader append from a client is checked batch by batch (B5 in the course's facts):
 * - same epoch and (baseSequence, lastSequence) equal to a remembered batch → DUPLICATE: nothing
 *   is appended and the original offsets are answered as success;
 * - older epoch → INVALID_PRODUCER_EPOCH;
 * - no state for the producer (new, or expired, or its records deleted) → any sequence is taken;
 * - newer epoch → the sequence must start again at 0, else OUT_OF_ORDER_SEQUENCE_NUMBER;
 * - same epoch → baseSequence must be lastSequence + 1 (wrapping after 2^31−1), else
 *   OUT_OF_ORDER_SEQUENCE_NUMBER.
 * Followers (replication) apply the leader's batches without checks, so a new leader already
 * has the state. Coordinator appends (no producer id) are not checked.
 *
 * Durability (as Kafka): a snapshot `<offset>.snapshot` (producer-snapshot.ts) on every segment
 * roll and on clean shutdown; on open, the newest readable snapshot at or below the log end
 * offset is loaded and the log after it is replayed. Truncation drops snapshots above the new
 * end and reloads (snapshot + replay up to the new end). Snapshots below the first segment are
 * deleted with the segments.
 *
 * Invariant kept: the state reflects every producer batch below mapEndOffset that the log (or
 * the snapshot it was loaded from) holds, and mapEndOffset equals the log end offset between
 * calls (the log updates it after each append, truncation and reload).
 *
 * Departures from Kafka: no transactions (coordinatorEpoch is -1, currentTxnFirstOffset -1, no
 * verification state, control batches are skipped); snapshots are written synchronously (Kafka
 * flushes them from a background thread since 3.5); producer expiry (producer.id.expiration.ms)
 * runs when the broker calls `removeExpiredProducers`, not on its own timer.
 */
import { Errors, type ErrorInfo } from "../protocol";
import { joinPath, type Disk } from "./disk";
import { PRODUCER_SNAPSHOT_FILE_SUFFIX, parseSegmentFileName } from "./log-files";
import {
  CorruptSnapshotError,
  decodeProducerSnapshot,
  producerSnapshotFileName,
  writeProducerSnapshot,
  type ProducerSnapshotEntry,
} from "./producer-snapshot";

/** Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN: the window of duplicate detection. */
export const NUM_BATCHES_TO_RETAIN = 5;
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
const INT32_MAX = 2147483647;

/** One remembered batch (Kafka's BatchMetadata). Offsets inclusive. */
export interface BatchMetadata {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  /** The batch's max timestamp. */
  readonly timestamp: number;
}

/** What the sequence check sees of one producer on this partition. */
export interface ProducerSequenceState {
  readonly producerEpoch: number;
  /** lastSeq of the newest batch, or -1 if none. */
  readonly lastSequence: number;
  /** The newest batches, oldest first, at most NUM_BATCHES_TO_RETAIN. */
  readonly batches: readonly BatchMetadata[];
}

/** The producer fields of an incoming batch. */
export interface IncomingProducerBatch {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly lastSequence: number;
}

export type SequenceCheckResult =
  | { readonly kind: "append" }
  | { readonly kind: "duplicate"; readonly batch: BatchMetadata }
  | { readonly kind: "error"; readonly error: ErrorInfo; readonly message: string };

/** The sequence-check seam: `state` is undefined when the partition knows nothing of the producer. */
export type CheckSequence = (
  state: ProducerSequenceState | undefined,
  batch: IncomingProducerBatch,
) => SequenceCheckResult;

/** DefaultRecordBatch.incrementSequence: sequences wrap to 0 after Integer.MAX_VALUE. */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1;
  return sequence + increment;
}

/** DefaultRecordBatch.decrementSequence. */
export function decrementSequence(sequence: number, decrement: number): number {
  if (sequence < decrement) return INT32_MAX - (decrement - sequence) + 1;
  return sequence - decrement;
}

/** ProducerAppendInfo.inSequence: next follows last, including the wrap to 0. */
function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

/**
 * The broker's check of one client batch against what it remembers of the producer
 * (UnifiedLog.analyzeAndValidateProducerState, ProducerStateEntry.findDuplicateBatch,
 * ProducerAppendInfo.checkProducerEpoch and checkSequence). Pure.
 */
// #region check-sequence
export const defaultCheckSequence: CheckSequence = (state, batch) => {
  if (state === undefined || state.producerEpoch === NO_PRODUCER_EPOCH) return { kind: "append" };
  if (batch.producerEpoch === state.producerEpoch) {
    for (const b of state.batches) {
      if (b.firstSeq === batch.baseSequence && b.lastSeq === batch.lastSequence)
        return { kind: "duplicate", batch: b };
    }
  }
  if (batch.producerEpoch < state.producerEpoch) {
    return {
      kind: "error",
      error: Errors.INVALID_PRODUCER_EPOCH,
      message: `Epoch of producer ${batch.producerId} is ${batch.producerEpoch}, which is smaller than the last seen epoch ${state.producerEpoch}`,
    };
  }
  if (batch.producerEpoch > state.producerEpoch) {
    if (batch.baseSequence === 0) return { kind: "append" };
    return {
      kind: "error",
      error: Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
      message: `Invalid sequence number for new epoch ${batch.producerEpoch} of producer ${batch.producerId}: ${batch.baseSequence} (must be 0; current epoch ${state.producerEpoch})`,
    };
  }
  if (state.lastSequence === NO_SEQUENCE || inSequence(state.lastSequence, batch.baseSequence))
    return { kind: "append" };
  return {
    kind: "error",
    error: Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
    message: `Out of order sequence number for producer ${batch.producerId} at epoch ${batch.producerEpoch}: ${batch.baseSequence} (incoming seq. number), ${state.lastSequence} (current end sequence number)`,
  };
};
// #endregion check-sequence

/** What the partition remembers of one producer (Kafka's ProducerStateEntry). */
export class ProducerStateEntry implements ProducerSequenceState {
  batches: BatchMetadata[] = [];
  constructor(
    readonly producerId: number,
    public producerEpoch: number,
    /** Max timestamp of the newest batch (for expiry). */
    public lastTimestamp: number,
  ) {}

  get lastSequence(): number {
    return this.batches.length === 0 ? NO_SEQUENCE : this.batches[this.batches.length - 1]!.lastSeq;
  }

  get lastOffset(): number {
    return this.batches.length === 0 ? -1 : this.batches[this.batches.length - 1]!.lastOffset;
  }

  /** ProducerStateEntry.addBatch: a new epoch forgets the old epoch's batches. */
  addBatch(producerEpoch: number, batch: BatchMetadata): void {
    if (producerEpoch !== this.producerEpoch) {
      this.batches = [];
      this.producerEpoch = producerEpoch;
    }
    this.batches.push(batch);
    if (this.batches.length > NUM_BATCHES_TO_RETAIN) this.batches.shift();
    this.lastTimestamp = batch.timestamp;
  }

  clone(): ProducerStateEntry {
    const e = new ProducerStateEntry(this.producerId, this.producerEpoch, this.lastTimestamp);
    e.batches = [...this.batches];
    return e;
  }
}

/** The producer fields of one batch in the log (or being appended), with its offsets. */
export interface ProducerBatchInfo {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** lastOffsetDelta of the batch (also the last sequence delta). */
  lastOffsetDelta: number;
  /** First offset (inclusive). */
  baseOffset: number;
  maxTimestamp: number;
  isControl: boolean;
}

/** A batch of the log as the replay sees it. */
export type ReplayBatches = (fromOffset: number, toOffsetExclusive: number) => Iterable<ProducerBatchInfo>;

export type AppendAnalysis =
  | { kind: "append" }
  | { kind: "duplicate"; batch: BatchMetadata }
  | { kind: "error"; error: ErrorInfo; message: string };

export interface ProducerStateLoadReport {
  /** Offset of the snapshot loaded, or undefined (replayed from the log start). */
  snapshotOffset: number | undefined;
  /** Snapshots deleted because they were corrupt, or above the log end offset. */
  discarded: string[];
  batchesReplayed: number;
}

export interface ProducerStateManagerOptions {
  disk: Disk;
  /** The partition directory. */
  dir: string;
  checkSequence?: CheckSequence;
}

/** What the checks of leader appends decided, since the log opened (for tests, labs and benchmarks). */
export interface ProducerStateStats {
  /** Resends answered with the original offsets (nothing appended). */
  duplicates: number;
  outOfOrderSequence: number;
  invalidProducerEpoch: number;
}

export class ProducerStateManager {
  readonly stats: ProducerStateStats = { duplicates: 0, outOfOrderSequence: 0, invalidProducerEpoch: 0 };
  private producers = new Map<number, ProducerStateEntry>();
  /** The state describes the log below this offset (exclusive). */
  private mapEnd = 0;
  private readonly disk: Disk;
  private readonly dir: string;
  private readonly check: CheckSequence;

  constructor(options: ProducerStateManagerOptions) {
    this.disk = options.disk;
    this.dir = options.dir;
    this.check = options.checkSequence ?? defaultCheckSequence;
  }

  /** Exclusive end of the log the state describes. */
  get mapEndOffset(): number {
    return this.mapEnd;
  }

  get producerCount(): number {
    return this.producers.size;
  }

  /** The state of one producer (for tests, labs and the broker), if any. */
  lastEntry(producerId: number): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  /** Every producer's state, by producer id. */
  activeProducers(): ReadonlyMap<number, ProducerStateEntry> {
    return this.producers;
  }

  /**
   * Check the batches of one leader append from a client, in order, without changing the
   * state. The first duplicate or error decides for the whole append (as Kafka: one batch per
   * partition per Produce request). Batches without a producer id are not checked.
   */
  analyzeLeaderAppend(batches: readonly ProducerBatchInfo[]): AppendAnalysis {
    let pending: Map<number, ProducerStateEntry> | undefined;
    for (const b of batches) {
      if (b.producerId === NO_PRODUCER_ID || b.isControl) continue;
      const entry = pending?.get(b.producerId) ?? this.producers.get(b.producerId);
      const lastSequence = incrementSequence(b.baseSequence, b.lastOffsetDelta);
      const result = this.check(entry, {
        producerId: b.producerId,
        producerEpoch: b.producerEpoch,
        baseSequence: b.baseSequence,
        lastSequence,
      });
      if (result.kind === "duplicate") this.stats.duplicates++;
      else if (result.kind === "error" && result.error === Errors.OUT_OF_ORDER_SEQUENCE_NUMBER)
        this.stats.outOfOrderSequence++;
      else if (result.kind === "error" && result.error === Errors.INVALID_PRODUCER_EPOCH)
        this.stats.invalidProducerEpoch++;
      if (result.kind !== "append") return result;
      if (batches.length > 1) {
        // Later batches of the same append are checked against this one.
        pending ??= new Map();
        const next = entry?.clone() ?? new ProducerStateEntry(b.producerId, b.producerEpoch, b.maxTimestamp);
        next.addBatch(b.producerEpoch, metadataOf(b, lastSequence));
        pending.set(b.producerId, next);
      }
    }
    return { kind: "append" };
  }

  /** Record a batch that is now in the log (leader or follower append, or a replay). */
  update(b: ProducerBatchInfo): void {
    const end = b.baseOffset + b.lastOffsetDelta + 1;
    if (end > this.mapEnd) this.mapEnd = end;
    if (b.producerId === NO_PRODUCER_ID || b.isControl) return;
    let entry = this.producers.get(b.producerId);
    if (entry === undefined) {
      entry = new ProducerStateEntry(b.producerId, b.producerEpoch, b.maxTimestamp);
      this.producers.set(b.producerId, entry);
    }
    entry.addBatch(b.producerEpoch, metadataOf(b, incrementSequence(b.baseSequence, b.lastOffsetDelta)));
  }

  /** The log now ends at `offset` (an append that held only batches without producers, etc.). */
  updateMapEndOffset(offset: number): void {
    this.mapEnd = offset;
  }

  // ---- snapshots ------------------------------------------------------------------------------

  /** Offsets of the snapshot files on disk, ascending. */
  snapshotOffsets(): number[] {
    const out: number[] = [];
    for (const name of this.disk.list(this.dir)) {
      const parsed = parseSegmentFileName(name);
      if (parsed?.suffix === PRODUCER_SNAPSHOT_FILE_SUFFIX) out.push(parsed.baseOffset);
    }
    return out.sort((a, b) => a - b);
  }

  /** Write `<mapEndOffset>.snapshot` (on segment roll and clean shutdown). Disk errors throw. */
  takeSnapshot(): string {
    const entries: ProducerSnapshotEntry[] = [];
    for (const e of this.producers.values()) {
      const last = e.batches[e.batches.length - 1];
      entries.push({
        producerId: e.producerId,
        producerEpoch: e.producerEpoch,
        lastSequence: last?.lastSeq ?? NO_SEQUENCE,
        lastOffset: last?.lastOffset ?? -1,
        offsetDelta: last === undefined ? 0 : last.lastOffset - last.firstOffset,
        timestamp: e.lastTimestamp,
        coordinatorEpoch: -1,
        currentTxnFirstOffset: -1,
      });
    }
    const path = joinPath(this.dir, producerSnapshotFileName(this.mapEnd));
    writeProducerSnapshot(this.disk, path, entries);
    return path;
  }

  /** Delete snapshot files below `offset` (their segments are gone). */
  deleteSnapshotsBefore(offset: number): void {
    for (const o of this.snapshotOffsets()) {
      if (o < offset) this.disk.delete(joinPath(this.dir, producerSnapshotFileName(o)));
    }
  }

  /**
   * Rebuild the state for a log holding [logStartOffset, logEndOffset): drop snapshots above the
   * end, load the newest readable one (deleting corrupt ones), then replay the log after it
   * (Kafka's UnifiedLog.rebuildProducerState and ProducerStateManager.truncateAndReload).
   * Used on open and after truncation.
   */
  reload(logStartOffset: number, logEndOffset: number, replay: ReplayBatches): ProducerStateLoadReport {
    const report: ProducerStateLoadReport = { snapshotOffset: undefined, discarded: [], batchesReplayed: 0 };
    const offsets = this.snapshotOffsets();
    let changedDir = false;
    for (const o of offsets) {
      if (o > logEndOffset) {
        const path = joinPath(this.dir, producerSnapshotFileName(o));
        this.disk.delete(path);
        report.discarded.push(`${path}: above the log end offset ${logEndOffset}`);
        changedDir = true;
      }
    }
    this.producers = new Map();
    this.mapEnd = logStartOffset;
    for (let i = offsets.length - 1; i >= 0; i--) {
      const o = offsets[i]!;
      if (o > logEndOffset) continue;
      if (o < logStartOffset) break;
      const path = joinPath(this.dir, producerSnapshotFileName(o));
      try {
        this.loadSnapshot(decodeProducerSnapshot(this.disk.readAll(path), path));
        this.mapEnd = o;
        report.snapshotOffset = o;
        break;
      } catch (e) {
        if (!(e instanceof CorruptSnapshotError)) throw e;
        this.disk.delete(path);
        report.discarded.push(e.message);
        changedDir = true;
      }
    }
    if (changedDir) this.disk.fsyncDir(this.dir);
    for (const b of replay(this.mapEnd, logEndOffset)) {
      if (b.baseOffset + b.lastOffsetDelta < this.mapEnd) continue;
      this.update(b);
      report.batchesReplayed++;
    }
    this.mapEnd = logEndOffset;
    return report;
  }

  private loadSnapshot(entries: readonly ProducerSnapshotEntry[]): void {
    for (const s of entries) {
      const entry = new ProducerStateEntry(s.producerId, s.producerEpoch, s.timestamp);
      if (s.lastSequence !== NO_SEQUENCE && s.lastOffset >= 0) {
        entry.batches.push({
          firstSeq: decrementSequence(s.lastSequence, s.offsetDelta),
          lastSeq: s.lastSequence,
          firstOffset: s.lastOffset - s.offsetDelta,
          lastOffset: s.lastOffset,
          timestamp: s.timestamp,
        });
      }
      this.producers.set(s.producerId, entry);
    }
  }

  /** The log restarted empty at `offset` (truncateFullyAndStartAt): no state, no snapshots. */
  truncateFullyAndStartAt(offset: number): void {
    for (const o of this.snapshotOffsets()) this.disk.delete(joinPath(this.dir, producerSnapshotFileName(o)));
    this.producers = new Map();
    this.mapEnd = offset;
  }

  /** Forget producers whose newest batch is older than `expirationMs` (producer.id.expiration.ms). */
  removeExpiredProducers(now: number, expirationMs: number): number[] {
    const removed: number[] = [];
    for (const [id, e] of this.producers) {
      if (now - e.lastTimestamp >= expirationMs) {
        this.producers.delete(id);
        removed.push(id);
      }
    }
    return removed;
  }

  /**
   * The log start offset moved up (retention, DeleteRecords). As Kafka since KIP-360, producers
   * stay known until they expire, even when all their records are deleted, so that a retry after
   * retention is still recognised.
   */
  onLogStartOffsetIncremented(logStartOffset: number): void {
    if (this.mapEnd < logStartOffset) this.mapEnd = logStartOffset;
  }
}

function metadataOf(b: ProducerBatchInfo, lastSeq: number): BatchMetadata {
  return {
    firstSeq: b.baseSequence,
    lastSeq,
    firstOffset: b.baseOffset,
    lastOffset: b.baseOffset + b.lastOffsetDelta,
    timestamp: b.maxTimestamp,
  };
}
