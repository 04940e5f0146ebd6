/**
 * The storage engine on real files: LogManager and PartitionLog over FsDisk in a temporary
 * directory, checking the on-disk layout Kafka uses and recovery from a torn tail written by
 * hand (the same code paths the SimDisk tests exercise, against node:fs).
 */
import { afterEach, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FsDisk } from "../src/node/fs-disk";
import { LogManager, logConfig, type PartitionLog } from "../src/log";
import { batch, values } from "./log-helpers";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmpRoot(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "kafka-labs-log-test-"));
  dirs.push(d);
  return d;
}

function openManager(root: string): LogManager {
  return LogManager.open(
    {
      disk: new FsDisk(root),
      logDir: "kafka-logs",
      defaultConfig: logConfig({ segmentBytes: 400, indexIntervalBytes: 100 }),
    },
    0,
  );
}

function produce(log: PartitionLog, n: number): void {
  for (let i = 0; i < n; i++) {
    const r = log.appendAsLeader(batch([`r${log.logEndOffset}`], { timestamp: 1000 + i }), {
      now: 1000 + i,
      leaderEpoch: 1,
    });
    expect(r.error.name).toBe("NONE");
  }
}

function readAll(log: PartitionLog): string[] {
  const out: string[] = [];
  let o = log.logStartOffset;
  while (o < log.logEndOffset) {
    const vs = values(log.read(o, 1 << 16).records).filter((v) => v.offset >= o);
    out.push(...vs.map((v) => v.value));
    o = vs[vs.length - 1]!.offset + 1;
  }
  return out;
}

describe("the log on FsDisk", () => {
  it("writes Kafka's layout: <topic>-<partition>/<20-digit base>.log/.index/.timeindex and checkpoint files", () => {
    const root = tmpRoot();
    const m = openManager(root);
    const r = m.getOrCreateLog("orders", 2, 0);
    if (!("log" in r)) throw new Error(r.errorMessage);
    produce(r.log, 30);
    expect(m.close(5).cleanShutdownMarkerWritten).toBe(true);
    const partitionDir = path.join(root, "kafka-logs", "orders-2");
    const files = fs.readdirSync(partitionDir).sort();
    expect(files).toContain("00000000000000000000.log");
    expect(files).toContain("00000000000000000000.index");
    expect(files).toContain("00000000000000000000.timeindex");
    expect(files).toContain("leader-epoch-checkpoint");
    expect(files.filter((f) => f.endsWith(".log")).length).toBe(r.log.numberOfSegments);
    for (const f of files.filter((x) => x.endsWith(".index")))
      expect(fs.statSync(path.join(partitionDir, f)).size % 8).toBe(0);
    for (const f of files.filter((x) => x.endsWith(".timeindex")))
      expect(fs.statSync(path.join(partitionDir, f)).size % 12).toBe(0);
    expect(fs.readFileSync(path.join(root, "kafka-logs", "recovery-point-offset-checkpoint"), "utf8")).toBe(
      "0\n1\norders 2 30\n",
    );
    expect(fs.readFileSync(path.join(partitionDir, "leader-epoch-checkpoint"), "utf8")).toBe("0\n1\n1 0\n");
    expect(fs.readFileSync(path.join(root, "kafka-logs", ".kafka_cleanshutdown"), "utf8")).toBe(
      '{"version":0,"brokerEpoch":0}',
    );

    const again = openManager(root);
    expect(again.startupReport.hadCleanShutdown).toBe(true);
    expect(readAll(again.getLog("orders", 2)!)).toEqual(Array.from({ length: 30 }, (_, i) => `r${i}`));
  });

  it("recovers a torn tail left by a crash", () => {
    const root = tmpRoot();
    const m = openManager(root);
    const r = m.getOrCreateLog("t", 0, 0);
    if (!("log" in r)) throw new Error(r.errorMessage);
    produce(r.log, 12);
    r.log.flush(1);
    m.checkpointRecoveryPoints();
    produce(r.log, 3);
    // The process dies in the middle of writing one more batch: half of it reached the file.
    const active = r.log.segmentList().at(-1)!;
    const file = path.join(root, "kafka-logs", active.logPath.split("/").slice(1).join("/"));
    const half = batch(["torn"]).subarray(0, 40);
    fs.appendFileSync(file, half);
    const again = openManager(root);
    const log = again.getLog("t", 0)!;
    expect(log.logEndOffset).toBe(15);
    expect(again.startupReport.logs["t-0"]!.dropped).toEqual([
      expect.objectContaining({ bytes: 40, reason: expect.stringMatching(/torn/) }),
    ]);
    expect(readAll(log)).toEqual(Array.from({ length: 15 }, (_, i) => `r${i}`));
    produce(log, 1);
    expect(readAll(log).at(-1)).toBe("r15");
  });
});
