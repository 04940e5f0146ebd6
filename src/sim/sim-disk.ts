/**
 * SimDisk: the simulated disk (a `Disk`, browser-safe, deterministic). It models what a real
 * file system promises and what it does not, so the storage, checkpoint and reliability labs can
 * lose data honestly:
 *
 * - Each file has page-cache bytes (what reads see) and durable bytes. `fsync(path)` makes the
 *   file's current bytes durable (sim-file.ts keeps the unsynced writes as undo records).
 * - Directory entries (create, rename, delete, mkdir, rmdir) change a cached namespace. Each
 *   directory also has a durable entry table, replaced by the cached one on `fsyncDir(dir)`.
 *   A new file or directory therefore survives a power loss only once its PARENT is fsynced,
 *   and a rename only once both directories are (a cross-directory rename with only the target
 *   directory synced can leave the file under both names, as on some real file systems).
 * - `crash()`: the process died, the OS did not. Nothing is lost. Returns what was still
 *   unsynced (and survived anyway).
 * - `powerLoss(rng)`: the namespace reverts to the durable entry tables; every surviving file
 *   reverts to its durable bytes plus a seeded prefix of its unsynced writes, the last kept write
 *   possibly torn (see sim-file.ts). Returns a report of what was lost.
 *
 * Fault hooks: `failNext(op, {code, path})` (with shortcuts failNextWrite / failNextFsync /
 * failNextRename) makes the next matching operation throw a DiskError. A failed operation applies
 * nothing: no byte written, no file created, nothing made durable (we do not model Linux's
 * "fsyncgate", where a failed fsync may silently drop dirty pages). `flipBit` corrupts a byte in
 * every stored version of it, like a bad sector.
 *
 * Stats (`stats()`): operation and byte counters for benchmarks and for labs that must show
 * "recovery read only past the recovery point" (`bytesRead`, `bytesReadUnder(prefix)`).
 *
 * Departures from a real disk: no capacity limit (inject ENOSPC with failNext), no hard links
 * or symlinks, no permissions, files are limited to MAX_FILE_BYTES (positions are int32 in
 * Kafka's FileRecords too). Every call runs to completion; there is no concurrency.
 */
import { DiskError, baseName, checkPath, parentDir, type Disk, type DiskErrorCode } from "../log/disk";
import type { TraceSink } from "./process";
import type { Rng } from "./rng";
import { SimFile, type FileLoss, type UnsyncedFate } from "./sim-file";

/** Largest file the simulated disk holds (2 GiB - 1, Kafka's int32 file positions). */
export const MAX_FILE_BYTES = 2 ** 31 - 1;

/** Operations that `failNext` can make fail. "write" covers append and writeAt. */
export type DiskOp =
  "create" | "write" | "read" | "truncate" | "fsync" | "fsyncDir" | "rename" | "delete" | "mkdirs" | "rmdir";

export interface SimDiskStats {
  /** append and writeAt calls that succeeded, and the bytes they wrote. */
  writes: number;
  bytesWritten: number;
  /** read and readAll calls, and the bytes they returned. */
  reads: number;
  bytesRead: number;
  fsyncs: number;
  fsyncDirs: number;
  creates: number;
  renames: number;
  deletes: number;
  truncates: number;
  /** Operations failed on purpose by failNext. */
  faultsInjected: number;
  /** Unsynced writes made durable because a file exceeded MAX_UNSYNCED_RECORDS (sim-file.ts). */
  writebacks: number;
}

export interface SimDiskOptions {
  /** Receives "disk.fault", "disk.crash", "disk.powerLoss" and "disk.flipBit" events. */
  trace?: TraceSink;
  /** Name shown in trace events (e.g. the node id). */
  name?: string;
}

/** A file's lost bytes after a power loss, by its path after the power loss. */
export interface PowerLossFileReport extends FileLoss {
  path: string;
}

export interface PowerLossReport {
  kind: "powerLoss";
  /** Surviving files that had unsynced writes: what each kept and lost. Sorted by path. */
  files: PowerLossFileReport[];
  /** Paths (files and directories) that existed before and do not after. Sorted. */
  vanished: string[];
  /** Paths that had been deleted or renamed away and came back. Sorted. */
  reappeared: string[];
}

