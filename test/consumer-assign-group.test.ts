/**
 * Regression (found by lab 04, seed 1): a consumer with a group.id that takes its partitions with
 * assign() uses the group only for offsets and never joins, so the group's "rejoin needed" flag
 * stays set. poll() used to return [] at once on that flag instead of waiting for data, and a poll
 * loop spun at one virtual instant until the simulator stopped it. Now poll() waits up to its
 * timeout, and committed offsets carry over to the next consumer of the group.
 */
import { expect, it } from "vitest";
import { Kafka } from "../src/client/kafka";
import { produce, startCluster } from "./consumer-harness";

const TOPIC = "orders";

it("assign() with a group.id: an empty poll waits its timeout, commits resume a new consumer", async () => {
  const { world, cluster } = await startCluster(4, [{ name: TOPIC, partitions: 1, replicationFactor: 3 }]);
  const out: Record<string, unknown> = {};
  let done = false;
  world.spawn("app", async (ctx) => {
    await produce(ctx, cluster.brokerNodes, TOPIC, 0, ["v0", "v1", "v2"]);
    const kafka = new Kafka(ctx, { clientId: "fulfilment", bootstrapServers: [...cluster.brokerNodes] });
    const first = kafka.consumer({
      groupId: "fulfilment",
      enableAutoCommit: false,
      autoOffsetReset: "earliest",
    });
    await first.connect();
    first.assign([{ topic: TOPIC, partition: 0 }]);
    const seen: string[] = [];
    for (let i = 0; i < 20 && seen.length < 3; i++)
      for (const r of await first.poll({ timeoutMs: 500 })) seen.push(r.value!);
    out.seen = seen;
    const before = ctx.now();
    out.empty = await first.poll({ timeoutMs: 400 });
    out.waitedMs = ctx.now() - before;
    await first.commitSync([{ topic: TOPIC, partition: 0, offset: 2 }]);
    await first.disconnect();

    const second = kafka.consumer({
      groupId: "fulfilment",
      enableAutoCommit: false,
      autoOffsetReset: "earliest",
    });
    await second.connect();
    second.assign([{ topic: TOPIC, partition: 0 }]);
    const resumed: string[] = [];
    for (let i = 0; i < 20 && resumed.length === 0; i++)
      for (const r of await second.poll({ timeoutMs: 500 })) resumed.push(r.value!);
    out.resumed = resumed;
    done = true;
  });
  await world.runUntil(() => done, { limitMs: world.now() + 60_000 });
  expect(done).toBe(true);
  expect(out.seen).toEqual(["v0", "v1", "v2"]);
  expect(out.empty).toEqual([]);
  expect(out.waitedMs as number).toBeGreaterThanOrEqual(399);
  expect(out.resumed).toEqual(["v2"]);
});
