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
 *
 * Eligible Leader Replicas (KIP-966) is a further dimension for the recommended configuration
 * only (RF 3, min.insync.replicas 2, acks=all, unclean off): "off" (Kafka before 4.1 by default),
 * "kafka" (ELR as Kafka 4.x ships it, which elects the last known leader when ISR and ELR are
 * empty) and "strict" (ELR without that step: such a partition stays offline).
 *
 * A partition that has no leader at the end of a run cannot be drained, so its acknowledged
 * messages show as unseen although they may still be on a replica's disk. Such a seed counts as
 * "offline at end", not as a loss, unless it also has a lost-write or an unseen message on a
 * partition that was read to its end.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { HistoryRecorder, checkHistory } from "../src/check";
import { topicByName, type MetadataImage } from "../src/controller";
import { runReplicationScenario, type FaultSchedule } from "../src/sim/replication-scenario";

export type ElrMode = "off" | "kafka" | "strict";

export interface MatrixConfig {
  replicationFactor: 1 | 3;
  minInsyncReplicas: 1 | 2;
  acks: 1 | -1;
  uncleanLeaderElectionEnable: boolean;
  /** KIP-966 Eligible Leader Replicas (default "off"). */
  elr?: ElrMode;
}

export interface MatrixRow extends MatrixConfig {
  schedule: FaultSchedule;
  seeds: number;
  lostWriteSeeds: number;
  divergenceSeeds: number;
  livenessFailureSeeds: number;
  /** Seeds where some partition had no leader at the end (its messages could not be drained). */
  offlineSeeds: number;
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

/** The recommended configuration with ELR as Kafka 4.x ships it and without the last-known-leader step. */
export function elrConfigs(): MatrixConfig[] {
  const safe = {
    replicationFactor: 3,
    minInsyncReplicas: 2,
    acks: -1,
    uncleanLeaderElectionEnable: false,
  } as const;
  return [
    { ...safe, elr: "kafka" },
    { ...safe, elr: "strict" },
  ];
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
    offlineSeeds: 0,
    lossExamples: [],
  };
  const { elr = "off", ...scenario } = config;
  for (const seed of seeds) {
    const recorder = new HistoryRecorder();
    const r = await runReplicationScenario({
      seed,
      ...scenario,
      ...(elr === "off"
        ? {}
        : { eligibleLeaderReplicasEnabled: true, electLastKnownLeader: elr === "kafka" }),
      faults: schedule,
      recorder,
    });
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
      maxWitnesses: Number.MAX_SAFE_INTEGER,
    });
    const offline = offlinePartitions(r.cluster.image(), r.topic);
    if (offline.size > 0) row.offlineSeeds++;
    const lost = v.anomalies.some(
      (a) =>
        a.name === "lost-write" ||
        (a.name === "unseen" && a.witnesses.some((w) => !offline.has(w.topicPartition ?? ""))),
    );
    if (lost) {
      row.lostWriteSeeds++;
      if (row.lossExamples.length < 5) row.lossExamples.push(seed);
    }
    if (v.anomalies.some((a) => a.name === "inconsistent-offsets")) row.divergenceSeeds++;
    if (v.liveness.some((l) => !l.ok)) row.livenessFailureSeeds++;
  }
  return row;
}

/** "topic-partition" names of the topic's partitions without a leader in `image`. */
function offlinePartitions(image: MetadataImage | undefined, topic: string): Set<string> {
  const out = new Set<string>();
  const t = image === undefined ? undefined : topicByName(image, topic);
  t?.partitions.forEach((p, i) => {
    if (p.leader < 0) out.add(`${topic}-${i}`);
  });
  return out;
}

function pct(n: number, d: number): string {
  return d === 0 ? "–" : `${Math.round((100 * n) / d)}%`;
}

export function formatMatrix(rows: readonly MatrixRow[]): string {
  const head =
    "| RF | min.insync.replicas | acks | unclean election | ELR | faults | seeds | lost writes | divergence | liveness failures | offline at end |\n" +
    "|---:|---:|:---:|:---:|:---:|:---|---:|---:|---:|---:|---:|";
  const lines = rows.map(
    (r) =>
      `| ${r.replicationFactor} | ${r.minInsyncReplicas} | ${r.acks === -1 ? "all" : r.acks} | ${r.uncleanLeaderElectionEnable} | ${r.elr ?? "off"} | ${r.schedule} | ${r.seeds} | ${pct(r.lostWriteSeeds, r.seeds)} | ${pct(r.divergenceSeeds, r.seeds)} | ${pct(r.livenessFailureSeeds, r.seeds)} | ${pct(r.offlineSeeds, r.seeds)} |`,
  );
  return [head, ...lines].join("\n");
}

const USAGE = [
  "usage: npm run matrix -- [--seeds N] [--first-seed S] [--schedules a,b,...]",
  "  --seeds N        seeds per cell (a positive integer; default 20)",
  "  --first-seed S   first seed (a non-negative integer; default 1)",
  `  --schedules ...  comma-separated, from ${MATRIX_SCHEDULES.join(", ")} (default: all)`,
].join("\n");

interface MatrixArgs {
  n: number;
  first: number;
  schedules: FaultSchedule[];
}

/** Parsed flags, or the reason they are wrong (unknown flag, missing or bad value). */
export function parseMatrixArgs(argv: readonly string[]): MatrixArgs | { error: string } {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (!["--seeds", "--first-seed", "--schedules"].includes(flag))
      return { error: `unknown argument ${flag}` };
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--")) return { error: `${flag} needs a value` };
    values.set(flag, value);
    i++;
  }
  const n = Number(values.get("--seeds") ?? 20);
  if (!Number.isInteger(n) || n < 1)
    return { error: `--seeds must be a positive integer, got ${values.get("--seeds")}` };
  const first = Number(values.get("--first-seed") ?? 1);
  if (!Number.isInteger(first) || first < 0)
    return { error: `--first-seed must be a non-negative integer, got ${values.get("--first-seed")}` };
  const schedules = (values.get("--schedules")?.split(",") ?? [...MATRIX_SCHEDULES]) as FaultSchedule[];
  const unknown = schedules.filter((x) => !MATRIX_SCHEDULES.includes(x));
  if (unknown.length > 0) return { error: `unknown schedule ${unknown.join(", ")}` };
  return { n, first, schedules };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return;
  }
  const parsed = parseMatrixArgs(argv);
  if ("error" in parsed) {
    console.error(`${parsed.error}\n${USAGE}`);
    process.exit(2);
  }
  const { n, first, schedules } = parsed;
  const seeds = Array.from({ length: n }, (_, i) => first + i);
  const rows: MatrixRow[] = [];
  const started = process.cpuUsage();
  for (const schedule of schedules) {
    for (const config of [...matrixConfigs(), ...elrConfigs()]) {
      const row = await runMatrixCell(config, schedule, seeds);
      rows.push(row);
      process.stderr.write(
        `${schedule} RF=${config.replicationFactor} minISR=${config.minInsyncReplicas} acks=${config.acks} unclean=${config.uncleanLeaderElectionEnable} elr=${config.elr ?? "off"}: ` +
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
