import { describe, expect, it } from "vitest";
import { SimDisk } from "../sim/sim-disk";
import { encodeRecordBatch, decodeRecordBatches } from "../protocol";
import { LogSegment, type AppendedBatch } from "./segment";
import { DEFAULT_LOG_SEAMS, SeamContractError } from "./seams";

const DIR = "t-0";

/** A batch with `n` records at offsets [base, base+n), timestamps `ts`..`ts+n-1`, ~`pad` value bytes each. */
function batchAt(base: number, n: number, ts: number, pad = 20): Uint8Array {
  return encodeRecordBatch({
    baseOffset: base,
    records: Array.from({ length: n }, (_, i) => ({
      value: new Uint8Array(pad).fill(65 + i),
      timestamp: ts + i,
    })),
  });
}

interface Appended {
  base: number;
  last: number;
  position: number;
  size: number;
  maxTs: number;
}

/** Append `specs` ([records, timestamp]) one batch per call; return where each landed. */
function fill(
  segment: LogSegment,
  specs: readonly [number, number][],
  firstOffset = segment.baseOffset,
): Appended[] {
  const out: Appended[] = [];
  let next = firstOffset;
  for (const [n, ts] of specs) {
    const bytes = batchAt(next, n, ts);
    const info: AppendedBatch = { lastOffset: next + n - 1, maxTimestamp: ts + n - 1, size: bytes.length };
    out.push({
      base: next,
      last: next + n - 1,
      position: segment.sizeInBytes,
      size: bytes.length,
      maxTs: ts + n - 1,
    });
    segment.append(bytes, [info], ts);
    next += n;
  }
  return out;
}

function newSegment(
  base = 0,
  indexIntervalBytes = 100,
  segmentIndexBytes = 1024,
): { disk: SimDisk; segment: LogSegment } {
  const disk = new SimDisk();
  disk.mkdirs(DIR);
  return { disk, segment: LogSegment.create(disk, DIR, base, { indexIntervalBytes, segmentIndexBytes }, 0) };
}

describe("LogSegment.append index entries", () => {
  it("follow LogSegment.append: no entry for the first batch; then (last offset → start position) once more than index.interval.bytes were appended", () => {
    const { segment } = newSegment(0, 100);
    const specs: [number, number][] = [
      [2, 1000],
      [3, 900],
      [1, 2000],
      [4, 1500],
      [2, 2500],
      [1, 2400],
      [5, 3000],
    ];
    const batches = fill(segment, specs);
    // Restate the rule independently: before each batch, add an entry if the bytes since the last entry exceed the interval.
    const expectedOffsets: { offset: number; position: number }[] = [];
    const expectedTimes: { timestamp: number; offset: number }[] = [];
    let since = 0;
    let maxTs = -1;
    let maxTsOffset = 0;
    for (const b of batches) {
      if (b.maxTs > maxTs) {
        maxTs = b.maxTs;
        maxTsOffset = b.last;
      }
      if (since > 100) {
        expectedOffsets.push({ offset: b.last, position: b.position });
        const lastT = expectedTimes[expectedTimes.length - 1];
        if (lastT === undefined || maxTs > lastT.timestamp)
          expectedTimes.push({ timestamp: maxTs, offset: maxTsOffset });
        since = 0;
      }
      since += b.size;
    }
    expect(segment.offsetIndex.view().positions).not.toContain(0); // never the first batch
    expect(
      Array.from({ length: segment.offsetIndex.entries }, (_, i) => segment.offsetIndex.entry(i)),
    ).toEqual(expectedOffsets);
    expect(Array.from({ length: segment.timeIndex.entries }, (_, i) => segment.timeIndex.entry(i))).toEqual(
      expectedTimes,
    );
    expect(expectedOffsets.length).toBeGreaterThan(1);
    expect(segment.maxTimestampSoFar).toBe(3004);
    expect(segment.offsetOfMaxTimestampSoFar).toBe(17);
  });

  it("with index.interval.bytes 0 every batch after the first gets an entry", () => {
    const { segment } = newSegment(0, 0);
    fill(segment, [
      [1, 1],
      [1, 2],
      [1, 3],
    ]);
    expect(segment.offsetIndex.entries).toBe(2);
  });
});

describe("LogSegment.translateOffset and read", () => {
  const specs: [number, number][] = Array.from(
    { length: 30 },
    (_, i) => [3, 1000 + 10 * i] as [number, number],
  );

  it("finds the batch holding any offset, starting from the index and scanning little", () => {
    const { segment } = newSegment(100, 200);
    const batches = fill(segment, specs);
    for (const b of batches) {
      for (let o = b.base; o <= b.last; o++) {
        const l = segment.translateOffset(o);
        expect(l.batch?.position).toBe(b.position);
        expect(l.batch?.baseOffset).toBe(b.base);
        // Sparse index: the walk never passes more than index.interval.bytes plus one batch.
        expect(l.bytesScanned).toBeLessThanOrEqual(200 + b.size);
      }
    }
    expect(segment.translateOffset(100 + 90).batch).toBeUndefined();
  });

  it("reads whole batches up to maxBytes, the first whole even if larger (KIP-74), never past maxOffsetExclusive", () => {
    const { segment } = newSegment(0, 100);
    const batches = fill(segment, specs);
    const size = batches[0]!.size;
    const r = segment.read(4, size * 3 + 5, Infinity, true);
    expect(r.records.length).toBe(size * 3);
    expect(decodeRecordBatches(r.records).map((b) => b.header.baseOffset)).toEqual([3, 6, 9]);
    expect(segment.read(4, 10, Infinity, true).records.length).toBe(size); // first batch whole
    expect(segment.read(4, 10, Infinity, false).records.length).toBe(0); // unless minOneMessage is off
    const capped = segment.read(0, 1 << 20, 8, true); // batches [0,2] [3,5] fit; [6,8] crosses 8
    expect(decodeRecordBatches(capped.records).map((b) => b.header.baseOffset)).toEqual([0, 3]);
    expect(segment.read(7, 1 << 20, 8, true).records.length).toBe(0);
  });

  it("rejects a lookupIndex answer that is not a batch boundary", () => {
    const { segment } = newSegment(0, 0);
    fill(segment, specs);
    const broken = { ...DEFAULT_LOG_SEAMS, lookupIndex: () => 7 };
    expect(() => segment.read(50, 100, Infinity, true, broken.lookupIndex)).toThrow(SeamContractError);
  });
});

