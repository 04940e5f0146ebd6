import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DiskError } from "../src/log/disk";
import { FsDisk } from "../src/node/fs-disk";
import { runDiskContract } from "./disk-contract";

function tmpRoot(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "kafka-labs-fsdisk-"));
}

runDiskContract("FsDisk", () => {
  const root = tmpRoot();
  return { disk: new FsDisk(root), cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
});

describe("FsDisk specifics", () => {
  const roots: string[] = [];
  const fresh = (options?: { maxOpenFiles?: number }): [FsDisk, string] => {
    const root = tmpRoot();
    roots.push(root);
    return [new FsDisk(root, options), root];
  };
  afterEach(() => {
    for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
  });

  it("writes real files under the root", () => {
    const [d, root] = fresh();
    d.mkdirs("orders-0");
    d.append("orders-0/00000000000000000000.log", new TextEncoder().encode("batch"));
    d.fsync("orders-0/00000000000000000000.log");
    d.fsyncDir("orders-0");
    expect(fs.readFileSync(path.join(root, "orders-0", "00000000000000000000.log"), "utf8")).toBe("batch");
    d.close();
  });

  it("creates the root if missing and resolves it to a real path", () => {
    const parent = tmpRoot();
    roots.push(parent);
    const d = new FsDisk(path.join(parent, "a", "b"));
    expect(d.root).toBe(fs.realpathSync(path.join(parent, "a", "b")));
    expect(d.list("")).toEqual([]);
  });

  it("bounds cached descriptors, closing the least recently used", () => {
    const [d] = fresh({ maxOpenFiles: 3 });
    for (let i = 0; i < 10; i++) d.append(`f${i}`, Uint8Array.of(i));
    expect(d.openFiles()).toBe(3);
    for (let i = 0; i < 10; i++) expect(Array.from(d.readAll(`f${i}`))).toEqual([i]);
    d.close();
    expect(d.openFiles()).toBe(0);
  });

  it("keeps appending to a file after it was renamed, through the cached descriptor", () => {
    const [d, root] = fresh();
    d.append("a.tmp", Uint8Array.of(1));
    d.rename("a.tmp", "a");
    d.append("a", Uint8Array.of(2));
    expect(Array.from(fs.readFileSync(path.join(root, "a")))).toEqual([1, 2]);
  });

  it("refuses to follow a symlink planted as a file name", () => {
    const [d, root] = fresh();
    const outside = tmpRoot();
    roots.push(outside);
    fs.writeFileSync(path.join(outside, "secret"), "do not touch");
    fs.symlinkSync(path.join(outside, "secret"), path.join(root, "link"));
    expect(() => d.append("link", Uint8Array.of(1))).toThrow(DiskError);
    expect(() => d.readAll("link")).toThrow(DiskError);
    expect(fs.readFileSync(path.join(outside, "secret"), "utf8")).toBe("do not touch");
  });

  it("maps unknown OS errors to EIO with the cause", () => {
    const [d, root] = fresh();
    d.append("f", Uint8Array.of(1));
    d.close();
    fs.chmodSync(path.join(root, "f"), 0o000);
    if (process.getuid?.() === 0) return; // root ignores permissions
    try {
      d.readAll("f");
      expect.unreachable();
    } catch (e) {
      expect((e as DiskError).code).toBe("EIO");
      expect((e as DiskError).message).toContain("EACCES");
    }
  });
});
