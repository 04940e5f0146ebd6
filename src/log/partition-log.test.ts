import { describe, expect, it } from "vitest";
import { SimDisk } from "../sim/sim-disk";
import { SeededRng } from "../sim/rng";
import { decodeRecordBatches, encodeRecordBatch, readBatchHeader, type CompressionType } from "../protocol";
import { PartitionLog } from "./partition-log";
import type { PartitionLogOptions } from "./log-results";
import { logConfig, type LogConfig } from "./log-config";
import { logSeams, type LogSeams } from "./seams";
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP } from "./timestamp-search";
import { joinPath } from "./disk";

const DIR = "logs/orders-0";
const TP = { topic: "orders", partition: 0 };
const enc = new TextEncoder();
const dec = new TextDecoder();

function batch(
  vals: readonly string[],
  o: {
    ts?: number;
    timestamps?: number[];
    baseOffset?: number;
    epoch?: number;
    compression?: CompressionType;
  } = {},
): Uint8Array {
  return encodeRecordBatch({
    baseOffset: o.baseOffset ?? 0,
    partitionLeaderEpoch: o.epoch ?? -1,
    compression: o.compression ?? "none",
    records: vals.map((v, i) => ({ value: enc.encode(v), timestamp: o.timestamps?.[i] ?? o.ts ?? 1000 })),
  });
}

function valuesOf(bytes: Uint8Array): { offset: number; value: string }[] {
  return decodeRecordBatches(bytes).flatMap((b) =>
    b.records.map((r) => ({ offset: r.offset, value: dec.decode(r.value!) })),
  );
}

function open(
  disk: SimDisk,
  config: Partial<LogConfig> = {},
  extra: Partial<PartitionLogOptions> & { seams?: LogSeams } = {},
): PartitionLog {
  return PartitionLog.open({
    disk,
    dir: DIR,
    topicPartition: TP,
    config: logConfig(config),
    now: 0,
    ...extra,
  });
}

/** Append `n` single-record batches "m<i>" as leader with epoch `epoch`. */
function produce(log: PartitionLog, from: number, n: number, epoch = 0, ts = (i: number) => 1000 + i): void {
  for (let i = from; i < from + n; i++) {
    const r = log.appendAsLeader(batch([`m${i}`], { ts: ts(i) }), { now: ts(i), leaderEpoch: epoch });
    expect(r.error.name, r.errorMessage).toBe("NONE");
  }
}

function readAllValues(log: PartitionLog, from = log.logStartOffset): string[] {
  const out: string[] = [];
  let o = from;
  while (o < log.logEndOffset) {
    const r = log.read(o, 1 << 20);
    expect(r.error.name).toBe("NONE");
    const vs = valuesOf(r.records).filter((v) => v.offset >= o);
    out.push(...vs.map((v) => v.value));
    o = vs[vs.length - 1]!.offset + 1;
  }
  return out;
}

