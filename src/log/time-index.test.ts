import { describe, expect, it } from "vitest";
import { SimDisk } from "../sim/sim-disk";
import { TimeIndex } from "./time-index";

describe("TimeIndex", () => {
  const TPATH = "p/00000000000000000100.timeindex";
  function freshTime(maxBytes = 1200): { disk: SimDisk; index: TimeIndex } {
    const disk = new SimDisk();
    disk.mkdirs("p");
    return { disk, index: TimeIndex.create(disk, TPATH, 100, maxBytes) };
  }

  it("appends only when the timestamp grows, 12-byte big-endian entries", () => {
    const { disk, index } = freshTime();
    index.maybeAppend(-1, 100); // no timestamp: nothing
    index.maybeAppend(5000, 104);
    index.maybeAppend(5000, 108); // not larger: nothing
    index.maybeAppend(4000, 109); // smaller: nothing
    index.maybeAppend(6000, 112);
    index.flush();
    expect(index.entries).toBe(2);
    const bytes = disk.readAll(TPATH);
    expect(bytes.length).toBe(24);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getBigInt64(12)).toBe(6000n);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getInt32(20)).toBe(12);
  });

  it("rejects an offset below the last entry's", () => {
    const { index } = freshTime();
    index.maybeAppend(5000, 110);
    expect(() => index.maybeAppend(6000, 105)).toThrow(/below the last offset/);
  });

  it("is full one entry early, keeping a slot for the entry written on roll", () => {
    const { index } = freshTime(36); // 3 entries
    index.maybeAppend(1, 101);
    index.maybeAppend(2, 102);
    expect(index.isFull()).toBe(true);
    expect(() => index.maybeAppend(3, 103)).toThrow(/full/);
    index.maybeAppend(3, 103, true);
    expect(index.entries).toBe(3);
  });

  it("lookup returns the greatest entry with timestamp ≤ target, or (−1, baseOffset)", () => {
    const { index } = freshTime();
    index.maybeAppend(1000, 110);
    index.maybeAppend(2000, 120);
    expect(index.lookup(999)).toEqual({ timestamp: -1, offset: 100 });
    expect(index.lookup(1000)).toEqual({ timestamp: 1000, offset: 110 });
    expect(index.lookup(1999)).toEqual({ timestamp: 1000, offset: 110 });
    expect(index.lookup(5000)).toEqual({ timestamp: 2000, offset: 120 });
  });

  it("truncates and reloads; damaged files are reported", () => {
    const { disk, index } = freshTime();
    index.maybeAppend(1000, 110);
    index.maybeAppend(2000, 120);
    index.flush();
    index.truncateTo(120);
    expect(index.lastEntry()).toEqual({ timestamp: 1000, offset: 110 });
    expect((TimeIndex.load(disk, TPATH, 100, 1200) as TimeIndex).entries).toBe(1);
    disk.append(TPATH, new Uint8Array(5));
    expect(TimeIndex.load(disk, TPATH, 100, 1200)).toMatch(/not a multiple of 12/);
  });
});
