import { describe, expect, it } from "vitest";
import { SimDisk } from "../sim/sim-disk";
import { encodeRecordBatch } from "../protocol";
import { loadLog, type LoadOptions } from "./recovery";
import { LogSegment } from "./segment";
import { DEFAULT_LOG_SEAMS, logSeams } from "./seams";
import { joinPath } from "./disk";

const DIR = "r-0";
const SETTINGS = { indexIntervalBytes: 100, segmentIndexBytes: 1024 };

/** Segments at the given base offsets, each holding `count` single-record batches from its base. */
function build(disk: SimDisk, layout: readonly [number, number][]): void {
  disk.mkdirs(DIR);
  for (const [base, count] of layout) {
    const s = LogSegment.create(disk, DIR, base, SETTINGS, 0);
    for (let o = base; o < base + count; o++) {
      const b = encodeRecordBatch({
        baseOffset: o,
        records: [{ value: new Uint8Array(10), timestamp: 1000 + o }],
      });
      s.append(b, [{ lastOffset: o, maxTimestamp: 1000 + o, size: b.length }], 0);
    }
    s.close();
    s.flush();
  }
}

function load(disk: SimDisk, o: Partial<LoadOptions> = {}): ReturnType<typeof loadLog> {
  return loadLog({
    disk,
    dir: DIR,
    settings: SETTINGS,
    seams: DEFAULT_LOG_SEAMS,
    now: 0,
    recoveryPoint: 0,
    logStartOffset: undefined,
    hadCleanShutdown: false,
    ...o,
  });
}

describe("loadLog", () => {
  it("trusts segments below the recovery point's segment and scans from it", () => {
    const disk = new SimDisk();
    build(disk, [
      [0, 5],
      [5, 5],
      [10, 5],
    ]);
    const r = load(disk, { recoveryPoint: 7 });
    expect(r.report.segmentsRecovered).toEqual([5, 10]);
    expect(r.logEndOffset).toBe(15);
    expect(r.recoveryPoint).toBe(7);
    expect(r.report.fullScan).toBe(false);
  });

  it("drops a scanned segment that does not start where the previous one ended, and all after it", () => {
    const disk = new SimDisk();
    build(disk, [
      [0, 5],
      [7, 5],
      [12, 5],
    ]);
    const r = load(disk, { recoveryPoint: 0 });
    expect(r.logEndOffset).toBe(5);
    expect(r.report.dropped.map((d) => [d.segmentBaseOffset, d.reason.slice(0, 30)])).toEqual([
      [7, "segment starts at offset 7 but"],
      [12, "segment starts at offset 7 but"],
    ]);
    expect(disk.list(DIR).filter((n) => n.endsWith(".log"))).toEqual(["00000000000000000000.log"]);
  });

  it("restarts an empty log at the checkpointed log start offset when the log end fell below it", () => {
    const disk = new SimDisk();
    build(disk, [[0, 5]]);
    const r = load(disk, { recoveryPoint: 5, logStartOffset: 9 });
    expect([r.logStartOffset, r.logEndOffset, r.segments.length, r.segments[0]!.baseOffset]).toEqual([
      9, 9, 1, 9,
    ]);
    expect(r.report.notes.join()).toMatch(/below the log start offset/);
  });

  it("clean shutdown: no scan, but a torn tail of the last segment is still noticed and recovered", () => {
    const disk = new SimDisk();
    build(disk, [
      [0, 5],
      [5, 5],
    ]);
    let r = load(disk, { hadCleanShutdown: true, recoveryPoint: undefined });
    expect(r.report.segmentsRecovered).toEqual([]);
    expect(r.recoveryPoint).toBe(10);
    const last = joinPath(DIR, "00000000000000000005.log");
    disk.truncate(last, disk.size(last) - 3);
    r = load(disk, { hadCleanShutdown: true });
    expect(r.report.segmentsRecovered).toEqual([5]);
    expect(r.logEndOffset).toBe(9);
    expect(r.report.notes.join()).toMatch(/tail is not whole batches/);
  });

  it("feeds every scanned batch's leader epoch to onBatch", () => {
    const disk = new SimDisk();
    disk.mkdirs(DIR);
    const s = LogSegment.create(disk, DIR, 0, SETTINGS, 0);
    for (const [o, epoch] of [
      [0, 1],
      [1, 1],
      [2, 3],
    ] as const) {
      const b = encodeRecordBatch({
        baseOffset: o,
        partitionLeaderEpoch: epoch,
        records: [{ value: null, timestamp: 1 }],
      });
      s.append(b, [{ lastOffset: o, maxTimestamp: 1, size: b.length }], 0);
    }
    const seen: [number, number][] = [];
    load(disk, { recoveryPoint: undefined, onBatch: (e, o) => seen.push([e, o]) });
    expect(seen).toEqual([
      [1, 0],
      [1, 1],
      [3, 2],
    ]);
  });

  it("refuses a recoveryStartSegment seam that returns an index out of range", () => {
    const disk = new SimDisk();
    build(disk, [[0, 2]]);
    expect(() => load(disk, { seams: logSeams({ recoveryStartSegment: () => 3 }) })).toThrow(
      /recoveryStartSegment returned 3/,
    );
  });
});
