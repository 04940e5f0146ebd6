/**
 * The producer against a scripted fake broker (test/producer-helpers.ts): results of send,
 * batching (linger.ms, batch.size, one batch per partition per request), the keyed and sticky
 * partitioners, errors with Kafka's names, retries and their backoff, the delivery timeout,
 * the in-flight window, metadata refresh after NOT_LEADER_OR_FOLLOWER, and what each send
 * reports to the history. Everything runs in virtual time under the simulator.
 */
import { describe, expect, it } from "vitest";
import { HistoryRecorder } from "../src/check";
import { Kafka, type Producer, type ProducerOptions, type RecordMetadata } from "../src/client";
import { Errors, KafkaError, partitionForKey } from "../src/protocol";
import type { ClientContext } from "../src/sim/process";
import { World } from "../src/sim/world";
import { FakeBroker, recordSends, type FakeProduce, type FakeProduceAnswer } from "./producer-helpers";

interface Setup {
  world: World;
  broker: FakeBroker;
  rec: HistoryRecorder;
  run: <T>(body: (producer: Producer, ctx: ClientContext) => Promise<T>) => Promise<T>;
}

function setup(
  options: {
    topics?: Record<string, number>;
    onProduce?: (p: FakeProduce, b: FakeBroker) => FakeProduceAnswer;
    producer?: ProducerOptions;
    seed?: number;
  } = {},
): Setup {
  const world = new World({ seed: options.seed ?? 1 });
  const broker = new FakeBroker(1, { topics: options.topics ?? { orders: 3 }, onProduce: options.onProduce });
  world.addNode("broker-1", () => broker);
  const rec = new HistoryRecorder(() => world.now());
  const run = async <T>(body: (producer: Producer, ctx: ClientContext) => Promise<T>): Promise<T> => {
    let result: { value: T } | { error: unknown } | undefined;
    world.spawn("app", async (ctx) => {
      const kafka = new Kafka(ctx, {
        clientId: "app",
        bootstrapServers: ["broker-1"],
        instrumentation: recordSends(rec),
      });
      const producer = kafka.producer({
        requestTimeoutMs: 1000,
        deliveryTimeoutMs: 10_000,
        ...options.producer,
      });
      try {
        await producer.connect();
        result = { value: await body(producer, ctx) };
      } catch (e) {
        result = { error: e };
      }
    });
    await world.runUntil(() => result !== undefined, { limitMs: world.now() + 120_000 });
    if (result === undefined) throw new Error("the client task did not finish");
    if ("error" in result) throw result.error;
    return result.value;
  };
  return { world, broker, rec, run };
}

const sendOps = (rec: HistoryRecorder) => rec.history().filter((o) => o.type === "send");

