/**
 * Kafka's text checkpoint files (server-common/.../CheckpointFile.java), UTF-8:
 *
 *     <version>\n<entryCount>\n<entry>\n<entry>\n...
 *
 * Each entry is one line of whitespace-separated fields; an EntryFormatter turns an entry into a
 * line and back. Users: offset-checkpoint.ts (recovery point, high watermark, log start offset,
 * cleaner offset per log dir) and leader-epoch-cache.ts (leader-epoch-checkpoint per partition).
 *
 * Reading follows CheckpointReadBuffer: lines end at \n, \r\n or \r; an EMPTY file, or one that
 * stops after the version line, reads as no entries (Kafka creates checkpoint files empty); a
 * missing file also reads as no entries here. A wrong version, an unparsable count or entry, or
 * a count that does not match the entries throws CorruptCheckpointError (file, line, problem).
 * Like Kafka, a last line without its newline is accepted, so a write torn exactly inside the
 * last number reads as a wrong value: only an atomic write rules that out.
 *
 * Writing is a SEAM (the checkpoint lab swaps it): a CheckpointWriter puts the encoded bytes at a
 * path. The correct one, `atomicWriteFile`, is what Kafka does (CheckpointFile.write and
 * Utils.atomicMoveWithFallback): write `<path>.tmp`, fsync it, rename it over `<path>`, fsync
 * the parent directory. A power loss at any point leaves either the old file or the new one.
 */
import { parentDir, type Disk } from "./disk";

/** Turns one entry into a line (no newline, no leading/trailing spaces) and back. */
export interface EntryFormatter<T> {
  /** The fields of a line, for error messages, e.g. "topic partition offset". */
  readonly fields: string;
  format(entry: T): string;
  /** Parse the whitespace-separated fields of one line; undefined if they are not a valid entry. */
  parse(fields: readonly string[]): T | undefined;
}

/** Puts `content` at `path` (the checkpoint-writing seam). */
export type CheckpointWriter = (disk: Disk, path: string, content: Uint8Array) => void;

/** A checkpoint file that cannot be parsed. `line` is 1-based; 0 means the file as a whole. */
export class CorruptCheckpointError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`Cannot read checkpoint file ${path}${line > 0 ? ` line ${line}` : ""}: ${problem}`);
    this.name = "CorruptCheckpointError";
  }
}

/**
 * The correct CheckpointWriter: tmp file, fsync, rename, fsync the directory. Kafka's order
 * (CheckpointFile.write); an existing `.tmp` from an earlier crash is overwritten.
 */
// #region atomic-write
export const atomicWriteFile: CheckpointWriter = (disk, path, content) => {
  const tmp = `${path}.tmp`;
  disk.create(tmp);
  disk.truncate(tmp, 0);
  disk.append(tmp, content);
  disk.fsync(tmp); // the new bytes are durable, under the temporary name
  disk.rename(tmp, path); // readers now see the new file; the old one is gone from the cache
  disk.fsyncDir(parentDir(path)); // COMMIT: the rename survives a power loss from here on
};
// #endregion atomic-write

const INT = /^[+-]?[0-9]+$/;

/** Java's Integer.parseInt, strictly: optional sign, digits, within int32. */
export function parseInt32(text: string): number | undefined {
  if (!INT.test(text)) return undefined;
  const n = Number(text);
  return n >= -(2 ** 31) && n <= 2 ** 31 - 1 ? n : undefined;
}

/** Java's Long.parseLong, limited to JS safe integers (offsets stay far below 2^53). */
export function parseInt64(text: string): number | undefined {
  if (!INT.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Split a line into fields as Java's `line.split("\\s+")` does (trailing empties dropped). */
export function splitFields(line: string): string[] {
  const parts = line.split(/\s+/);
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

export function encodeCheckpoint<T>(
  version: number,
  entries: readonly T[],
  formatter: EntryFormatter<T>,
): Uint8Array {
  let text = `${version}\n${entries.length}\n`;
  for (const e of entries) text += `${formatter.format(e)}\n`;
  return new TextEncoder().encode(text);
}

/** Parse checkpoint bytes; `path` is only for error messages. */
export function decodeCheckpoint<T>(
  path: string,
  bytes: Uint8Array,
  version: number,
  formatter: EntryFormatter<T>,
): T[] {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (_) {
    throw new CorruptCheckpointError(path, 0, "the file is not valid UTF-8");
  }
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === "") lines.pop(); // the text ended with a line terminator
  const versionLine = lines[0];
  if (versionLine === undefined) return [];
  const readVersion = parseInt32(versionLine);
  if (readVersion === undefined) {
    throw new CorruptCheckpointError(
      path,
      1,
      `expected a version number, found ${JSON.stringify(versionLine)}`,
    );
  }
  if (readVersion !== version) {
    throw new CorruptCheckpointError(
      path,
      1,
      `version ${readVersion} is not the expected version ${version}`,
    );
  }
  const countLine = lines[1];
  if (countLine === undefined) return [];
  const count = parseInt32(countLine);
  if (count === undefined || count < 0) {
    throw new CorruptCheckpointError(path, 2, `expected an entry count, found ${JSON.stringify(countLine)}`);
  }
  const entries: T[] = [];
  for (let i = 2; i < lines.length; i++) {
    const line = lines[i]!;
    const entry = formatter.parse(splitFields(line));
    if (entry === undefined) {
      throw new CorruptCheckpointError(
        path,
        i + 1,
        `expected an entry "${formatter.fields}", found ${JSON.stringify(line)}`,
      );
    }
    entries.push(entry);
  }
  if (entries.length !== count) {
    throw new CorruptCheckpointError(
      path,
      0,
      `the header says ${count} entries but the file has ${entries.length}`,
    );
  }
  return entries;
}

/** Read a checkpoint file; a missing or empty file has no entries. */
export function readCheckpointFile<T>(
  disk: Disk,
  path: string,
  version: number,
  formatter: EntryFormatter<T>,
): T[] {
  if (!disk.exists(path)) return [];
  return decodeCheckpoint(path, disk.readAll(path), version, formatter);
}

/** Encode and write a checkpoint file through `writer` (atomicWriteFile unless a lab swaps it). */
export function writeCheckpointFile<T>(
  disk: Disk,
  path: string,
  version: number,
  entries: readonly T[],
  formatter: EntryFormatter<T>,
  writer: CheckpointWriter = atomicWriteFile,
): void {
  writer(disk, path, encodeCheckpoint(version, entries, formatter));
}