describe("PartitionLog.appendAsLeader", () => {
  it("assigns offsets from the log end offset and stamps the leader epoch, without touching the caller's bytes", () => {
    const disk = new SimDisk();
    const log = open(disk);
    const input = batch(["a", "b", "c"]);
    const copy = input.slice();
    const r1 = log.appendAsLeader(input, { now: 1000, leaderEpoch: 4 });
    const r2 = log.appendAsLeader(input, { now: 1000, leaderEpoch: 5 });
    expect([r1.firstOffset, r1.lastOffset, r2.firstOffset, r2.lastOffset]).toEqual([0, 2, 3, 5]);
    expect(r1.numMessages).toBe(3);
    expect(input).toEqual(copy); // not modified
    input.fill(0); // and not referenced: the log still has the original bytes
    const headers = decodeRecordBatches(log.read(0, 1 << 20).records).map((b) => [
      b.header.baseOffset,
      b.header.partitionLeaderEpoch,
    ]);
    expect(headers).toEqual([
      [0, 4],
      [3, 5],
    ]);
    expect(log.leaderEpochCache.entries()).toEqual([
      { epoch: 4, startOffset: 0 },
      { epoch: 5, startOffset: 3 },
    ]);
  });

  it("stamps LogAppendTime: timestamp type, maxTimestamp = now, a valid CRC", () => {
    const log = open(new SimDisk(), { messageTimestampType: "LogAppendTime" });
    const r = log.appendAsLeader(batch(["x", "y"], { ts: 5 }), { now: 777_000, leaderEpoch: 0 });
    expect(r.logAppendTime).toBe(777_000);
    const [b] = decodeRecordBatches(log.read(0, 1000).records); // verifies the CRC
    expect(b!.timestampType).toBe("LogAppendTime");
    expect(b!.records.map((x) => x.timestamp)).toEqual([777_000, 777_000]);
  });

  it("MESSAGE_TOO_LARGE writes nothing, even when earlier batches of the request are fine", () => {
    const disk = new SimDisk();
    const log = open(disk, { maxMessageBytes: 200 });
    produce(log, 0, 2);
    const before = { bytes: disk.stats().bytesWritten, size: log.size, leo: log.logEndOffset };
    const ok = batch(["fine"]);
    const big = batch(["x".repeat(300)]);
    const both = new Uint8Array(ok.length + big.length);
    both.set(ok);
    both.set(big, ok.length);
    const r = log.appendAsLeader(both, { now: 2000, leaderEpoch: 0 });
    expect(r.error.name).toBe("MESSAGE_TOO_LARGE");
    expect(r.errorMessage).toMatch(/max\.message\.bytes 200/);
    expect([r.firstOffset, r.lastOffset]).toEqual([-1, -1]);
    expect({ bytes: disk.stats().bytesWritten, size: log.size, leo: log.logEndOffset }).toEqual(before);
  });

  it("CORRUPT_MESSAGE for a bad CRC writes nothing", () => {
    const disk = new SimDisk();
    const log = open(disk);
    const bad = batch(["hello"]);
    bad[bad.length - 2]! ^= 0x10;
    const written = disk.stats().bytesWritten;
    const r = log.appendAsLeader(bad, { now: 1, leaderEpoch: 0 });
    expect(r.error.name).toBe("CORRUPT_MESSAGE");
    expect(r.errorMessage).toMatch(/CRC mismatch/);
    expect(disk.stats().bytesWritten).toBe(written);
    expect(log.logEndOffset).toBe(0);
  });

  it("flush.messages forces a flush once that many offsets are unflushed", () => {
    const disk = new SimDisk();
    const log = open(disk, { flushMessages: 3 });
    produce(log, 0, 2);
    expect(log.recoveryPoint).toBe(0);
    produce(log, 2, 1);
    expect(log.recoveryPoint).toBe(3);
  });
});

describe("PartitionLog.appendAsFollower", () => {
  it("keeps the leader's offsets and epochs, and requires the first batch at the log end offset", () => {
    const log = open(new SimDisk());
    const r = log.appendAsFollower(batch(["a", "b"], { baseOffset: 0, epoch: 2 }), { now: 1 });
    expect(r.error.name).toBe("NONE");
    const gap = log.appendAsFollower(batch(["c"], { baseOffset: 5, epoch: 2 }), { now: 1 });
    expect(gap.error.name).not.toBe("NONE");
    expect(gap.errorMessage).toMatch(/first batch base offset 5 is not the log end offset 2/);
    expect(log.appendAsFollower(batch(["c"], { baseOffset: 2, epoch: 3 }), { now: 1 }).error.name).toBe(
      "NONE",
    );
    expect(log.leaderEpochCache.entries()).toEqual([
      { epoch: 2, startOffset: 0 },
      { epoch: 3, startOffset: 2 },
    ]);
  });
});

describe("PartitionLog rolling", () => {
  it("rolls on segment.bytes, flushes the old segment (recovery point) and tells listeners", () => {
    const disk = new SimDisk();
    const log = open(disk, { segmentBytes: 300 });
    const rolls: number[] = [];
    log.addListener({ onRoll: (base) => rolls.push(base) });
    produce(log, 0, 12);
    expect(log.numberOfSegments).toBeGreaterThan(2);
    expect(rolls).toEqual(
      log
        .segmentList()
        .slice(1)
        .map((s) => s.baseOffset),
    );
    expect(log.recoveryPoint).toBe(log.activeSegmentBaseOffset);
    for (const s of log.segmentList()) expect(s.sizeInBytes).toBeLessThanOrEqual(300);
    expect(disk.list(DIR).filter((n) => n.endsWith(".log"))).toEqual(
      log.segmentList().map((s) => `${String(s.baseOffset).padStart(20, "0")}.log`),
    );
  });

  it("rolls on segment.ms, measured from the first batch's timestamp", () => {
    const log = open(new SimDisk(), { segmentMs: 10_000 });
    produce(log, 0, 3, 0, (i) => 1000 + i);
    expect(log.numberOfSegments).toBe(1);
    produce(log, 3, 1, 0, () => 11_001); // 11001 − 1000 > 10000
    expect(log.numberOfSegments).toBe(2);
    expect(log.activeSegmentBaseOffset).toBe(3);
  });

  it("rolls when the offset index is full", () => {
    // 4 offset-index entries; the time index (3 slots, full at 2) keeps 1 entry: timestamps do not grow.
    const log = open(new SimDisk(), { segmentIndexBytes: 36, indexIntervalBytes: 0 });
    produce(log, 0, 7, 0, () => 1000);
    expect(log.numberOfSegments).toBe(2);
    expect(log.segmentList()[0]!.offsetIndex.entries).toBe(4);
    expect(log.activeSegmentBaseOffset).toBe(5);
  });
});

