/**
 * How long a leader failover takes, and why, with combined nodes (process.roles=broker,controller)
 * and lab timings (broker.session.timeout.ms 3000, heartbeats every 500 ms; Raft at KRaft's
 * defaults: controller.quorum.fetch.timeout.ms 2000, election.timeout.ms 1000).
 *
 * - The crashed node led the partition only: the active controller fences it once its session
 *   expires (≤ broker.session.timeout.ms after its last heartbeat) and elects another leader.
 * - The crashed node was also the active controller: the quorum first elects a new controller
 *   (a fetch timeout, then one or more Vote rounds), and that controller starts every broker's
 *   session afresh on activation (Kafka's BrokerHeartbeatManager), so the dead broker is fenced
 *   a full session timeout after the activation, not after its last heartbeat. The two add up.
 *
 * Separate controller nodes avoid the first part; test/producer-scenario.ts uses them for that.
 */
import { describe, expect, it } from "vitest";
import type { Cluster, World } from "../src/sim";
import { startCluster } from "./cluster-harness";

const TOPIC = "timing";

interface Failover {
  crashedActiveController: boolean;
  /** From the crash, ms. */
  newControllerMs: number | undefined;
  fencedMs: number;
  newLeaderMs: number;
}

async function crashLeader(world: World, cluster: Cluster): Promise<Failover> {
  const leaderNode = cluster.leaderOf(TOPIC, 0)!;
  const leaderId = cluster.brokerIdOf(leaderNode)!;
  const active = cluster.activeController()!;
  const crashedActiveController = cluster.controller(leaderNode) === active;
  const crashAtMs = world.now();
  world.crash(leaderNode);
  let newControllerMs: number | undefined;
  let fencedMs: number | undefined;
  let newLeaderMs: number | undefined;
  await world.runUntil(
    () => {
      const now = world.now() - crashAtMs;
      const a = cluster.activeController();
      if (newControllerMs === undefined && a !== undefined && a !== active) newControllerMs = now;
      if (fencedMs === undefined && cluster.image()?.brokers.get(leaderId)?.fenced === true) fencedMs = now;
      const l = cluster.leaderOf(TOPIC, 0);
      if (l !== undefined && l !== leaderNode && cluster.broker(l)?.replicaManager.isLeader(TOPIC, 0))
        newLeaderMs = now;
      return newLeaderMs !== undefined;
    },
    { limitMs: crashAtMs + 30_000 },
  );
  expect(fencedMs, "the crashed broker is fenced").toBeDefined();
  expect(newLeaderMs, "another replica leads").toBeDefined();
  return { crashedActiveController, newControllerMs, fencedMs: fencedMs!, newLeaderMs: newLeaderMs! };
}

describe("leader failover with combined nodes (lab timings)", () => {
  it("takes one session timeout, plus a controller election when the node held the active controller", async () => {
    const seen = { active: 0, other: 0 };
    for (let seed = 1; seed <= 8; seed++) {
      const { world, cluster } = await startCluster(seed, {
        brokerConfig: { log: { minInsyncReplicas: 2 } },
        topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }],
      });
      const sessionMs = cluster.broker(1)!.config.brokerSessionTimeoutMs;
      await world.runFor(1000 + 37 * seed);
      const f = await crashLeader(world, cluster);
      const at = `seed=${seed} ${JSON.stringify(f)}`;
      expect(f.newLeaderMs - f.fencedMs, at).toBeLessThan(1000);
      if (f.crashedActiveController) {
        seen.active++;
        // A follower voter notices after controller.quorum.fetch.timeout.ms (2000) at the latest,
        // less the time since its last fetch answer.
        expect(f.newControllerMs, at).toBeDefined();
        expect(f.newControllerMs!, at).toBeGreaterThanOrEqual(1000);
        // The new controller gives every broker a full session from its activation.
        expect(f.fencedMs - f.newControllerMs!, at).toBeGreaterThanOrEqual(sessionMs);
        expect(f.fencedMs - f.newControllerMs!, at).toBeLessThan(sessionMs + 200);
      } else {
        seen.other++;
        // Fenced once the last heartbeat (every 500 ms) is a session timeout old.
        expect(f.fencedMs, at).toBeGreaterThanOrEqual(sessionMs - 600);
        expect(f.fencedMs, at).toBeLessThan(sessionMs + 200);
      }
    }
    expect(seen.active, "some seeds crash the active controller").toBeGreaterThan(0);
    expect(seen.other, "some seeds crash another node").toBeGreaterThan(0);
  });
});
