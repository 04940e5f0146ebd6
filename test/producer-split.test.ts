/**
 * Splitting a batch the broker refused as too large (MESSAGE_TOO_LARGE, error 10), as Kafka's
 * producer does (Sender.completeBatch → RecordAccumulator.splitAndReenqueue → ProducerBatch.split):
 * - ProducerBatch.split: pieces within the size limit (a record alone always fits), records and
 *   callbacks in order, creation time kept, closed at once, consecutive sequences from the big
 *   batch's base sequence (wrapping at Integer.MAX_VALUE) stamped into the bytes with a valid CRC;
 * - the accumulator: pieces at the front of the queue, in sequence order among retries for an
 *   idempotent producer, tracked in flight, the big batch's memory given back; the size of the
 *   pieces (batch.size, else halves, never stuck);
 * - the producer against a fake broker enforcing a max.message.bytes: every record lands once,
 *   in order, sequences contiguous, no retry spent; one record too large fails with
 *   MESSAGE_TOO_LARGE (history: fail) and the records after it still land.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HistoryRecorder } from "../src/check";
import type { Producer, ProducerOptions } from "../src/client";
import { RecordAccumulator } from "../src/client/accumulator";
import { BufferPool } from "../src/client/buffer-pool";
import { IdempotenceManager } from "../src/client/idempotence";
import {
  ProducerBatch,
  incrementSequence,
  type RecordAck,
  type RecordCallback,
} from "../src/client/producer-batch";
import { Errors, KafkaError, decodeRecordBatches, type AppendRecord } from "../src/protocol";
import type { ClientContext, TimerId } from "../src/sim/process";
import {
  fakeBrokerScenario,
  type FakeBroker,
  type FakeProduce,
  type FakeProduceAnswer,
} from "./producer-helpers";

const enc = new TextEncoder();
const dec = new TextDecoder();
const INT32_MAX = 2147483647;

function rec(value: string, timestamp = 1000): AppendRecord {
  return { key: null, value: enc.encode(value), headers: [], timestamp };
}

/** Remembers every record's outcome by index. */
class Outcomes implements RecordCallback {
  readonly acks = new Map<number, RecordAck>();
  readonly errors = new Map<number, string>();
  onAck(index: number, ack: RecordAck): void {
    expect(this.acks.has(index) || this.errors.has(index), `record ${index} told twice`).toBe(false);
    this.acks.set(index, ack);
  }
  onError(index: number, error: KafkaError): void {
    expect(this.acks.has(index) || this.errors.has(index), `record ${index} told twice`).toBe(false);
    this.errors.set(index, error.type);
  }
}

function bigBatch(values: readonly string[], cb: RecordCallback, createdMs = 100): ProducerBatch {
  const b = new ProducerBatch(
    "orders",
    0,
    "orders-0",
    { writeLimitBytes: 1 << 20, compression: "none", acks: -1, brokerTimeoutMs: 30_000 },
    createdMs,
  );
  values.forEach((v, i) => expect(b.tryAppend(rec(v, 1000 + i), cb, i)).toBe(i));
  return b;
}

function valuesOf(b: ProducerBatch): string[] {
  const [decoded] = decodeRecordBatches(b.bytes());
  return decoded!.records.map((r) => dec.decode(r.value!));
}

/** A clock for the pool that never fires (no test here waits for memory). */
const idleClock = {
  now: () => 0,
  setTimer: (): TimerId => 0 as unknown as TimerId,
  cancelTimer: (): void => {},
};

function accumulator(batchSize: number, bufferMemory = 1 << 20): RecordAccumulator {
  return new RecordAccumulator(
    { batchSize, lingerMs: 0, deliveryTimeoutMs: 120_000 },
    new BufferPool(idleClock, bufferMemory, batchSize),
  );
}

const OPTIONS = { compression: "none", acks: -1, brokerTimeoutMs: 30_000 } as const;

