/**
 * Lab 06's scenario: one broker's log dir (orders-0 and orders-1) on the simulated disk, with the
 * learner's checkpoint writer, recovery start and checkpoint interval. The broker appends orders
 * (a new leader epoch at each start), checkpoints recovery points, log start offsets and high
 * watermarks on its timers, and an application deletes processed records. Four times the power
 * fails between two disk operations — half the time inside a checkpoint write — and the broker
 * restarts from what the disk kept; the run ends with an orderly shutdown and a clean restart.
 *
 * Judged, after each power loss, from the disk and the restarted broker:
 * - every checkpoint file holds the content of its last completed write, or of the write the
 *   power cut (`torn-checkpoint` when it holds anything else, `lost-checkpoint` when a completed
 *   write was undone);
 * - no record below a partition's recovery point at the cut is lost (`lost-write`); every record
 *   the restarted log serves is one that was written there (`inconsistent-offsets`); records
 *   below a checkpointed log start offset stay deleted (`deleted-records-returned`);
 * - recovery re-reads only the segment holding the last checkpointed recovery point and later
 *   ones (`slow-recovery`);
 * - liveness: the broker restarts; each restart re-reads at most the budget; checkpoint writes
 *   stay within the fsync budget.
 */
import {
  CLEAN_SHUTDOWN_FILE,
  LOG_FILE_SUFFIX,
  LogManager,
  joinPath,
  logConfig,
  logSeams,
  parseSegmentFileName,
  type CheckpointWriter,
  type LogManagerStartupReport,
  type PartitionLog,
} from "../../src/log";
import { Errors, decodeRecordBatches, encodeRecordBatch } from "../../src/protocol";
import { SeededRng, SimDisk, type PowerLossReport, type Rng } from "../../src/sim";
import {
  LabTrace,
  Narration,
  PowerCut,
  PowerCutDisk,
  VerdictBuilder,
  errorText,
  fmtBytes,
  plural,
} from "../_lib";
import { fmtMs } from "../../src/check";
import { CONFIG_KEY, REQUIREMENTS, SCENARIO, type CheckpointImpl } from "./spec";

export const LAB06_FORBIDDEN = [
  "torn-checkpoint",
  "lost-checkpoint",
  "deleted-records-returned",
  "slow-recovery",
  "unflushed-data-trusted",
  "lost-write",
  "unseen",
  "inconsistent-offsets",
] as const;

const enc = new TextEncoder();
const dec = new TextDecoder();
/** Older contents remembered per checkpoint file, to tell a lost write from a torn one. */
const HISTORY_MAX = 64;

export interface ScenarioResult {
  narration: Narration;
  trace: LabTrace;
  restarts: number;
  /** fsync and fsyncDir calls made inside checkpoint writes, and the run's length in ms. */
  checkpointFsyncs: number;
  runMs: number;
  /** Restarts after a power loss that re-read more than the budget (one line each). */
  overBudget: string[];
}

/** The interval from the learner's broker properties, or why it is unusable. */
export function checkpointInterval(props: Readonly<Record<string, string>>): number | string {
  const extra = Object.keys(props).filter((k) => k !== CONFIG_KEY);
  if (extra.length > 0)
    return `broker-config.ts sets ${extra.join(", ")}; this lab lets you set only ${CONFIG_KEY}`;
  const raw = props[CONFIG_KEY];
  if (raw === undefined) return `broker-config.ts must set ${CONFIG_KEY}`;
  const n = Number(raw.trim());
  if (!/^[0-9]+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1)
    return `Invalid value ${raw} for configuration ${CONFIG_KEY}: must be a whole number of milliseconds ≥ 1`;
  return n;
}

interface PartitionModel {
  /** Value of each offset written and not truncated away. */
  values: string[];
  /** Recovery point in the last recovery-point checkpoint write that completed (undefined: none). */
  checkpointedRecoveryPoint: number | undefined;
  /** Log start offset in the last log-start-offset checkpoint write that completed. */
  checkpointedLogStart: number;
  /** At the cut: everything below was fsynced, and the log start offset. */
  fsyncedBelow: number;
  logStartAtCut: number;
  /** An append the power cut: its records may or may not have survived. */
  pending: string[] | undefined;
  /** Bytes of log recovery may re-read after this cut (from the checkpointed recovery point on). */
  scanBound: number;
}

