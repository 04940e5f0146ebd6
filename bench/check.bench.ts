/**
 * Checker performance: how long `analyzeHistory` and the full `checkHistory` verdict take on
 * large valid histories (the common case) and on a broken one with tens of thousands of
 * anomalies (the worst case for witness building). Histories come from the same model the
 * property tests use (test/check-model.ts), driven by a fixed-seed generator.
 */
import { analyzeHistory, checkHistory, HistoryRecorder, LOG_ANOMALIES } from "../src/check";
import type { PollOp } from "../src/check";
import type { Command, ModelRun } from "../test/check-model";
import { runModel } from "../test/check-model";
import type { BenchRow } from "./types";

/** mulberry32: a tiny deterministic PRNG, enough to shape a benchmark workload. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function workload(commands: number, seed: number): ModelRun {
  const r = prng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  const cmds: Command[] = [];
  for (let i = 0; i < commands; i++) {
    const x = r();
    if (x < 0.55) {
      const outcomes = ["ok", "ok", "ok", "ok", "ok", "ok", "info-written", "info-lost", "fail"] as const;
      cmds.push({
        kind: "send",
        producer: int(8),
        partitions: [int(12)],
        keys: [int(100)],
        outcome: outcomes[int(outcomes.length)]!,
        latencyMs: 1 + int(30),
      });
    } else if (x < 0.95) {
      cmds.push({
        kind: "poll",
        consumer: int(6),
        max: 1 + int(8),
        latencyMs: 1 + int(20),
        timeout: int(20) === 0,
      });
    } else if (x < 0.97) {
      cmds.push({ kind: "reassign", consumer: int(6), back: int(5) });
    } else if (x < 0.99) {
      cmds.push({ kind: "commit", consumer: int(6) });
    } else {
      cmds.push({ kind: "gap", partition: int(12), size: 1 + int(2) });
    }
  }
  return runModel(cmds, { partitions: 12, effectChoices: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] });
}

/**
 * Mean time per call in ms, as CPU time of this process (user + system): the benchmark machine
 * may be shared, and CPU time is far less disturbed by other processes than wall time.
 */
function timeIt(f: () => void, reps: number): number {
  f(); // warm up
  const start = process.cpuUsage();
  for (let i = 0; i < reps; i++) f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / reps;
}

export default function checkBench(): BenchRow[] {
  const rows: BenchRow[] = [];
  const run = workload(100_000, 42);
  const ops = run.history.length;
  const records = run.history.reduce(
    (n, op) =>
      n + (op.type === "poll" ? Object.values(op.records ?? {}).reduce((m, rs) => m + rs.length, 0) : 0),
    0,
  );
  const note = `${ops} ops, ${records} records read, ${run.ledger.entries.length} effects`;
  const anomalies = analyzeHistory(run.history, { ledger: run.ledger }).anomalies;
  const found = Object.values(anomalies).reduce((n, cases) => n + cases.length, 0);
  if (found !== 0) throw new Error(`Cannot benchmark: the valid workload has ${found} anomalies`);

  rows.push({
    group: "check",
    name: "analyzeHistory, valid 100k-op history",
    value: timeIt(() => analyzeHistory(run.history), 5),
    unit: "ms CPU",
    note,
  });
  rows.push({
    group: "check",
    name: "analyzeHistory + effects, valid 100k-op history",
    value: timeIt(() => analyzeHistory(run.history, { ledger: run.ledger }), 5),
    unit: "ms CPU",
    note,
  });
  rows.push({
    group: "check",
    name: "checkHistory (verdict), valid 100k-op history",
    value: timeIt(
      () =>
        checkHistory(run.history, {
          ledger: run.ledger,
          forbid: [...LOG_ANOMALIES, "effect-lost"],
          liveness: [{ kind: "drained-within", afterMs: 0, withinMs: 1e9 }],
        }),
      5,
    ),
    unit: "ms CPU",
    note,
  });

  // Worst case: every 3rd record dropped from every poll but the drain (tens of thousands of poll-skips).
  const broken: ModelRun = structuredClone(run);
  for (const op of broken.history) {
    if (op.type !== "poll" || op.process === "drain" || op.records === undefined) continue;
    const p = op as PollOp;
    for (const tp of Object.keys(p.records!)) p.records![tp] = p.records![tp]!.filter((r) => r[0] % 3 !== 0);
  }
  const brokenCount = Object.values(analyzeHistory(broken.history).anomalies).reduce(
    (n, cases) => n + cases.length,
    0,
  );
  rows.push({
    group: "check",
    name: "checkHistory (verdict), broken 100k-op history",
    value: timeIt(() => checkHistory(broken.history, { forbid: [...LOG_ANOMALIES] }), 3),
    unit: "ms CPU",
    note: `${brokenCount} anomaly cases`,
  });

  // Recording cost: one send + one poll per iteration.
  const n = 100_000;
  const recordMs = timeIt(() => {
    const rec = new HistoryRecorder();
    for (let i = 0; i < n; i++) {
      const s = rec.invoke(
        "send",
        "p",
        { messages: [{ topic: "t", key: null, value: `v${i}` }] },
        { atMs: i },
      );
      rec.ok(s, { positions: [{ partition: 0, offset: i }] }, { atMs: i + 1 });
      const p = rec.invoke("poll", "c", {}, { atMs: i + 1 });
      rec.ok(p, { records: { "t-0": [[i, null, `v${i}`]] } }, { atMs: i + 2 });
    }
  }, 3);
  rows.push({
    group: "check",
    name: "HistoryRecorder, send+poll pairs",
    value: (2 * n) / (recordMs / 1000),
    unit: "ops/s",
    note: `${((recordMs / (2 * n)) * 1e6).toFixed(0)} ns per op`,
  });
  return rows;
}
