import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DiskError } from "../src/log/disk";
import { SimDisk } from "../src/sim/sim-disk";
import { MAX_UNSYNCED_RECORDS } from "../src/sim/sim-file";
import { SeededRng } from "../src/sim/rng";
import { runDiskContract } from "./disk-contract";

runDiskContract("SimDisk", () => ({ disk: new SimDisk() }));

const enc = new TextEncoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A disk with directory "p" durably created. */
function diskWithDir(): SimDisk {
  const d = new SimDisk();
  d.mkdirs("p");
  d.fsyncDir("");
  return d;
}

describe("SimDisk power loss", () => {
  it("drops unsynced bytes and keeps fsynced ones", () => {
    const d = diskWithDir();
    d.append("p/f", bytes("durable"));
    d.fsync("p/f");
    d.fsyncDir("p");
    d.append("p/f", bytes("+volatile"));
    const report = d.powerLoss(new SeededRng(1), "lose");
    expect(text(d.readAll("p/f"))).toBe("durable");
    expect(report.files).toEqual([
      {
        path: "p/f",
        sizeBefore: 16,
        sizeAfter: 7,
        unsyncedWrites: 1,
        keptWrites: 0,
        bytesLost: 9,
        torn: false,
      },
    ]);
    expect(report.vanished).toEqual([]);
  });

  it("keeps everything when fate is keep, and then it is all durable", () => {
    const d = diskWithDir();
    d.append("p/f", bytes("abc"));
    d.fsyncDir("p");
    d.writeAt("p/f", 1, bytes("Z"));
    d.powerLoss(new SeededRng(1), "keep");
    expect(text(d.readAll("p/f"))).toBe("aZc");
    d.powerLoss(new SeededRng(2), "lose");
    expect(text(d.readAll("p/f"))).toBe("aZc");
  });

  it("tears the last surviving write to a strict prefix on some seeds", () => {
    const seen = new Set<string>();
    let torn = 0;
    for (let seed = 0; seed < 200; seed++) {
      const d = diskWithDir();
      d.append("p/f", bytes("base"));
      d.fsync("p/f");
      d.fsyncDir("p");
      d.append("p/f", bytes("0123456789"));
      const r = d.powerLoss(new SeededRng(seed));
      const after = text(d.readAll("p/f"));
      expect(after.startsWith("base")).toBe(true);
      expect("base0123456789".startsWith(after)).toBe(true);
      expect(r.files[0]!.bytesLost).toBe(14 - after.length);
      expect(r.files[0]!.torn).toBe(after.length > 4 && after.length < 14);
      if (r.files[0]!.torn) torn++;
      seen.add(after);
    }
    expect(seen.has("base")).toBe(true);
    expect(seen.has("base0123456789")).toBe(true);
    expect(torn).toBeGreaterThan(20);
  });

  it("is deterministic for a seed", () => {
    const run = (seed: number): string => {
      const d = diskWithDir();
      for (let i = 0; i < 5; i++) {
        d.append(`p/f${i}`, bytes(`file ${i} `.repeat(i + 1)));
        if (i % 2 === 0) d.fsync(`p/f${i}`);
        d.append(`p/f${i}`, bytes("tail".repeat(i + 3)));
      }
      d.fsyncDir("p");
      const r = d.powerLoss(new SeededRng(seed));
      return JSON.stringify([r, d.list("p").map((f) => text(d.readAll(`p/${f}`)))]);
    };
    expect(run(42)).toBe(run(42));
    const outcomes = new Set([1, 2, 3, 4, 5, 6, 7, 8].map(run));
    expect(outcomes.size).toBeGreaterThan(1);
  });

  it("a file created without fsyncDir disappears, even if fsynced", () => {
    const d = diskWithDir();
    d.append("p/new", bytes("data"));
    d.fsync("p/new");
    expect(d.inspect("p/new")).toMatchObject({ nameDurable: false, durableSize: 4 });
    const r = d.powerLoss(new SeededRng(3));
    expect(d.exists("p/new")).toBe(false);
    expect(r.vanished).toEqual(["p/new"]);
  });

  it("a directory created without fsyncing its parent disappears with its files", () => {
    const d = new SimDisk();
    d.mkdirs("t-0");
    d.append("t-0/x", bytes("1"));
    d.fsync("t-0/x");
    d.fsyncDir("t-0");
    d.powerLoss(new SeededRng(1));
    expect(d.exists("t-0")).toBe(false);
    expect(d.list("")).toEqual([]);
  });

  it("a rename without fsyncDir reverts; after fsyncDir it survives", () => {
    const d = diskWithDir();
    d.append("p/ckpt", bytes("old"));
    d.fsync("p/ckpt");
    d.fsyncDir("p");
    d.append("p/ckpt.tmp", bytes("new"));
    d.fsync("p/ckpt.tmp");
    d.rename("p/ckpt.tmp", "p/ckpt");
    const r = d.powerLoss(new SeededRng(7));
    expect(text(d.readAll("p/ckpt"))).toBe("old");
    expect(d.exists("p/ckpt.tmp")).toBe(false);
    expect(r.vanished).toEqual([]);

    d.append("p/ckpt.tmp", bytes("new"));
    d.fsync("p/ckpt.tmp");
    d.rename("p/ckpt.tmp", "p/ckpt");
    d.fsyncDir("p");
    d.powerLoss(new SeededRng(7));
    expect(text(d.readAll("p/ckpt"))).toBe("new");
    expect(d.list("p")).toEqual(["ckpt"]);
  });

  it("a rename of an unsynced file is durable in name only: the content can still be lost", () => {
    const d = diskWithDir();
    d.append("p/c.tmp", bytes("entries"));
    d.rename("p/c.tmp", "p/c");
    d.fsyncDir("p");
    d.powerLoss(new SeededRng(1), "lose");
    expect(d.exists("p/c")).toBe(true);
    expect(d.size("p/c")).toBe(0);
  });

  it("a delete without fsyncDir comes back with its durable content", () => {
    const d = diskWithDir();
    d.append("p/seg", bytes("kept"));
    d.fsync("p/seg");
    d.fsyncDir("p");
    d.delete("p/seg");
    d.fsyncDir(""); // syncing another directory does not help
    const r = d.powerLoss(new SeededRng(1));
    expect(text(d.readAll("p/seg"))).toBe("kept");
    expect(r.reappeared).toEqual(["p/seg"]);
    d.delete("p/seg");
    d.fsyncDir("p");
    d.powerLoss(new SeededRng(1));
    expect(d.exists("p/seg")).toBe(false);
  });

  it("unsynced truncates are undone, synced ones stay", () => {
    const d = diskWithDir();
    d.append("p/f", bytes("0123456789"));
    d.fsync("p/f");
    d.fsyncDir("p");
    d.truncate("p/f", 4);
    d.append("p/f", bytes("ab"));
    d.powerLoss(new SeededRng(1), "lose");
    expect(text(d.readAll("p/f"))).toBe("0123456789");
    d.truncate("p/f", 4);
    d.fsync("p/f");
    d.powerLoss(new SeededRng(1), "lose");
    expect(text(d.readAll("p/f"))).toBe("0123");
  });

  it("crash keeps everything, synced or not", () => {
    const d = new SimDisk();
    d.mkdirs("p");
    d.append("p/a", bytes("unsynced"));
    d.append("p/b", bytes("synced"));
    d.fsync("p/b");
    const r = d.crash();
    expect(r).toEqual({ kind: "crash", unsyncedFiles: 1, unsyncedBytes: 8, unsyncedDirs: 2 });
    expect(text(d.readAll("p/a"))).toBe("unsynced");
    expect(text(d.readAll("p/b"))).toBe("synced");
  });

  it("inspect reports sizes and durability of names", () => {
    const d = diskWithDir();
    d.append("p/f", bytes("abc"));
    d.fsync("p/f");
    d.append("p/f", bytes("de"));
    expect(d.inspect("p/f")).toEqual({
      kind: "file",
      size: 5,
      durableSize: 3,
      unsyncedWrites: 1,
      unsyncedBytes: 2,
      nameDurable: false,
    });
    expect(text(d.durableBytes("p/f"))).toBe("abc");
    expect(d.inspect("p")).toMatchObject({ kind: "dir", nameDurable: true });
    expect(d.inspect("nope")).toBeUndefined();
  });

  it("bounds remembered unsynced writes by writing the oldest back", () => {
    const d = diskWithDir();
    d.append("p/f", new Uint8Array(4 * (MAX_UNSYNCED_RECORDS + 10)));
    d.fsync("p/f");
    d.fsyncDir("p");
    // Non-contiguous overwrites: each is its own record.
    for (let i = 0; i < MAX_UNSYNCED_RECORDS + 10; i++) d.writeAt("p/f", 4 * i + (i % 2) * 2, bytes("x"));
    expect(d.stats().writebacks).toBe(10);
    expect(d.inspect("p/f")!.unsyncedWrites).toBe(MAX_UNSYNCED_RECORDS);
    d.powerLoss(new SeededRng(1), "lose");
    const after = d.readAll("p/f");
    expect(after.filter((b) => b !== 0).length).toBe(10);
  });
});

