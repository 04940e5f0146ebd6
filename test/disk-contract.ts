/**
 * The Disk contract: one suite that every implementation of the Disk port must pass
 * (src/log/disk.ts). test/sim-disk.test.ts runs it on SimDisk, test/fs-disk.test.ts on FsDisk
 * over a temporary directory. Behaviour only a simulated disk can show (power loss, faults)
 * is tested in sim-disk.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DiskError, type Disk, type DiskErrorCode } from "../src/log/disk";

export interface DiskUnderTest {
  disk: Disk;
  /** Called after each test (remove temporary directories). */
  cleanup?: () => void;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const text = (b: Uint8Array): string => dec.decode(b);

function expectDiskError(fn: () => unknown, code: DiskErrorCode): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected DiskError ${code}`).toBeInstanceOf(DiskError);
  expect((caught as DiskError).code).toBe(code);
}

export function runDiskContract(name: string, factory: () => DiskUnderTest): void {
  describe(`Disk contract: ${name}`, () => {
    let ut: DiskUnderTest;
    let disk: Disk;
    beforeEach(() => {
      ut = factory();
      disk = ut.disk;
    });
    afterEach(() => {
      disk.close();
      ut.cleanup?.();
    });

    it("mkdirs creates nested directories and is idempotent", () => {
      disk.mkdirs("a/b/c");
      disk.mkdirs("a/b/c");
      disk.mkdirs("a/b");
      expect(disk.isDirectory("a")).toBe(true);
      expect(disk.isDirectory("a/b/c")).toBe(true);
      expect(disk.exists("a/b/c")).toBe(true);
      expect(disk.list("a")).toEqual(["b"]);
      expect(disk.exists("")).toBe(true);
      expect(disk.isDirectory("")).toBe(true);
    });

    it("mkdirs refuses to go through or over a file", () => {
      disk.append("f", bytes("x"));
      expectDiskError(() => disk.mkdirs("f"), "EEXIST");
      expectDiskError(() => disk.mkdirs("f/g"), "ENOTDIR");
    });

    it("create makes an empty file and keeps an existing one unless exclusive", () => {
      disk.mkdirs("d");
      disk.create("d/x");
      expect(disk.size("d/x")).toBe(0);
      disk.append("d/x", bytes("hello"));
      disk.create("d/x");
      expect(text(disk.readAll("d/x"))).toBe("hello");
      expectDiskError(() => disk.create("d/x", { exclusive: true }), "EEXIST");
      expectDiskError(() => disk.create("d", { exclusive: true }), "EEXIST");
      expectDiskError(() => disk.create("d"), "EISDIR");
      expectDiskError(() => disk.create("missing/x"), "ENOENT");
      expectDiskError(() => disk.create("d/x/y"), "ENOTDIR");
    });

    it("append creates the file and adds at the end", () => {
      disk.append("log", bytes("ab"));
      disk.append("log", bytes("cd"));
      disk.append("log", new Uint8Array(0));
      expect(text(disk.readAll("log"))).toBe("abcd");
      expect(disk.size("log")).toBe(4);
      expectDiskError(() => disk.append("nodir/log", bytes("x")), "ENOENT");
    });

    it("writeAt overwrites in place and zero-extends past the end", () => {
      disk.append("f", bytes("abcdef"));
      disk.writeAt("f", 2, bytes("XY"));
      expect(text(disk.readAll("f"))).toBe("abXYef");
      disk.writeAt("f", 8, bytes("Z"));
      expect(Array.from(disk.readAll("f"))).toEqual([...bytes("abXYef"), 0, 0, ...bytes("Z")]);
      disk.writeAt("new", 3, bytes("q"));
      expect(Array.from(disk.readAll("new"))).toEqual([0, 0, 0, 113]);
    });

    it("read returns a copy, short at end of file, empty past it", () => {
      disk.append("f", bytes("0123456789"));
      expect(text(disk.read("f", 3, 4))).toBe("3456");
      expect(text(disk.read("f", 8, 100))).toBe("89");
      expect(disk.read("f", 10, 5).length).toBe(0);
      expect(disk.read("f", 50, 5).length).toBe(0);
      const r = disk.read("f", 0, 2);
      r[0] = 0;
      expect(text(disk.read("f", 0, 2))).toBe("01");
    });

    it("written data is not aliased by the caller's buffer", () => {
      const buf = bytes("abc");
      disk.append("f", buf);
      buf[0] = 0x7a;
      expect(text(disk.readAll("f"))).toBe("abc");
    });

    it("truncate shrinks and zero-extends", () => {
      disk.append("f", bytes("abcdef"));
      disk.truncate("f", 3);
      expect(text(disk.readAll("f"))).toBe("abc");
      disk.truncate("f", 5);
      expect(Array.from(disk.readAll("f"))).toEqual([97, 98, 99, 0, 0]);
      disk.append("f", bytes("!"));
      expect(disk.size("f")).toBe(6);
      expectDiskError(() => disk.truncate("nope", 0), "ENOENT");
    });

    it("size, read and truncate reject bad numbers with EINVAL", () => {
      disk.append("f", bytes("abc"));
      expectDiskError(() => disk.read("f", -1, 2), "EINVAL");
      expectDiskError(() => disk.read("f", 0, -2), "EINVAL");
      expectDiskError(() => disk.read("f", 0.5, 2), "EINVAL");
      expectDiskError(() => disk.writeAt("f", -3, bytes("x")), "EINVAL");
      expectDiskError(() => disk.truncate("f", -1), "EINVAL");
      expectDiskError(() => disk.truncate("f", Number.NaN), "EINVAL");
    });

    it("file operations on a directory fail with EISDIR", () => {
      disk.mkdirs("d");
      expectDiskError(() => disk.readAll("d"), "EISDIR");
      expectDiskError(() => disk.read("d", 0, 1), "EISDIR");
      expectDiskError(() => disk.size("d"), "EISDIR");
      expectDiskError(() => disk.append("d", bytes("x")), "EISDIR");
      expectDiskError(() => disk.delete("d"), "EISDIR");
      expectDiskError(() => disk.fsync("d"), "EISDIR");
    });

    it("missing files fail with ENOENT", () => {
      expectDiskError(() => disk.readAll("x"), "ENOENT");
      expectDiskError(() => disk.read("x", 0, 1), "ENOENT");
      expectDiskError(() => disk.size("x"), "ENOENT");
      expectDiskError(() => disk.fsync("x"), "ENOENT");
      expectDiskError(() => disk.delete("x"), "ENOENT");
      expectDiskError(() => disk.rename("x", "y"), "ENOENT");
      expectDiskError(() => disk.list("x"), "ENOENT");
      expectDiskError(() => disk.fsyncDir("x"), "ENOENT");
      expectDiskError(() => disk.rmdir("x"), "ENOENT");
      expect(disk.exists("x")).toBe(false);
      expect(disk.isDirectory("x")).toBe(false);
      expect(disk.exists("x/y")).toBe(false);
    });

    it("list returns sorted names of files and directories only one level deep", () => {
      disk.mkdirs("t/sub/deeper");
      disk.append("t/b.log", bytes("1"));
      disk.append("t/a.index", bytes("2"));
      disk.append("t/C", bytes("3"));
      expect(disk.list("t")).toEqual(["C", "a.index", "b.log", "sub"]);
      expect(disk.list("")).toEqual(["t"]);
      disk.append("file", bytes(""));
      expectDiskError(() => disk.list("file"), "ENOTDIR");
    });

    it("rename moves a file and atomically replaces the target", () => {
      disk.mkdirs("d");
      disk.append("d/a.tmp", bytes("new"));
      disk.append("d/a", bytes("old content"));
      disk.rename("d/a.tmp", "d/a");
      expect(disk.exists("d/a.tmp")).toBe(false);
      expect(text(disk.readAll("d/a"))).toBe("new");
      expect(disk.list("d")).toEqual(["a"]);
      // Writes after the rename go to the renamed file.
      disk.append("d/a", bytes("!"));
      expect(text(disk.readAll("d/a"))).toBe("new!");
      disk.rename("d/a", "d/a");
      expect(text(disk.readAll("d/a"))).toBe("new!");
    });

    it("rename moves between directories and renames directories", () => {
      disk.mkdirs("x-0");
      disk.mkdirs("other");
      disk.append("x-0/seg.log", bytes("data"));
      disk.rename("x-0/seg.log", "other/seg.log");
      expect(text(disk.readAll("other/seg.log"))).toBe("data");
      disk.rename("other", "x-0.abc-delete");
      expect(disk.exists("other")).toBe(false);
      expect(text(disk.readAll("x-0.abc-delete/seg.log"))).toBe("data");
      disk.append("x-0.abc-delete/seg.log", bytes("+"));
      expect(text(disk.readAll("x-0.abc-delete/seg.log"))).toBe("data+");
    });

    it("rename rejects impossible moves", () => {
      disk.mkdirs("d/inner");
      disk.mkdirs("full/child");
      disk.mkdirs("empty");
      disk.append("f", bytes("x"));
      expectDiskError(() => disk.rename("f", "d"), "EISDIR");
      expectDiskError(() => disk.rename("d", "f"), "ENOTDIR");
      expectDiskError(() => disk.rename("d", "full"), "ENOTEMPTY");
      expectDiskError(() => disk.rename("d", "d/inner/x"), "EINVAL");
      expectDiskError(() => disk.rename("f", "nodir/f"), "ENOENT");
      disk.rename("d", "empty");
      expect(disk.isDirectory("empty/inner")).toBe(true);
    });

    it("delete removes a file; rmdir removes only an empty directory", () => {
      disk.mkdirs("d/e");
      disk.append("d/f", bytes("x"));
      expectDiskError(() => disk.rmdir("d"), "ENOTEMPTY");
      expectDiskError(() => disk.rmdir("d/f"), "ENOTDIR");
      disk.delete("d/f");
      expect(disk.exists("d/f")).toBe(false);
      disk.rmdir("d/e");
      disk.rmdir("d");
      expect(disk.exists("d")).toBe(false);
      expect(disk.list("")).toEqual([]);
    });

    it("fsync and fsyncDir succeed on existing paths and keep the data", () => {
      disk.mkdirs("p");
      disk.append("p/f", bytes("abc"));
      disk.fsync("p/f");
      disk.fsyncDir("p");
      disk.fsyncDir("");
      expect(text(disk.readAll("p/f"))).toBe("abc");
      expectDiskError(() => disk.fsyncDir("p/f"), "ENOTDIR");
    });

    it("rejects unsafe paths with EINVAL before touching anything", () => {
      const unsafe = [
        "/etc/passwd",
        "../x",
        "a/../../x",
        "a//b",
        "a/",
        "./a",
        "a/.",
        "..",
        ".",
        "a\\b",
        "a\0b",
      ];
      for (const p of unsafe) {
        expectDiskError(() => disk.exists(p), "EINVAL");
        expectDiskError(() => disk.append(p, bytes("x")), "EINVAL");
        expectDiskError(() => disk.readAll(p), "EINVAL");
        expectDiskError(() => disk.mkdirs(p), "EINVAL");
        expectDiskError(() => disk.rename("ok", p), "EINVAL");
        expectDiskError(() => disk.delete(p), "EINVAL");
      }
      expect(disk.list("")).toEqual([]);
    });

    it("keeps arbitrary binary content and many files exactly", () => {
      disk.mkdirs("bin");
      const big = new Uint8Array(70_000);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
      for (let i = 0; i < 20; i++) disk.append(`bin/f${i}`, big.subarray(i, i + 1000));
      disk.append("bin/big", big.subarray(0, 40_000));
      disk.append("bin/big", big.subarray(40_000));
      expect(disk.readAll("bin/big")).toEqual(big);
      expect(disk.read("bin/big", 65_536, 10)).toEqual(big.subarray(65_536, 65_546));
      for (let i = 0; i < 20; i++) expect(disk.readAll(`bin/f${i}`)).toEqual(big.subarray(i, i + 1000));
      expect(disk.list("bin").length).toBe(21);
    });

    it("close releases handles and the disk stays usable", () => {
      disk.append("f", bytes("a"));
      disk.close();
      disk.append("f", bytes("b"));
      expect(text(disk.readAll("f"))).toBe("ab");
      disk.close();
      disk.delete("f");
      expect(disk.exists("f")).toBe(false);
    });
  });
}
