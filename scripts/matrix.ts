/**
 * `npm run matrix [-- --seeds N] [--schedules single,overlapping,power-loss-all] [--first-seed S]`
 *
 * The configuration matrix of the HA and reliability pages: the same fault schedules
 * (src/sim/replication-scenario.ts) over replication factor × min.insync.replicas × acks ×
 * unclean.leader.election.enable, and for each configuration and schedule the share of seeds
 * whose history shows lost writes (lost-write or unseen), divergence (inconsistent-offsets: one
 * offset seen with two values) and liveness failures (sends invoked 10 s into the quiet phase not
 * acknowledged within 10 s). Prints a markdown table and writes reports/matrix.json.
 *
 * Combinations that mean nothing are skipped: replication factor 1 with min.insync.replicas 2
 * (the effective minimum is min(2, 1) = 1, the same run as min.insync.replicas 1) and with
 * unclean election (there is no other replica to elect).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { HistoryRecorder, checkHistory } from "../src/check";
import { runReplicationScenario, type FaultSchedule } from "../src/sim/replication-scenario";

export interface MatrixConfig {
  replicationFactor: 1 | 3;
  minInsyncReplicas: 1 | 2;
  acks: 1 | -1;
  uncleanLeaderElectionEnable: boolean;
}

export interface MatrixRow extends MatrixConfig {
  schedule: FaultSchedule;
  seeds: number;
  lostWriteSeeds: number;
  divergenceSeeds: number;
  livenessFailureSeeds: number;
  /** Seeds with a lost write, for replay. */
  lossExamples: number[];
}

export const MATRIX_SCHEDULES: readonly FaultSchedule[] = ["single", "overlapping", "power-loss-all"];

export function matrixConfigs(): MatrixConfig[] {
  const out: MatrixConfig[] = [];
  for (const replicationFactor of [1, 3] as const)
    for (const minInsyncReplicas of [1, 2] as const)
      for (const acks of [1, -1] as const)
        for (const uncleanLeaderElectionEnable of [false, true]) {
          if (replicationFactor === 1 && (minInsyncReplicas === 2 || uncleanLeaderElectionEnable)) continue;
          out.push({ replicationFactor, minInsyncReplicas, acks, uncleanLeaderElectionEnable });
        }
  return out;
}

/** Run `seeds` seeds of one configuration under one schedule. */
export async function runMatrixCell(
  config: MatrixConfig,
  schedule: FaultSchedule,
  seeds: readonly number[],
): Promise<MatrixRow> {
  const row: MatrixRow = {
    ...config,
    schedule,
    seeds: seeds.length,
    lostWriteSeeds: 0,
    divergenceSeeds: 0,
    livenessFailureSeeds: 0,
    lossExamples: [],
  };
  for (const seed of seeds) {
    const recorder = new HistoryRecorder();
    const r = await runReplicationScenario({ seed, ...config, faults: schedule, recorder });
    const v = checkHistory(recorder.history(), {
      forbid: ["lost-write", "unseen", "inconsistent-offsets"],
      liveness: [
        {
          kind: "sends-acked-within",
          afterMs: r.quietStartMs + 10_000,
          withinMs: 10_000,
          untilMs: r.sendsStopMs,
        },
      ],
      seed,
    });
    const found = new Set(v.anomalies.map((a) => a.name));
    if (found.has("lost-write") || found.has("unseen")) {
      row.lostWriteSeeds++;
      if (row.lossExamples.length < 5) row.lossExamples.push(seed);
    }
    if (found.has("inconsistent-offsets")) row.divergenceSeeds++;
    if (v.liveness.some((l) => !l.ok)) row.livenessFailureSeeds++;
  }
  return row;
}

function pct(n: number, d: number): string {
  return d === 0 ? "–" : `${Math.round((100 * n) / d)}%`;
}

export function formatMatrix(rows: readonly MatrixRow[]): string {
  const head =
    "| RF | min.insync.replicas | acks | unclean election | faults | seeds | lost writes | divergence | liveness failures |\n" +
    "|---:|---:|:---:|:---:|:---|---:|---:|---:|---:|";
  const lines = rows.map(
    (r) =>
      `| ${r.replicationFactor} | ${r.minInsyncReplicas} | ${r.acks === -1 ? "all" : r.acks} | ${r.uncleanLeaderElectionEnable} | ${r.schedule} | ${r.seeds} | ${pct(r.lostWriteSeeds, r.seeds)} | ${pct(r.divergenceSeeds, r.seeds)} | ${pct(r.livenessFailureSeeds, r.seeds)} |`,
  );
  return [head, ...lines].join("\n");
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const n = Number(arg("seeds") ?? 20);
  const first = Number(arg("first-seed") ?? 1);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--seeds must be a positive integer, got ${arg("seeds")}`);
  const schedules = (arg("schedules")?.split(",") ?? MATRIX_SCHEDULES) as FaultSchedule[];
  const seeds = Array.from({ length: n }, (_, i) => first + i);
  const rows: MatrixRow[] = [];
  const started = process.cpuUsage();
  for (const schedule of schedules) {
    for (const config of matrixConfigs()) {
      const row = await runMatrixCell(config, schedule, seeds);
      rows.push(row);
      process.stderr.write(
        `${schedule} RF=${config.replicationFactor} minISR=${config.minInsyncReplicas} acks=${config.acks} unclean=${config.uncleanLeaderElectionEnable}: ` +
          `loss ${row.lostWriteSeeds}/${n}${row.lossExamples.length > 0 ? ` (seeds ${row.lossExamples.join(", ")})` : ""}\n`,
      );
    }
  }
  const cpu = process.cpuUsage(started);
  console.log(formatMatrix(rows));
  console.log(
    `\n${rows.length} cells × ${n} seeds (first seed ${first}); CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s. ` +
      "Replay one: npx tsx scripts/matrix.ts --seeds 1 --first-seed <seed> --schedules <schedule>",
  );
  mkdirSync("reports", { recursive: true });
  writeFileSync(
    "reports/matrix.json",
    JSON.stringify({ node: process.version, seeds: n, firstSeed: first, schedules, rows }, null, 2),
  );
}

if (process.argv[1]?.endsWith("matrix.ts")) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