describe("ProducerBatch.split", () => {
  it("cuts the records into closed pieces within the limit, in order, keeping callbacks and creation time", () => {
    const cb = new Outcomes();
    const values = Array.from({ length: 40 }, (_, i) => `value-${i}-${"x".repeat(i % 7)}`);
    const big = bigBatch(values, cb, 250);
    big.maybeWritten = true;
    const parts = big.split(300);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.isClosed).toBe(true);
      expect(p.isSplitBatch).toBe(true);
      expect(p.createdMs).toBe(250);
      expect(p.maybeWritten).toBe(true);
      expect(p.hasSequence).toBe(false);
      if (p.recordCount > 1) expect(p.estimatedSizeInBytes).toBeLessThanOrEqual(300);
      // Each piece is as full as the limit allows: the next piece's first record did not fit.
    }
    expect(parts.flatMap(valuesOf)).toEqual(values);
    // The big batch is untouched until the split is committed.
    expect(big.done).toBe(false);
    expect(big.recordCount).toBe(40);
    // Completing the pieces tells each record of the call exactly once, with its index.
    let base = 500;
    for (const p of parts) {
      p.complete(base, -1, 0);
      base += p.recordCount;
    }
    expect([...cb.acks.keys()].sort((a, b) => a - b)).toEqual(values.map((_, i) => i));
    expect(values.map((_, i) => cb.acks.get(i)!.offset)).toEqual(values.map((_, i) => 500 + i));
  });

  it("gives the pieces consecutive sequences from the big batch's, stamped with a valid CRC", () => {
    const big = bigBatch(
      Array.from({ length: 12 }, (_, i) => `v${i}`.padEnd(30, "-")),
      new Outcomes(),
    );
    big.setProducerState(7000, 3, 42);
    big.close();
    const parts = big.split(200);
    expect(parts.length).toBeGreaterThan(2);
    let seq = 42;
    for (const p of parts) {
      expect(p.baseSequence).toBe(seq);
      const [h] = decodeRecordBatches(p.bytes(), { verifyCrc: true });
      expect(h!.header).toMatchObject({ producerId: 7000, producerEpoch: 3, baseSequence: seq });
      seq += p.recordCount;
    }
    expect(parts[parts.length - 1]!.lastSequence).toBe(big.lastSequence);
  });

  it("wraps the sequences at Integer.MAX_VALUE like the big batch does", () => {
    const big = bigBatch(["a", "b", "c", "d", "e", "f"], new Outcomes());
    big.setProducerState(1, 0, INT32_MAX - 2);
    const parts = big.split(1); // one record per piece
    expect(parts.map((p) => p.baseSequence)).toEqual([INT32_MAX - 2, INT32_MAX - 1, INT32_MAX, 0, 1, 2]);
    expect(big.lastSequence).toBe(2);
    expect(incrementSequence(INT32_MAX, 1)).toBe(0);
  });

  it("keeps every record, in order, and every multi-record piece within the limit (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.option(fc.integer({ min: 0, max: INT32_MAX }), { nil: undefined }),
        (sizes, limit, baseSequence) => {
          const values = sizes.map((n, i) => `${i}:${"y".repeat(n)}`);
          const big = bigBatch(values, new Outcomes());
          if (baseSequence !== undefined) big.setProducerState(9, 1, baseSequence);
          const parts = big.split(limit);
          expect(parts.flatMap(valuesOf)).toEqual(values);
          let seq = baseSequence;
          for (const p of parts) {
            if (p.recordCount > 1) expect(p.estimatedSizeInBytes).toBeLessThanOrEqual(limit);
            if (seq !== undefined) {
              expect(p.baseSequence).toBe(seq);
              seq = incrementSequence(seq, p.recordCount);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses to split a completed batch", () => {
    const big = bigBatch(["a", "b"], new Outcomes());
    big.complete(0, -1, 0);
    expect(() => big.split(10)).toThrow(/already completed/);
  });
});

