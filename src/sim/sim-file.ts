/**
 * One simulated file: its page-cache bytes (what reads see) and the unsynced writes that a power
 * loss may drop or tear. Used only by SimDisk (sim-disk.ts), which owns names and directories.
 *
 * Representation: the page cache is primary (a growable buffer), and every mutation since the
 * last fsync leaves an *undo record* holding what it overwrote. The durable bytes are the page
 * cache with the undo records applied newest-first. This keeps appends and fsyncs O(1): an append
 * saves nothing (undo only shrinks the size back), and fsync just forgets the undo records.
 *
 * Power-loss model (ordered write-back, as in FoundationDB's AsyncFileNonDurable but simpler):
 * the unsynced mutations reach the medium in order, and the power fails somewhere in that
 * sequence. So a file keeps its fsynced bytes, then the first k unsynced mutations whole, then a
 * byte prefix of mutation k+1 (a torn write), and nothing after. k = 0 with no prefix means every
 * unsynced byte is lost; k = all means nothing is.
 *
 * Invariants: bytes of `buf` at or beyond `size` are zero (so zero-extension is free);
 * consecutive contiguous writes share one undo record (appends never pile up records).
 *
 * Bound: at most MAX_UNSYNCED_RECORDS undo records per file. Past it the oldest record is
 * treated as written back by the kernel (it becomes durable without fsync), like Linux's
 * periodic dirty-page write-back. Counted as a write-back so tests can notice it.
 */
import type { Rng } from "./rng";

/** Per-file bound on remembered unsynced mutations; older ones are written back (made durable). */
export const MAX_UNSYNCED_RECORDS = 1024;

interface WriteRecord {
  kind: "write";
  position: number;
  /** Bytes written by this record (consecutive contiguous writes merged). */
  length: number;
  /** File size before the record. */
  prevSize: number;
  /** The old bytes of [position, min(position + length, prevSize)), in chunks. */
  saved: Uint8Array[];
}

interface TruncateRecord {
  kind: "truncate";
  prevSize: number;
  newSize: number;
  /** The bytes [newSize, prevSize) that a shrinking truncate cut off (empty when extending). */
  saved: Uint8Array;
}

type UndoRecord = WriteRecord | TruncateRecord;

/** What a power loss did to one file. */
export interface FileLoss {
  sizeBefore: number;
  sizeAfter: number;
  /** Unsynced mutations (merged write runs and truncates) before the power loss. */
  unsyncedWrites: number;
  /** Of those, how many reached the medium whole. */
  keptWrites: number;
  /** Data bytes written after the last fsync that did not survive. */
  bytesLost: number;
  /** True when one write survived only as a strict, non-empty prefix. */
  torn: boolean;
}

