/**
 * The cluster benchmark: a 3-broker simulated cluster (combined KRaft nodes), RF 3,
 * min.insync.replicas 2, acks=all, two producers sending batches of 5 records for ~60 simulated
 * seconds under the "single" fault schedule (crashes, leader crashes, power losses, isolations,
 * slow nodes), then a drain. Target: at least 10,000 acknowledged messages in under 1 s of wall
 * time. Reports wall and CPU time (the machine is shared: CPU time is the steadier figure),
 * simulated seconds per wall second, and scheduler events per second. The first run warms the
 * JIT and is not counted; the figures are the median of three seeds.
 */
import { HistoryRecorder, checkHistory } from "../src/check";
import { runReplicationScenario } from "../src/sim/replication-scenario";
import type { BenchRow } from "./types";

async function once(seed: number) {
  const recorder = new HistoryRecorder();
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  const r = await runReplicationScenario({
    seed,
    replicationFactor: 3,
    minInsyncReplicas: 2,
    acks: -1,
    uncleanLeaderElectionEnable: false,
    faults: "single",
    faultPhaseMs: 42_000,
    quietSendMs: 14_000,
    recordsPerSend: 5,
    recorder,
  });
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  const v = checkHistory(recorder.history(), { forbid: ["lost-write", "unseen", "inconsistent-offsets"] });
  if (!v.ok) throw new Error(`cluster bench seed ${seed} found anomalies: ${v.summary}`);
  return {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    simulatedMs: r.endMs,
    events: r.events,
    acked: v.stats.messagesAcknowledged,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export default async function (): Promise<BenchRow[]> {
  await once(100); // warm-up
  const runs = [];
  for (const seed of [1, 2, 3]) runs.push(await once(seed));
  const wall = median(runs.map((r) => r.wallMs));
  const cpu = median(runs.map((r) => r.cpuMs));
  const sim = median(runs.map((r) => r.simulatedMs));
  const events = median(runs.map((r) => r.events));
  const acked = Math.min(...runs.map((r) => r.acked));
  const note = `median of 3 seeds; ${Math.round(sim / 1000)} simulated s, ≥${acked} acked messages, ${events} events`;
  return [
    {
      group: "cluster",
      name: "3 brokers, 60 sim s, faults: wall time",
      value: wall,
      unit: "ms",
      note: `target < 1000 ms; ${note}`,
    },
    { group: "cluster", name: "3 brokers, 60 sim s, faults: CPU time", value: cpu, unit: "ms", note },
    { group: "cluster", name: "simulated seconds per wall second", value: sim / wall, unit: "x", note },
    { group: "cluster", name: "simulated seconds per CPU second", value: sim / cpu, unit: "x", note },
    {
      group: "cluster",
      name: "scheduler events per CPU second",
      value: (events / cpu) * 1000,
      unit: "events/s",
      note,
    },
    {
      group: "cluster",
      name: "scheduler events per wall second",
      value: (events / wall) * 1000,
      unit: "events/s",
      note,
    },
    {
      group: "cluster",
      name: "acknowledged messages per run",
      value: acked,
      unit: "messages",
      note: "minimum over the 3 seeds; target ≥ 10000",
    },
  ];
}
