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