describe("PartitionLog.read", () => {
  it("OFFSET_OUT_OF_RANGE below the log start offset and above the log end offset", () => {
    const log = open(new SimDisk());
    produce(log, 0, 10);
    log.updateHighWatermark(10);
    expect(log.deleteRecordsBefore(4)).toMatchObject({ lowWatermark: 4 });
    expect(log.read(3, 100).error.name).toBe("OFFSET_OUT_OF_RANGE");
    expect(log.read(11, 100).error.name).toBe("OFFSET_OUT_OF_RANGE");
    expect(log.read(10, 100)).toMatchObject({ error: { name: "NONE" }, records: new Uint8Array(0) });
    expect(valuesOf(log.read(4, 100).records)[0]).toEqual({ offset: 4, value: "m4" });
  });

  it("serves a consumer only below the high watermark", () => {
    const log = open(new SimDisk());
    produce(log, 0, 6);
    log.updateHighWatermark(3);
    const r = log.read(0, 1 << 20, log.highWatermark);
    expect(valuesOf(r.records).map((v) => v.offset)).toEqual([0, 1, 2]);
    expect(log.read(4, 1 << 20, log.highWatermark).records.length).toBe(0);
  });

  it("reports the scan cost: a lookup that ignores the index scans the whole segment", () => {
    const disk = new SimDisk();
    const good = open(disk, { indexIntervalBytes: 256 });
    produce(good, 0, 200);
    const fast = good.read(190, 100);
    const slowLog = open(
      disk,
      { indexIntervalBytes: 256 },
      { seams: logSeams({ lookupIndex: () => 0 }), recoveryPoint: good.logEndOffset },
    );
    const slow = slowLog.read(190, 100);
    expect(valuesOf(slow.records)).toEqual(valuesOf(fast.records));
    expect(fast.bytesScanned).toBeLessThanOrEqual(256 + 100);
    expect(slow.bytesScanned).toBeGreaterThan(10 * fast.bytesScanned);
    expect(slowLog.stats.bytesScanned).toBe(slow.bytesScanned);
  });

  it("a wrong findSegment seam is observable: it serves later records than asked for", () => {
    const disk = new SimDisk();
    const log = open(disk, { segmentBytes: 200 });
    produce(log, 0, 20);
    const bases = log.segmentList().map((s) => s.baseOffset);
    const ceiling = logSeams({
      findSegment: (b, t) =>
        Math.min(
          b.length - 1,
          b.findIndex((x) => x >= t),
        ),
    });
    const buggy = open(disk, { segmentBytes: 200 }, { seams: ceiling, recoveryPoint: 20 });
    const target = bases[1]! + 1;
    expect(valuesOf(buggy.read(target, 1000).records)[0]!.offset).toBeGreaterThan(target);
  });
});

