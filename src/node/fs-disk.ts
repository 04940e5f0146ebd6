/**
 * FsDisk: the Disk port over node:fs, rooted at a directory. It passes the same contract suite as
 * the simulated disk (test/disk-contract.ts), so the broker runs unchanged on real files.
 *
 * - Every path goes through checkPath (no "..", no absolute paths, no empty segments) and is
 *   then resolved and asserted to lie inside the root. Files are opened with O_NOFOLLOW, so a
 *   symlink planted as a file name is refused; the root itself and its directories are trusted.
 * - File descriptors are cached (at most `maxOpenFiles`, least recently used closed first) so
 *   appends and reads cost one syscall. The cache also remembers each file's size, which is
 *   exact as long as this FsDisk is the only writer of its root (the broker owns its log dirs).
 *   `close()` releases every descriptor; the disk stays usable and reopens files on demand.
 * - `fsync` is fsync(2) on the file's descriptor; `fsyncDir` opens the directory and fsyncs it
 *   (skipped on Windows, which cannot, as Kafka's Utils.flushDir also does).
 * - Node error codes map to DiskError codes; unknown ones (EACCES, EMFILE...) become EIO with
 *   the original error as `cause`. Preconditions (file vs directory) are checked explicitly
 *   so the error codes match SimDisk's on every platform.
 */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { DiskError, checkPath, type Disk, type DiskErrorCode } from "../log/disk";

const KNOWN_CODES = new Set<string>([
  "ENOENT",
  "EEXIST",
  "EIO",
  "ENOSPC",
  "EINVAL",
  "ENOTDIR",
  "EISDIR",
  "ENOTEMPTY",
]);
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

interface Handle {
  fd: number;
  size: number;
}

export interface FsDiskOptions {
  /** Bound on cached file descriptors (default 128). */
  maxOpenFiles?: number;
}