describe("SimDisk faults", () => {
  it("failNextWrite fails one write and writes nothing, not even the new file", () => {
    const d = diskWithDir();
    d.append("p/f", bytes("ok"));
    d.failNextWrite();
    expect(() => d.append("p/f", bytes("lost"))).toThrow(DiskError);
    expect(text(d.readAll("p/f"))).toBe("ok");
    d.failNextWrite("ENOSPC");
    try {
      d.writeAt("p/g", 0, bytes("x"));
      expect.unreachable();
    } catch (e) {
      expect((e as DiskError).code).toBe("ENOSPC");
    }
    expect(d.exists("p/g")).toBe(false);
    d.append("p/f", bytes("!"));
    expect(text(d.readAll("p/f"))).toBe("ok!");
    expect(d.stats().faultsInjected).toBe(2);
  });

  it("failNextFsync makes nothing durable; a retry does", () => {
    const d = diskWithDir();
    d.append("p/f", bytes("abc"));
    d.fsyncDir("p");
    d.failNextFsync();
    expect(() => d.fsync("p/f")).toThrow(/injected fault/);
    expect(d.inspect("p/f")!.durableSize).toBe(0);
    d.fsync("p/f");
    d.powerLoss(new SeededRng(9), "lose");
    expect(text(d.readAll("p/f"))).toBe("abc");
  });

  it("failNext can target one path and one operation", () => {
    const d = diskWithDir();
    d.append("p/a", bytes("1"));
    d.append("p/b", bytes("2"));
    d.failNext("read", { path: "p/b", code: "EIO" });
    expect(text(d.readAll("p/a"))).toBe("1");
    expect(() => d.readAll("p/b")).toThrow(DiskError);
    d.failNextRename();
    expect(() => d.rename("p/a", "p/c")).toThrow(DiskError);
    expect(d.list("p")).toEqual(["a", "b"]);
    expect(d.pendingFaults()).toBe(0);
  });

  it("flipBit corrupts both the page cache and the durable bytes", () => {
    const d = diskWithDir();
    d.append("p/f", bytes("AAAA"));
    d.fsync("p/f");
    d.fsyncDir("p");
    d.writeAt("p/f", 0, bytes("B"));
    d.flipBit("p/f", 0, 1); // 'B' 0x42 -> 0x40 in cache; 'A' 0x41 -> 0x43 durably
    d.flipBit("p/f", 2, 0); // 'A' -> 0x40 everywhere
    expect(Array.from(d.readAll("p/f"))).toEqual([0x40, 0x41, 0x40, 0x41]);
    d.powerLoss(new SeededRng(1), "lose");
    expect(Array.from(d.readAll("p/f"))).toEqual([0x43, 0x41, 0x40, 0x41]);
    expect(() => d.flipBit("p/f", 4, 0)).toThrow(DiskError);
    expect(() => d.flipBit("p/f", 0, 8)).toThrow(DiskError);
  });

  it("reports faults, crashes and power losses to the trace sink", () => {
    const events: [string, Record<string, unknown>][] = [];
    const d = new SimDisk({
      name: "broker-1",
      trace: { trace: (kind, detail) => events.push([kind, detail]) },
    });
    d.append("f", bytes("x"));
    d.failNextFsync();
    expect(() => d.fsync("f")).toThrow();
    d.flipBit("f", 0, 0);
    d.crash();
    d.powerLoss(new SeededRng(1));
    expect(events.map((e) => e[0])).toEqual(["disk.fault", "disk.flipBit", "disk.crash", "disk.powerLoss"]);
    expect(events[0]![1]).toMatchObject({ disk: "broker-1", op: "fsync", path: "f", code: "EIO" });
  });
});

