/**
 * buffer.memory and max.block.ms (Kafka's BufferPool and KafkaProducer.doSend), in virtual time:
 * - BufferPool: first come first served (a small request never overtakes a waiting one), a
 *   wait ends exactly when memory comes back or when its time is up (REQUEST_TIMED_OUT, Kafka's
 *   BufferExhaustedException), a waiter leaving lets the next one in, close fails the waiters,
 *   a double free is caught;
 * - the producer: a send that needs a new batch while the batches in flight hold all the memory
 *   waits until one completes, or fails after max.block.ms (history: fail, nothing written);
 *   a call that appended some messages before its wait failed is "maybe written" and those
 *   messages still land; a record above buffer.memory fails at once (MESSAGE_TOO_LARGE);
 *   disconnect lets a waiting send finish; the configuration's defaults and checks.
 */
import { describe, expect, it } from "vitest";
import { HistoryRecorder } from "../src/check";
import {
  ConfigException,
  Kafka,
  resolveProducerConfig,
  type Producer,
  type ProducerOptions,
} from "../src/client";
import { BufferPool } from "../src/client/buffer-pool";
import { KafkaError } from "../src/protocol";
import type { ClientContext } from "../src/sim/process";
import { World } from "../src/sim/world";
import { FakeBroker, recordSends } from "./producer-helpers";

/** Run `body` in a client of a fresh world (with one fake broker) until it returns. */
async function inClient<T>(
  body: (ctx: ClientContext, world: World) => Promise<T>,
  broker?: FakeBroker,
): Promise<{ value: T; world: World }> {
  const world = new World({ seed: 7 });
  if (broker !== undefined) world.addNode("broker-1", () => broker);
  let result: { value: T } | undefined;
  world.spawn("app", async (ctx) => {
    result = { value: await body(ctx, world) };
  });
  await world.runUntilTasksDone({ limitMs: 300_000 });
  const failed = world.tasks().find((t) => t.state === "failed");
  if (failed) throw failed.error;
  if (result === undefined) throw new Error("the client task did not finish");
  return { value: result.value, world };
}

function settle(p: Promise<unknown>, ctx: ClientContext, log: string[], name: string): Promise<void> {
  return p.then(
    () => void log.push(`${name} ok at ${ctx.now()}`),
    (e: unknown) => void log.push(`${name} ${e instanceof KafkaError ? e.type : String(e)} at ${ctx.now()}`),
  );
}

describe("BufferPool", () => {
  it("serves waiters first come first served, when memory comes back", async () => {
    const { value: log } = await inClient(async (ctx) => {
      const pool = new BufferPool(ctx, 100, 10);
      const log: string[] = [];
      expect(pool.tryAllocate(60)).toBe(true);
      const big = settle(pool.allocate(50, 10_000), ctx, log, "50");
      // 40 bytes are free, but a waiter came first: the small request queues behind it.
      expect(pool.tryAllocate(10)).toBe(false);
      const small = settle(pool.allocate(10, 10_000), ctx, log, "10");
      expect(pool.queuedWaiters).toBe(2);
      await ctx.sleep(300);
      pool.deallocate(60);
      await Promise.all([big, small]);
      expect(pool.availableBytes).toBe(40);
      return log;
    });
    expect(log).toEqual(["50 ok at 300", "10 ok at 300"]);
  });

  it("fails a wait after its time with REQUEST_TIMED_OUT; the next waiter then gets in", async () => {
    const { value } = await inClient(async (ctx) => {
      const pool = new BufferPool(ctx, 100, 10);
      const log: string[] = [];
      pool.tryAllocate(60);
      let message = "";
      const head = pool.allocate(50, 500).catch((e: unknown) => {
        message = (e as Error).message;
        throw e;
      });
      const waits = [settle(head, ctx, log, "50"), settle(pool.allocate(30, 2000), ctx, log, "30")];
      await Promise.all(waits);
      return { log: log.sort(), message, available: pool.availableBytes };
    });
    expect(value.log).toEqual(["30 ok at 500", "50 REQUEST_TIMED_OUT at 500"]);
    expect(value.message).toMatch(/Cannot allocate 50 bytes for a new batch within max.block.ms/);
    expect(value.message).toMatch(/buffer.memory is 100 bytes, 40 of them free/);
    expect(value.available).toBe(10);
  });

  it("fails every waiter when closed, and refuses sizes it can never give or double frees", async () => {
    const { value: log } = await inClient(async (ctx) => {
      const pool = new BufferPool(ctx, 100, 10);
      const log: string[] = [];
      pool.tryAllocate(100);
      const w = settle(pool.allocate(10, 60_000), ctx, log, "10");
      await ctx.sleep(5);
      pool.close();
      await w;
      expect(() => pool.tryAllocate(101)).toThrow(/Cannot allocate 101 bytes from a buffer pool of 100/);
      pool.deallocate(100);
      expect(() => pool.deallocate(1)).toThrow(/freed twice/);
      return log;
    });
    expect(log).toEqual(["10 UNKNOWN_SERVER_ERROR at 5"]);
  });
});

