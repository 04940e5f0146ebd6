import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SimDisk } from "../sim/sim-disk";
import { OffsetIndex, PENDING_ENTRIES_MAX } from "./offset-index";
import { defaultLookupIndex } from "./seams";

const PATH = "p/00000000000000000100.index";

function fresh(maxBytes = 1024): { disk: SimDisk; index: OffsetIndex } {
  const disk = new SimDisk();
  disk.mkdirs("p");
  return { disk, index: OffsetIndex.create(disk, PATH, 100, maxBytes) };
}

describe("OffsetIndex", () => {
  it("stores relative offsets and positions, big-endian, 8 bytes per entry", () => {
    const { disk, index } = fresh();
    index.append(105, 300);
    index.append(110, 700);
    index.flush();
    expect([...disk.readAll(PATH)]).toEqual([0, 0, 0, 5, 0, 0, 1, 44, 0, 0, 0, 10, 0, 0, 2, 188]);
    expect(index.entries).toBe(2);
    expect(index.lastOffset).toBe(110);
    expect(index.entry(0)).toEqual({ offset: 105, position: 300 });
  });

  it("keeps entries in memory until written, then reloads them", () => {
    const { disk, index } = fresh();
    index.append(101, 10);
    expect(disk.size(PATH)).toBe(0); // pending
    index.writePending();
    expect(disk.size(PATH)).toBe(8);
    const loaded = OffsetIndex.load(disk, PATH, 100, 1024, 1000);
    expect(loaded).toBeInstanceOf(OffsetIndex);
    expect((loaded as OffsetIndex).entry(0)).toEqual({ offset: 101, position: 10 });
  });

  it("writes pending entries by itself once PENDING_ENTRIES_MAX accumulate", () => {
    const { disk, index } = fresh(1 << 20);
    for (let i = 1; i <= PENDING_ENTRIES_MAX; i++) index.append(100 + i, i * 10);
    expect(disk.size(PATH)).toBe(PENDING_ENTRIES_MAX * 8);
  });

  it("rejects offsets and positions that do not increase", () => {
    const { index } = fresh();
    index.append(105, 300);
    expect(() => index.append(105, 400)).toThrow(/not above the last offset/);
    expect(() => index.append(104, 400)).toThrow(/not above the last offset/);
    expect(() => index.append(106, 300)).toThrow(/not above the last position/);
  });

  it("is full at segment.index.bytes / 8 entries", () => {
    const { index } = fresh(20); // 2 entries
    index.append(101, 10);
    expect(index.isFull()).toBe(false);
    index.append(102, 20);
    expect(index.isFull()).toBe(true);
    expect(() => index.append(103, 30)).toThrow(/full/);
  });

  it("truncateTo removes entries at or above the offset, in memory and in the file", () => {
    const { disk, index } = fresh();
    for (let i = 1; i <= 5; i++) index.append(100 + 10 * i, 100 * i);
    index.writePending();
    index.truncateTo(130);
    expect(index.entries).toBe(2);
    expect(index.lastOffset).toBe(120);
    expect(disk.size(PATH)).toBe(16);
    index.append(125, 250);
    index.flush();
    expect((OffsetIndex.load(disk, PATH, 100, 1024, 1000) as OffsetIndex).entries).toBe(3);
  });

  it("load reports missing and damaged files instead of trusting them", () => {
    const disk = new SimDisk();
    disk.mkdirs("p");
    expect(OffsetIndex.load(disk, PATH, 100, 1024, 100)).toBe("missing");
    disk.append(PATH, new Uint8Array(12));
    expect(OffsetIndex.load(disk, PATH, 100, 1024, 100)).toMatch(/not a multiple of 8/);
    disk.truncate(PATH, 0);
    disk.append(PATH, Uint8Array.of(0, 0, 0, 5, 0, 0, 0, 50, 0, 0, 0, 4, 0, 0, 0, 60));
    expect(OffsetIndex.load(disk, PATH, 100, 1024, 100)).toMatch(/not above the previous/);
    disk.truncate(PATH, 8);
    expect(OffsetIndex.load(disk, PATH, 100, 1024, 40)).toMatch(/beyond the log size/);
  });

  it("view() feeds the lookupIndex seam: greatest entry ≤ target, else position 0", () => {
    const { index } = fresh();
    index.append(110, 1000);
    index.append(120, 2000);
    index.append(130, 3000);
    const v = index.view();
    expect(defaultLookupIndex(v, 5)).toBe(0);
    expect(defaultLookupIndex(v, 10)).toBe(1000);
    expect(defaultLookupIndex(v, 19)).toBe(1000);
    expect(defaultLookupIndex(v, 20)).toBe(2000);
    expect(defaultLookupIndex(v, 99)).toBe(3000);
  });

  it("binary search agrees with a linear scan (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 5000 }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 6000 }),
        (rels, target) => {
          const sorted = [...rels].sort((a, b) => a - b);
          const { index } = fresh(1 << 20);
          sorted.forEach((r, i) => index.append(100 + r, (i + 1) * 10));
          let expected = 0;
          sorted.forEach((r, i) => {
            if (r <= target) expected = (i + 1) * 10;
          });
          expect(defaultLookupIndex(index.view(), target)).toBe(expected);
        },
      ),
    );
  });
});