describe("SimDisk stats", () => {
  it("counts operations and bytes, and bytes read per path prefix", () => {
    const d = new SimDisk();
    d.mkdirs("t-0");
    d.append("t-0/00.log", new Uint8Array(100));
    d.append("t-0/50.log", new Uint8Array(30));
    d.fsync("t-0/00.log");
    d.fsyncDir("t-0");
    d.read("t-0/00.log", 10, 50);
    d.readAll("t-0/50.log");
    expect(d.stats()).toMatchObject({
      writes: 2,
      bytesWritten: 130,
      reads: 2,
      bytesRead: 80,
      fsyncs: 1,
      fsyncDirs: 1,
      creates: 2,
    });
    expect(d.bytesReadUnder("t-0")).toBe(80);
    expect(d.bytesReadUnder("t-0/50.log")).toBe(30);
    expect(d.bytesReadUnder("t-")).toBe(0);
    d.resetStats();
    expect(d.stats().bytesRead).toBe(0);
    expect(d.bytesReadUnder("")).toBe(0);
  });
});

// ---- Property: what survives a power loss ----

type Op =
  | { kind: "append"; file: number; data: number[] }
  | { kind: "writeAt"; file: number; position: number; data: number[] }
  | { kind: "truncate"; file: number; size: number }
  | { kind: "fsync"; file: number };

