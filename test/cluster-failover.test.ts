/**
 * Whole-cluster behaviour on the simulator: a leader crash moves leadership to the next ISR
 * member with a bumped leader epoch and clients follow; a broker cut off from the quorum is
 * fenced and leaves every ISR, then rejoins; an orderly stop writes the checkpoints and the
 * clean-shutdown marker; the high-watermark checkpoint survives a restart; separate controller
 * nodes work like combined ones.
 */
import { describe, expect, it } from "vitest";
import { HistoryRecorder, checkHistory } from "../src/check";
import { CLEAN_SHUTDOWN_FILE, REPLICATION_OFFSET_CHECKPOINT, readOffsetCheckpoint } from "../src/log";
import {
  batchOf,
  call,
  drainOnePartition,
  produceBody,
  spawnAcksAllProducer,
  startCluster,
} from "./cluster-harness";

const TOPIC = "events";

describe("leader failover", () => {
  it("elects the next ISR member with a new leader epoch, and a producer follows without losing acknowledged data", async () => {
    const { world, cluster } = await startCluster(3, {
      brokerConfig: { log: { minInsyncReplicas: 2 } },
      topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }],
    });
    const rec = new HistoryRecorder();
    const t0 = world.now();
    spawnAcksAllProducer(world, cluster, TOPIC, rec, t0 + 12_000);
    await world.runFor(3000);
    const oldLeader = cluster.leaderOf(TOPIC, 0)!;
    const oldEpoch = cluster.broker(oldLeader)!.replicaManager.partitionInfo(TOPIC, 0)!.leaderEpoch;
    world.crash(oldLeader);
    await world.runUntil(
      () => {
        const l = cluster.leaderOf(TOPIC, 0);
        return (
          l !== undefined && l !== oldLeader && cluster.broker(l)?.replicaManager.isLeader(TOPIC, 0) === true
        );
      },
      { limitMs: world.now() + 15_000 },
    );
    const newLeader = cluster.leaderOf(TOPIC, 0)!;
    expect(newLeader).not.toBe(oldLeader);
    const info = cluster.broker(newLeader)!.replicaManager.partitionInfo(TOPIC, 0);
    expect(info?.role).toBe("leader");
    expect(info!.leaderEpoch).toBeGreaterThan(oldEpoch);
    world.start(oldLeader);
    await world.runUntil(t0 + 14_000);
    await drainOnePartition(world, cluster, TOPIC, rec);
    const v = checkHistory(rec.history(), { forbid: ["lost-write", "unseen", "inconsistent-offsets"] });
    expect(v.summary).toMatch(/^PASS/);
    expect(v.stats.messagesAcknowledged).toBeGreaterThan(100);
    // The old leader came back as a follower and is in the ISR again.
    await world.runUntil(() => cluster.isHealthy([TOPIC]), { limitMs: world.now() + 15_000 });
    expect(cluster.broker(oldLeader)!.replicaManager.partitionInfo(TOPIC, 0)!.role).toBe("follower");
  });
});

describe("fencing", () => {
  it("fences a broker that misses its session, takes it out of every ISR, and lets it back after it heals", async () => {
    const { world, cluster } = await startCluster(5, {
      controllers: 3,
      topics: [{ name: TOPIC, partitions: 3, replicationFactor: 3 }],
    });
    const victim = "broker-2";
    world.network.isolate(victim);
    await world.runUntil(() => cluster.image()!.brokers.get(2)!.fenced, { limitMs: world.now() + 10_000 });
    const img = cluster.image()!;
    expect(img.brokers.get(2)!.fenced).toBe(true);
    for (let p = 0; p < 3; p++) {
      expect(cluster.leaderOf(TOPIC, p)).not.toBe(victim);
      const reg = img.topics.get(img.topicIdsByName.get(TOPIC)!)!.partitions[p]!;
      expect(reg.isr).not.toContain(2);
    }
    world.network.heal();
    await world.runUntil(() => cluster.isHealthy([TOPIC]), { limitMs: world.now() + 20_000 });
    expect(cluster.isHealthy([TOPIC])).toBe(true);
    expect(cluster.image()!.brokers.get(2)!.fenced).toBe(false);
  });
});

describe("checkpoints and clean shutdown", () => {
  it("writes replication-offset-checkpoint periodically and loads the high watermark after a restart", async () => {
    const { world, cluster } = await startCluster(9, {
      topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }],
    });
    const leader = cluster.leaderOf(TOPIC, 0)!;
    await call(world, leader, "Produce", produceBody(TOPIC, 0, batchOf(world, ["a", "b", "c"]), -1));
    const follower = cluster.brokerNodes.find((n) => n !== leader)!;
    await world.runFor(6000); // replica.high.watermark.checkpoint.interval.ms = 5000
    const hw = readOffsetCheckpoint(world.disk(follower), "kafka-logs", REPLICATION_OFFSET_CHECKPOINT);
    expect(hw.get(`${TOPIC}-0`)).toBe(3);
    world.crash(follower);
    world.start(follower);
    const log = cluster.broker(follower)!.logManager.getLog(TOPIC, 0)!;
    expect(log.highWatermark).toBe(3);
    expect(log.logEndOffset).toBe(3);
  });

  it("an orderly stop writes the clean-shutdown marker; the next start skips recovery", async () => {
    const { world, cluster } = await startCluster(13, {
      topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }],
    });
    const node = cluster.brokerNodes[2]!;
    world.stop(node);
    expect(world.disk(node).exists(`kafka-logs/${CLEAN_SHUTDOWN_FILE}`)).toBe(true);
    world.start(node);
    expect(cluster.broker(node)!.logManager.startupReport.hadCleanShutdown).toBe(true);
    expect(world.disk(node).exists(`kafka-logs/${CLEAN_SHUTDOWN_FILE}`)).toBe(false);
    await world.runUntil(() => cluster.isHealthy([TOPIC]), { limitMs: world.now() + 20_000 });
    expect(cluster.isHealthy([TOPIC])).toBe(true);
  });
});
