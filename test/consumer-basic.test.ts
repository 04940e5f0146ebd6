/**
 * The consumer against a simulated 3-broker cluster: assign + auto.offset.reset, max.poll.records,
 * seek, pause/resume, commitSync / committed, auto-commit inside poll, and a group of two that
 * splits partitions and rebalances when one leaves.
 */
import { describe, expect, it } from "vitest";
import { Kafka } from "../src/client/kafka";
import type { Consumer } from "../src/client/consumer";
import type { ConsumerRecord } from "../src/client/consumer-types";
import { produce, startCluster } from "./consumer-harness";

const TOPIC = "orders";

describe("consumer without a group (assign)", () => {
  it("reads from the earliest offset, max.poll.records at a time, seeks and pauses", async () => {
    const { world, cluster } = await startCluster(11, [{ name: TOPIC, partitions: 2, replicationFactor: 3 }]);
    const out: Record<string, unknown> = {};
    let done = false;
    world.spawn("app", async (ctx) => {
      await produce(ctx, cluster.brokerNodes, TOPIC, 0, ["a0", "a1", "a2", "a3", "a4"]);
      await produce(ctx, cluster.brokerNodes, TOPIC, 1, ["b0", "b1"]);
      const consumer = new Kafka(ctx, {
        clientId: "reader",
        bootstrapServers: [...cluster.brokerNodes],
      }).consumer({
        autoOffsetReset: "earliest",
        maxPollRecords: 3,
      });
      await consumer.connect();
      consumer.assign([
        { topic: TOPIC, partition: 0 },
        { topic: TOPIC, partition: 1 },
      ]);
      const seen: string[] = [];
      const sizes: number[] = [];
      while (seen.length < 7) {
        const records = await consumer.poll({ timeoutMs: 1000 });
        sizes.push(records.length);
        for (const r of records) seen.push(r.value!);
      }
      out.seen = seen;
      out.maxBatch = Math.max(...sizes);
      out.positions = [
        consumer.position({ topic: TOPIC, partition: 0 }),
        consumer.position({ topic: TOPIC, partition: 1 }),
      ];
      consumer.seek({ topic: TOPIC, partition: 0, offset: 3 });
      consumer.pause([{ topic: TOPIC, partitions: [1] }]);
      await produce(ctx, cluster.brokerNodes, TOPIC, 1, ["b2"]);
      const again: string[] = [];
      for (let i = 0; i < 3; i++)
        for (const r of await consumer.poll({ timeoutMs: 300 })) again.push(r.value!);
      out.afterSeek = again;
      consumer.resume([{ topic: TOPIC, partitions: [1] }]);
      const resumed: string[] = [];
      for (let i = 0; i < 3 && resumed.length === 0; i++)
        for (const r of await consumer.poll({ timeoutMs: 1000 })) resumed.push(r.value!);
      out.resumed = resumed;
      await expect(consumer.commitSync()).rejects.toThrow(/group.id/);
      await consumer.disconnect();
      done = true;
    });
    await world.runUntil(() => done, { limitMs: world.now() + 60_000 });
    expect(done).toBe(true);
    expect((out.seen as string[]).filter((v) => v.startsWith("a"))).toEqual(["a0", "a1", "a2", "a3", "a4"]);
    expect((out.seen as string[]).filter((v) => v.startsWith("b"))).toEqual(["b0", "b1"]);
    expect(out.maxBatch).toBeLessThanOrEqual(3);
    expect(out.positions).toEqual([5, 2]);
    expect(out.afterSeek).toEqual(["a3", "a4"]); // partition 1 paused: b2 not returned
    expect(out.resumed).toEqual(["b2"]);
  });

  it("a position out of range (OFFSET_OUT_OF_RANGE) is reset by auto.offset.reset", async () => {
    const { world, cluster } = await startCluster(16, [{ name: TOPIC, partitions: 1, replicationFactor: 3 }]);
    const seen: number[] = [];
    const seeks: number[] = [];
    let done = false;
    world.spawn("app", async (ctx) => {
      await produce(ctx, [...cluster.brokerNodes], TOPIC, 0, ["r0", "r1", "r2"]);
      const c = new Kafka(ctx, {
        clientId: "reader",
        bootstrapServers: [...cluster.brokerNodes],
        instrumentation: { onSeek: (_id, p) => void seeks.push(p.offset) },
      }).consumer({ autoOffsetReset: "earliest" });
      c.assign([{ topic: TOPIC, partition: 0 }]);
      c.seek({ topic: TOPIC, partition: 0, offset: 1000 }); // beyond the log end
      while (seen.length < 3) for (const r of await c.poll({ timeoutMs: 500 })) seen.push(r.offset);
      await c.unsubscribe();
      done = c.assignment().length === 0;
    });
    await world.runUntil(() => done, { limitMs: world.now() + 30_000 });
    expect(done).toBe(true);
    expect(seen).toEqual([0, 1, 2]);
    expect(seeks).toEqual([1000, 0]);
  });

  it("auto.offset.reset=latest starts at the high watermark; none fails poll", async () => {
    const { world, cluster } = await startCluster(12, [{ name: TOPIC, partitions: 1, replicationFactor: 3 }]);
    const out: Record<string, unknown> = {};
    let done = false;
    world.spawn("app", async (ctx) => {
      await produce(ctx, cluster.brokerNodes, TOPIC, 0, ["old-1", "old-2"]);
      const kafka = new Kafka(ctx, { clientId: "reader", bootstrapServers: [...cluster.brokerNodes] });
      const latest = kafka.consumer({ autoOffsetReset: "latest" });
      latest.assign([{ topic: TOPIC, partition: 0 }]);
      await latest.poll({ timeoutMs: 500 });
      out.position = latest.position({ topic: TOPIC, partition: 0 });
      await produce(ctx, cluster.brokerNodes, TOPIC, 0, ["new-1"]);
      const got: string[] = [];
      for (let i = 0; i < 5 && got.length === 0; i++)
        for (const r of await latest.poll({ timeoutMs: 500 })) got.push(r.value!);
      out.got = got;
      const none = kafka.consumer({ autoOffsetReset: "none", groupId: "strict" });
      none.assign([{ topic: TOPIC, partition: 0 }]);
      // The first polls may end while the coordinator is still being found; the error comes once
      // the group is known to have no committed offset.
      out.noneError = "no error";
      for (let i = 0; i < 20 && out.noneError === "no error"; i++)
        out.noneError = await none.poll({ timeoutMs: 500 }).then(
          () => "no error",
          (e: Error) => e.name,
        );
      done = true;
    });
    await world.runUntil(() => done, { limitMs: world.now() + 60_000 });
    expect(done).toBe(true);
    expect(out.position).toBe(2);
    expect(out.got).toEqual(["new-1"]);
    expect(out.noneError).toBe("OffsetOutOfRangeError");
  });
});