const FILES = 3;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("append" as const),
    file: fc.nat(FILES - 1),
    data: fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 6 }),
  }),
  fc.record({
    kind: fc.constant("writeAt" as const),
    file: fc.nat(FILES - 1),
    position: fc.nat(20),
    data: fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), file: fc.nat(FILES - 1), size: fc.nat(20) }),
  fc.record({ kind: fc.constant("fsync" as const), file: fc.nat(FILES - 1) }),
);

/** Apply one mutation to a plain array model of a file. */
function applyModel(content: number[], op: Op, keepBytes = Infinity): number[] {
  const out = [...content];
  if (op.kind === "truncate") {
    out.length = op.size;
    return Array.from(out, (b) => b ?? 0);
  }
  if (op.kind === "fsync") return out;
  const position = op.kind === "append" ? out.length : op.position;
  const data = op.data.slice(0, keepBytes);
  if (data.length === 0) return out;
  while (out.length < position) out.push(0);
  data.forEach((b, i) => (out[position + i] = b));
  return out;
}

describe("SimDisk power-loss property", () => {
  it("each file = its fsynced content + a prefix of the later writes, the last kept one possibly torn", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), fc.integer(), (ops, seed) => {
        const d = new SimDisk();
        const durable: number[][] = [];
        const pending: Op[][] = [];
        for (let f = 0; f < FILES; f++) {
          d.create(`f${f}`);
          durable.push([]);
          pending.push([]);
        }
        d.fsyncDir("");
        const current = durable.map((c) => [...c]);
        for (const op of ops) {
          const path = `f${op.file}`;
          if (op.kind === "append") d.append(path, Uint8Array.from(op.data));
          else if (op.kind === "writeAt") d.writeAt(path, op.position, Uint8Array.from(op.data));
          else if (op.kind === "truncate") d.truncate(path, op.size);
          else d.fsync(path);
          current[op.file] = applyModel(current[op.file]!, op);
          if (op.kind === "fsync") {
            durable[op.file] = [...current[op.file]!];
            pending[op.file] = [];
          } else pending[op.file]!.push(op);
        }
        for (let f = 0; f < FILES; f++) expect(Array.from(d.readAll(`f${f}`))).toEqual(current[f]);
        d.powerLoss(new SeededRng(seed));
        for (let f = 0; f < FILES; f++) {
          const actual = JSON.stringify(Array.from(d.readAll(`f${f}`)));
          // Every outcome the model allows: k whole writes, then j bytes of write k+1.
          const allowed = new Set<string>();
          let state = durable[f]!;
          const list = pending[f]!;
          for (let k = 0; k <= list.length; k++) {
            allowed.add(JSON.stringify(state));
            const next = list[k];
            if (next === undefined) break;
            if (next.kind === "append" || next.kind === "writeAt") {
              for (let j = 1; j < next.data.length; j++)
                allowed.add(JSON.stringify(applyModel(state, next, j)));
            }
            state = applyModel(state, next);
          }
          expect(allowed.has(actual), `file f${f}: ${actual} not in ${[...allowed].join(" | ")}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ---- Property: names survive a power loss only through fsyncDir ----

type NsOp =
  | { kind: "append"; name: number; size: number }
  | { kind: "fsync"; name: number }
  | { kind: "rename"; from: number; to: number }
  | { kind: "delete"; name: number }
  | { kind: "fsyncDir" };

const NAMES = 4;
const nsOpArb: fc.Arbitrary<NsOp> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      name: fc.nat(NAMES - 1),
      size: fc.integer({ min: 1, max: 5 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("fsync" as const), name: fc.nat(NAMES - 1) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("rename" as const),
      from: fc.nat(NAMES - 1),
      to: fc.nat(NAMES - 1),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), name: fc.nat(NAMES - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("fsyncDir" as const) }) },
);

describe("SimDisk namespace property", () => {
  it("after a power loss the directory holds exactly the names of its last fsyncDir, each with its file's synced bytes plus a prefix of the rest", () => {
    fc.assert(
      fc.property(fc.array(nsOpArb, { maxLength: 40 }), fc.integer(), (ops, seed) => {
        const d = new SimDisk();
        d.mkdirs("d");
        d.fsyncDir("");
        // Model: inode ids, name tables, per-inode current and durable bytes.
        let nextInode = 0;
        const names = new Map<string, number>();
        let durableNames = new Map<string, number>();
        const current = new Map<number, number[]>();
        const durable = new Map<number, number[]>();
        let stamp = 1;
        for (const op of ops) {
          if (op.kind === "append") {
            const name = `f${op.name}`;
            const data = Array.from({ length: op.size }, () => (stamp++ % 255) + 1);
            d.append(`d/${name}`, Uint8Array.from(data));
            if (!names.has(name)) {
              names.set(name, nextInode);
              current.set(nextInode, []);
              durable.set(nextInode, []);
              nextInode++;
            }
            current.get(names.get(name)!)!.push(...data);
          } else if (op.kind === "fsync") {
            const id = names.get(`f${op.name}`);
            if (id === undefined) continue;
            d.fsync(`d/f${op.name}`);
            durable.set(id, [...current.get(id)!]);
          } else if (op.kind === "rename") {
            const id = names.get(`f${op.from}`);
            if (id === undefined) continue;
            d.rename(`d/f${op.from}`, `d/f${op.to}`);
            names.delete(`f${op.from}`);
            names.set(`f${op.to}`, id);
          } else if (op.kind === "delete") {
            if (!names.has(`f${op.name}`)) continue;
            d.delete(`d/f${op.name}`);
            names.delete(`f${op.name}`);
          } else {
            d.fsyncDir("d");
            durableNames = new Map(names);
          }
        }
        expect(d.list("d")).toEqual([...names.keys()].sort());
        d.powerLoss(new SeededRng(seed));
        expect(d.list("d")).toEqual([...durableNames.keys()].sort());
        for (const [name, id] of durableNames) {
          const got = Array.from(d.readAll(`d/${name}`));
          const base = durable.get(id)!;
          const full = current.get(id)!;
          expect(got.length).toBeGreaterThanOrEqual(base.length);
          expect(got).toEqual(full.slice(0, got.length));
        }
      }),
      { numRuns: 300 },
    );
  });
});