describe("RecordAccumulator.splitAndReenqueue", () => {
  /** Append `values` to orders-0 and drain them as one batch (the one that will be refused). */
  function drainedBig(
    acc: RecordAccumulator,
    values: readonly string[],
    idem?: IdempotenceManager,
  ): ProducerBatch {
    const cb = new Outcomes();
    values.forEach((v, i) => {
      const r = acc.append("orders", 0, rec(v), cb, i, OPTIONS, 0);
      expect(r.batch).toBeDefined();
    });
    const drained = acc.drain("node-1", () => "node-1", 1 << 20, 0, idem);
    expect(drained).toHaveLength(1);
    return drained[0]!;
  }

  it("puts the pieces at the front of the queue, before batches appended since, and gives the memory back", () => {
    const acc = accumulator(4096);
    const values = Array.from({ length: 60 }, (_, i) => `first-${i}`.padEnd(50, "."));
    const big = drainedBig(acc, values);
    expect(big.poolBytes).toBe(4096);
    acc.append("orders", 0, rec("later"), new Outcomes(), 0, OPTIONS, 1);
    expect(acc.pool.availableBytes).toBe((1 << 20) - 2 * 4096);
    const parts = acc.splitAndReenqueue(big, undefined);
    expect(big.done && big.wasSplit).toBe(true);
    expect(parts.every((p) => p.poolBytes === 0)).toBe(true);
    expect(acc.pool.availableBytes).toBe((1 << 20) - 4096); // only "later" holds memory now
    expect(acc.incompleteBatches).toBe(parts.length + 1);
    const sent: string[] = [];
    for (;;) {
      const [b] = acc.drain("node-1", () => "node-1", 1 << 20, 10, undefined);
      if (b === undefined) break;
      expect(b.attempts).toBe(0);
      sent.push(...valuesOf(b));
    }
    expect(sent).toEqual([...values, "later"]);
  });

  it("uses batch.size first, then halves (never below the largest record), and always cuts", () => {
    const acc = accumulator(1000);
    const values = Array.from({ length: 100 }, (_, i) => `r${i}`.padEnd(40, "."));
    // A batch bigger than batch.size (one record over it was appended first, then more fit).
    const big = bigBatch(values, new Outcomes());
    const size = big.estimatedSizeInBytes;
    expect(size).toBeGreaterThan(1000);
    expect(acc.splitLimitBytes(big)).toBe(1000);
    // A split batch is halved.
    const [piece] = big.split(1000);
    expect(acc.splitLimitBytes(piece!)).toBe(Math.floor(piece!.estimatedSizeInBytes / 2));
    // batch.size that would leave the batch whole: halve at once.
    const roomy = accumulator(1 << 16);
    expect(roomy.splitLimitBytes(big)).toBe(Math.floor(size / 2));
    // Never below the largest record.
    const lopsided = bigBatch(["z".repeat(900), "a".repeat(300), "b".repeat(300)], new Outcomes());
    expect(lopsided.maxRecordSizeBytes).toBeGreaterThan(lopsided.estimatedSizeInBytes / 2);
    expect(roomy.splitLimitBytes(lopsided)).toBe(lopsided.maxRecordSizeBytes);
    expect(roomy.splitAndReenqueue(lopsided, undefined).map((p) => p.recordCount)).toEqual([1, 2]);
  });

  it("cuts at half the batch when its largest record would keep it whole (Kafka would resend it unchanged)", () => {
    const roomy = accumulator(1 << 16);
    for (const values of [
      ["z".repeat(900), "a", "b"],
      ["a".repeat(20), "b"],
    ]) {
      const big = bigBatch(values, new Outcomes());
      // The record's upper bound covers the whole batch: the limit alone does not cut.
      expect(big.split(roomy.splitLimitBytes(big))).toHaveLength(1);
      const parts = roomy.splitAndReenqueue(big, undefined);
      expect(parts.map((p) => p.recordCount)).toEqual(values.length === 3 ? [1, 2] : [1, 1]);
      expect(parts.flatMap(valuesOf)).toEqual(values);
    }
  });

  it("idempotent: pieces take the big batch's sequence range, in flight, in sequence order among retries", () => {
    const acc = accumulator(16384);
    const idem = new IdempotenceManager();
    idem.setProducerIdAndEpoch(5000, 0);
    const big = drainedBig(
      acc,
      Array.from({ length: 30 }, (_, i) => `big-${i}`.padEnd(60, ".")),
      idem,
    );
    expect([big.baseSequence, big.lastSequence]).toEqual([0, 29]);
    // A later batch (sequence 30..31) was in flight too and comes back for a retry first.
    const cb = new Outcomes();
    acc.append("orders", 0, rec("after-0"), cb, 0, OPTIONS, 1);
    acc.append("orders", 0, rec("after-1"), cb, 1, OPTIONS, 1);
    const [after] = acc.drain("node-1", () => "node-1", 1 << 20, 1, idem);
    expect(after!.baseSequence).toBe(30);
    acc.reenqueue(after!, 2, 0);
    const parts = acc.splitAndReenqueue(big, idem);
    expect(parts.length).toBeGreaterThan(1);
    expect(idem.sequenceNumber("orders-0")).toBe(32); // the next sequence does not move
    expect(
      (idem.describe().partitions as Record<string, { inflight: number[] }>)["orders-0"]!.inflight,
    ).toEqual([...parts.map((p) => p.baseSequence), 30]);
    // Drained one at a time (each must be the first in flight): complete each as the broker would.
    const order: number[] = [];
    let offset = 0;
    for (let now = 3; now < 100; now++) {
      const [b] = acc.drain("node-1", () => "node-1", 1 << 20, now, idem);
      if (b === undefined) break;
      expect(acc.drain("node-1", () => "node-1", 1 << 20, now, idem)).toEqual([]); // the rest wait
      order.push(b.baseSequence);
      idem.handleCompletedBatch(b, offset);
      b.complete(offset, -1, 0);
      acc.completed(b);
      offset += b.recordCount;
    }
    expect(order).toEqual([...parts.map((p) => p.baseSequence), 30]);
    expect(idem.lastAckedSequence("orders-0")).toBe(31);
    expect(acc.hasIncomplete()).toBe(false);
    expect(acc.pool.availableBytes).toBe(1 << 20);
  });
});