describe("PartitionLog.offsetForTimestamp", () => {
  it("finds the earliest record with timestamp ≥ target, inside batches and compressed batches", () => {
    const log = open(new SimDisk(), { indexIntervalBytes: 0 });
    log.appendAsLeader(batch(["a", "b", "c"], { timestamps: [100, 300, 200] }), { now: 1, leaderEpoch: 1 });
    log.appendAsLeader(batch(["d", "e"], { timestamps: [400, 500], compression: "gzip" }), {
      now: 1,
      leaderEpoch: 2,
    });
    expect(log.offsetForTimestamp(0)).toMatchObject({ offset: 0, timestamp: 100 });
    expect(log.offsetForTimestamp(150)).toMatchObject({ offset: 1, timestamp: 300 });
    expect(log.offsetForTimestamp(301)).toMatchObject({ offset: 3, timestamp: 400, leaderEpoch: 2 });
    expect(log.offsetForTimestamp(450)).toMatchObject({ offset: 4, timestamp: 500 });
    expect(log.offsetForTimestamp(501)).toMatchObject({ offset: -1, timestamp: -1 });
    expect(log.offsetForTimestamp(EARLIEST_TIMESTAMP)).toMatchObject({ offset: 0 });
    expect(log.offsetForTimestamp(LATEST_TIMESTAMP)).toMatchObject({ offset: 5, leaderEpoch: 2 });
    expect(log.offsetForTimestamp(MAX_TIMESTAMP)).toMatchObject({ offset: 4, timestamp: 500 });
  });

  it("uses the time index across segments and respects the log start offset", () => {
    const log = open(new SimDisk(), { segmentBytes: 250, indexIntervalBytes: 50 });
    produce(log, 0, 30, 0, (i) => 10_000 + 100 * i);
    expect(log.numberOfSegments).toBeGreaterThan(3);
    for (const i of [0, 7, 15, 29]) expect(log.offsetForTimestamp(10_000 + 100 * i - 50).offset).toBe(i);
    log.updateHighWatermark(30);
    log.deleteRecordsBefore(12);
    expect(log.offsetForTimestamp(0).offset).toBe(12);
  });
});

describe("PartitionLog truncation and log start offset", () => {
  it("truncateTo removes the batch holding the target and later ones, and trims the epoch cache", () => {
    const log = open(new SimDisk(), { segmentBytes: 250 });
    produce(log, 0, 5, 1);
    log.appendAsLeader(batch(["x", "y", "z"]), { now: 1, leaderEpoch: 2 }); // offsets 5..7
    produce(log, 8, 5, 3);
    log.updateHighWatermark(13);
    const truncations: number[] = [];
    log.addListener({ onTruncate: (end) => truncations.push(end) });
    const r = log.truncateTo(6, 2);
    expect(r).toMatchObject({ truncated: true, logEndOffset: 5 });
    expect([log.logEndOffset, log.highWatermark]).toEqual([5, 5]);
    expect(log.leaderEpochCache.entries()).toEqual([{ epoch: 1, startOffset: 0 }]);
    expect(readAllValues(log)).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    expect(truncations).toEqual([5]);
    produce(log, 5, 1, 4);
    expect(readAllValues(log).at(-1)).toBe("m5");
  });

  it("truncation is durable at once: it survives a power loss", () => {
    const disk = new SimDisk();
    const log = open(disk);
    produce(log, 0, 6);
    log.flush(10);
    log.truncateTo(3, 11);
    disk.powerLoss(new SeededRng(1), "lose");
    const reopened = open(disk, {}, { recoveryPoint: log.recoveryPoint });
    expect(reopened.logEndOffset).toBe(3);
  });

  it("truncateTo below the first segment restarts the log empty at the target", () => {
    const log = open(new SimDisk(), { segmentBytes: 200 });
    produce(log, 0, 10);
    log.updateHighWatermark(10);
    log.deleteRecordsBefore(8);
    log.deleteOldSegments(5000);
    expect(log.firstSegmentBaseOffset).toBeGreaterThan(3);
    log.truncateTo(3, 6000);
    expect([log.logStartOffset, log.logEndOffset, log.numberOfSegments]).toEqual([3, 3, 1]);
  });

  it("deleteRecordsBefore: above the high watermark is OFFSET_OUT_OF_RANGE; -1 means the high watermark", () => {
    const log = open(new SimDisk());
    produce(log, 0, 8);
    log.updateHighWatermark(5);
    expect(log.deleteRecordsBefore(6).error.name).toBe("OFFSET_OUT_OF_RANGE");
    expect(log.deleteRecordsBefore(-1)).toMatchObject({ error: { name: "NONE" }, lowWatermark: 5 });
    expect(log.deleteRecordsBefore(2).lowWatermark).toBe(5); // never backwards
  });
});

