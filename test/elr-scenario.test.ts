/**
 * KIP-966 Eligible Leader Replicas, end to end on simulated clusters.
 *
 * 1. The overlapping-failure loss pinned by test/ha-proof.test.ts (seed 21, scripted): ISR
 *    [L, F1] after F2 is cut off; F1 crashes (its data intact), then L loses power (its unflushed
 *    tail gone); both restart. Without ELR, L stays the last ISR member, is elected again and
 *    every acknowledged record is lost. With ELR, F1 and L both restart after an unclean shutdown
 *    (Kafka cannot tell a crash from a power loss: no clean-shutdown marker), so both leave the
 *    ELR. Then:
 *    - with Kafka's last-known-leader step (4.x: elect the last known leader when ISR and ELR are
 *      empty and it is unfenced) L is elected again and the loss is the same;
 *    - without it, the partition stays offline: unavailability instead of loss.
 * 2. A clean restart keeps an ELR member eligible: a fenced ELR member that comes back with the
 *    epoch of its clean-shutdown marker is elected, and nothing acknowledged is lost.
 */
import { describe, expect, it } from "vitest";
import { HistoryRecorder, checkHistory } from "../src/check";
import { formatMatrix, runMatrixCell } from "../scripts/matrix";
import { topicByName } from "../src/controller";
import { drainOnePartition, isolateOneFollowerAndProduce, startCluster } from "./cluster-harness";

const TOPIC = "orders";

type Mode = "off" | "kafka" | "strict";

async function overlappingLoss(mode: Mode) {
  const { world, cluster } = await startCluster(21, {
    controllers: 3,
    brokerConfig: { log: { minInsyncReplicas: 2 } },
    topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }],
    ...(mode === "off" ? {} : { eligibleLeaderReplicasEnabled: true }),
    ...(mode === "strict" ? { controller: { electLastKnownLeader: false } } : {}),
  });
  const rec = new HistoryRecorder();
  const { leader, f1, f2 } = await isolateOneFollowerAndProduce(world, cluster, TOPIC, rec);
  world.crash(f1);
  await world.runFor(1000);
  world.powerLoss(leader, "lose");
  await world.runFor(500);
  world.start(f1);
  world.start(leader);
  world.network.heal();
  const healthy = await world.runUntil(() => cluster.isHealthy([TOPIC]), { limitMs: world.now() + 30_000 });
  const image = cluster.controller(cluster.controllerNodes[0]!)!.image;
  const topic = [...image.topics.values()].find((t) => t.name === TOPIC)!;
  const partition = topic.partitions[0]!;
  await drainOnePartition(world, cluster, TOPIC, rec);
  const v = checkHistory(rec.history(), { forbid: ["lost-write", "unseen"] });
  return { v, partition, healthy, leader, f1, f2, cluster };
}

describe("KIP-966 ELR on a simulated cluster: the overlapping-failure loss (seed 21)", () => {
  it("ELR off: the last ISR member comes back empty, is elected, and every acknowledged record is lost", async () => {
    const r = await overlappingLoss("off");
    expect(r.v.stats.messagesAcknowledged).toBeGreaterThan(50);
    expect(r.v.anomalies.find((a) => a.name === "unseen")?.count).toBe(r.v.stats.messagesAcknowledged);
    expect(r.partition.leader).toBeGreaterThan(0);
  }, 120_000);

  it("ELR as Kafka 4.x ships it: both come back uncleanly and leave the ELR, the last known leader is elected again, same loss", async () => {
    const r = await overlappingLoss("kafka");
    expect(r.v.stats.messagesAcknowledged).toBeGreaterThan(50);
    expect(r.v.anomalies.find((a) => a.name === "unseen")?.count).toBe(r.v.stats.messagesAcknowledged);
    expect(r.cluster.nodeOfBroker(r.partition.leader)).toBe(r.leader);
  }, 120_000);

  it("ELR without the last-known-leader step: no loss, the partition waits offline with the data still on F1", async () => {
    const r = await overlappingLoss("strict");
    expect(r.v.stats.messagesAcknowledged).toBeGreaterThan(50);
    expect(r.healthy.reason).toBe("time-limit");
    // Offline: no leader, empty ISR and ELR (both restarts were unclean); L is remembered.
    const l = r.cluster.brokerIdOf(r.leader)!;
    expect(r.partition).toMatchObject({ leader: -1, isr: [], lastKnownElr: [l] });
    expect(r.partition.elr).toBeUndefined();
    // Nothing was read past an acknowledged offset: no lost-write; unseen only because nothing could be read.
    expect(r.v.anomalies.map((a) => a.name)).toEqual(["unseen"]);
    // F1 never truncated: its log still holds every acknowledged record (offsets 0..n-1).
    const f1Log = r.cluster.broker(r.f1)!.replicaManager.partitionObject(TOPIC, 0)!;
    expect(f1Log.logEndOffset).toBeGreaterThanOrEqual(r.v.stats.messagesAcknowledged);
  }, 120_000);
});