// ---- the producer ------------------------------------------------------------------------------

/**
 * A producer (batch.size 1000, buffer.memory 2000: two batches) against a broker that drops
 * every Produce until `answerFromMs` (then answers normally).
 */
async function blockedScenario(
  producerOptions: ProducerOptions,
  answerFromMs: number,
  body: (producer: Producer, ctx: ClientContext, log: string[]) => Promise<void>,
): Promise<{ broker: FakeBroker; rec: HistoryRecorder; log: string[]; producer: Producer }> {
  const broker = new FakeBroker(1, {
    topics: { orders: 3 },
    onProduce: (_p, b) => (b.ctx.now() < answerFromMs ? { kind: "drop" } : { kind: "answer" }),
  });
  let rec: HistoryRecorder | undefined;
  let producer: Producer | undefined;
  const { value: log } = await inClient(async (ctx, world) => {
    rec = new HistoryRecorder(() => world.now());
    producer = new Kafka(ctx, {
      clientId: "app",
      bootstrapServers: ["broker-1"],
      instrumentation: recordSends(rec),
    }).producer({
      batchSize: 1000,
      bufferMemory: 2000,
      lingerMs: 0,
      requestTimeoutMs: 1000,
      deliveryTimeoutMs: 60_000,
      retryBackoffMs: 100,
      ...producerOptions,
    });
    await producer.connect();
    await producer.metadata.topic("orders"); // sends below wait for memory, never for metadata
    const log: string[] = [];
    await body(producer, ctx, log);
    return log;
  }, broker);
  return { broker, rec: rec!, log, producer: producer! };
}

const send = (producer: Producer, value: string, partition: number) =>
  producer.send({ topic: "orders", messages: [{ value, partition }] });

