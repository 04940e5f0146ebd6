/**
 * Proof by simulation for consumer groups (issue 5): three consumers in a group, with consumer
 * crashes and restarts, rebalances, and broker faults including coordinator failovers.
 *
 * (a) Committing after processing loses no effect on any seed (effects may repeat: at-least-once).
 * (b) Auto-commit with processing handed to an in-memory queue loses effects on some seeds: the
 *     committed position runs ahead of the work, and a crash drops the queue.
 */
import { describe, expect, it } from "vitest";
import { formatVerdict } from "../src/check";
import { runGroupScenario, type GroupScenarioResult } from "./group-proof-scenario";

const SEEDS_A = Array.from({ length: 30 }, (_, i) => 1000 + i);
const SEEDS_B = Array.from({ length: 10 }, (_, i) => 2000 + i);

function line(seed: number, r: GroupScenarioResult): string {
  const lost = r.verdict.anomalies.find((a) => a.name === "effect-lost")?.count ?? 0;
  const dup = r.verdict.anomalies.find((a) => a.name === "effect-duplicated")?.count ?? 0;
  return `seed=${seed} acked=${r.acknowledged} effects=${r.effects} distinct=${r.distinctEffects} lost=${lost} duplicated=${dup} consumerCrashes=${r.consumerCrashes} brokerFaults=${r.brokerFaults} coordinatorFailovers=${r.coordinatorFailovers} rebalances=${r.rebalances} complete=${r.complete} t=${(r.simulatedMs / 1000).toFixed(1)}s`;
}

describe("consumer groups under crashes, restarts and rebalances", () => {
  it("(a) commit after processing: no effect lost on any seed", async () => {
    const lines: string[] = [];
    const total = { acked: 0, duplicated: 0, seedsWithDuplicates: 0, failovers: 0, rebalances: 0 };
    for (const seed of SEEDS_A) {
      const r = await runGroupScenario({ seed, mode: "commit-after-processing" });
      lines.push(line(seed, r));
      const dup = r.verdict.anomalies.find((a) => a.name === "effect-duplicated")?.count ?? 0;
      total.acked += r.acknowledged;
      total.duplicated += dup;
      if (dup > 0) total.seedsWithDuplicates++;
      total.failovers += r.coordinatorFailovers;
      total.rebalances += r.rebalances;
      if (!r.verdict.ok) console.log(formatVerdict(r.verdict));
      expect(r.verdict.ok, line(seed, r)).toBe(true);
      expect(r.complete, `seed ${seed}: not every acknowledged message got its effect in time`).toBe(true);
      expect(r.consumerCrashes).toBeGreaterThan(0);
      expect(r.acknowledged).toBeGreaterThan(100);
    }
    lines.push(
      `(a) ${SEEDS_A.length} seeds: ${total.acked} acknowledged messages, 0 effects lost, ${total.duplicated} duplicated effects on ${total.seedsWithDuplicates} seeds (at-least-once); ${total.rebalances} member rebalances, ${total.failovers} coordinator failovers`,
    );
    console.log(lines.join("\n"));
    expect(total.failovers).toBeGreaterThan(0); // the coordinator did move under the group
  });

  it("(b) auto-commit with an in-memory queue: effects are lost on some seeds", async () => {
    const lines: string[] = [];
    let seedsWithLoss = 0;
    let lost = 0;
    for (const seed of SEEDS_B) {
      const r = await runGroupScenario({ seed, mode: "auto-commit-queue" });
      lines.push(line(seed, r));
      if (!r.verdict.ok) seedsWithLoss++;
      lost += r.verdict.anomalies.find((a) => a.name === "effect-lost")?.count ?? 0;
    }
    lines.push(`(b) ${SEEDS_B.length} seeds: effects lost on ${seedsWithLoss} seeds, ${lost} effects in all`);
    console.log(lines.join("\n"));
    expect(seedsWithLoss).toBeGreaterThanOrEqual(1);
  });
});