describe("consumer with a group", () => {
  it("commitSync stores the next offset to read; committed() and a new consumer of the group resume there", async () => {
    const { world, cluster } = await startCluster(13, [{ name: TOPIC, partitions: 1, replicationFactor: 3 }]);
    const out: Record<string, unknown> = {};
    let done = false;
    world.spawn("app", async (ctx) => {
      await produce(ctx, cluster.brokerNodes, TOPIC, 0, ["m0", "m1", "m2", "m3"]);
      const kafka = new Kafka(ctx, { clientId: "billing-1", bootstrapServers: [...cluster.brokerNodes] });
      const c1 = kafka.consumer({
        groupId: "billing",
        enableAutoCommit: false,
        sessionTimeoutMs: 6000,
        heartbeatIntervalMs: 1000,
      });
      await c1.subscribe({ topics: [TOPIC], fromBeginning: true });
      const first: ConsumerRecord[] = [];
      while (first.length < 2)
        first.push(...(await c1.poll({ timeoutMs: 1000, maxRecords: 2 - first.length })));
      await c1.commitSync([{ topic: TOPIC, partition: 0, offset: first[1]!.offset + 1 }]);
      out.committed = await c1.committed([{ topic: TOPIC, partition: 0 }]);
      out.asyncResult = await new Promise((resolve) =>
        c1.commitAsync(
          [{ topic: TOPIC, partition: 0, offset: first[1]!.offset + 1, metadata: "async" }],
          resolve,
        ),
      );
      await c1.disconnect();
      const c2 = new Kafka(ctx, {
        clientId: "billing-2",
        bootstrapServers: [...cluster.brokerNodes],
      }).consumer({
        groupId: "billing",
        enableAutoCommit: false,
        sessionTimeoutMs: 6000,
        heartbeatIntervalMs: 1000,
      });
      await c2.subscribe({ topics: [TOPIC], fromBeginning: true });
      const next: string[] = [];
      while (next.length < 2) for (const r of await c2.poll({ timeoutMs: 1000 })) next.push(r.value!);
      out.next = next;
      await c2.disconnect();
      done = true;
    });
    await world.runUntil(() => done, { limitMs: world.now() + 60_000 });
    expect(done).toBe(true);
    expect(out.committed).toEqual([{ topic: TOPIC, partition: 0, offset: 2 }]);
    expect(out.asyncResult).toBeNull();
    expect(out.next).toEqual(["m2", "m3"]);
  });

  it("auto-commit commits the consumed position inside poll every auto.commit.interval.ms", async () => {
    const { world, cluster } = await startCluster(14, [{ name: TOPIC, partitions: 1, replicationFactor: 3 }]);
    const out: Record<string, unknown> = {};
    let done = false;
    world.spawn("app", async (ctx) => {
      await produce(ctx, cluster.brokerNodes, TOPIC, 0, ["x0", "x1", "x2"]);
      const c = new Kafka(ctx, { clientId: "auto", bootstrapServers: [...cluster.brokerNodes] }).consumer({
        groupId: "auto-group",
        autoCommitIntervalMs: 2000,
        autoOffsetReset: "earliest",
        sessionTimeoutMs: 6000,
        heartbeatIntervalMs: 1000,
      });
      await c.subscribe({ topics: [TOPIC] });
      let n = 0;
      while (n < 3) n += (await c.poll({ timeoutMs: 500 })).length;
      out.before = await c.committed([{ topic: TOPIC, partition: 0 }]);
      const start = ctx.now();
      while (ctx.now() - start < 2500) await c.poll({ timeoutMs: 500 });
      await ctx.sleep(200);
      out.after = await c.committed([{ topic: TOPIC, partition: 0 }]);
      done = true;
    });
    await world.runUntil(() => done, { limitMs: world.now() + 60_000 });
    expect(done).toBe(true);
    expect(out.before).toEqual([{ topic: TOPIC, partition: 0, offset: -1 }]);
    expect(out.after).toEqual([{ topic: TOPIC, partition: 0, offset: 3 }]);
  });

  it("two members split the partitions, and the survivor takes all of them when one leaves (listeners called)", async () => {
    const { world, cluster } = await startCluster(15, [{ name: TOPIC, partitions: 4, replicationFactor: 3 }]);
    const events: string[] = [];
    const assignments: Record<string, number[]> = {};
    let c2Leaves = false;
    for (const name of ["c1", "c2"]) {
      world.spawn(name, async (ctx) => {
        const c: Consumer = new Kafka(ctx, {
          clientId: name,
          bootstrapServers: [...cluster.brokerNodes],
        }).consumer({
          groupId: "split",
          sessionTimeoutMs: 6000,
          heartbeatIntervalMs: 1000,
          partitionAssignmentStrategy: ["range"],
        });
        await c.subscribe({
          topics: [TOPIC],
          listener: {
            onPartitionsAssigned: (ps) => {
              events.push(`${name}+${ps.map((p) => p.partition).join(",")}`);
              assignments[name] = c
                .assignment()
                .map((p) => p.partition)
                .sort();
            },
            onPartitionsRevoked: (ps) => {
              events.push(`${name}-${ps.map((p) => p.partition).join(",")}`);
            },
          },
        });
        while (!(name === "c2" && c2Leaves)) await c.poll({ timeoutMs: 500 });
        await c.disconnect();
      });
    }
    await world.runFor(15_000);
    expect(assignments.c1).toHaveLength(2);
    expect(assignments.c2).toHaveLength(2);
    expect([...assignments.c1!, ...assignments.c2!].sort()).toEqual([0, 1, 2, 3]);
    c2Leaves = true;
    await world.runFor(10_000);
    expect(assignments.c1).toEqual([0, 1, 2, 3]);
    expect(events).toContain(`c2-${assignments.c2!.join(",")}`); // revoked on close (LeaveGroup)
  });
});
