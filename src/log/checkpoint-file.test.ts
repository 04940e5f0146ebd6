import { describe, expect, it } from "vitest";
import { SimDisk } from "../sim/sim-disk";
import { SeededRng } from "../sim/rng";
import {
  CorruptCheckpointError,
  atomicWriteFile,
  decodeCheckpoint,
  encodeCheckpoint,
  readCheckpointFile,
  splitFields,
  writeCheckpointFile,
  type CheckpointWriter,
  type EntryFormatter,
} from "./checkpoint-file";

interface Pair {
  a: number;
  b: number;
}
const pairs: EntryFormatter<Pair> = {
  fields: "a b",
  format: (p) => `${p.a} ${p.b}`,
  parse: (f) =>
    f.length === 2 && /^\d+$/.test(f[0]!) && /^\d+$/.test(f[1]!)
      ? { a: Number(f[0]), b: Number(f[1]) }
      : undefined,
};

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const decodeText = (s: string, version = 0): Pair[] => decodeCheckpoint("dir/ckpt", enc(s), version, pairs);

function corrupt(s: string, version = 0): CorruptCheckpointError {
  try {
    decodeText(s, version);
  } catch (e) {
    expect(e).toBeInstanceOf(CorruptCheckpointError);
    return e as CorruptCheckpointError;
  }
  throw new Error(`expected ${JSON.stringify(s)} to be corrupt`);
}

describe("encodeCheckpoint / decodeCheckpoint", () => {
  it("writes Kafka's format: version, count, one entry per line", () => {
    const text = new TextDecoder().decode(
      encodeCheckpoint(
        0,
        [
          { a: 1, b: 2 },
          { a: 3, b: 40 },
        ],
        pairs,
      ),
    );
    expect(text).toBe("0\n2\n1 2\n3 40\n");
    expect(decodeText(text)).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: 40 },
    ]);
    expect(new TextDecoder().decode(encodeCheckpoint(0, [], pairs))).toBe("0\n0\n");
    expect(decodeText("0\n0\n")).toEqual([]);
  });

  it("reads CRLF, CR, tabs, repeated spaces and a missing final newline as Kafka does", () => {
    expect(decodeText("0\r\n2\r\n1\t2\r5   6")).toEqual([
      { a: 1, b: 2 },
      { a: 5, b: 6 },
    ]);
    expect(decodeText("0\n1\n7 8   ")).toEqual([{ a: 7, b: 8 }]);
  });

  it("reads an empty file, or one with only the version, as no entries (CheckpointReadBuffer)", () => {
    expect(decodeText("")).toEqual([]);
    expect(decodeText("0\n")).toEqual([]);
    expect(decodeText("0")).toEqual([]);
  });

  it("rejects a wrong or unparsable version on line 1", () => {
    expect(corrupt("1\n0\n")).toMatchObject({ line: 1, path: "dir/ckpt" });
    expect(corrupt("1\n0\n").message).toBe(
      "Cannot read checkpoint file dir/ckpt line 1: version 1 is not the expected version 0",
    );
    expect(corrupt("x\n0\n").line).toBe(1);
    expect(corrupt("0 \n0\n").line).toBe(1);
    expect(corrupt("99999999999\n").line).toBe(1);
  });

  it("rejects a bad count on line 2", () => {
    expect(corrupt("0\nmany\n").line).toBe(2);
    expect(corrupt("0\n-1\n").line).toBe(2);
  });

  it("rejects an unparsable entry, naming its line", () => {
    const e = corrupt("0\n3\n1 2\n3 x\n5 6\n");
    expect(e.line).toBe(4);
    expect(e.message).toContain('expected an entry "a b", found "3 x"');
    expect(corrupt("0\n2\n1 2\n\n3 4\n").line).toBe(4); // blank line
    expect(corrupt("0\n1\n 1 2\n").line).toBe(3); // leading space: Java's split gives an empty first field
  });

  it("rejects a count that does not match (a truncated file)", () => {
    const e = corrupt("0\n3\n1 2\n3 4\n");
    expect(e.line).toBe(0);
    expect(e.problem).toBe("the header says 3 entries but the file has 2");
    expect(corrupt("0\n1\n1 2\n3 4\n").line).toBe(0);
  });

  it("rejects bytes that are not UTF-8", () => {
    expect(() => decodeCheckpoint("f", Uint8Array.from([0x30, 0x0a, 0xff, 0x0a]), 0, pairs)).toThrow(
      CorruptCheckpointError,
    );
  });

  it("splitFields follows Java's split(\\s+)", () => {
    expect(splitFields("a  b\tc  ")).toEqual(["a", "b", "c"]);
    expect(splitFields(" a")).toEqual(["", "a"]);
    expect(splitFields("")).toEqual([]);
  });
});

