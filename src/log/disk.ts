/**
 * The Disk port: the synchronous file API the log, checkpoints and producer snapshots are
 * written against. Two implementations share one contract test suite (test/disk-contract.ts):
 * the simulated disk (src/sim/sim-disk.ts, browser-safe, with power-loss faults) and the fs disk
 * (src/node/fs-disk.ts, over node:fs).
 *
 * Paths are POSIX-style strings relative to the disk's root ("orders-0/00000000000000000000.log").
 * No path may contain "..", a leading "/", or an empty segment: implementations reject them.
 *
 * Durability contract (what the simulated disk enforces and real disks may do):
 * - Written bytes sit in the page cache until `fsync(path)`; only then do they survive a power loss.
 * - Creating, renaming or deleting a file changes its directory; that change survives a power
 *   loss only after `fsyncDir(dir)`.
 * - `rename` replaces the target atomically (POSIX rename), but is only durable after `fsyncDir`.
 * - A process crash (not a power loss) loses nothing that was written.
 *
 * Failures throw DiskError; the log turns them into KAFKA_STORAGE_ERROR for clients.
 */

export type DiskErrorCode = "ENOENT" | "EEXIST" | "EIO" | "ENOSPC" | "EINVAL" | "ENOTDIR" | "EISDIR" | "ENOTEMPTY";

export class DiskError extends Error {
  readonly code: DiskErrorCode;
  readonly path: string;
  constructor(code: DiskErrorCode, path: string, what: string) {
    super(`${what} ${path}: ${code}`);
    this.name = "DiskError";
    this.code = code;
    this.path = path;
  }
}

export interface Disk {
  /** True if a file or directory exists at `path`. */
  exists(path: string): boolean;
  /** True if `path` is a directory. */
  isDirectory(path: string): boolean;
  /** Create a directory and any missing parents (like `mkdir -p`). */
  mkdirs(path: string): void;
  /** Names (not paths) of the entries of a directory, sorted. */
  list(dir: string): string[];
  /** Create an empty file; throws EEXIST if it exists and `exclusive`, else truncates nothing and keeps it. */
  create(path: string, options?: { exclusive?: boolean }): void;
  /** Append bytes at the end of a file (creating it if absent). */
  append(path: string, data: Uint8Array): void;
  /** Write bytes at a position, extending the file (with zeros) if needed; creates the file if absent, like append. */
  writeAt(path: string, position: number, data: Uint8Array): void;
  /** Read up to `length` bytes from `position`; fewer at end of file. */
  read(path: string, position: number, length: number): Uint8Array;
  /** The whole file. */
  readAll(path: string): Uint8Array;
  /** Current size of a file in bytes (page cache view). */
  size(path: string): number;
  /** Cut (or zero-extend) a file to `size` bytes. */
  truncate(path: string, size: number): void;
  /** Make a file's bytes durable. */
  fsync(path: string): void;
  /** Make a directory's entries (creates, renames, deletes) durable. */
  fsyncDir(dir: string): void;
  /** Atomically rename `from` to `to`, replacing `to` if it exists. */
  rename(from: string, to: string): void;
  /** Delete a file. */
  delete(path: string): void;
  /** Delete an empty directory. */
  rmdir(path: string): void;
  /** Release any cached handles (the fs disk keeps file descriptors open). */
  close(): void;
}

/** Join path segments with "/", ignoring empty ones. */
export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p.length > 0).join("/");
}

/** Parent directory of a path ("" for a top-level entry). */
export function parentDir(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

/** Last segment of a path. */
export function baseName(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? path : path.slice(i + 1);
}

/**
 * Throws EINVAL for a path that could escape the disk's root or is malformed: absolute paths,
 * "..", ".", empty segments, backslashes or NUL bytes. Both implementations call it first.
 */
export function checkPath(path: string, what = "access"): void {
  if (path === "") return; // the root itself
  const bad =
    path.startsWith("/") ||
    path.includes("\\") ||
    path.includes("\0") ||
    path.split("/").some((seg) => seg === "" || seg === "." || seg === "..");
  if (bad) throw new DiskError("EINVAL", path, `Cannot ${what}: unsafe path`);
}