// ---- the producer against a fake broker with a max.message.bytes --------------------------------

/** Refuse, like a broker, any partition whose records exceed `maxMessageBytes`; check sequences. */
function sizeLimitedBroker(maxMessageBytes: number, log: { sequenceGaps: string[] }) {
  const nextSeq = new Map<string, number>();
  return (p: FakeProduce): FakeProduceAnswer => {
    const partitions: Record<string, { errorCode: number }> = {};
    for (const t of p.request.topicData)
      for (const d of t.partitionData) {
        const tp = `${t.name}-${d.index}`;
        if (d.records.length > maxMessageBytes) {
          partitions[tp] = { errorCode: Errors.MESSAGE_TOO_LARGE.code };
          continue;
        }
        const [b] = decodeRecordBatches(d.records);
        if (b!.header.producerId >= 0) {
          const expected = nextSeq.get(`${tp}/${b!.header.producerEpoch}`) ?? 0;
          if (b!.header.baseSequence !== expected)
            log.sequenceGaps.push(`${tp}: got ${b!.header.baseSequence}, expected ${expected}`);
          nextSeq.set(`${tp}/${b!.header.producerEpoch}`, b!.header.baseSequence + b!.records.length);
        }
      }
    return { kind: "answer", partitions };
  };
}

async function splitScenario(
  producerOptions: ProducerOptions,
  body: (producer: Producer, ctx: ClientContext) => Promise<void>,
  maxMessageBytes = 700,
): Promise<{ broker: FakeBroker; rec: HistoryRecorder; producer: Producer; sequenceGaps: string[] }> {
  const gaps = { sequenceGaps: [] as string[] };
  const onProduce = sizeLimitedBroker(maxMessageBytes, gaps);
  const run = await fakeBrokerScenario({ seed: 3, onProduce, producerOptions, body });
  return { ...run, sequenceGaps: gaps.sequenceGaps };
}

/** `count` single-message sends to partition 0, all started before any answer; returns outcomes. */
async function burst(producer: Producer, values: readonly string[]): Promise<string[]> {
  const outcomes = await Promise.all(
    values.map((value) =>
      producer.send({ topic: "orders", messages: [{ value, partition: 0 }] }).then(
        (m) => `ok@${m[0]!.offset}`,
        (e: unknown) => (e instanceof KafkaError ? e.type : String(e)),
      ),
    ),
  );
  return outcomes;
}