describe("PartitionLog retention", () => {
  it("deletes whole old segments (never the active one), renaming to .deleted first, then after file.delete.delay.ms", () => {
    const disk = new SimDisk();
    const log = open(disk, { segmentBytes: 200, retentionMs: 1000, fileDeleteDelayMs: 500 });
    produce(log, 0, 12, 0, (i) => 1000 * i);
    log.updateHighWatermark(log.logEndOffset);
    const segments = log.numberOfSegments;
    const r = log.deleteOldSegments(1_000_000);
    expect(r.deletedSegments.length).toBe(segments - 1);
    expect(log.numberOfSegments).toBe(1);
    expect(log.logStartOffset).toBe(log.activeSegmentBaseOffset);
    expect(disk.list(DIR).filter((n) => n.endsWith(".deleted")).length).toBe(3 * (segments - 1));
    log.deleteExpiredFiles(1_000_499);
    expect(disk.list(DIR).some((n) => n.endsWith(".deleted"))).toBe(true);
    log.deleteExpiredFiles(1_000_500);
    expect(disk.list(DIR).some((n) => n.endsWith(".deleted"))).toBe(false);
    expect(log.read(0, 100).error.name).toBe("OFFSET_OUT_OF_RANGE");
  });

  it("retention.bytes keeps at least retention.bytes, and the high watermark bounds deletion", () => {
    const log = open(new SimDisk(), { segmentBytes: 200, retentionBytes: 400 });
    produce(log, 0, 20);
    log.updateHighWatermark(0);
    expect(log.deleteOldSegments(0).deletedSegments).toEqual([]);
    log.updateHighWatermark(20);
    log.deleteOldSegments(0);
    expect(log.size).toBeGreaterThanOrEqual(400);
    expect(log.size - log.segmentList()[0]!.sizeInBytes).toBeLessThan(400);
  });

  it("a retention seam that breaks its contract is a bug (exception), not silent damage", () => {
    const log = open(
      new SimDisk(),
      { segmentBytes: 200 },
      { seams: logSeams({ selectSegmentsForRetention: (segs) => segs.map((s) => s.baseOffset) }) },
    );
    produce(log, 0, 10);
    expect(() => log.deleteOldSegments(0)).toThrow(/prefix of the inactive segments/);
  });
});

