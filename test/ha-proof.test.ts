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
import { drainOnePartition, isolateOneFollowerAndProduce, startCluster } from "./cluster-harness";

const TOPIC = "orders";

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

  it("regression (seed 171): no node fault while the controller still commits the fencing left by an earlier fault", async () => {
    // Found when connection resets shifted the traces: broker-1 was isolated and healed; its
    // session expired and the active controller (broker-2, made slow by the next fault) decided
    // to fence it, but the commit was slow. The committed image still looked healthy, so the
    // "single" schedule powered off broker-3; the pending fencings of brokers 1 and 2 then left
    // broker-3, with its unflushed tail lost, as the only ISR member and it was elected: 892
    // acknowledged messages lost (two failures at once, as Kafka without ELR would lose them).
    // Cluster.isHealthy now also waits until the active controller has committed what it appended.
    const { run, verdict } = await judge(171);
    expect(verdict.ok, formatVerdict(verdict)).toBe(true);
    const skipped = run.world.trace.events.filter(
      (e) => e.cat === "nemesis" && e.kind === "skip" && e.action === "power-loss" && e.step === 13,
    );
    expect(skipped).toHaveLength(1);
  });

  it("regression: when a second ISR member fails before the first recovers, the last one standing may have lost its data", async () => {
    // What the first proof runs found when failures could overlap (now held back by the
    // "single" schedule), scripted: ISR [L, F1] after F2 is cut off; F1 crashes (its data is
    // intact) and, before F1 is fenced, L loses power (its unflushed log is gone). F1 is fenced
    // first, so L is the last ISR member; it comes back empty, is elected again, and F1 truncates
    // to it. Kafka without ELR (KIP-966) does the same: it cannot tell F1's crash from L's power
    // loss, and only elects from the ISR.
    const { world, cluster } = await startCluster(21, {
      controllers: 3,
      brokerConfig: { log: { minInsyncReplicas: 2 } },
      topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }],
    });
    const rec = new HistoryRecorder();
    const { leader, f1 } = await isolateOneFollowerAndProduce(world, cluster, TOPIC, rec);
    world.crash(f1);
    await world.runFor(1000);
    world.powerLoss(leader, "lose");
    await world.runFor(500);
    world.start(f1);
    world.start(leader);
    world.network.heal();
    await world.runUntil(() => cluster.isHealthy([TOPIC]), { limitMs: world.now() + 30_000 });
    await drainOnePartition(world, cluster, TOPIC, rec);
    const v = checkHistory(rec.history(), { forbid: ["lost-write", "unseen"] });
    expect(v.stats.messagesAcknowledged).toBeGreaterThan(50);
    // The leader came back with an empty log and the follower truncated to it: every
    // acknowledged message is gone (reported as unseen: nothing at all is left to read).
    expect(v.ok).toBe(false);
    expect(v.anomalies.find((a) => a.name === "unseen")?.count).toBe(v.stats.messagesAcknowledged);
  }, 120_000);
});
