/**
 * A Disk that can lose power in the middle of a synchronous call: between any two of the
 * operations a component makes, including inside a checkpoint write or a segment roll. A
 * World's power loss lands between events; labs about torn writes need it *inside* one.
 *
 * How: `armAfter(n)` lets n more mutating operations through, then the next one throws `PowerCut`
 * instead of running, and so does every later operation (reads too) until `restore()`. The
 * exception unwinds the component (the log rethrows anything that is not a DiskError); the
 * scenario catches it, calls `powerLoss(rng)` on the wrapped SimDisk (which drops or tears what
 * was not fsynced), restores the wrapper and reopens the component from disk.
 *
 * Mutating operations (the points where power can fail): create, append, writeAt, truncate,
 * fsync, fsyncDir, rename, delete, mkdirs, rmdir. `observer` sees each one that runs, so a lab
 * can attribute costs (fsyncs made by the checkpoint writer) and narrate what was cut.
 */
import type { Disk } from "../../src/log";

export type MutatingOp =
  | "create"
  | "append"
  | "writeAt"
  | "truncate"
  | "fsync"
  | "fsyncDir"
  | "rename"
  | "delete"
  | "mkdirs"
  | "rmdir";

/** Thrown by a PowerCutDisk once its power is cut. Not a DiskError: nothing may handle it. */
export class PowerCut extends Error {
  constructor(
    readonly op: string,
    readonly path: string,
  ) {
    super(`power lost before ${op} ${path}`);
    this.name = "PowerCut";
  }
}

export class PowerCutDisk implements Disk {
  /** Mutating operations that ran since the wrapper was made. */
  opsDone = 0;
  /** Sees every mutating operation that runs (after it ran). */
  observer: ((op: MutatingOp, path: string) => void) | undefined;
  private remaining: number | undefined;
  private cutAt: PowerCut | undefined;

  constructor(readonly inner: Disk) {}

  /** Let `n` more mutating operations run, then cut the power before the next one. */
  armAfter(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Cannot arm a power cut after ${n} operations`);
    this.remaining = n;
  }

  disarm(): void {
    this.remaining = undefined;
  }

  /** The cut, once the power is off. */
  get cut(): PowerCut | undefined {
    return this.cutAt;
  }

  /** Power is back (call after the wrapped disk's powerLoss). */
  restore(): void {
    this.cutAt = undefined;
    this.remaining = undefined;
  }

  private check(op: string, path: string): void {
    if (this.cutAt !== undefined) throw new PowerCut(op, path);
  }

  private mutate(op: MutatingOp, path: string, fn: () => void): void {
    this.check(op, path);
    if (this.remaining !== undefined) {
      if (this.remaining === 0) {
        this.cutAt = new PowerCut(op, path);
        throw this.cutAt;
      }
      this.remaining--;
    }
    fn();
    this.opsDone++;
    this.observer?.(op, path);
  }

  exists(path: string): boolean {
    this.check("exists", path);
    return this.inner.exists(path);
  }
  isDirectory(path: string): boolean {
    this.check("isDirectory", path);
    return this.inner.isDirectory(path);
  }
  list(dir: string): string[] {
    this.check("list", dir);
    return this.inner.list(dir);
  }
  read(path: string, position: number, length: number): Uint8Array {
    this.check("read", path);
    return this.inner.read(path, position, length);
  }
  readAll(path: string): Uint8Array {
    this.check("readAll", path);
    return this.inner.readAll(path);
  }
  size(path: string): number {
    this.check("size", path);
    return this.inner.size(path);
  }
  close(): void {
    this.inner.close();
  }
  mkdirs(path: string): void {
    this.mutate("mkdirs", path, () => this.inner.mkdirs(path));
  }
  create(path: string, options?: { exclusive?: boolean }): void {
    this.mutate("create", path, () => this.inner.create(path, options));
  }
  append(path: string, data: Uint8Array): void {
    this.mutate("append", path, () => this.inner.append(path, data));
  }
  writeAt(path: string, position: number, data: Uint8Array): void {
    this.mutate("writeAt", path, () => this.inner.writeAt(path, position, data));
  }
  truncate(path: string, size: number): void {
    this.mutate("truncate", path, () => this.inner.truncate(path, size));
  }
  fsync(path: string): void {
    this.mutate("fsync", path, () => this.inner.fsync(path));
  }
  fsyncDir(dir: string): void {
    this.mutate("fsyncDir", dir, () => this.inner.fsyncDir(dir));
  }
  rename(from: string, to: string): void {
    this.mutate("rename", `${from} -> ${to}`, () => this.inner.rename(from, to));
  }
  delete(path: string): void {
    this.mutate("delete", path, () => this.inner.delete(path));
  }
  rmdir(path: string): void {
    this.mutate("rmdir", path, () => this.inner.rmdir(path));
  }
}