describe("Producer: buffer.memory and max.block.ms", () => {
  it("a send waits while the batches in flight hold all the memory, then goes", async () => {
    const s = await blockedScenario({ maxBlockMs: 10_000 }, 3000, async (producer, ctx, log) => {
      const t0 = ctx.now();
      const first = settle(send(producer, "first", 0), ctx, log, "first");
      const second = settle(send(producer, "second", 1), ctx, log, "second");
      await ctx.sleep(1); // both batches are now in flight (undelivered), holding 2 × 1000 bytes
      expect(producer.accumulator.pool.availableBytes).toBe(0);
      const third = settle(send(producer, "third", 2), ctx, log, "third");
      await ctx.sleep(1000);
      expect(producer.accumulator.pool.queuedWaiters).toBe(1);
      await Promise.all([first, second, third]);
      log.push(`t0 ${t0}`);
    });
    const t0 = Number(s.log.find((l) => l.startsWith("t0"))!.slice(3));
    const at = (name: string) => Number(/at ([0-9.]+)$/.exec(s.log.find((l) => l.startsWith(name))!)![1]);
    expect(s.log.filter((l) => l.includes(" ok at "))).toHaveLength(3);
    // The third send could only start after one of the first two was acknowledged (t ≥ 3000).
    expect(at("third")).toBeGreaterThanOrEqual(Math.min(at("first"), at("second")));
    expect(at("third")).toBeGreaterThan(3000);
    expect(t0).toBeLessThan(3000);
    expect(s.broker.logs.get("orders-2")).toEqual(["third"]);
    expect(s.producer.accumulator.pool.availableBytes).toBe(2000);
  });

  it("fails a send after max.block.ms without memory (REQUEST_TIMED_OUT, history: fail, nothing written)", async () => {
    const s = await blockedScenario({ maxBlockMs: 1500 }, 5000, async (producer, ctx, log) => {
      const first = settle(send(producer, "first", 0), ctx, log, "first");
      const second = settle(send(producer, "second", 1), ctx, log, "second");
      await ctx.sleep(1);
      const start = ctx.now();
      let error: unknown;
      await send(producer, "third", 2).catch((e: unknown) => (error = e));
      expect(error).toBeInstanceOf(KafkaError);
      expect((error as KafkaError).type).toBe("REQUEST_TIMED_OUT");
      expect((error as KafkaError).message).toMatch(/within max.block.ms/);
      expect(ctx.now() - start).toBeCloseTo(1500, 6);
      await Promise.all([first, second]);
    });
    expect(s.log).toEqual([expect.stringMatching(/^first ok/), expect.stringMatching(/^second ok/)]);
    expect(s.broker.logs.get("orders-2")).toBeUndefined();
    const third = s.rec.history().find((o) => o.type === "send" && o.outcome !== "ok");
    expect(third).toMatchObject({ outcome: "fail" });
  });

  it("a call whose later messages could not get memory fails as maybe written; its earlier messages land", async () => {
    const s = await blockedScenario({ maxBlockMs: 2000 }, 4000, async (producer, ctx, log) => {
      await settle(
        producer.send({
          topic: "orders",
          messages: [
            { value: "p0", partition: 0 },
            { value: "p1", partition: 1 },
            { value: "p2", partition: 2 }, // a third batch: no memory until t ≥ 4000
          ],
        }),
        ctx,
        log,
        "call",
      );
      await producer.flush();
    });
    expect(s.log).toEqual([expect.stringMatching(/^call REQUEST_TIMED_OUT at 20\d\d/)]);
    expect(s.broker.logs.get("orders-0")).toEqual(["p0"]);
    expect(s.broker.logs.get("orders-1")).toEqual(["p1"]);
    expect(s.broker.logs.get("orders-2")).toBeUndefined();
    expect(s.rec.history().filter((o) => o.type === "send")).toEqual([
      expect.objectContaining({ outcome: "info" }),
    ]);
  });

  it("disconnect lets a send waiting for memory finish, then closes", async () => {
    const s = await blockedScenario({ maxBlockMs: 30_000 }, 2500, async (producer, ctx, log) => {
      const sends = [
        settle(send(producer, "a", 0), ctx, log, "a"),
        settle(send(producer, "b", 1), ctx, log, "b"),
      ];
      await ctx.sleep(1);
      sends.push(settle(send(producer, "c", 2), ctx, log, "c"));
      await ctx.sleep(1);
      await producer.disconnect();
      log.push(`disconnected at ${ctx.now()}`);
      await Promise.all(sends);
      const late = await send(producer, "d", 0).catch((e: unknown) => e);
      expect(String(late)).toMatch(/disconnected/);
    });
    const at = (name: string) => Number(/at ([0-9.]+)$/.exec(s.log.find((l) => l.startsWith(name))!)![1]);
    expect(s.log.filter((l) => l.includes(" ok at "))).toHaveLength(3);
    expect(at("c")).toBeGreaterThan(2500);
    expect(at("disconnected")).toBeGreaterThanOrEqual(at("c"));
    expect(s.broker.logs.get("orders-2")).toEqual(["c"]);
  });

  it("fails at once a record larger than buffer.memory (MESSAGE_TOO_LARGE)", async () => {
    const s = await blockedScenario({}, 0, async (producer, ctx) => {
      const start = ctx.now();
      const err = await send(producer, "x".repeat(2500), 0).catch((e: unknown) => e);
      expect((err as KafkaError).type).toBe("MESSAGE_TOO_LARGE");
      expect((err as KafkaError).message).toMatch(/larger than buffer.memory 2000/);
      expect(ctx.now()).toBe(start);
    });
    expect(s.broker.produced).toHaveLength(0);
  });

  it("configuration: Kafka's defaults and names; batch.size above buffer.memory is refused", () => {
    const c = resolveProducerConfig();
    expect(c.bufferMemory).toBe(33554432);
    expect(c.maxBlockMs).toBe(60_000);
    expect(() => resolveProducerConfig({ bufferMemory: -1 })).toThrow(/buffer.memory/);
    expect(() => resolveProducerConfig({ maxBlockMs: 1.5 })).toThrow(/max.block.ms/);
    expect(() => resolveProducerConfig({ bufferMemory: 1000, batchSize: 2000 })).toThrow(ConfigException);
    expect(resolveProducerConfig({ bufferMemory: 0, batchSize: 0 }).bufferMemory).toBe(0);
  });
});