describe("Producer.send", () => {
  it("resolves with each partition's offsets and records the send as ok", async () => {
    const s = setup();
    const meta = await s.run((p) =>
      p.send({
        topic: "orders",
        messages: [
          { value: "a", partition: 2 },
          { value: "b", partition: 2 },
          { value: "c", partition: 0 },
        ],
      }),
    );
    expect(meta).toEqual<RecordMetadata[]>([
      expect.objectContaining({
        topicName: "orders",
        partition: 2,
        baseOffset: 0,
        offset: 0,
        offsets: [0, 1],
        errorCode: 0,
      }),
      expect.objectContaining({ topicName: "orders", partition: 0, baseOffset: 0, offsets: [0] }),
    ]);
    expect(s.broker.logs.get("orders-2")).toEqual(["a", "b"]);
    const [op] = sendOps(s.rec);
    expect(op).toMatchObject({
      outcome: "ok",
      positions: [
        { partition: 2, offset: 0 },
        { partition: 2, offset: 1 },
        { partition: 0, offset: 0 },
      ],
    });
  });

  it("batches concurrent sends within linger.ms into one request, one batch per partition", async () => {
    const s = setup({ producer: { lingerMs: 20 } });
    await s.run(async (p) => {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          p.send({ topic: "orders", messages: [{ value: `v${i}`, partition: i % 2 }] }),
        ),
      );
    });
    expect(s.broker.produced).toHaveLength(1);
    const req = s.broker.produced[0]!;
    expect([...req.values.keys()].sort()).toEqual(["orders-0", "orders-1"]);
    expect(req.values.get("orders-0")).toEqual(["v0", "v2", "v4", "v6", "v8"]);
  });

  it("starts a new batch at batch.size and sends full batches without waiting for linger.ms", async () => {
    const s = setup({ producer: { lingerMs: 60_000, deliveryTimeoutMs: 70_000, batchSize: 300 } });
    const t = await s.run(async (p, ctx) => {
      const start = ctx.now();
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          p.send({ topic: "orders", messages: [{ value: `value-${i}`.padEnd(40, "."), partition: 0 }] }),
        ),
      );
      return ctx.now() - start;
    });
    // Five records of ~50 bytes fill a 300-byte batch: two full batches go at once; the third waits linger.ms.
    const sizes = s.broker.produced.map((r) => r.values.get("orders-0")!.length);
    expect(sizes.slice(0, 2).every((n) => n === sizes[0])).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(12);
    expect(t).toBeGreaterThanOrEqual(60_000);
    expect(s.broker.logs.get("orders-0")).toEqual(
      Array.from({ length: 12 }, (_, i) => `value-${i}`.padEnd(40, ".")),
    );
  });

  it('routes keys with murmur2 like Kafka ("foobar" → 0 of 3, "a" → 1 of 3)', async () => {
    const s = setup();
    const keys = ["foobar", "a", "21", "abc", "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"];
    const partitions = await s.run(async (p) => {
      const out: number[] = [];
      for (const key of keys)
        out.push((await p.send({ topic: "orders", messages: [{ key, value: key }] }))[0]!.partition);
      return out;
    });
    expect(partitions.slice(0, 2)).toEqual([0, 1]);
    expect(partitions).toEqual(keys.map((k) => partitionForKey(new TextEncoder().encode(k), 3)));
  });

  it("spreads keyless records: sticky per partition, then a new partition after enough bytes", async () => {
    const s = setup({ producer: { batchSize: 1000, lingerMs: 0 }, topics: { orders: 4 }, seed: 7 });
    const partitions = await s.run(async (p) => {
      const out: number[] = [];
      for (let i = 0; i < 80; i++) {
        const [m] = await p.send({ topic: "orders", messages: [{ value: `value-${i}`.padEnd(90, ".") }] });
        out.push(m!.partition);
      }
      return out;
    });
    // One ~100-byte record per batch (linger 0, one send at a time): no batch is ever full, so
    // the partition may change only after 2 × batch.size bytes (KIP-794), about 20 records.
    for (let i = 1; i < partitions.length; i++) {
      if (partitions[i] !== partitions[i - 1])
        expect(i % 20 === 0 || i % 21 === 0, `switch at ${i}`).toBe(true);
    }
    expect(new Set(partitions).size).toBeGreaterThan(1);
  });

  it("rejects a record above max.request.size with MESSAGE_TOO_LARGE before sending (history: fail)", async () => {
    const s = setup({ producer: { maxRequestSize: 200 } });
    const err = await s
      .run((p) => p.send({ topic: "orders", messages: [{ value: "x".repeat(500) }] }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).type).toBe("MESSAGE_TOO_LARGE");
    expect(s.broker.produced).toHaveLength(0);
    expect(sendOps(s.rec)[0]).toMatchObject({ outcome: "fail" });
  });

  it("rejects an unknown partition with UNKNOWN_TOPIC_OR_PARTITION", async () => {
    const s = setup();
    const err = await s
      .run((p) => p.send({ topic: "orders", messages: [{ value: "x", partition: 7 }] }))
      .catch((e: unknown) => e);
    expect((err as KafkaError).type).toBe("UNKNOWN_TOPIC_OR_PARTITION");
  });

  it("fails at once on a non-retriable broker error, with its Kafka name (history: fail)", async () => {
    const s = setup({
      onProduce: () => ({
        kind: "answer",
        partitions: { "orders-0": { errorCode: Errors.INVALID_RECORD.code, errorMessage: "bad record" } },
      }),
    });
    const err = await s
      .run((p) => p.send({ topic: "orders", messages: [{ value: "x", partition: 0 }] }))
      .catch((e: unknown) => e);
    expect((err as KafkaError).type).toBe("INVALID_RECORD");
    expect((err as KafkaError).message).toMatch(/bad record/);
    expect(s.broker.produced).toHaveLength(1);
    expect(sendOps(s.rec)[0]).toMatchObject({ outcome: "fail" });
  });

  it("retries a retriable error with exponential backoff, then succeeds", async () => {
    const times: number[] = [];
    const s = setup({
      producer: { retryBackoffMs: 100, retryBackoffMaxMs: 1000 },
      onProduce: (p, b) => {
        times.push(b.ctx.now());
        return b.produced.length <= 3
          ? { kind: "answer", partitions: { "orders-0": { errorCode: Errors.NOT_ENOUGH_REPLICAS.code } } }
          : { kind: "answer" };
      },
    });
    const [m] = await s.run((p) => p.send({ topic: "orders", messages: [{ value: "x", partition: 0 }] }));
    expect(m!.offsets).toEqual([0]);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // 100, 200, 400 ms ± 20% jitter, plus network delays.
    expect(gaps[0]).toBeGreaterThanOrEqual(80);
    expect(gaps[0]).toBeLessThan(130);
    expect(gaps[2]).toBeGreaterThanOrEqual(320);
    expect(gaps[2]).toBeLessThan(490);
    expect(sendOps(s.rec)[0]).toMatchObject({ outcome: "ok" });
  });

  it("gives up when retries are exhausted (NOT_ENOUGH_REPLICAS is not written: history fail)", async () => {
    const s = setup({
      producer: { retries: 2, enableIdempotence: false },
      onProduce: () => ({
        kind: "answer",
        partitions: { "orders-0": { errorCode: Errors.NOT_ENOUGH_REPLICAS.code } },
      }),
    });
    const err = await s
      .run((p) => p.send({ topic: "orders", messages: [{ value: "x", partition: 0 }] }))
      .catch((e: unknown) => e);
    expect((err as KafkaError).type).toBe("NOT_ENOUGH_REPLICAS");
    expect(s.broker.produced).toHaveLength(3);
    expect(sendOps(s.rec)[0]).toMatchObject({ outcome: "fail" });
  });

  it("fails with REQUEST_TIMED_OUT after delivery.timeout.ms when answers never come (history: info)", async () => {
    const s = setup({
      producer: { requestTimeoutMs: 1000, deliveryTimeoutMs: 5000 },
      onProduce: () => ({ kind: "drop" }),
    });
    const elapsed = await s.run(async (p, ctx) => {
      const start = ctx.now();
      const err = await p
        .send({ topic: "orders", messages: [{ value: "x", partition: 0 }] })
        .catch((e: unknown) => e);
      expect((err as KafkaError).type).toBe("REQUEST_TIMED_OUT");
      expect((err as KafkaError).message).toMatch(/Expiring 1 record\(s\) for orders-0/);
      return ctx.now() - start;
    });
    expect(elapsed).toBeGreaterThanOrEqual(5000);
    expect(elapsed).toBeLessThan(5100);
    expect(sendOps(s.rec)[0]).toMatchObject({ outcome: "info" });
  });

  it("keeps at most max.in.flight.requests.per.connection requests unanswered", async () => {
    let outstanding = 0;
    let most = 0;
    const held: FakeProduce[] = [];
    const s = setup({
      producer: { maxInFlightRequestsPerConnection: 3, lingerMs: 0, batchSize: 1, enableIdempotence: false },
      onProduce: (p) => {
        outstanding++;
        most = Math.max(most, outstanding);
        held.push(p);
        return { kind: "drop" };
      },
    });
    await s.run(async (p, ctx) => {
      for (let i = 0; i < 8; i++)
        void p.send({ topic: "orders", messages: [{ value: `v${i}`, partition: 0 }] }).catch(() => {}); // batch.size 1: one record per batch
      await ctx.sleep(500);
    });
    expect(most).toBe(3);
    expect(held).toHaveLength(3);
  });

  it("with acks=0 resolves at once with offset -1 and records the send as info", async () => {
    const s = setup({ producer: { acks: 0 } });
    const [m] = await s.run((p) => p.send({ topic: "orders", messages: [{ value: "x", partition: 1 }] }));
    expect(m).toMatchObject({ offset: -1, offsets: [-1] });
    expect(sendOps(s.rec)[0]).toMatchObject({ outcome: "info" });
  });

  it("refreshes metadata after NOT_LEADER_OR_FOLLOWER and retries at the new leader", async () => {
    const world = new World({ seed: 3 });
    let leader = { id: 1, node: "broker-1" };
    const brokers = [
      { nodeId: 1, host: "broker-1" },
      { nodeId: 2, host: "broker-2" },
    ];
    const options = (id: number) => ({
      topics: { orders: 1 },
      brokers,
      leader: () => leader,
      onProduce: (): FakeProduceAnswer =>
        leader.id === id
          ? { kind: "answer" }
          : { kind: "answer", partitions: { "orders-0": { errorCode: Errors.NOT_LEADER_OR_FOLLOWER.code } } },
    });
    const b1 = new FakeBroker(1, options(1));
    const b2 = new FakeBroker(2, options(2));
    world.addNode("broker-1", () => b1);
    world.addNode("broker-2", () => b2);
    let offsets: number[] | undefined;
    world.spawn("app", async (ctx) => {
      const producer = new Kafka(ctx, { clientId: "app", bootstrapServers: ["broker-1"] }).producer({
        lingerMs: 0,
      });
      await producer.connect();
      await producer.send({ topic: "orders", messages: [{ value: "first" }] });
      leader = { id: 2, node: "broker-2" }; // leadership moves; the producer's metadata is now stale
      const [m] = await producer.send({ topic: "orders", messages: [{ value: "second" }] });
      offsets = m!.offsets;
    });
    await world.runUntilTasksDone({ limitMs: 60_000 });
    expect(b1.logs.get("orders-0")).toEqual(["first"]);
    expect(b2.logs.get("orders-0")).toEqual(["second"]);
    expect(offsets).toEqual([0]);
    expect(b1.produced).toHaveLength(2); // the second send hit the old leader once
  });

  it("waits for the topic's metadata up to max.block.ms, then fails", async () => {
    const s = setup({ producer: { maxBlockMs: 2000 } });
    const err = await s
      .run((p) => p.send({ topic: "missing", messages: [{ value: "x" }] }))
      .catch((e: unknown) => e);
    expect((err as KafkaError).type).toBe("REQUEST_TIMED_OUT");
    expect((err as KafkaError).message).toMatch(/Topic missing not present in metadata after 2000 ms/);
    expect(sendOps(s.rec)[0]).toMatchObject({ outcome: "fail" });
  });

  it("refuses to send before connect() and after disconnect()", async () => {
    const world = new World({ seed: 1 });
    world.addNode("broker-1", () => new FakeBroker(1, { topics: { orders: 1 } }));
    const errors: string[] = [];
    world.spawn("app", async (ctx) => {
      const producer = new Kafka(ctx, { clientId: "app", bootstrapServers: ["broker-1"] }).producer();
      await producer
        .send({ topic: "orders", messages: [{ value: "x" }] })
        .catch((e: Error) => errors.push(e.message));
      await producer.connect();
      await producer.send({ topic: "orders", messages: [{ value: "y" }] });
      await producer.disconnect();
      await producer
        .send({ topic: "orders", messages: [{ value: "z" }] })
        .catch((e: Error) => errors.push(e.message));
    });
    await world.runUntilTasksDone({ limitMs: 10_000 });
    expect(errors).toEqual([expect.stringMatching(/not connected/), expect.stringMatching(/disconnected/)]);
  });

  it("delivers sends to the accumulator in call order even while metadata is loading", async () => {
    const s = setup({ producer: { lingerMs: 10 } });
    await s.run(async (p, ctx) => {
      const all: Promise<unknown>[] = [];
      for (let i = 0; i < 20; i++) {
        all.push(p.send({ topic: "orders", messages: [{ value: `v${i}`, partition: 0 }] }));
        if (i % 5 === 0) await ctx.sleep(1);
      }
      await Promise.all(all);
    });
    expect(s.broker.logs.get("orders-0")).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`));
  });
});
