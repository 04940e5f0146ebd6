/**
 * Names of the files in a partition directory (Kafka's LogFileUtils.java): every segment file is
 * named by its base offset, zero-padded to 20 digits, plus a suffix.
 *
 *   00000000000000000000.log        the batches
 *   00000000000000000000.index      offset index (offset-index.ts)
 *   00000000000000000000.timeindex  time index (time-index.ts)
 *   00000000000000000000.snapshot   producer-state snapshot (owned by the producer-state manager)
 *   00000000000000000000.txnindex   aborted-transaction index (not written by this course)
 *
 * Temporary suffixes appended to a whole name: ".deleted" (waiting for file.delete.delay.ms),
 * ".cleaned" and ".swap" (log cleaner), ".tmp" (checkpoint being written).
 */

export const LOG_FILE_SUFFIX = ".log";
export const INDEX_FILE_SUFFIX = ".index";
export const TIME_INDEX_FILE_SUFFIX = ".timeindex";
export const PRODUCER_SNAPSHOT_FILE_SUFFIX = ".snapshot";
export const TXN_INDEX_FILE_SUFFIX = ".txnindex";
export const DELETED_FILE_SUFFIX = ".deleted";
export const CLEANED_FILE_SUFFIX = ".cleaned";
export const SWAP_FILE_SUFFIX = ".swap";
export const TMP_FILE_SUFFIX = ".tmp";

const OFFSET_DIGITS = 20;

/** "00000000000000000042" for 42. */
export function filenamePrefixFromOffset(offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new Error(`Cannot name a segment file: offset ${offset} is not a non-negative integer`);
  return String(offset).padStart(OFFSET_DIGITS, "0");
}

export function logFileName(baseOffset: number): string {
  return filenamePrefixFromOffset(baseOffset) + LOG_FILE_SUFFIX;
}
export function indexFileName(baseOffset: number): string {
  return filenamePrefixFromOffset(baseOffset) + INDEX_FILE_SUFFIX;
}
export function timeIndexFileName(baseOffset: number): string {
  return filenamePrefixFromOffset(baseOffset) + TIME_INDEX_FILE_SUFFIX;
}

export interface ParsedSegmentFileName {
  baseOffset: number;
  /** ".log", ".index", ".timeindex", ".snapshot" or ".txnindex". */
  suffix: string;
}

const SEGMENT_FILE = /^(\d{20})(\.log|\.index|\.timeindex|\.snapshot|\.txnindex)$/;

/** Parses "00000000000000000042.index"; undefined for any other name. */
export function parseSegmentFileName(name: string): ParsedSegmentFileName | undefined {
  const m = SEGMENT_FILE.exec(name);
  if (m === null) return undefined;
  const baseOffset = Number(m[1]);
  if (!Number.isSafeInteger(baseOffset)) return undefined;
  return { baseOffset, suffix: m[2]! };
}

/** True for names carrying a temporary suffix that recovery removes. */
export function isTemporaryFileName(name: string): boolean {
  return (
    name.endsWith(DELETED_FILE_SUFFIX) ||
    name.endsWith(CLEANED_FILE_SUFFIX) ||
    name.endsWith(SWAP_FILE_SUFFIX) ||
    name.endsWith(TMP_FILE_SUFFIX)
  );
}
