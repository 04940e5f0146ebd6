/**
 * The high-availability proof: replication factor 3, min.insync.replicas 2, acks=all, unclean
 * leader election off, on a 3-node combined cluster (brokers + KRaft quorum), across HA_SEEDS
 * seeds (default 200) of the "single" fault schedule — crashes, leader crashes, single-node
 * power losses, isolations (both ways and one way) and slow followers, one failure at a time
 * (src/sim/replication-scenario.ts) — then a quiet phase and a drain of every partition.
 *
 * Every seed must show no lost-write, no unseen and no inconsistent-offsets, and pass the
 * liveness check: every send invoked from 10 s into the quiet phase is acknowledged within 10 s.
 * A failure prints the verdict with the seed; replay one seed with
 *   HA_FIRST_SEED=<seed> HA_SEEDS=1 npx vitest run test/ha-proof.test.ts
 *
 * The named tests below pin down what earlier runs found.
 */
import { describe, expect, it } from "vitest";
import { HistoryRecorder, checkHistory, formatVerdict } from "../src/check";
import { runReplicationScenario, type FaultSchedule } from "../src/sim/replication-scenario";

const SEEDS = Number(process.env.HA_SEEDS ?? 200);
const FIRST = Number(process.env.HA_FIRST_SEED ?? 1);

async function judge(seed: number, faults: FaultSchedule = "single") {
  const recorder = new HistoryRecorder();
  const run = await runReplicationScenario({
    seed,
    replicationFactor: 3,
    minInsyncReplicas: 2,
    acks: -1,
    uncleanLeaderElectionEnable: false,
    faults,
    recorder,
  });
  const verdict = checkHistory(recorder.history(), {
    forbid: ["lost-write", "unseen", "inconsistent-offsets"],
    liveness: [
      {
        kind: "sends-acked-within",
        afterMs: run.quietStartMs + 10_000,
        withinMs: 10_000,
        untilMs: run.sendsStopMs,
      },
    ],
    seed,
    replayCommand: `HA_FIRST_SEED=${seed} HA_SEEDS=1 npx vitest run test/ha-proof.test.ts`,
  });
  return { run, verdict };
}

describe("HA proof: RF 3, min.insync.replicas 2, acks=all, unclean election off", () => {
  it(`loses nothing and stays live on ${SEEDS} seeds of single-failure faults`, async () => {
    const failures: string[] = [];
    let nodeFaults = 0;
    let acknowledged = 0;
    for (let seed = FIRST; seed < FIRST + SEEDS; seed++) {
      const { run, verdict } = await judge(seed);
      if (!verdict.ok) failures.push(formatVerdict(verdict));
      acknowledged += verdict.stats.messagesAcknowledged;
      nodeFaults += run.world.trace.events.filter(
        (e) => e.cat === "nemesis" && ["crash", "crash-leader", "power-loss"].includes(e.kind),
      ).length;
      expect(run.drain?.complete, `seed ${seed}: the drain did not finish`).toBe(true);
    }
    expect(failures, failures.join("\n\n")).toEqual([]);
    // The faults bite: on average more than one node failure per seed, and real traffic.
    expect(nodeFaults).toBeGreaterThan(SEEDS);
    expect(acknowledged).toBeGreaterThan(SEEDS * 1000);
  }, 600_000);
});