describe("PartitionLog recovery", () => {
  it("truncates a torn tail after a power loss, never serving it, and reports it", () => {
    const disk = new SimDisk();
    const log = open(disk);
    produce(log, 0, 5);
    log.flush(1);
    produce(log, 5, 5);
    const active = log.segmentList()[0]!;
    const size = active.sizeInBytes;
    disk.truncate(active.logPath, size - 7); // the last write torn
    const r = open(disk, {}, { recoveryPoint: 5 });
    expect(r.logEndOffset).toBe(9);
    expect(r.recoveryReport.dropped).toEqual([
      expect.objectContaining({
        segmentBaseOffset: 0,
        bytes: size - 7 - r.size,
        reason: expect.stringMatching(/torn/),
      }),
    ]);
    expect(readAllValues(r)).toEqual(["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"]);
  });

  it("after a power loss everything flushed survives, whatever else is lost", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const disk = new SimDisk();
      const log = open(disk, { segmentBytes: 300 });
      produce(log, 0, 15);
      log.flush(100);
      const flushed = log.recoveryPoint;
      produce(log, 15, 10);
      disk.powerLoss(new SeededRng(seed));
      const r = open(disk, { segmentBytes: 300 }, { recoveryPoint: flushed });
      expect(r.logEndOffset).toBeGreaterThanOrEqual(flushed);
      expect(readAllValues(r)).toEqual(Array.from({ length: r.logEndOffset }, (_, i) => `m${i}`));
    }
  });

  it("rebuilds a corrupt index and still finds every offset", () => {
    const disk = new SimDisk();
    const log = open(disk, { indexIntervalBytes: 50 });
    produce(log, 0, 40);
    log.close(1);
    const idx = joinPath(DIR, "00000000000000000000.index");
    disk.writeAt(idx, 0, Uint8Array.of(0x7f, 0, 0, 0, 0, 0, 0, 0)); // relative offsets no longer increase
    const r = open(disk, { indexIntervalBytes: 50 }, { recoveryPoint: 40, hadCleanShutdown: true });
    expect(r.recoveryReport.indexesRebuilt).toEqual([expect.objectContaining({ segmentBaseOffset: 0 })]);
    for (let o = 0; o < 40; o++)
      expect(valuesOf(r.read(o, 1).records)[0]).toEqual({ offset: o, value: `m${o}` });
  });

  it("after a clean shutdown skips the scan; without one it scans from the recovery point's segment", () => {
    const disk = new SimDisk();
    const log = open(disk, { segmentBytes: 300 });
    produce(log, 0, 30);
    log.close(5);
    const clean = open(disk, { segmentBytes: 300 }, { recoveryPoint: 30, hadCleanShutdown: true });
    expect(clean.recoveryReport.segmentsRecovered).toEqual([]);
    expect(clean.recoveryPoint).toBe(30);
    const unclean = open(disk, { segmentBytes: 300 }, { recoveryPoint: 12 });
    const bases = unclean.segmentList().map((s) => s.baseOffset);
    const from = bases.filter((b) => b <= 12).at(-1)!;
    expect(unclean.recoveryReport.segmentsRecovered).toEqual(bases.filter((b) => b >= from));
    const full = open(disk, { segmentBytes: 300 });
    expect(full.recoveryReport.fullScan).toBe(true);
    expect(full.recoveryReport.segmentsRecovered).toEqual(bases);
    expect(full.recoveryReport.bytesScanned).toBeGreaterThanOrEqual(full.size);
  });

  it("deletes the segments after a corrupt point and reports each", () => {
    const disk = new SimDisk();
    const log = open(disk, { segmentBytes: 200 });
    produce(log, 0, 20);
    const segs = log.segmentList();
    expect(segs.length).toBeGreaterThan(3);
    disk.flipBit(segs[1]!.logPath, 30, 0); // baseTimestamp of its first batch: covered by the CRC
    const r = open(disk, { segmentBytes: 200 }, { recoveryPoint: segs[1]!.baseOffset });
    expect(r.logEndOffset).toBe(segs[1]!.baseOffset);
    expect(r.recoveryReport.dropped[0]).toMatchObject({
      segmentBaseOffset: segs[1]!.baseOffset,
      position: 0,
      reason: expect.stringMatching(/CRC/),
    });
    expect(r.recoveryReport.dropped.slice(1).map((d) => d.segmentBaseOffset)).toEqual(
      segs.slice(2).map((s) => s.baseOffset),
    );
    expect(r.numberOfSegments).toBe(2);
  });

  it("removes stray .tmp/.deleted/.cleaned/.swap files and orphan indexes", () => {
    const disk = new SimDisk();
    open(disk);
    for (const n of [
      "x.tmp",
      "00000000000000000005.log.deleted",
      "00000000000000000006.log.cleaned",
      "00000000000000000007.log.swap",
      "00000000000000000009.index",
    ]) {
      disk.append(joinPath(DIR, n), new Uint8Array(3));
    }
    const r = open(disk);
    expect(r.recoveryReport.filesRemoved.length).toBe(5);
    expect(disk.list(DIR).sort()).toEqual([
      "00000000000000000000.index",
      "00000000000000000000.log",
      "00000000000000000000.timeindex",
    ]);
  });

  it("goes offline on a disk error and recovers on reopen", () => {
    const disk = new SimDisk();
    const log = open(disk);
    produce(log, 0, 3);
    disk.failNextWrite();
    const r = log.appendAsLeader(batch(["lost"]), { now: 1, leaderEpoch: 0 });
    expect(r.error.name).toBe("KAFKA_STORAGE_ERROR");
    expect(log.offline).toBeDefined();
    expect(log.read(0, 100).error.name).toBe("KAFKA_STORAGE_ERROR");
    expect(log.appendAsLeader(batch(["again"]), { now: 1, leaderEpoch: 0 }).error.name).toBe(
      "KAFKA_STORAGE_ERROR",
    );
    const reopened = open(disk);
    expect(readAllValues(reopened)).toEqual(["m0", "m1", "m2"]);
  });
});

describe("PartitionLog.batchesFrom", () => {
  it("replays the batches holding [from, to), headers included", () => {
    const log = open(new SimDisk(), { segmentBytes: 250 });
    produce(log, 0, 12);
    const got = [...log.batchesFrom(3, 9)].map((b) => b.header.baseOffset);
    expect(got).toEqual([3, 4, 5, 6, 7, 8]);
    const first = [...log.batchesFrom(0, 1)][0]!;
    expect(readBatchHeader(first.bytes)).toEqual(first.header);
  });
});