/** How a power loss treats unsynced mutations: seeded choice, or forced for tests and labs. */
export type UnsyncedFate = "random" | "lose" | "keep";

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export class SimFile {
  private buf = new Uint8Array(64);
  private size_ = 0;
  private undo: UndoRecord[] = [];
  /** Undo records written back because of MAX_UNSYNCED_RECORDS, not yet drained into SimDisk stats. */
  writebacks = 0;

  constructor(readonly id: number) {}

  get size(): number {
    return this.size_;
  }

  /** Number of unsynced mutations (a run of appends counts once). */
  get unsyncedRecords(): number {
    return this.undo.length;
  }

  /** Data bytes written since the last fsync (excluding truncates). */
  get unsyncedBytes(): number {
    let n = 0;
    for (const r of this.undo) if (r.kind === "write") n += r.length;
    return n;
  }

  read(position: number, length: number): Uint8Array {
    const end = Math.min(this.size_, position + length);
    if (position >= end) return new Uint8Array(0);
    return this.buf.slice(position, end);
  }

  write(position: number, data: Uint8Array): void {
    if (data.length === 0) return;
    const end = position + data.length;
    const last = this.undo[this.undo.length - 1];
    const oldOverlapEnd = Math.min(end, this.size_);
    if (last !== undefined && last.kind === "write" && position === last.position + last.length) {
      // Contiguous with the previous unsynced write: extend its record.
      const savedEnd = Math.min(end, last.prevSize);
      if (position < savedEnd) last.saved.push(this.buf.slice(position, savedEnd));
      last.length += data.length;
    } else {
      const saved = position < oldOverlapEnd ? [this.buf.slice(position, oldOverlapEnd)] : [];
      this.pushUndo({ kind: "write", position, length: data.length, prevSize: this.size_, saved });
    }
    this.ensureCapacity(end);
    this.buf.set(data, position);
    if (end > this.size_) this.size_ = end;
  }

  truncate(newSize: number): void {
    if (newSize === this.size_) return;
    const saved = newSize < this.size_ ? this.buf.slice(newSize, this.size_) : new Uint8Array(0);
    this.pushUndo({ kind: "truncate", prevSize: this.size_, newSize, saved });
    this.setSize(newSize);
  }

  /** fsync: the current bytes become the durable bytes. */
  sync(): void {
    this.undo = [];
  }

  /** The bytes a power loss with nothing written back would leave (for inspection). */
  durableBytes(): Uint8Array {
    const copy = new SimFile(-1);
    copy.buf = this.buf.slice();
    copy.size_ = this.size_;
    copy.undo = this.undo.map((r) => (r.kind === "write" ? { ...r, saved: [...r.saved] } : { ...r }));
    copy.revert(0, 0);
    return copy.read(0, copy.size_);
  }

  /** Flip one bit in every stored version of byte `offset` (media corruption). */
  flipBit(offset: number, bit: number): void {
    const mask = 1 << bit;
    if (offset < this.size_) this.buf[offset] = this.buf[offset]! ^ mask;
    for (const r of this.undo) {
      if (r.kind === "write") {
        const flat = concat(r.saved);
        r.saved = [flat];
        const i = offset - r.position;
        if (i >= 0 && i < flat.length) flat[i] = flat[i]! ^ mask;
      } else {
        const i = offset - r.newSize;
        if (i >= 0 && i < r.saved.length) r.saved[i] = r.saved[i]! ^ mask;
      }
    }
  }

  /**
   * Power loss: keep a seeded prefix of the unsynced mutations (the last kept one possibly torn)
   * and drop the rest. Afterwards everything left is durable.
   */
  powerLoss(rng: Rng, fate: UnsyncedFate): FileLoss {
    const n = this.undo.length;
    const sizeBefore = this.size_;
    const unsyncedBytes = this.unsyncedBytes;
    let keep = 0; // records kept whole
    let tearBytes = 0; // bytes kept of record `keep` (0 = none)
    if (n > 0) {
      const roll = fate === "random" ? rng.next() : fate === "lose" ? 0 : 1;
      if (roll < 1 / 3) keep = 0;
      else if (roll >= 5 / 6) keep = n;
      else {
        keep = rng.int(n);
        const r = this.undo[keep]!;
        tearBytes = r.kind === "write" ? rng.int(r.length + 1) : 0;
      }
    }
    let keptBytes = 0;
    for (let i = 0; i < keep; i++) {
      const r = this.undo[i]!;
      if (r.kind === "write") keptBytes += r.length;
    }
    const torn = keep < n && tearBytes > 0 && tearBytes < (this.undo[keep] as WriteRecord).length;
    if (keep < n && tearBytes > 0 && !torn) {
      keep += 1; // the "prefix" was the whole record
      keptBytes += tearBytes;
      tearBytes = 0;
    }
    this.revert(keep, tearBytes);
    this.undo = [];
    return {
      sizeBefore,
      sizeAfter: this.size_,
      unsyncedWrites: n,
      keptWrites: keep,
      bytesLost: unsyncedBytes - keptBytes - tearBytes,
      torn,
    };
  }

  /** Undo records newest-first down to index `keep`; record `keep` keeps its first `tearBytes`. */
  private revert(keep: number, tearBytes: number): void {
    for (let i = this.undo.length - 1; i >= keep; i--) {
      const r = this.undo[i]!;
      if (r.kind === "truncate") {
        this.setSize(r.prevSize);
        this.buf.set(r.saved, r.newSize);
        continue;
      }
      const kept = i === keep ? tearBytes : 0;
      const saved = concat(r.saved);
      // saved covers [position, position + saved.length); restore all but the kept prefix.
      if (kept < saved.length) this.buf.set(saved.subarray(kept), r.position + kept);
      this.setSize(kept > 0 ? Math.max(r.prevSize, r.position + kept) : r.prevSize);
    }
    this.undo.length = Math.min(this.undo.length, keep);
  }

  private pushUndo(r: UndoRecord): void {
    this.undo.push(r);
    if (this.undo.length > MAX_UNSYNCED_RECORDS) {
      this.undo.shift();
      this.writebacks++;
    }
  }

  private setSize(newSize: number): void {
    if (newSize < this.size_) this.buf.fill(0, newSize, this.size_);
    else this.ensureCapacity(newSize);
    this.size_ = newSize;
  }

  private ensureCapacity(n: number): void {
    if (n <= this.buf.length) return;
    let cap = this.buf.length;
    while (cap < n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.size_));
    this.buf = next;
  }
}
