/**
 * Group behaviour of the consumer against a simulated cluster: max.poll.interval.ms, commit on
 * revocation, cooperative rebalancing, static membership, run() with eachBatch / errors, the
 * high-watermark bound and leader failover while consuming.
 */
import { describe, expect, it } from "vitest";
import { Kafka } from "../src/client/kafka";
import type { Consumer } from "../src/client/consumer";
import type { ConsumerConfig } from "../src/client/consumer-config";
import type { ConsumerRecord, TopicPartition } from "../src/client/consumer-types";
import { produce, startCluster } from "./consumer-harness";

const TOPIC = "orders";
const FAST: ConsumerConfig = {
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 1000,
  autoOffsetReset: "earliest",
};
const parts = (ps: TopicPartition[]) => ps.map((p) => p.partition).sort((a, b) => a - b);

describe("consumer group behaviour", () => {
  it("a member that stops polling for max.poll.interval.ms leaves; its late commit fails; its next poll reports the partitions lost and rejoins", async () => {
    const { world, cluster } = await startCluster(21, [{ name: TOPIC, partitions: 2, replicationFactor: 3 }]);
    const log: string[] = [];
    const out: Record<string, unknown> = {};
    const brokers = [...cluster.brokerNodes];
    world.spawn("slow", async (ctx) => {
      const c = new Kafka(ctx, { clientId: "slow", bootstrapServers: brokers }).consumer({
        ...FAST,
        groupId: "g",
        enableAutoCommit: false,
        maxPollIntervalMs: 5000,
      });
      await c.subscribe({
        topics: [TOPIC],
        listener: {
          onPartitionsAssigned: (ps) => void log.push(`slow+${parts(ps)}`),
          onPartitionsRevoked: (ps) => void log.push(`slow-${parts(ps)}`),
          onPartitionsLost: (ps) => void log.push(`slow lost ${parts(ps)}`),
        },
      });
      while (c.assignment().length === 0) await c.poll({ timeoutMs: 500 });
      await ctx.sleep(9000); // "processing" far longer than max.poll.interval.ms
      out.lateCommit = await c.commitSync([{ topic: TOPIC, partition: 0, offset: 0 }]).then(
        () => "committed",
        (e: Error) => e.name,
      );
      for (let i = 0; i < 20; i++) await c.poll({ timeoutMs: 500 });
      out.slowFinal = parts(c.assignment());
    });
    world.spawn("steady", async (ctx) => {
      await ctx.sleep(1500);
      const c = new Kafka(ctx, { clientId: "steady", bootstrapServers: brokers }).consumer({
        ...FAST,
        groupId: "g",
      });
      await c.subscribe({
        topics: [TOPIC],
        listener: { onPartitionsAssigned: () => void log.push(`steady=${parts(c.assignment())}`) },
      });
      for (;;) await c.poll({ timeoutMs: 500 });
    });
    await world.runFor(40_000);
    expect(log).toContain("steady=0,1"); // took everything while "slow" was out
    expect(out.lateCommit).toBe("CommitFailedError");
    expect(log.some((l) => l.startsWith("slow lost"))).toBe(true);
    expect(out.slowFinal).toHaveLength(1); // back in the group, one partition each
  });

  it("commits in onPartitionsRevoked with the old generation: the next owner resumes exactly there (eager)", async () => {
    const { world, cluster } = await startCluster(22, [{ name: TOPIC, partitions: 1, replicationFactor: 3 }]);
    const brokers = [...cluster.brokerNodes];
    const seen: Record<string, number[]> = { c1: [], c2: [] };
    const out: Record<string, unknown> = {};
    world.spawn("writer", async (ctx) => {
      for (let i = 0; i < 40; i++) {
        await produce(ctx, brokers, TOPIC, 0, [`v${i}`]);
        await ctx.sleep(100);
      }
    });
    const start = (name: string, delay: number) =>
      world.spawn(name, async (ctx) => {
        await ctx.sleep(delay);
        const c: Consumer = new Kafka(ctx, { clientId: name, bootstrapServers: brokers }).consumer({
          ...FAST,
          groupId: "revoke",
          enableAutoCommit: false,
        });
        await c.subscribe({
          topics: [TOPIC],
          listener: {
            onPartitionsRevoked: async (ps) => {
              out[`${name}RevokedAt`] = ps.map((p) => c.position(p));
              await c.commitSync();
            },
          },
        });
        for (;;) for (const r of await c.poll({ timeoutMs: 300 })) seen[name]!.push(r.offset);
      });
    start("c1", 0);
    start("c2", 2500);
    await world.runFor(15_000);
    // Exactly one of them owns the partition in the end; together they read 0..39 once each.
    const all = [...seen.c1!, ...seen.c2!].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(out.c1RevokedAt).toBeDefined();
  });

  it("cooperative-sticky: a joining member takes partitions without the others giving up all of theirs", async () => {
    const { world, cluster } = await startCluster(23, [{ name: TOPIC, partitions: 6, replicationFactor: 3 }]);
    const brokers = [...cluster.brokerNodes];
    const revoked: Record<string, number[][]> = {};
    const final: Record<string, number[]> = {};
    const start = (name: string, delay: number) =>
      world.spawn(name, async (ctx) => {
        await ctx.sleep(delay);
        const c = new Kafka(ctx, { clientId: name, bootstrapServers: brokers }).consumer({
          ...FAST,
          groupId: "coop",
          partitionAssignmentStrategy: ["cooperative-sticky"],
        });
        await c.subscribe({
          topics: [TOPIC],
          listener: { onPartitionsRevoked: (ps) => void (revoked[name] ??= []).push(parts(ps)) },
        });
        for (;;) {
          await c.poll({ timeoutMs: 300 });
          final[name] = parts(c.assignment());
        }
      });
    start("c1", 0);
    start("c2", 0);
    await world.runFor(8000);
    const before = { c1: final.c1!, c2: final.c2! };
    expect(before.c1.length + before.c2.length).toBe(6);
    start("c3", 0);
    await world.runFor(10_000);
    expect([final.c1!.length, final.c2!.length, final.c3!.length]).toEqual([2, 2, 2]);
    // Each old member gave up exactly one partition and kept two of its own.
    for (const n of ["c1", "c2"] as const) {
      expect(revoked[n]).toEqual([before[n].filter((p) => !final[n]!.includes(p))]);
      expect(final[n]!.every((p) => before[n].includes(p))).toBe(true);
    }
  });

  it("a static member (group.instance.id) that restarts within session.timeout.ms gets its partitions back without a rebalance", async () => {
    const { world, cluster } = await startCluster(24, [{ name: TOPIC, partitions: 4, replicationFactor: 3 }]);
    const brokers = [...cluster.brokerNodes];
    const state: Record<string, { generation: number; parts: number[] }> = {};
    const start = (name: string) =>
      world.spawn(name, async (ctx) => {
        const c = new Kafka(ctx, { clientId: name, bootstrapServers: brokers }).consumer({
          ...FAST,
          groupId: "static",
          groupInstanceId: `${name}-instance`,
        });
        await c.subscribe({ topics: [TOPIC] });
        for (;;) {
          await c.poll({ timeoutMs: 300 });
          state[name] = { generation: c.groupMetadata()!.generationId, parts: parts(c.assignment()) };
        }
      });
    start("s1");
    start("s2");
    await world.runFor(8000);
    const before = { s1: { ...state.s1! }, s2: { ...state.s2! } };
    expect(before.s1.parts).toHaveLength(2);
    world.crash("s1");
    await world.runFor(2000);
    start("s1");
    await world.runFor(6000);
    expect(state.s2!.generation).toBe(before.s2.generation); // no rebalance happened
    expect(state.s1!.parts).toEqual(before.s1.parts);
  });

  /** Two static members, s1 first so that it leads; s1's process is restarted at `restartAtMs`. */
  async function staticLeaderRestart(seed: number, topics: string[], config: ConsumerConfig = {}) {
    const { world, cluster } = await startCluster(seed, [
      { name: TOPIC, partitions: 4, replicationFactor: 3 },
    ]);
    const brokers = [...cluster.brokerNodes];
    const state: Record<string, { generation: number; assigned: TopicPartition[] }> = {};
    const start = (name: string) =>
      world.spawn(name, async (ctx) => {
        const c = new Kafka(ctx, { clientId: name, bootstrapServers: brokers }).consumer({
          ...FAST,
          ...config,
          groupId: "static-leader",
          groupInstanceId: `${name}-instance`,
        });
        await c.subscribe({ topics });
        for (;;) {
          await c.poll({ timeoutMs: 300 });
          state[name] = { generation: c.groupMetadata()!.generationId, assigned: c.assignment() };
        }
      });
    start("s1");
    await world.runFor(1000);
    start("s2");
    await world.runFor(8000);
    const events = (kind: string, node: string, fromMs = 0) =>
      world.trace.events.filter((e) => e.kind === kind && e.node === node && e.t >= fromMs);
    const leaderAssigned = events("consumer.assigned", "s1");
    expect(leaderAssigned.length).toBeGreaterThan(0); // s1 led the rebalances so far
    expect(events("consumer.assigned", "s2")).toEqual([]);
    const before = { s1: { ...state.s1! }, s2: { ...state.s2! } };
    world.crash("s1");
    await world.runFor(2000);
    const restartAtMs = world.now();
    start("s1");
    await world.runFor(6000);
    return { world, cluster, state, before, restartAtMs, events };
  }

  it("a static leader that restarts skips the assignment (KIP-814): no rebalance, same partitions, still the leader", async () => {
    const { state, before, restartAtMs, events } = await staticLeaderRestart(26, [TOPIC]);
    expect(parts(before.s1.assigned)).toHaveLength(2);
    expect(state.s2!.generation).toBe(before.s2.generation); // no rebalance happened
    expect(state.s1!.generation).toBe(before.s1.generation);
    expect(parts(state.s1!.assigned)).toEqual(parts(before.s1.assigned));
    expect(parts(state.s2!.assigned)).toEqual(parts(before.s2.assigned));
    // The new incarnation was told it leads, and did not run the assignor.
    expect(events("consumer.skippedAssignment", "s1", restartAtMs)).toHaveLength(1);
    expect(events("consumer.assigned", "s1", restartAtMs)).toEqual([]);
  });

  it("a static leader that skipped the assignment still watches the group's topics and rebalances when one appears", async () => {
    const returns = "returns"; // subscribed, but created only after the leader's restart
    const { world, cluster, state, restartAtMs, events } = await staticLeaderRestart(27, [TOPIC, returns], {
      allowAutoCreateTopics: false,
      metadataMaxAgeMs: 1000,
    });
    expect(events("consumer.skippedAssignment", "s1", restartAtMs)).toHaveLength(1);
    const createdAtMs = world.now();
    const created = cluster.createTopics([{ name: returns, partitions: 2, replicationFactor: 3 }]);
    await world.runFor(8000);
    expect(created).toMatchObject({ done: true });
    const rejoins = events("consumer.rejoinRequested", "s1", createdAtMs);
    expect(rejoins.map((e) => e.reason)).toContain(`the partition count of ${returns} changed from 0 to 2`);
    expect(events("consumer.assigned", "s1", createdAtMs).length).toBeGreaterThan(0);
    const owned = [...state.s1!.assigned, ...state.s2!.assigned].filter((tp) => tp.topic === returns);
    expect(parts(owned)).toEqual([0, 1]);
  });

  it("run(): eachBatch with two partitions at once, and a failing eachMessage is retried, not skipped", async () => {
    const { world, cluster } = await startCluster(25, [{ name: TOPIC, partitions: 2, replicationFactor: 3 }]);
    const brokers = [...cluster.brokerNodes];
    const processed: string[] = [];
    const batches: string[] = [];
    let failOnce = true;
    world.spawn("app", async (ctx) => {
      await produce(ctx, brokers, TOPIC, 0, ["a0", "a1", "a2"]);
      await produce(ctx, brokers, TOPIC, 1, ["b0", "b1"]);
      const kafka = new Kafka(ctx, { clientId: "app", bootstrapServers: brokers });
      const batcher = kafka.consumer({ ...FAST, groupId: "batcher" });
      await batcher.subscribe({ topics: [TOPIC] });
      await batcher.run({
        partitionsConsumedConcurrently: 2,
        eachBatch: async ({ batch }) =>
          void batches.push(`${batch.partition}:${batch.messages.map((m) => m.value).join(",")}`),
      });
      const each = kafka.consumer({ ...FAST, groupId: "each" });
      await each.subscribe({ topics: [TOPIC] });
      await each.run({
        eachMessage: async ({ message }: { message: ConsumerRecord }) => {
          if (message.value === "a1" && failOnce) {
            failOnce = false;
            throw new Error("payment service unavailable");
          }
          processed.push(message.value!);
        },
      });
    });
    await world.runFor(15_000);
    expect(batches.sort()).toEqual(["0:a0,a1,a2", "1:b0,b1"]);
    expect(processed.filter((v) => v.startsWith("a"))).toEqual(["a0", "a1", "a2"]);
    expect(processed.filter((v) => v.startsWith("b"))).toEqual(["b0", "b1"]);
  });

  it("reads only below the high watermark: a record the followers do not have yet stays invisible", async () => {
    const { world, cluster } = await startCluster(26, [{ name: TOPIC, partitions: 1, replicationFactor: 3 }]);
    const brokers = [...cluster.brokerNodes];
    const leader = cluster.leaderOf(TOPIC, 0)!;
    const followers = brokers.filter((b) => b !== leader);
    const seen: string[] = [];
    let produced = false;
    world.spawn("reader", async (ctx) => {
      const c = new Kafka(ctx, { clientId: "reader", bootstrapServers: brokers }).consumer({
        autoOffsetReset: "earliest",
      });
      c.assign([{ topic: TOPIC, partition: 0 }]);
      for (;;) for (const r of await c.poll({ timeoutMs: 300 })) seen.push(r.value!);
    });
    await world.runFor(2000);
    // Cut the leader off from its followers, then append with acks=1 (leader only).
    world.network.partition([leader], followers);
    world.spawn("writer", async (ctx) => {
      const net = new Kafka(ctx, { clientId: "writer", bootstrapServers: brokers }).network;
      const { encodeRecordBatch } = await import("../src/protocol");
      await net.request(leader, "Produce", {
        transactionalId: null,
        acks: 1,
        timeoutMs: 1000,
        topicData: [
          {
            name: TOPIC,
            partitionData: [
              {
                index: 0,
                records: encodeRecordBatch({
                  records: [{ value: new TextEncoder().encode("unreplicated") }],
                }),
              },
            ],
          },
        ],
      });
      produced = true;
    });
    await world.runFor(1500);
    expect(produced).toBe(true);
    expect(seen).toEqual([]); // in the leader's log, above the high watermark
    world.network.heal();
    // Followers retry their lost fetch after replica.socket.timeout.ms (30 s by default).
    await world.runFor(40_000);
    expect(seen).toEqual(["unreplicated"]);
  });

  it("follows a leader crash while consuming without skipping or repeating", async () => {
    const { world, cluster } = await startCluster(27, [{ name: TOPIC, partitions: 1, replicationFactor: 3 }]);
    const brokers = [...cluster.brokerNodes];
    const seen: number[] = [];
    world.spawn("writer", async (ctx) => {
      for (let i = 0; i < 30; i++) {
        await produce(ctx, brokers, TOPIC, 0, [`w${i}`]);
        await ctx.sleep(150);
      }
    });
    world.spawn("reader", async (ctx) => {
      // A crashed broker resets its connections: the fetch in flight fails at once (a broker
      // whose machine lost power would cost request.timeout.ms).
      const c = new Kafka(ctx, { clientId: "reader", bootstrapServers: brokers }).consumer({
        autoOffsetReset: "earliest",
        requestTimeoutMs: 3000,
      });
      c.assign([{ topic: TOPIC, partition: 0 }]);
      for (;;) for (const r of await c.poll({ timeoutMs: 300 })) seen.push(r.offset);
    });
    await world.runFor(2000);
    const leader = cluster.leaderOf(TOPIC, 0)!;
    world.crash(leader);
    await world.runFor(4000);
    world.start(leader);
    await world.runFor(15_000);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });
});