export function runCheckpointScenario(
  impl: CheckpointImpl,
  seed: number,
  vb: VerdictBuilder,
  solution = false,
): ScenarioResult {
  const story = new Narration();
  const trace = new LabTrace();
  const rng: Rng = new SeededRng(seed).split("lab06/workload");
  const diskRng: Rng = new SeededRng(seed).split("lab06/disk");
  const result: ScenarioResult = {
    narration: story,
    trace,
    restarts: 0,
    checkpointFsyncs: 0,
    runMs: 0,
    overBudget: [],
  };
  const interval = checkpointInterval(impl.brokerConfig);
  story.section("The setup");
  if (typeof interval === "string") {
    story.say(interval);
    vb.liveness("valid-broker-config", false, interval);
    return result;
  }
  const yours = solution ? "the solution's" : "your";
  story.say(
    `One broker, log dir ${SCENARIO.logDir}, partitions orders-0 and orders-1 (segment.bytes=${SCENARIO.segmentBytes}), about 30 KB/s of orders. ` +
      `Recovery points are checkpointed every ${interval} ms (${CONFIG_KEY}, from exercise/broker-config.ts); log start offsets and high watermarks every 5000 ms. ` +
      `Every checkpoint goes through ${yours} writeCheckpoint; recovery starts where ${yours} recoveryStartSegment says.`,
  );
  story.say(
    `Requirements: a restart after a power loss re-reads at most ${fmtBytes(REQUIREMENTS.restartScanBudgetBytes)} of log; checkpoints cost at most ${REQUIREMENTS.checkpointFsyncsPerSecondMax} fsyncs per second.`,
  );

  const sim = new SimDisk();
  const disk = new PowerCutDisk(sim);
  // ---- checkpoint writes through the learner's writer, watched ----------------------------
  const completed = new Map<string, string>();
  const history = new Map<string, string[]>();
  let inflight: { path: string; content: string } | undefined;
  let inWriter = false;
  disk.observer = (op) => {
    if (inWriter && (op === "fsync" || op === "fsyncDir")) result.checkpointFsyncs++;
  };
  const remember = (path: string, content: string): void => {
    completed.set(path, content);
    let h = history.get(path);
    if (h === undefined) history.set(path, (h = []));
    h.push(content);
    if (h.length > HISTORY_MAX) h.shift();
  };
  const writer: CheckpointWriter = (d, path, content) => {
    inflight = { path, content: dec.decode(content) };
    inWriter = true;
    try {
      impl.writeCheckpoint(d, path, content);
    } finally {
      inWriter = false;
    }
    remember(path, inflight.content);
    trace.record("app", "checkpoint", "broker", { file: path, bytes: content.length });
    inflight = undefined;
  };
  const recoveryChoices: { bases: readonly number[]; recoveryPoint: number; chose: number }[] = [];
  const seams = logSeams({
    writeCheckpoint: writer,
    recoveryStartSegment: (bases, recoveryPoint) => {
      const chose = impl.recoveryStartSegment(bases, recoveryPoint);
      recoveryChoices.push({ bases: [...bases], recoveryPoint, chose });
      return chose;
    },
  });
  const defaultConfig = logConfig({ segmentBytes: SCENARIO.segmentBytes });
  const partitions = Array.from({ length: SCENARIO.partitions }, (_, p) => p);
  const name = (p: number): string => `${SCENARIO.topic}-${p}`;
  const model: PartitionModel[] = partitions.map(() => ({
    values: [],
    checkpointedRecoveryPoint: undefined,
    checkpointedLogStart: 0,
    fsyncedBelow: 0,
    logStartAtCut: 0,
    pending: undefined,
    scanBound: Infinity,
  }));

  let now = 0;
  let epoch = 0;
  let seq = 0;
  let manager: LogManager;
  let logs: PartitionLog[] = [];
  const open = (): boolean => {
    recoveryChoices.length = 0;
    try {
      manager = LogManager.open({ disk, logDir: SCENARIO.logDir, defaultConfig, seams }, now);
    } catch (e) {
      const message = errorText(e);
      story.section(`The broker does not start (t=${fmtMs(now)})`);
      story.say(message);
      vb.liveness("broker-restarts", false, `the broker could not start at t=${fmtMs(now)}: ${message}`);
      return false;
    }
    epoch++;
    logs = partitions.map((p) => {
      const r = manager.getOrCreateLog(SCENARIO.topic, p, now);
      if ("error" in r) throw new Error(`Cannot open ${name(p)}: ${r.errorMessage}`);
      return r.log;
    });
    return true;
  };

  if (!open()) return result;
  trace.record("node", "start", "broker", { leaderEpoch: epoch });
  for (let cycle = 0; cycle <= SCENARIO.powerLosses; cycle++) {
    const clean = cycle === SCENARIO.powerLosses;
    const start = now;
    const cutAt = start + rng.range(SCENARIO.cutFromMs, SCENARIO.cutToMs);
    const inCheckpoint = rng.chance(0.5);
    let armed = false;
    let nextRecoveryCheckpoint = start + interval;
    let nextLogStartCheckpoint = start + SCENARIO.logStartCheckpointIntervalMs;
    let nextHwCheckpoint = start + SCENARIO.highWatermarkCheckpointIntervalMs;
    let nextDelete = start + SCENARIO.deleteRecordsEveryMs;
    const timer = (due: number, run: () => void): boolean => {
      if (now < due) return false;
      if (!clean && inCheckpoint && !armed && now >= cutAt) {
        disk.armAfter(rng.int(6)); // somewhere inside this checkpoint write (or just after it)
        armed = true;
      }
      run();
      return true;
    };
    try {
      while (!(clean && now >= start + SCENARIO.cutFromMs)) {
        now += SCENARIO.appendEveryMs;
        trace.now = now;
        if (!clean && !inCheckpoint && !armed && now >= cutAt) {
          disk.armAfter(rng.int(4));
          armed = true;
        }
        const p = rng.int(SCENARIO.partitions);
        const m = model[p]!;
        const values = Array.from(
          { length: rng.range(1, 5) },
          () => `order-${seq++}:${"x".repeat(rng.range(20, 70))}`,
        );
        m.pending = values;
        const res = logs[p]!.appendAsLeader(
          encodeRecordBatch({ records: values.map((v) => ({ value: enc.encode(v), timestamp: now })) }),
          { now, leaderEpoch: epoch },
        );
        if (res.error !== Errors.NONE || res.firstOffset !== m.values.length)
          throw new Error(`Cannot append to ${name(p)}: ${res.error.name} ${res.errorMessage ?? ""}`);
        m.values.push(...values);
        m.pending = undefined;
        logs[p]!.updateHighWatermark(logs[p]!.logEndOffset); // one replica: committed once written
        if (timer(nextRecoveryCheckpoint, () => manager.checkpointRecoveryPoints())) {
          nextRecoveryCheckpoint += interval;
          partitions.forEach((q) => (model[q]!.checkpointedRecoveryPoint = logs[q]!.recoveryPoint));
        }
        if (timer(nextLogStartCheckpoint, () => manager.checkpointLogStartOffsets())) {
          nextLogStartCheckpoint += SCENARIO.logStartCheckpointIntervalMs;
          partitions.forEach((q) => (model[q]!.checkpointedLogStart = logs[q]!.logStartOffset));
        }
        if (timer(nextHwCheckpoint, () => manager.checkpointHighWatermarks()))
          nextHwCheckpoint += SCENARIO.highWatermarkCheckpointIntervalMs;
        if (now >= nextDelete) {
          nextDelete += SCENARIO.deleteRecordsEveryMs;
          const q = rng.int(SCENARIO.partitions);
          const log = logs[q]!;
          const target = log.logStartOffset + Math.floor((log.highWatermark - log.logStartOffset) * 0.2);
          if (target > log.logStartOffset) {
            const r = log.deleteRecordsBefore(target);
            if (r.error !== Errors.NONE)
              throw new Error(`DeleteRecords on ${name(q)} failed: ${r.error.name}`);
            trace.record("app", "delete-records", name(q), { before: target });
          }
        }
      }
    } catch (e) {
      if (!(e instanceof PowerCut)) throw e;
      result.restarts++;
      powerLoss(cycle + 1, e);
      if (!open()) return finish();
      trace.record("node", "restart", "broker", { leaderEpoch: epoch });
      checkRestart(cycle + 1, manager!.startupReport);
      continue;
    }
    // The last cycle: an orderly shutdown, then a clean restart.
    const closed = manager!.close(now, epoch);
    trace.record("node", "stop", "broker", { cleanShutdownMarker: closed.cleanShutdownMarkerWritten });
    partitions.forEach((q) => {
      const m = model[q]!;
      m.fsyncedBelow = logs[q]!.logEndOffset;
      m.logStartAtCut = logs[q]!.logStartOffset;
      m.checkpointedLogStart = logs[q]!.logStartOffset;
      m.scanBound = Infinity;
    });
    if (!open()) return finish();
    trace.record("node", "restart", "broker", { leaderEpoch: epoch, clean: true });
    checkRestart(0, manager!.startupReport);
  }
  return finish();

  function finish(): ScenarioResult {
    result.runMs = now;
    return result;
  }

  /** The power fails: the disk keeps what was fsynced; judge the checkpoint files it kept. */
  function powerLoss(n: number, cut: PowerCut): void {
    const during = inflight;
    partitions.forEach((p) => {
      const m = model[p]!;
      m.fsyncedBelow = logs[p]!.recoveryPoint;
      m.logStartAtCut = logs[p]!.logStartOffset;
    });
    const report: PowerLossReport = sim.powerLoss(diskRng);
    disk.restore();
    inflight = undefined;
    trace.record("node", "power-loss", "broker", {
      before: `${cut.op} ${cut.path}`,
      ...(during !== undefined ? { insideCheckpointWrite: during.path } : {}),
      tornFiles: report.files.filter((f) => f.torn).map((f) => f.path),
    });
    story.section(`Power loss ${n} (t=${fmtMs(now)})`);
    story.say(
      during !== undefined
        ? `The power fails inside the write of ${during.path}, just before ${cut.op} ${cut.path}. The disk keeps only what was fsynced (and a prefix of the rest).`
        : `The power fails just before ${cut.op} ${cut.path}. The disk keeps only what was fsynced (and a prefix of the rest).`,
    );
    const paths = new Set(completed.keys());
    if (during !== undefined) paths.add(during.path);
    for (const path of paths) {
      if (path.endsWith(CLEAN_SHUTDOWN_FILE)) continue;
      const content = completed.get(path); // undefined: no write of this file had completed
      const actual = sim.exists(path) ? dec.decode(sim.readAll(path)) : undefined;
      const wasCut = during?.path === path;
      if (actual === content || (wasCut && actual === during.content)) continue;
      const older = actual !== undefined && (history.get(path) ?? []).includes(actual);
      const kind =
        content !== undefined && (older || actual === undefined) ? "lost-checkpoint" : "torn-checkpoint";
      const shown =
        actual === undefined
          ? "no file at all"
          : `${plural(actual.length, "byte")}${actual.length > 0 ? ` ${JSON.stringify(actual.length > 48 ? `${actual.slice(0, 48)}…` : actual)}` : ""}`;
      const before =
        content === undefined
          ? "no write of it had completed"
          : `its last completed write had put ${JSON.stringify(content.length > 48 ? `${content.slice(0, 48)}…` : content)}`;
      const summary = `${path} held ${shown} after power loss ${n}; ${before}${wasCut ? ", and the write the power cut would have put the new content" : ""}`;
      vb.add(kind, { summary, atMs: now });
      trace.record("disk", kind, "broker", { file: path, bytes: actual?.length ?? -1 });
      story.item(`${kind === "lost-checkpoint" ? "Lost" : "Torn"}: ${path} holds ${shown}.`);
      if (actual === undefined) completed.delete(path);
      else completed.set(path, actual);
    }
    // What recovery may re-read: from the segment holding the checkpointed recovery point on.
    partitions.forEach((p) => {
      const m = model[p]!;
      const dir = joinPath(SCENARIO.logDir, name(p));
      const segs = sim.exists(dir)
        ? sim
            .list(dir)
            .map((f) => ({ f, parsed: parseSegmentFileName(f) }))
            .filter((x) => x.parsed?.suffix === LOG_FILE_SUFFIX)
            .map((x) => ({ base: x.parsed!.baseOffset, bytes: sim.size(joinPath(dir, x.f)) }))
            .sort((a, b) => a.base - b.base)
        : [];
      const r = m.checkpointedRecoveryPoint;
      let from = 0;
      if (r !== undefined) for (let i = 0; i < segs.length; i++) if (segs[i]!.base <= r) from = i;
      m.scanBound = segs.slice(r === undefined ? 0 : from).reduce((s, x) => s + x.bytes, 0);
    });
  }

  /** After a restart: recovery cost, records kept and served, log start offsets. */
  function checkRestart(n: number, report: LogManagerStartupReport): void {
    const corrupt = report.checkpoints.filter((c) => c.status === "corrupt");
    const label = n === 0 ? "Clean restart" : `Restart after power loss ${n}`;
    story.section(`${label} (t=${fmtMs(now)})`);
    if (corrupt.length > 0)
      story.say(`Unreadable at startup: ${corrupt.map((c) => c.problem ?? c.file).join("; ")}.`);
    let total = 0;
    for (const p of partitions) {
      const m = model[p]!;
      const key = name(p);
      const rr = report.logs[key];
      const log = logs[p]!;
      const scanned = rr?.bytesScanned ?? 0;
      total += scanned;
      const matching = recoveryChoices.filter(
        (c) => rr !== undefined && c.recoveryPoint === rr.recoveryPointCheckpoint,
      );
      const choice = matching.length === 1 ? matching[0] : undefined;
      const why =
        rr === undefined
          ? ""
          : rr.fullScan
            ? "no usable recovery point: full scan"
            : (rr.notes.find((x) => x.includes("full scan")) ?? "");
      story.say(
        `${key}: recovery point ${rr?.recoveryPointCheckpoint ?? "unknown"}${choice !== undefined ? `, ${yours} recoveryStartSegment chose segment #${choice.chose} of ${choice.bases.length}` : ""}; re-read ${fmtBytes(scanned)}${why !== "" ? ` (${why})` : ""}; log now ${log.logStartOffset}-${log.logEndOffset - 1}.`,
      );
      if (n > 0 && scanned > m.scanBound) {
        vb.add("slow-recovery", {
          summary: `after power loss ${n}, ${key} re-read ${scanned} bytes; from the segment holding its last checkpointed recovery point (${m.checkpointedRecoveryPoint ?? "none"}) on, the log held ${m.scanBound}${why !== "" ? ` (${why})` : ""}`,
          atMs: now,
        });
      }
      if (n > 0)
        trace.record("app", "recovery", key, {
          bytesScanned: scanned,
          bound: m.scanBound,
          recoveryPoint: rr?.recoveryPointCheckpoint ?? null,
        });
      checkRecords(n, p, log);
    }
    if (n > 0 && total > REQUIREMENTS.restartScanBudgetBytes)
      result.overBudget.push(`after power loss ${n} the broker re-read ${fmtBytes(total)}`);
  }

  function checkRecords(n: number, p: number, log: PartitionLog): void {
    const m = model[p]!;
    const key = name(p);
    const leo = log.logEndOffset;
    const lso = log.logStartOffset;
    const when = n === 0 ? "the clean restart" : `power loss ${n}`;
    if (leo < m.fsyncedBelow) {
      const lost = range(leo, m.fsyncedBelow);
      vb.add("lost-write", {
        summary: `${key} ends at offset ${leo} after ${when}; offsets below ${m.fsyncedBelow} were fsynced`,
        offsets: lost,
        atMs: now,
      });
    }
    if (lso > m.logStartAtCut) {
      vb.add("lost-write", {
        summary: `${key} starts at offset ${lso} after ${when}, above its log start offset ${m.logStartAtCut} before it`,
        offsets: range(m.logStartAtCut, Math.min(lso, m.values.length)),
        atMs: now,
      });
    }
    if (lso < m.checkpointedLogStart) {
      vb.add("deleted-records-returned", {
        summary: `${key} starts at offset ${lso} after ${when}, but its log start offset ${m.checkpointedLogStart} had been checkpointed: offsets ${lso}-${m.checkpointedLogStart - 1} are readable again`,
        atMs: now,
      });
    }
    // Records beyond the model may be the append the power cut, if they match it.
    if (m.pending !== undefined && leo > m.values.length) m.values.push(...m.pending);
    m.pending = undefined;
    let at = lso;
    while (at < leo) {
      const r = log.read(at, 64 * 1024, leo);
      if (r.error !== Errors.NONE || r.records.length === 0) {
        vb.add("lost-write", {
          summary: `${key} could not serve offset ${at} after ${when}: ${r.error.name} ${r.errorMessage ?? "nothing returned"}`,
          offsets: [at],
          atMs: now,
        });
        break;
      }
      let batches;
      try {
        batches = decodeRecordBatches(r.records);
      } catch (e) {
        vb.add("inconsistent-offsets", {
          summary: `${key} served a corrupt batch at offset ${at} after ${when}: ${(e as Error).message}`,
          atMs: now,
        });
        break;
      }
      let next = at;
      for (const b of batches)
        for (const rec of b.records) {
          const got = rec.value === null ? "" : dec.decode(rec.value);
          if (rec.offset >= at && got !== m.values[rec.offset]) {
            vb.add("inconsistent-offsets", {
              summary: `${key} served ${JSON.stringify(got.slice(0, 40))} at offset ${rec.offset} after ${when}; ${m.values[rec.offset] === undefined ? "nothing was written there" : `${JSON.stringify(m.values[rec.offset]!.slice(0, 40))} was`}`,
              atMs: now,
            });
          }
          next = rec.offset + 1;
        }
      if (next <= at) break;
      at = next;
    }
    m.values.length = Math.min(m.values.length, leo); // unflushed records may be gone; they will be rewritten
    while (m.values.length < leo) m.values.push(""); // (cannot happen without an inconsistent-offsets report)
  }
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let o = from; o < to; o++) out.push(o);
  return out;
}
