import { describe, expect, it } from "vitest";
import { SimDisk } from "../sim/sim-disk";
import { SeededRng } from "../sim/rng";
import { decodeRecordBatches, encodeRecordBatch } from "../protocol";
import { CLEAN_SHUTDOWN_FILE, LogManager, type LogManagerOptions } from "./log-manager";
import { logConfig } from "./log-config";
import {
  readOffsetCheckpoint,
  LOG_START_OFFSET_CHECKPOINT,
  RECOVERY_POINT_OFFSET_CHECKPOINT,
  REPLICATION_OFFSET_CHECKPOINT,
} from "./offset-checkpoint";
import { joinPath } from "./disk";
import type { PartitionLog } from "./partition-log";

const LOG_DIR = "kafka-logs";
const enc = new TextEncoder();
const dec = new TextDecoder();

function manager(disk: SimDisk, extra: Partial<LogManagerOptions> = {}, now = 0): LogManager {
  return LogManager.open(
    { disk, logDir: LOG_DIR, defaultConfig: logConfig({ segmentBytes: 300 }), ...extra },
    now,
  );
}

function create(m: LogManager, topic: string, partition: number): PartitionLog {
  const r = m.getOrCreateLog(topic, partition, 0);
  if (!("log" in r)) throw new Error(r.errorMessage);
  return r.log;
}

function produce(log: PartitionLog, n: number, ts = 1000): void {
  for (let i = 0; i < n; i++) {
    const value = enc.encode(`${log.topicPartition.topic}-${log.logEndOffset}`);
    const r = log.appendAsLeader(encodeRecordBatch({ records: [{ value, timestamp: ts + i }] }), {
      now: ts + i,
      leaderEpoch: 0,
    });
    expect(r.error.name).toBe("NONE");
  }
}

function valuesOf(log: PartitionLog): string[] {
  const out: string[] = [];
  let o = log.logStartOffset;
  while (o < log.logEndOffset) {
    const rs = decodeRecordBatches(log.read(o, 1 << 20).records)
      .flatMap((b) => b.records)
      .filter((r) => r.offset >= o);
    out.push(...rs.map((r) => dec.decode(r.value!)));
    o = rs[rs.length - 1]!.offset + 1;
  }
  return out;
}

describe("LogManager.getOrCreateLog", () => {
  it("creates <topic>-<partition> directories that survive a power loss", () => {
    const disk = new SimDisk();
    const m = manager(disk);
    const a = create(m, "orders", 0);
    create(m, "orders", 1);
    expect(m.getOrCreateLog("orders", 0, 0)).toMatchObject({ log: a, created: false });
    expect(disk.list(LOG_DIR)).toEqual(["orders-0", "orders-1"]);
    disk.powerLoss(new SeededRng(3), "lose");
    const again = manager(disk);
    expect(again.allLogs().map((l) => `${l.topicPartition.topic}-${l.topicPartition.partition}`)).toEqual([
      "orders-0",
      "orders-1",
    ]);
  });

  it("rejects illegal topic names and partitions, creating nothing", () => {
    const disk = new SimDisk();
    const m = manager(disk);
    for (const bad of ["", ".", "..", "a/b", "../etc", "x".repeat(250), "spa ce"]) {
      expect(m.getOrCreateLog(bad, 0, 0)).toMatchObject({ error: { name: "INVALID_TOPIC_EXCEPTION" } });
    }
    expect(m.getOrCreateLog("ok", -1, 0)).toMatchObject({ error: { name: "INVALID_PARTITIONS" } });
    expect(disk.list(LOG_DIR)).toEqual([]);
  });
});