describe("KIP-966 ELR: a clean restart keeps an eligible replica", () => {
  it("ISR [L] with F1 in the ELR: L loses power; F1, stopped cleanly and restarted, is elected from the ELR; nothing acknowledged is lost", async () => {
    const { world, cluster } = await startCluster(7, {
      controllers: 3,
      brokerConfig: { log: { minInsyncReplicas: 2 } },
      topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }],
      eligibleLeaderReplicasEnabled: true,
    });
    const rec = new HistoryRecorder();
    const { leader, f1 } = await isolateOneFollowerAndProduce(world, cluster, TOPIC, rec);
    world.stop(f1); // orderly: the clean-shutdown marker records its broker epoch
    const p = () => topicByName(cluster.image()!, TOPIC)!.partitions[0]!;
    await world.runUntil(() => p().isr.length === 1, { limitMs: world.now() + 15_000 });
    expect(p().elr).toEqual([cluster.brokerIdOf(f1)]);
    world.powerLoss(leader, "lose");
    await world.runUntil(() => p().leader === -1, { limitMs: world.now() + 15_000 });
    world.start(f1);
    const elected = await world.runUntil(() => cluster.leaderOf(TOPIC, 0) === f1, {
      limitMs: world.now() + 20_000,
    });
    expect(elected.reason).toBe("condition");
    world.start(leader);
    world.network.heal();
    await world.runUntil(() => cluster.isHealthy([TOPIC]), { limitMs: world.now() + 30_000 });
    await drainOnePartition(world, cluster, TOPIC, rec);
    const v = checkHistory(rec.history(), { forbid: ["lost-write", "unseen"] });
    expect(v.stats.messagesAcknowledged).toBeGreaterThan(20);
    expect(v.ok, JSON.stringify(v.anomalies.map((a) => `${a.name}: ${a.count}`))).toBe(true);
  }, 120_000);
});

describe("KIP-966 ELR: overlapping failures over many seeds (RF 3, min.insync.replicas 2, acks=all)", () => {
  const SEEDS = Array.from({ length: Number(process.env.ELR_SEEDS ?? 30) }, (_, i) => i + 1);
  it(`ELR without the last-known-leader step loses nothing on ${SEEDS.length} seeds of the overlapping schedule (partitions may wait offline instead)`, async () => {
    const safe = {
      replicationFactor: 3,
      minInsyncReplicas: 2,
      acks: -1,
      uncleanLeaderElectionEnable: false,
    } as const;
    const strict = await runMatrixCell({ ...safe, elr: "strict" }, "overlapping", SEEDS);
    const kafka = await runMatrixCell({ ...safe, elr: "kafka" }, "overlapping", SEEDS);
    const off = await runMatrixCell(safe, "overlapping", SEEDS);
    const table = formatMatrix([off, kafka, strict]);
    console.log(table);
    expect(strict.lostWriteSeeds, table).toBe(0);
    expect(strict.divergenceSeeds, table).toBe(0);
    // The faults bite: without ELR the same seeds lose acknowledged writes.
    expect(off.lostWriteSeeds, table).toBeGreaterThan(0);
  }, 600_000);
});