export interface CrashReport {
  kind: "crash";
  /** Files with unsynced bytes: all of them survive a crash (the page cache belongs to the OS). */
  unsyncedFiles: number;
  unsyncedBytes: number;
  /** Directories whose entries were not yet durable: also kept. */
  unsyncedDirs: number;
}

export interface SimPathInfo {
  kind: "file" | "dir";
  /** Page-cache size (0 for a directory). */
  size: number;
  /** Size a power loss that keeps no unsynced byte would leave. */
  durableSize: number;
  unsyncedWrites: number;
  unsyncedBytes: number;
  /** True when the path leads to this same file or directory in the durable namespace. */
  nameDurable: boolean;
}

interface DirNode {
  kind: "dir";
  id: number;
  entries: Map<string, number>;
  durable: Map<string, number>;
}
interface FileNode {
  kind: "file";
  id: number;
  file: SimFile;
}
type Node = DirNode | FileNode;

const ROOT_ID = 0;

function zeroStats(): SimDiskStats {
  return {
    writes: 0,
    bytesWritten: 0,
    reads: 0,
    bytesRead: 0,
    fsyncs: 0,
    fsyncDirs: 0,
    creates: 0,
    renames: 0,
    deletes: 0,
    truncates: 0,
    faultsInjected: 0,
    writebacks: 0,
  };
}