describe("LogManager startup", () => {
  it("reports and ignores junk, finishes off -delete directories, removes checkpoint leftovers", () => {
    const disk = new SimDisk();
    create(manager(disk), "t", 0);
    disk.mkdirs(joinPath(LOG_DIR, "lost+found"));
    disk.mkdirs(joinPath(LOG_DIR, "t-0.0123abcd-delete"));
    disk.append(joinPath(LOG_DIR, "t-0.0123abcd-delete", "00000000000000000000.log"), new Uint8Array(4));
    disk.mkdirs(joinPath(LOG_DIR, "t-1.ff-future"));
    disk.append(joinPath(LOG_DIR, "recovery-point-offset-checkpoint.tmp"), new Uint8Array(2));
    const m = manager(disk);
    expect(m.allLogs().length).toBe(1);
    expect(m.startupReport.ignored.map((i) => i.name).sort()).toEqual(["lost+found", "t-1.ff-future"]);
    expect(m.startupReport.deletedDirs).toEqual([joinPath(LOG_DIR, "t-0.0123abcd-delete")]);
    expect(disk.exists(joinPath(LOG_DIR, "recovery-point-offset-checkpoint.tmp"))).toBe(false);
  });

  it("clean shutdown: writes the marker last; the next start trusts the logs, skips the scan, removes the marker", () => {
    const disk = new SimDisk();
    const m = manager(disk);
    produce(create(m, "a", 0), 20);
    produce(create(m, "b", 0), 5);
    expect(m.close(100, 7)).toEqual({ failed: [], cleanShutdownMarkerWritten: true });
    const marker = joinPath(LOG_DIR, CLEAN_SHUTDOWN_FILE);
    expect(JSON.parse(dec.decode(disk.readAll(marker)))).toEqual({ version: 0, brokerEpoch: 7 });
    expect(readOffsetCheckpoint(disk, LOG_DIR, RECOVERY_POINT_OFFSET_CHECKPOINT)).toEqual(
      new Map([
        ["a-0", 20],
        ["b-0", 5],
      ]),
    );
    disk.powerLoss(new SeededRng(1), "lose"); // everything was made durable by close
    const again = manager(disk);
    expect(again.startupReport.hadCleanShutdown).toBe(true);
    expect(again.startupReport.cleanShutdownBrokerEpoch).toBe(7);
    for (const r of Object.values(again.startupReport.logs)) expect(r.segmentsRecovered).toEqual([]);
    expect(disk.exists(marker)).toBe(false);
    expect(valuesOf(again.getLog("a", 0)!)).toEqual(Array.from({ length: 20 }, (_, i) => `a-${i}`));
  });

  it("unclean shutdown without a recovery-point checkpoint scans every log from the start, and says so", () => {
    const disk = new SimDisk();
    const m = manager(disk);
    produce(create(m, "a", 0), 20);
    disk.crash();
    const again = manager(disk);
    const report = again.startupReport.logs["a-0"]!;
    expect(
      again.startupReport.checkpoints.find((c) => c.file.endsWith(RECOVERY_POINT_OFFSET_CHECKPOINT))?.status,
    ).toBe("missing");
    expect(report.fullScan).toBe(true);
    expect(report.segmentsRecovered.length).toBe(again.getLog("a", 0)!.numberOfSegments);
    expect(valuesOf(again.getLog("a", 0)!).length).toBe(20);
  });

  it("a corrupt recovery-point checkpoint means a full scan even after a clean shutdown", () => {
    const disk = new SimDisk();
    const m = manager(disk);
    produce(create(m, "a", 0), 20);
    m.close(1);
    disk.writeAt(joinPath(LOG_DIR, RECOVERY_POINT_OFFSET_CHECKPOINT), 0, enc.encode("9"));
    const again = manager(disk);
    expect(
      again.startupReport.checkpoints.find((c) => c.file.endsWith(RECOVERY_POINT_OFFSET_CHECKPOINT))?.status,
    ).toBe("corrupt");
    expect(again.startupReport.notes.join()).toMatch(/corrupt/);
    expect(again.startupReport.logs["a-0"]!.fullScan).toBe(true);
    expect(valuesOf(again.getLog("a", 0)!).length).toBe(20);
  });

  it("recovers from the checkpointed recovery point after a power loss: flushed data survives", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const disk = new SimDisk();
      const m = manager(disk);
      const log = create(m, "a", 0);
      produce(log, 15);
      log.flush(50);
      m.checkpointRecoveryPoints();
      produce(log, 15, 5000);
      disk.powerLoss(new SeededRng(seed));
      const again = manager(disk);
      const a = again.getLog("a", 0)!;
      expect(a.logEndOffset).toBeGreaterThanOrEqual(15);
      expect(valuesOf(a)).toEqual(Array.from({ length: a.logEndOffset }, (_, i) => `a-${i}`));
      expect(again.startupReport.logs["a-0"]!.recoveryPointCheckpoint).toBe(15);
    }
  });
});