function asDiskError(err: unknown, path: string, what: string): DiskError {
  if (err instanceof DiskError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? "";
  const mapped: DiskErrorCode = KNOWN_CODES.has(code) ? (code as DiskErrorCode) : "EIO";
  const detail = mapped === code ? "" : ` (${code || String(err)})`;
  const out = new DiskError(mapped, path, `Cannot ${what}${detail}`);
  (out as Error & { cause?: unknown }).cause = err;
  return out;
}

export class FsDisk implements Disk {
  /** Absolute, symlink-free path of the root directory. */
  readonly root: string;
  private readonly handles = new Map<string, Handle>();
  private readonly maxOpenFiles: number;

  /** Opens (creating if needed) the root directory. */
  constructor(root: string, options: FsDiskOptions = {}) {
    fs.mkdirSync(root, { recursive: true });
    this.root = fs.realpathSync(root);
    this.maxOpenFiles = Math.max(1, options.maxOpenFiles ?? 128);
  }

  exists(path: string): boolean {
    return this.stat(path, "check") !== undefined;
  }

  isDirectory(path: string): boolean {
    return this.stat(path, "check")?.isDirectory() ?? false;
  }

  mkdirs(path: string): void {
    checkPath(path, "create directory");
    if (path === "") return;
    const segments = path.split("/");
    for (let i = 1; i <= segments.length; i++) {
      const prefix = segments.slice(0, i).join("/");
      const st = this.stat(prefix, "create directory");
      if (st === undefined) {
        this.run(prefix, "create directory", () => fs.mkdirSync(this.abs(prefix)));
      } else if (!st.isDirectory()) {
        throw new DiskError(
          i === segments.length ? "EEXIST" : "ENOTDIR",
          prefix,
          "Cannot create directory: a file is in the way at",
        );
      }
    }
  }

  list(dir: string): string[] {
    checkPath(dir, "list");
    return this.run(dir, "list", () => fs.readdirSync(this.abs(dir))).sort();
  }

  create(path: string, options: { exclusive?: boolean } = {}): void {
    checkPath(path, "create");
    if (path === "") throw new DiskError(options.exclusive ? "EEXIST" : "EISDIR", path, "Cannot create");
    if (options.exclusive) {
      const fd = this.run(path, "create", () =>
        fs.openSync(
          this.abs(path),
          fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW,
        ),
      );
      this.remember(path, { fd, size: 0 });
      return;
    }
    this.handle(path, true, "create");
  }

  append(path: string, data: Uint8Array): void {
    checkPath(path, "append to");
    const h = this.handle(path, true, "append to");
    this.writeFully(h, path, h.size, data, "append to");
  }

  writeAt(path: string, position: number, data: Uint8Array): void {
    checkPath(path, "write");
    this.checkCount(path, position, "write at position");
    const h = this.handle(path, true, "write");
    this.writeFully(h, path, position, data, "write");
  }

  read(path: string, position: number, length: number): Uint8Array {
    checkPath(path, "read");
    this.checkCount(path, position, "read at position");
    this.checkCount(path, length, "read length");
    const h = this.handle(path, false, "read");
    const n = Math.max(0, Math.min(length, h.size - position));
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const got = this.run(path, "read", () => fs.readSync(h.fd, out, done, n - done, position + done));
      if (got === 0) return out.subarray(0, done); // shorter than we believed: another writer truncated it
      done += got;
    }
    return out;
  }

  readAll(path: string): Uint8Array {
    checkPath(path, "read");
    return this.read(path, 0, this.handle(path, false, "read").size);
  }

  size(path: string): number {
    checkPath(path, "stat");
    return this.handle(path, false, "stat").size;
  }

  truncate(path: string, size: number): void {
    checkPath(path, "truncate");
    this.checkCount(path, size, "truncate to size");
    const h = this.handle(path, false, "truncate");
    this.run(path, "truncate", () => fs.ftruncateSync(h.fd, size));
    h.size = size;
  }

  fsync(path: string): void {
    checkPath(path, "fsync");
    const h = this.handle(path, false, "fsync");
    this.run(path, "fsync", () => fs.fsyncSync(h.fd));
  }

  fsyncDir(dir: string): void {
    checkPath(dir, "fsync directory");
    const st = this.stat(dir, "fsync directory");
    if (st === undefined) throw new DiskError("ENOENT", dir, "Cannot fsync directory");
    if (!st.isDirectory()) throw new DiskError("ENOTDIR", dir, "Cannot fsync directory");
    if (process.platform === "win32") return;
    this.run(dir, "fsync directory", () => {
      const fd = fs.openSync(this.abs(dir), fs.constants.O_RDONLY);
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    });
  }

  rename(from: string, to: string): void {
    checkPath(from, "rename");
    checkPath(to, "rename to");
    if (from === "" || to === "")
      throw new DiskError("EINVAL", from === "" ? from : to, "Cannot rename the root");
    const src = this.stat(from, "rename");
    if (src === undefined) throw new DiskError("ENOENT", from, "Cannot rename");
    const dst = this.stat(to, "rename to");
    if (from === to) return;
    if (src.isDirectory()) {
      if (to.startsWith(`${from}/`)) throw new DiskError("EINVAL", to, `Cannot rename ${from} into itself:`);
      if (dst !== undefined && !dst.isDirectory())
        throw new DiskError("ENOTDIR", to, `Cannot rename directory ${from} over file`);
      if (dst?.isDirectory() && this.list(to).length > 0) {
        throw new DiskError("ENOTEMPTY", to, `Cannot rename ${from} over non-empty directory`);
      }
    } else if (dst?.isDirectory()) {
      throw new DiskError("EISDIR", to, `Cannot rename file ${from} over directory`);
    }
    this.forget(to, true);
    this.run(from, "rename", () => fs.renameSync(this.abs(from), this.abs(to)));
    // Descriptors stay valid across a rename: re-key them.
    for (const [p, h] of [...this.handles]) {
      if (p === from || p.startsWith(`${from}/`)) {
        this.handles.delete(p);
        this.handles.set(to + p.slice(from.length), h);
      }
    }
  }

  delete(path: string): void {
    checkPath(path, "delete");
    const st = this.stat(path, "delete");
    if (st === undefined) throw new DiskError("ENOENT", path, "Cannot delete");
    if (st.isDirectory()) throw new DiskError("EISDIR", path, "Cannot delete (use rmdir)");
    this.forget(path, false);
    this.run(path, "delete", () => fs.unlinkSync(this.abs(path)));
  }

  rmdir(path: string): void {
    checkPath(path, "remove directory");
    if (path === "") throw new DiskError("EINVAL", path, "Cannot remove the root directory");
    const st = this.stat(path, "remove directory");
    if (st === undefined) throw new DiskError("ENOENT", path, "Cannot remove directory");
    if (!st.isDirectory()) throw new DiskError("ENOTDIR", path, "Cannot remove directory");
    try {
      fs.rmdirSync(this.abs(path));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EEXIST") throw new DiskError("ENOTEMPTY", path, "Cannot remove directory");
      throw asDiskError(e, path, "remove directory");
    }
  }

  close(): void {
    for (const [path] of [...this.handles]) this.forget(path, false);
  }

  /** Number of cached file descriptors (for tests and diagnostics). */
  openFiles(): number {
    return this.handles.size;
  }

  // ---- internals ----

  /** Absolute path inside the root; asserts it cannot escape. */
  private abs(path: string): string {
    if (path === "") return this.root;
    const out = nodePath.join(this.root, ...path.split("/"));
    if (!out.startsWith(this.root + nodePath.sep))
      throw new DiskError("EINVAL", path, "Cannot access (escapes the root)");
    return out;
  }

  /** lstat, or undefined when the path (or a parent) does not exist or a parent is a file. */
  private stat(path: string, what: string): fs.Stats | undefined {
    checkPath(path, what);
    try {
      return fs.lstatSync(this.abs(path));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      throw asDiskError(e, path, what);
    }
  }

  private run<T>(path: string, what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw asDiskError(e, path, what);
    }
  }

  private checkCount(path: string, n: number, what: string): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new DiskError("EINVAL", path, `Cannot ${what} ${n} in`);
  }

  /** The cached handle of a file, opening (and optionally creating) it. Most recently used last. */
  private handle(path: string, create: boolean, what: string): Handle {
    const cached = this.handles.get(path);
    if (cached !== undefined) {
      this.handles.delete(path);
      this.handles.set(path, cached);
      return cached;
    }
    if (path === "") throw new DiskError("EISDIR", path, `Cannot ${what}`);
    const flags = fs.constants.O_RDWR | O_NOFOLLOW | (create ? fs.constants.O_CREAT : 0);
    const fd = this.run(path, what, () => fs.openSync(this.abs(path), flags, 0o644));
    let size: number;
    try {
      size = fs.fstatSync(fd).size;
    } catch (e) {
      fs.closeSync(fd);
      throw asDiskError(e, path, what);
    }
    const h = { fd, size };
    this.remember(path, h);
    return h;
  }

  private remember(path: string, h: Handle): void {
    this.handles.set(path, h);
    while (this.handles.size > this.maxOpenFiles) {
      const oldest = this.handles.keys().next().value as string;
      this.forget(oldest, false);
    }
  }

  /** Close cached descriptors for `path` (and, if `recursive`, everything under it). */
  private forget(path: string, recursive: boolean): void {
    for (const [p, h] of [...this.handles]) {
      if (p === path || (recursive && p.startsWith(`${path}/`))) {
        this.handles.delete(p);
        try {
          fs.closeSync(h.fd);
        } catch (_) {
          // Already closed or invalid: nothing left to release.
        }
      }
    }
  }

  private writeFully(h: Handle, path: string, position: number, data: Uint8Array, what: string): void {
    let done = 0;
    while (done < data.length) {
      done += this.run(path, what, () => fs.writeSync(h.fd, data, done, data.length - done, position + done));
    }
    h.size = Math.max(h.size, position + data.length);
  }
}