describe("Producer: MESSAGE_TOO_LARGE splits the batch and resends", () => {
  for (const [name, options] of [
    ["idempotent", {}],
    ["idempotent, retries=1", { retries: 1 }],
    ["not idempotent, 1 in flight", { enableIdempotence: false, maxInFlightRequestsPerConnection: 1 }],
  ] as const) {
    it(`${name}: every record lands once, in order, in batches the broker accepts`, async () => {
      const values = Array.from({ length: 80 }, (_, i) => `m${String(i).padStart(3, "0")}`.padEnd(40, "~"));
      const s = await splitScenario({ lingerMs: 50, ...options }, async (producer) => {
        await producer.send({ topic: "orders", messages: [{ value: "warm-up", partition: 1 }] });
        const outcomes = await burst(producer, values);
        expect(outcomes).toEqual(values.map((_, i) => `ok@${i}`));
      });
      expect(s.broker.logs.get("orders-0")).toEqual(values);
      expect(s.producer.sender.stats.batchSplits).toBeGreaterThan(0);
      expect(s.producer.sender.stats.retries).toBe(0); // a split is not a retry
      expect(s.sequenceGaps).toEqual([]);
      // The refused request carried the whole burst; every accepted piece is within the limit.
      const refused = s.broker.produced.filter((p) => p.values.get("orders-0")?.length === values.length);
      expect(refused.length).toBeGreaterThan(0);
      expect(s.rec.history().filter((o) => o.type === "send" && o.outcome !== "ok")).toEqual([]);
      expect(s.producer.accumulator.pool.availableBytes).toBe(s.producer.config.bufferMemory);
    });
  }

  it("not idempotent, 5 in flight: every record lands once, but pieces may overtake each other (as in Kafka)", async () => {
    const values = Array.from({ length: 80 }, (_, i) => `m${String(i).padStart(3, "0")}`.padEnd(40, "~"));
    const s = await splitScenario({ lingerMs: 50, enableIdempotence: false }, async (producer) => {
      await producer.send({ topic: "orders", messages: [{ value: "warm-up", partition: 1 }] });
      const outcomes = await burst(producer, values);
      expect(outcomes.every((o) => o.startsWith("ok@"))).toBe(true);
    });
    const log = s.broker.logs.get("orders-0")!;
    expect([...log].sort()).toEqual(values);
    // Two pieces refused in the same window are split one after the other, each to the front of
    // the queue: the later one's pieces go first. Only idempotence or one request in flight
    // keeps the order (ProducerConfig docs on max.in.flight.requests.per.connection).
    expect(log).not.toEqual(values);
  });

  it("fails one record too large with MESSAGE_TOO_LARGE (history: fail); the records after it land", async () => {
    const before = Array.from({ length: 10 }, (_, i) => `before-${i}`);
    const after = Array.from({ length: 10 }, (_, i) => `after-${i}`);
    const s = await splitScenario({ lingerMs: 0, maxInFlightRequestsPerConnection: 1 }, async (producer) => {
      await producer.send({ topic: "orders", messages: [{ value: "warm-up", partition: 1 }] });
      expect(await burst(producer, before)).toEqual(before.map((_, i) => `ok@${i}`));
      const err = await producer
        .send({ topic: "orders", messages: [{ value: "H".repeat(900), partition: 0 }] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KafkaError);
      expect((err as KafkaError).type).toBe("MESSAGE_TOO_LARGE");
      expect(await burst(producer, after)).toEqual(after.map((_, i) => `ok@${10 + i}`));
    });
    expect(s.broker.logs.get("orders-0")).toEqual([...before, ...after]);
    const failed = s.rec.history().filter((o) => o.type === "send" && o.outcome !== "ok");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ outcome: "fail" });
    expect(s.producer.sender.stats.batchSplits).toBe(0);
    // The idempotent producer bumped its epoch for the partition (Kafka: the sequence was used).
    expect(s.producer.producerIdAndEpoch.producerEpoch).toBe(1);
    expect(s.sequenceGaps).toEqual([]);
  });

  it("a split batch holding the oversized record: its neighbours land, it alone fails", async () => {
    const values = ["a-0", "a-1", "a-2", "H".repeat(900), "b-0", "b-1"];
    const s = await splitScenario(
      { lingerMs: 20, enableIdempotence: false, maxInFlightRequestsPerConnection: 1 },
      async (producer) => {
        await producer.send({ topic: "orders", messages: [{ value: "warm-up", partition: 1 }] });
        const outcomes = await burst(producer, values);
        expect(outcomes).toEqual(["ok@0", "ok@1", "ok@2", "MESSAGE_TOO_LARGE", "ok@3", "ok@4"]);
      },
    );
    expect(s.broker.logs.get("orders-0")).toEqual(["a-0", "a-1", "a-2", "b-0", "b-1"]);
    expect(s.producer.sender.stats.batchSplits).toBeGreaterThan(0);
  });

  it("one multi-message send over several pieces resolves with every offset, in call order", async () => {
    const messages = Array.from({ length: 50 }, (_, i) => ({
      value: `call-${i}`.padEnd(30, "*"),
      partition: 0,
    }));
    const s = await splitScenario({ lingerMs: 5 }, async (producer) => {
      const meta = await producer.send({ topic: "orders", messages });
      expect(meta[0]!.offsets).toEqual(messages.map((_, i) => i));
    });
    expect(s.broker.logs.get("orders-0")).toEqual(messages.map((m) => m.value));
    expect(s.producer.sender.stats.batchSplits).toBeGreaterThan(0);
  });
});