describe("LogSegment.recover", () => {
  it("rebuilds the indexes exactly as the appends built them", () => {
    const { disk, segment } = newSegment(0, 150);
    fill(
      segment,
      Array.from({ length: 40 }, (_, i) => [1 + (i % 4), 5000 - (i % 7) * 100 + i * 50] as [number, number]),
    );
    const offsets = Array.from({ length: segment.offsetIndex.entries }, (_, i) =>
      segment.offsetIndex.entry(i),
    );
    const times = Array.from({ length: segment.timeIndex.entries }, (_, i) => segment.timeIndex.entry(i));
    segment.onBecomeInactive();
    const finalTime = segment.timeIndex.lastEntry();
    const { segment: reopened } = LogSegment.open(
      disk,
      DIR,
      0,
      { indexIntervalBytes: 150, segmentIndexBytes: 1024 },
      0,
    );
    const rec = reopened.recover(0);
    expect(rec.truncatedBytes).toBe(0);
    expect(rec.reason).toBeUndefined();
    expect(
      Array.from({ length: reopened.offsetIndex.entries }, (_, i) => reopened.offsetIndex.entry(i)),
    ).toEqual(offsets);
    const rebuilt = Array.from({ length: reopened.timeIndex.entries }, (_, i) => reopened.timeIndex.entry(i));
    expect(rebuilt.slice(0, times.length)).toEqual(times);
    expect(reopened.timeIndex.lastEntry()).toEqual(finalTime);
  });

  it("truncates a torn tail and reports why", () => {
    const { disk, segment } = newSegment(0, 100);
    const batches = fill(segment, [
      [2, 1],
      [2, 2],
      [2, 3],
    ]);
    disk.truncate(segment.logPath, batches[2]!.position + 30); // the last batch torn mid-header
    const { segment: s } = LogSegment.open(
      disk,
      DIR,
      0,
      { indexIntervalBytes: 100, segmentIndexBytes: 1024 },
      0,
    );
    const rec = s.recover(0);
    expect(rec.validBytes).toBe(batches[2]!.position);
    expect(rec.truncatedBytes).toBe(30);
    expect(rec.reason).toMatch(/torn/);
    expect(rec.nextOffset).toBe(4);
    expect(disk.size(s.logPath)).toBe(batches[2]!.position);
  });

  it("stops at a CRC mismatch and at an offset gap", () => {
    const { disk, segment } = newSegment(0, 100);
    const batches = fill(segment, [
      [2, 1],
      [2, 2],
      [2, 3],
    ]);
    disk.flipBit(segment.logPath, batches[1]!.position + 70, 3); // inside the records of batch 2
    const { segment: s } = LogSegment.open(
      disk,
      DIR,
      0,
      { indexIntervalBytes: 100, segmentIndexBytes: 1024 },
      0,
    );
    const rec = s.recover(0);
    expect(rec.reason).toMatch(/CRC mismatch/);
    expect(rec.validBytes).toBe(batches[1]!.position);

    const g = newSegment(0, 100);
    g.segment.append(
      batchAt(0, 2, 1),
      [{ lastOffset: 1, maxTimestamp: 2, size: batchAt(0, 2, 1).length }],
      0,
    );
    g.segment.append(
      batchAt(5, 2, 1),
      [{ lastOffset: 6, maxTimestamp: 2, size: batchAt(5, 2, 1).length }],
      0,
    );
    const gap = g.segment.recover(0);
    expect(gap.reason).toMatch(/not dense: batch base offset 5 where 2 was expected/);
  });
});

describe("LogSegment.readNextOffset and truncateTo", () => {
  it("walks the tail from the last index entry and notices a torn tail", () => {
    const { disk, segment } = newSegment(0, 50);
    fill(
      segment,
      Array.from({ length: 10 }, () => [2, 7] as [number, number]),
    );
    expect(segment.readNextOffset()).toMatchObject({ nextOffset: 20, problem: undefined });
    disk.append(segment.logPath, new Uint8Array(20));
    const { segment: s } = LogSegment.open(
      disk,
      DIR,
      0,
      { indexIntervalBytes: 50, segmentIndexBytes: 1024 },
      0,
    );
    expect(s.readNextOffset().problem).toMatch(/cannot hold a batch header/);
  });

  it("removes the batch holding the offset and all later ones, with their index entries", () => {
    const { segment } = newSegment(0, 0);
    const batches = fill(
      segment,
      Array.from({ length: 6 }, (_, i) => [3, 100 * i] as [number, number]),
    );
    const { bytesRemoved, nextOffset } = segment.truncateTo(10); // inside [9, 11]
    expect(nextOffset).toBe(9);
    expect(bytesRemoved).toBe(batches[3]!.size * 3);
    expect(segment.sizeInBytes).toBe(batches[3]!.position);
    expect(segment.offsetIndex.lastOffset).toBeLessThan(9);
    expect(segment.maxTimestampSoFar).toBe(202);
  });
});