describe("atomicWriteFile", () => {
  it("writes through a tmp file, fsyncs it, renames and fsyncs the directory", () => {
    const calls: string[] = [];
    const d = new SimDisk();
    d.mkdirs("logs");
    const spy = new Proxy(d, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== "function") return v;
        return (...args: unknown[]) => {
          calls.push(`${String(prop)} ${args.filter((a) => typeof a === "string").join(" ")}`);
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    atomicWriteFile(spy, "logs/ckpt", enc("0\n0\n"));
    expect(calls).toEqual([
      "create logs/ckpt.tmp",
      "truncate logs/ckpt.tmp",
      "append logs/ckpt.tmp",
      "fsync logs/ckpt.tmp",
      "rename logs/ckpt.tmp logs/ckpt",
      "fsyncDir logs",
    ]);
    expect(d.list("logs")).toEqual(["ckpt"]);
  });

  it("overwrites a stale .tmp left by an earlier crash", () => {
    const d = new SimDisk();
    d.append("c.tmp", enc("garbage that is longer than the checkpoint"));
    atomicWriteFile(d, "c", enc("0\n0\n"));
    expect(new TextDecoder().decode(d.readAll("c"))).toBe("0\n0\n");
  });

  it("never leaves a corrupt checkpoint across power losses, unlike an in-place write", () => {
    const inPlace: CheckpointWriter = (disk, path, content) => {
      disk.create(path);
      disk.truncate(path, 0);
      disk.append(path, content);
    };
    const outcome = (writer: CheckpointWriter, seed: number): string => {
      const d = new SimDisk();
      d.mkdirs("logs");
      d.fsyncDir("");
      writeCheckpointFile(d, "logs/ckpt", 0, [{ a: 1, b: 100 }], pairs); // durable old version
      writeCheckpointFile(
        d,
        "logs/ckpt",
        0,
        [
          { a: 1, b: 200 },
          { a: 2, b: 300 },
        ],
        pairs,
        writer,
      );
      d.powerLoss(new SeededRng(seed));
      try {
        return JSON.stringify(readCheckpointFile(d, "logs/ckpt", 0, pairs));
      } catch (e) {
        return e instanceof CorruptCheckpointError ? "corrupt" : "other error";
      }
    };
    const atomic = new Set<string>();
    const direct = new Set<string>();
    for (let seed = 0; seed < 60; seed++) {
      atomic.add(outcome(atomicWriteFile, seed));
      direct.add(outcome(inPlace, seed));
    }
    expect([...atomic]).toEqual(['[{"a":1,"b":200},{"a":2,"b":300}]']);
    // The in-place writer can lose both versions: an empty file, a torn one, or a corrupt one.
    expect(direct.size).toBeGreaterThan(2);
    const neither = [...direct].filter(
      (o) => o !== '[{"a":1,"b":100}]' && o !== '[{"a":1,"b":200},{"a":2,"b":300}]',
    );
    expect(neither.length, [...direct].join(" | ")).toBeGreaterThan(0);
  });

  it("a missing checkpoint reads as empty", () => {
    expect(readCheckpointFile(new SimDisk(), "nope", 0, pairs)).toEqual([]);
  });
});
