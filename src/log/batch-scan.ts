/**
 * Reading batch headers out of segment files without decoding records: the scanning primitive
 * of reads (offset → position), recovery, and the tail checks on open.
 *
 * - `FileWindow` reads a file through a moving window, so a scan makes one disk read per window
 *   rather than one per batch (recovery, replays); with a window of HEADER_BYTES it reads exactly
 *   one header per batch (the read path's short scan after an index lookup).
 * - `checkBatchHeader` is the structural check shared by append validation and recovery:
 *   minimum length, magic 2, non-negative lastOffsetDelta.
 *
 * Offsets and timestamps are int64 on disk; `int64At` reads them as JS numbers without BigInt,
 * exact for |value| < 2^53 (see batch-header.ts).
 */
import type { Disk } from "./disk";
import {
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V2,
  MAX_TIMESTAMP_OFFSET,
  RECORD_BATCH_OVERHEAD,
} from "../protocol";

/** Bytes read to learn a batch's offsets, size and max timestamp: the 61-byte v2 header. */
export const HEADER_BYTES = RECORD_BATCH_OVERHEAD;
/** Smallest legal batchLength: a header with no records (61 − 12). */
const MIN_BATCH_LENGTH = RECORD_BATCH_OVERHEAD - LOG_OVERHEAD;

const TWO_32 = 4294967296;

// Module-local copies of the header field positions. Under CommonJS transpilers (tsx, which runs
// the benchmarks) every use of an imported binding is a getter call through each re-exporting
// module; on the append path that cost showed up in profiles. Constants copied once are free.
const BASE_OFFSET_AT = BASE_OFFSET_OFFSET;
const BATCH_LENGTH_AT = BATCH_LENGTH_OFFSET;
const LAST_OFFSET_DELTA_AT = LAST_OFFSET_DELTA_OFFSET;
const MAX_TIMESTAMP_AT = MAX_TIMESTAMP_OFFSET;
const MAGIC_AT = MAGIC_OFFSET;
const V2 = MAGIC_V2;
const OVERHEAD = LOG_OVERHEAD;

export function int64At(dv: DataView, pos: number): number {
  return dv.getInt32(pos) * TWO_32 + dv.getUint32(pos + 4);
}

export function setInt64At(dv: DataView, pos: number, value: number): void {
  dv.setInt32(pos, Math.floor(value / TWO_32));
  dv.setUint32(pos + 4, value >>> 0);
}

export function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The header fields the log needs, read from a DataView at `pos`. */
export interface ScannedBatch {
  /** File position of the batch start (relative to the segment file). */
  position: number;
  baseOffset: number;
  lastOffset: number;
  /** Total bytes, batchLength + 12. */
  size: number;
  maxTimestamp: number;
}

export function scanHeader(dv: DataView, pos: number, filePosition: number): ScannedBatch {
  const baseOffset = int64At(dv, pos + BASE_OFFSET_AT);
  return {
    position: filePosition,
    baseOffset,
    lastOffset: baseOffset + dv.getInt32(pos + LAST_OFFSET_DELTA_AT),
    size: dv.getInt32(pos + BATCH_LENGTH_AT) + OVERHEAD,
    maxTimestamp: int64At(dv, pos + MAX_TIMESTAMP_AT),
  };
}

/**
 * Structural check of the header at `pos` (at least HEADER_BYTES present): a reason string when
 * the batch cannot be a v2 batch, undefined when it may be (the CRC is checked separately).
 */
export function checkBatchHeader(dv: DataView, pos: number): string | undefined {
  const batchLength = dv.getInt32(pos + BATCH_LENGTH_AT);
  if (batchLength < MIN_BATCH_LENGTH)
    return `batchLength ${batchLength} is below the minimum ${MIN_BATCH_LENGTH}`;
  const magic = dv.getInt8(pos + MAGIC_AT);
  if (magic !== V2) return `magic ${magic} is not ${V2} (only RecordBatch v2 is supported)`;
  const lastOffsetDelta = dv.getInt32(pos + LAST_OFFSET_DELTA_AT);
  if (lastOffsetDelta < 0) return `lastOffsetDelta ${lastOffsetDelta} is negative`;
  return undefined;
}

/**
 * A window over one file. `ensure(pos, len)` makes [pos, pos + len) available and returns its
 * index in `bytes`, or -1 when the file ends first. `bytesRead` counts what came from the disk.
 */
export class FileWindow {
  bytes: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(new ArrayBuffer(0));
  private start = 0;
  bytesRead = 0;
  reads = 0;

  constructor(
    private readonly disk: Disk,
    private readonly path: string,
    private readonly fileSize: number,
    private readonly windowBytes: number,
  ) {}

  ensure(pos: number, len: number): number {
    if (pos >= this.start && pos + len <= this.start + this.bytes.length) return pos - this.start;
    if (pos + len > this.fileSize) return -1;
    const want = Math.min(Math.max(len, this.windowBytes), this.fileSize - pos);
    const got = this.disk.read(this.path, pos, want);
    this.reads++;
    this.bytesRead += got.length;
    this.bytes = got;
    this.view = dataView(got);
    this.start = pos;
    return got.length >= len ? 0 : -1;
  }
}