describe("LogManager checkpoints and duties", () => {
  it("log-start-offset-checkpoint lists only logs whose start offset is inside their first segment", () => {
    const disk = new SimDisk();
    const m = manager(disk);
    const a = create(m, "a", 0);
    const b = create(m, "b", 0);
    produce(a, 10);
    produce(b, 10);
    a.updateHighWatermark(10);
    a.deleteRecordsBefore(1);
    m.checkpointLogStartOffsets();
    m.checkpointHighWatermarks();
    expect(readOffsetCheckpoint(disk, LOG_DIR, LOG_START_OFFSET_CHECKPOINT)).toEqual(new Map([["a-0", 1]]));
    expect(readOffsetCheckpoint(disk, LOG_DIR, REPLICATION_OFFSET_CHECKPOINT)).toEqual(
      new Map([
        ["a-0", 10],
        ["b-0", 0],
      ]),
    );
    m.close(1);
    const again = manager(disk);
    expect(again.getLog("a", 0)!.logStartOffset).toBe(1);
    expect(again.getLog("a", 0)!.highWatermark).toBe(10);
  });

  it("checkpoints recovery points right after a truncation", () => {
    const disk = new SimDisk();
    const m = manager(disk);
    const a = create(m, "a", 0);
    produce(a, 10);
    a.flush(1);
    m.checkpointRecoveryPoints();
    a.truncateTo(4, 2);
    expect(readOffsetCheckpoint(disk, LOG_DIR, RECOVERY_POINT_OFFSET_CHECKPOINT).get("a-0")).toBe(4);
  });

  it("runRetention deletes old segments of every log; flushDirty honours flush.ms", () => {
    const disk = new SimDisk();
    const m = manager(disk, { topicConfigs: { a: { retentionMs: 1000, flushMs: 500 } } });
    const a = create(m, "a", 0);
    const b = create(m, "b", 0);
    produce(a, 20, 0);
    produce(b, 20, 0);
    a.updateHighWatermark(20);
    b.updateHighWatermark(20);
    const deleted = m.runRetention(100_000);
    expect(Object.keys(deleted)).toEqual(["a-0"]);
    expect(a.numberOfSegments).toBe(1);
    expect(b.numberOfSegments).toBeGreaterThan(1);
    produce(a, 1, 100_000);
    expect(m.flushDirty(a.lastFlushTime + 499)).toBe(0);
    expect(m.flushDirty(a.lastFlushTime + 500)).toBe(1); // only "a" has flush.ms set
    expect(a.recoveryPoint).toBe(a.logEndOffset);
  });

  it("setTopicConfig validates and applies overrides to open logs", () => {
    const m = manager(new SimDisk());
    const a = create(m, "a", 0);
    expect(() => m.setTopicConfig("a", { segmentBytes: 1 })).toThrow(/segment\.bytes/);
    m.setTopicConfig("a", { retentionMs: 5 });
    expect(a.config.retentionMs).toBe(5);
    expect(m.topicConfig("b").retentionMs).toBe(604800000);
  });

  it("deleteLog removes the partition directory durably", () => {
    const disk = new SimDisk();
    const m = manager(disk);
    produce(create(m, "a", 0), 3);
    expect(m.deleteLog("a", 0)).toBe(true);
    expect(m.deleteLog("a", 0)).toBe(false);
    expect(disk.list(LOG_DIR).filter((n) => !n.includes("checkpoint"))).toEqual([]);
    disk.powerLoss(new SeededRng(2), "lose");
    expect(manager(disk).allLogs()).toEqual([]);
  });

  it("does not write the clean-shutdown marker when a log is offline", () => {
    const disk = new SimDisk();
    const m = manager(disk);
    const a = create(m, "a", 0);
    disk.failNextWrite();
    a.appendAsLeader(encodeRecordBatch({ records: [{ value: enc.encode("x"), timestamp: 1 }] }), {
      now: 1,
      leaderEpoch: 0,
    });
    expect(a.offline).toBeDefined();
    const r = m.close(2);
    expect(r.cleanShutdownMarkerWritten).toBe(false);
    expect(r.failed.map((f) => f.partition)).toEqual(["a-0"]);
    expect(disk.exists(joinPath(LOG_DIR, CLEAN_SHUTDOWN_FILE))).toBe(false);
  });
});