function sameEntries(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

export class SimDisk implements Disk {
  private readonly nodes = new Map<number, Node>();
  private nextId = ROOT_ID + 1;
  private gcPending = false;
  private readonly faults: { op: DiskOp; code: DiskErrorCode; path?: string }[] = [];
  private counters = zeroStats();
  private readByPath = new Map<string, number>();
  private readonly trace?: TraceSink;
  private readonly name: string;

  constructor(options: SimDiskOptions = {}) {
    this.trace = options.trace;
    this.name = options.name ?? "disk";
    this.nodes.set(ROOT_ID, { kind: "dir", id: ROOT_ID, entries: new Map(), durable: new Map() });
  }

  // ---- Disk: namespace ----

  exists(path: string): boolean {
    checkPath(path, "check");
    return this.lookup(path) !== undefined;
  }

  isDirectory(path: string): boolean {
    checkPath(path, "check");
    return this.lookup(path)?.kind === "dir";
  }

  mkdirs(path: string): void {
    checkPath(path, "create directory");
    if (path === "") return;
    let dir = this.root();
    let walked = "";
    const segments = path.split("/");
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      walked = walked === "" ? seg : `${walked}/${seg}`;
      const id = dir.entries.get(seg);
      if (id === undefined) {
        this.fault("mkdirs", path, "create directory");
        const created: DirNode = { kind: "dir", id: this.nextId++, entries: new Map(), durable: new Map() };
        this.nodes.set(created.id, created);
        dir.entries.set(seg, created.id);
        dir = created;
        continue;
      }
      const node = this.node(id);
      if (node.kind === "file") {
        throw new DiskError(
          i === segments.length - 1 ? "EEXIST" : "ENOTDIR",
          walked,
          "Cannot create directory: a file is in the way at",
        );
      }
      dir = node;
    }
  }

  list(dir: string): string[] {
    checkPath(dir, "list");
    const node = this.lookupStrict(dir, "list");
    if (node.kind !== "dir") throw new DiskError("ENOTDIR", dir, "Cannot list");
    return [...node.entries.keys()].sort();
  }

  create(path: string, options: { exclusive?: boolean } = {}): void {
    checkPath(path, "create");
    const [parent, name] = this.parentOf(path, "create");
    const existing = parent.entries.get(name);
    if (existing !== undefined) {
      if (options.exclusive) throw new DiskError("EEXIST", path, "Cannot create");
      if (this.node(existing).kind === "dir") throw new DiskError("EISDIR", path, "Cannot create");
      return;
    }
    this.fault("create", path, "create");
    this.newFile(parent, name);
  }

  rename(from: string, to: string): void {
    checkPath(from, "rename");
    checkPath(to, "rename to");
    if (from === "" || to === "")
      throw new DiskError("EINVAL", from === "" ? from : to, "Cannot rename the root");
    const [fromParent, fromName] = this.parentOf(from, "rename");
    const id = fromParent.entries.get(fromName);
    if (id === undefined) throw new DiskError("ENOENT", from, "Cannot rename");
    const [toParent, toName] = this.parentOf(to, "rename to");
    if (from === to) return;
    const moving = this.node(id);
    const replacedId = toParent.entries.get(toName);
    const replaced = replacedId === undefined ? undefined : this.node(replacedId);
    if (moving.kind === "dir") {
      if (to.startsWith(`${from}/`)) throw new DiskError("EINVAL", to, `Cannot rename ${from} into itself:`);
      if (replaced?.kind === "file")
        throw new DiskError("ENOTDIR", to, `Cannot rename directory ${from} over file`);
      if (replaced?.kind === "dir" && replaced.entries.size > 0) {
        throw new DiskError("ENOTEMPTY", to, `Cannot rename ${from} over non-empty directory`);
      }
    } else if (replaced?.kind === "dir") {
      throw new DiskError("EISDIR", to, `Cannot rename file ${from} over directory`);
    }
    this.fault("rename", from, "rename");
    fromParent.entries.delete(fromName);
    toParent.entries.set(toName, id);
    if (replaced !== undefined) this.gcPending = true;
    this.counters.renames++;
  }

  delete(path: string): void {
    checkPath(path, "delete");
    const [parent, name] = this.parentOf(path, "delete");
    const id = parent.entries.get(name);
    if (id === undefined) throw new DiskError("ENOENT", path, "Cannot delete");
    if (this.node(id).kind === "dir") throw new DiskError("EISDIR", path, "Cannot delete (use rmdir)");
    this.fault("delete", path, "delete");
    parent.entries.delete(name);
    this.gcPending = true;
    this.counters.deletes++;
  }

  rmdir(path: string): void {
    checkPath(path, "remove directory");
    if (path === "") throw new DiskError("EINVAL", path, "Cannot remove the root directory");
    const [parent, name] = this.parentOf(path, "remove directory");
    const id = parent.entries.get(name);
    if (id === undefined) throw new DiskError("ENOENT", path, "Cannot remove directory");
    const node = this.node(id);
    if (node.kind !== "dir") throw new DiskError("ENOTDIR", path, "Cannot remove directory");
    if (node.entries.size > 0) throw new DiskError("ENOTEMPTY", path, "Cannot remove directory");
    this.fault("rmdir", path, "remove directory");
    parent.entries.delete(name);
    this.gcPending = true;
  }

  // ---- Disk: file contents ----

  append(path: string, data: Uint8Array): void {
    checkPath(path, "append to");
    const target = this.fileForWrite(path, "append to");
    const position = target instanceof SimFile ? target.size : 0;
    this.checkEnd(path, position + data.length, "append to");
    this.fault("write", path, "append to");
    this.materialize(target).write(position, data);
    this.countWrite(target, data.length);
  }

  writeAt(path: string, position: number, data: Uint8Array): void {
    checkPath(path, "write");
    this.checkCount(path, position, "write at position");
    const target = this.fileForWrite(path, "write");
    this.checkEnd(path, position + data.length, "write");
    this.fault("write", path, "write");
    this.materialize(target).write(position, data);
    this.countWrite(target, data.length);
  }

  read(path: string, position: number, length: number): Uint8Array {
    checkPath(path, "read");
    this.checkCount(path, position, "read at position");
    this.checkCount(path, length, "read length");
    const file = this.fileAt(path, "read");
    this.fault("read", path, "read");
    const out = file.read(position, length);
    this.countRead(path, out.length);
    return out;
  }

  readAll(path: string): Uint8Array {
    checkPath(path, "read");
    const file = this.fileAt(path, "read");
    this.fault("read", path, "read");
    const out = file.read(0, file.size);
    this.countRead(path, out.length);
    return out;
  }

  size(path: string): number {
    checkPath(path, "stat");
    return this.fileAt(path, "stat").size;
  }

  truncate(path: string, size: number): void {
    checkPath(path, "truncate");
    this.checkCount(path, size, "truncate to size");
    this.checkEnd(path, size, "truncate");
    const file = this.fileAt(path, "truncate");
    this.fault("truncate", path, "truncate");
    file.truncate(size);
    this.takeWritebacks(file);
    this.counters.truncates++;
  }

  fsync(path: string): void {
    checkPath(path, "fsync");
    const file = this.fileAt(path, "fsync");
    this.fault("fsync", path, "fsync");
    file.sync();
    this.counters.fsyncs++;
  }

  fsyncDir(dir: string): void {
    checkPath(dir, "fsync directory");
    const node = this.lookupStrict(dir, "fsync directory");
    if (node.kind !== "dir") throw new DiskError("ENOTDIR", dir, "Cannot fsync directory");
    this.fault("fsyncDir", dir, "fsync directory");
    node.durable = new Map(node.entries);
    this.counters.fsyncDirs++;
    if (this.gcPending) this.collectGarbage();
  }

  close(): void {
    // Nothing to release: the simulated disk holds no handles.
  }

  // ---- Faults ----

  /** The process crashed; the OS kept running. Nothing is lost; the report says what was unsynced. */
  crash(): CrashReport {
    let unsyncedFiles = 0;
    let unsyncedBytes = 0;
    let unsyncedDirs = 0;
    const reachable = new Set([ROOT_ID, ...this.walk("entries").values()]);
    for (const id of reachable) {
      const node = this.node(id);
      if (node.kind === "file" && node.file.unsyncedRecords > 0) {
        unsyncedFiles++;
        unsyncedBytes += node.file.unsyncedBytes;
      } else if (node.kind === "dir" && !sameEntries(node.entries, node.durable)) {
        unsyncedDirs++;
      }
    }
    const report: CrashReport = { kind: "crash", unsyncedFiles, unsyncedBytes, unsyncedDirs };
    this.emit("disk.crash", { ...report });
    return report;
  }

  /**
   * Power loss: the namespace reverts to the durable entry tables and each surviving file to its
   * durable bytes plus a seeded prefix of its unsynced writes (the last one possibly torn).
   * `fate` forces the outcome for every file ("lose" all unsynced bytes, "keep" them all).
   */
  powerLoss(rng: Rng, fate: UnsyncedFate = "random"): PowerLossReport {
    const before = this.walk("entries");
    // Namespace: every directory reachable through durable entries gets its durable table back.
    const stack: DirNode[] = [this.root()];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      dir.entries = new Map(dir.durable);
      for (const id of dir.entries.values()) {
        const child = this.node(id);
        if (child.kind === "dir") stack.push(child);
      }
    }
    const after = this.walk("entries");
    // Contents: surviving files lose (part of) their unsynced writes, in path order for determinism.
    const files: PowerLossFileReport[] = [];
    const done = new Set<number>();
    for (const [path, id] of [...after].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const node = this.node(id);
      if (node.kind !== "file" || done.has(id)) continue;
      done.add(id);
      if (node.file.unsyncedRecords === 0) continue;
      files.push({ path, ...node.file.powerLoss(rng, fate) });
    }
    this.collectGarbage();
    const vanished = [...before.keys()].filter((p) => !after.has(p)).sort();
    const reappeared = [...after.keys()].filter((p) => !before.has(p)).sort();
    const report: PowerLossReport = { kind: "powerLoss", files, vanished, reappeared };
    this.emit("disk.powerLoss", {
      files: files.map((f) => ({ path: f.path, bytesLost: f.bytesLost, torn: f.torn })),
      vanished,
      reappeared,
    });
    return report;
  }

  /** Make the next `op` (optionally only on `path`) throw DiskError(code). Faults queue up. */
  failNext(op: DiskOp, options: { code?: DiskErrorCode; path?: string } = {}): void {
    this.faults.push({ op, code: options.code ?? "EIO", path: options.path });
  }

  /** Next append/writeAt fails and writes nothing. */
  failNextWrite(code: DiskErrorCode = "EIO", path?: string): void {
    this.failNext("write", { code, path });
  }

  /** Next fsync fails and makes nothing durable (the data stays in the page cache, unsynced). */
  failNextFsync(code: DiskErrorCode = "EIO", path?: string): void {
    this.failNext("fsync", { code, path });
  }

  /** Next rename fails and changes nothing. */
  failNextRename(code: DiskErrorCode = "EIO", path?: string): void {
    this.failNext("rename", { code, path });
  }

  /** Faults queued by failNext and not yet triggered. */
  pendingFaults(): number {
    return this.faults.length;
  }

  /** Flip bit `bit` (0..7) of byte `byteOffset` of a file, in the page cache and durable bytes alike. */
  flipBit(path: string, byteOffset: number, bit: number): void {
    checkPath(path, "corrupt");
    const file = this.fileAt(path, "corrupt");
    if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset >= file.size) {
      throw new DiskError("EINVAL", path, `Cannot flip a bit at byte ${byteOffset} (size ${file.size}) of`);
    }
    if (!Number.isInteger(bit) || bit < 0 || bit > 7) {
      throw new DiskError("EINVAL", path, `Cannot flip bit ${bit} (must be 0..7) of`);
    }
    file.flipBit(byteOffset, bit);
    this.emit("disk.flipBit", { path, byteOffset, bit });
  }

  // ---- Inspection ----

  stats(): SimDiskStats {
    return { ...this.counters };
  }

  /** Bytes read from files at or under `prefix` (a file path or a directory) since the last reset. */
  bytesReadUnder(prefix: string): number {
    let n = 0;
    for (const [path, bytes] of this.readByPath) {
      if (prefix === "" || path === prefix || path.startsWith(`${prefix}/`)) n += bytes;
    }
    return n;
  }

  resetStats(): void {
    this.counters = zeroStats();
    this.readByPath = new Map();
  }

  /** Durability state of a path, or undefined if it does not exist. */
  inspect(path: string): SimPathInfo | undefined {
    checkPath(path, "inspect");
    const node = this.lookup(path);
    if (node === undefined) return undefined;
    const nameDurable = this.lookup(path, "durable")?.id === node.id;
    if (node.kind === "dir") {
      return { kind: "dir", size: 0, durableSize: 0, unsyncedWrites: 0, unsyncedBytes: 0, nameDurable };
    }
    const f = node.file;
    const durableSize = f.durableBytes().length;
    return {
      kind: "file",
      size: f.size,
      durableSize,
      unsyncedWrites: f.unsyncedRecords,
      unsyncedBytes: f.unsyncedBytes,
      nameDurable,
    };
  }

  /** The bytes of a file that a power loss keeping no unsynced write would leave. */
  durableBytes(path: string): Uint8Array {
    checkPath(path, "inspect");
    return this.fileAt(path, "inspect").durableBytes();
  }

  // ---- internals ----

  private root(): DirNode {
    return this.node(ROOT_ID) as DirNode;
  }

  private node(id: number): Node {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`SimDisk invariant broken: inode ${id} is referenced but missing`);
    return n;
  }

  /** Walk a path through the cached (or durable) entries; undefined if any step is missing. */
  private lookup(path: string, table: "entries" | "durable" = "entries"): Node | undefined {
    let node: Node = this.root();
    if (path === "") return node;
    for (const seg of path.split("/")) {
      if (node.kind !== "dir") return undefined;
      const id: number | undefined = node[table].get(seg);
      if (id === undefined) return undefined;
      node = this.node(id);
    }
    return node;
  }

  private lookupStrict(path: string, what: string): Node {
    if (path === "") return this.root();
    const [parent, name] = this.parentOf(path, what);
    const id = parent.entries.get(name);
    if (id === undefined) throw new DiskError("ENOENT", path, `Cannot ${what}`);
    return this.node(id);
  }

  /** The parent directory of `path` and the last segment; ENOENT/ENOTDIR if the parent is not a directory. */
  private parentOf(path: string, what: string): [DirNode, string] {
    const dirPath = parentDir(path);
    const dir = this.lookup(dirPath);
    if (dir === undefined) throw new DiskError("ENOENT", path, `Cannot ${what} (no parent directory)`);
    if (dir.kind !== "dir") throw new DiskError("ENOTDIR", path, `Cannot ${what} (parent is a file)`);
    return [dir, baseName(path)];
  }

  private fileAt(path: string, what: string): SimFile {
    const node = this.lookupStrict(path, what);
    if (node.kind !== "file") throw new DiskError("EISDIR", path, `Cannot ${what}`);
    return node.file;
  }

  /** The file to write to, or the parent directory where append/writeAt will create it. */
  private fileForWrite(path: string, what: string): SimFile | [DirNode, string] {
    if (path === "") throw new DiskError("EISDIR", path, `Cannot ${what}`);
    const [parent, name] = this.parentOf(path, what);
    const id = parent.entries.get(name);
    if (id === undefined) return [parent, name];
    const node = this.node(id);
    if (node.kind !== "file") throw new DiskError("EISDIR", path, `Cannot ${what}`);
    return node.file;
  }

  private materialize(target: SimFile | [DirNode, string]): SimFile {
    if (target instanceof SimFile) return target;
    return this.newFile(target[0], target[1]);
  }

  private newFile(parent: DirNode, name: string): SimFile {
    const id = this.nextId++;
    const node: FileNode = { kind: "file", id, file: new SimFile(id) };
    this.nodes.set(node.id, node);
    parent.entries.set(name, node.id);
    this.counters.creates++;
    return node.file;
  }

  private checkCount(path: string, n: number, what: string): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new DiskError("EINVAL", path, `Cannot ${what} ${n} in`);
  }

  private checkEnd(path: string, end: number, what: string): void {
    if (end > MAX_FILE_BYTES) {
      throw new DiskError(
        "EINVAL",
        path,
        `Cannot ${what}: size ${end} would exceed ${MAX_FILE_BYTES} bytes in`,
      );
    }
  }

  private fault(op: DiskOp, path: string, what: string): void {
    const i = this.faults.findIndex((f) => f.op === op && (f.path === undefined || f.path === path));
    if (i < 0) return;
    const [f] = this.faults.splice(i, 1);
    this.counters.faultsInjected++;
    this.emit("disk.fault", { op, path, code: f!.code });
    throw new DiskError(f!.code, path, `Cannot ${what} (injected fault)`);
  }

  private countWrite(target: SimFile | [DirNode, string], bytes: number): void {
    this.counters.writes++;
    this.counters.bytesWritten += bytes;
    if (target instanceof SimFile) this.takeWritebacks(target);
  }

  private takeWritebacks(file: SimFile): void {
    this.counters.writebacks += file.writebacks;
    file.writebacks = 0;
  }

  private countRead(path: string, bytes: number): void {
    this.counters.reads++;
    this.counters.bytesRead += bytes;
    this.readByPath.set(path, (this.readByPath.get(path) ?? 0) + bytes);
  }

  /** Every path reachable through one of the entry tables, with its inode id. */
  private walk(table: "entries" | "durable"): Map<string, number> {
    const out = new Map<string, number>();
    const stack: [string, DirNode][] = [["", this.root()]];
    while (stack.length > 0) {
      const [prefix, dir] = stack.pop()!;
      for (const [name, id] of dir[table]) {
        const path = prefix === "" ? name : `${prefix}/${name}`;
        out.set(path, id);
        const child = this.node(id);
        if (child.kind === "dir") stack.push([path, child]);
      }
    }
    return out;
  }

  /** Drop inodes that neither the cached nor the durable namespace can reach. */
  private collectGarbage(): void {
    const reachable = new Set<number>([ROOT_ID]);
    const stack: DirNode[] = [this.root()];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      for (const table of [dir.entries, dir.durable]) {
        for (const id of table.values()) {
          if (reachable.has(id)) continue;
          reachable.add(id);
          const child = this.node(id);
          if (child.kind === "dir") stack.push(child);
        }
      }
    }
    for (const id of [...this.nodes.keys()]) if (!reachable.has(id)) this.nodes.delete(id);
    this.gcPending = false;
  }

  private emit(kind: string, detail: Record<string, unknown>): void {
    this.trace?.trace(kind, { disk: this.name, ...detail });
  }
}
