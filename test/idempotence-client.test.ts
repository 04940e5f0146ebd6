/**
 * The idempotent producer's client side against a scripted fake broker: producer id from
 * InitProducerId, sequences per partition, a retry keeps its sequence and goes in sequence
 * order, OUT_OF_ORDER_SEQUENCE_NUMBER handled as the Java client does (wait for an earlier
 * retry, or bump the epoch and restart at 0 for a real gap), DUPLICATE_SEQUENCE_NUMBER taken as
 * success without an offset. And the same lost answer without idempotence: a duplicate and a
 * reordering, as in Kafka.
 */
import { describe, expect, it } from "vitest";
import { HistoryRecorder } from "../src/check";
import type { Producer, ProducerOptions } from "../src/client";
import { Errors } from "../src/protocol";
import type { ClientContext } from "../src/sim/process";
import {
  fakeBrokerScenario,
  type FakeBroker,
  type FakeProduce,
  type FakeProduceAnswer,
} from "./producer-helpers";

function scenario(
  onProduce: (p: FakeProduce, b: FakeBroker) => FakeProduceAnswer,
  producerOptions: ProducerOptions,
  body: (producer: Producer, ctx: ClientContext) => Promise<void>,
): Promise<{ broker: FakeBroker; rec: HistoryRecorder; producer: Producer }> {
  return fakeBrokerScenario({ seed: 11, onProduce, producerOptions, body });
}

/**
 * One message per send, 1 ms apart without waiting for answers (so each is its own batch and
 * request, pipelined), then wait for all; returns the errors.
 */
async function fire(
  producer: Producer,
  ctx: ClientContext,
  values: string[],
  partition = 0,
): Promise<unknown[]> {
  await producer.send({ topic: "orders", messages: [{ value: "warm-up", partition: 1 - partition }] }); // metadata
  const sends: Promise<unknown>[] = [];
  for (const value of values) {
    sends.push(producer.send({ topic: "orders", messages: [{ value, partition }] }));
    await ctx.sleep(1);
  }
  const out = await Promise.allSettled(sends);
  return out.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason);
}

/** (producerId, epoch, baseSequence, values) of every Produce the broker got for orders-0. */
function attempts(b: FakeBroker): { pid: number; seq: number; values: string[] }[] {
  return b.produced
    .filter((p) => p.values.has("orders-0"))
    .map((p) => ({ pid: p.producerIds[0]!, seq: p.sequences[0]!, values: p.values.get("orders-0")! }));
}

describe("idempotent producer (client side)", () => {
  it("gets a producer id and numbers each partition's batches from 0", async () => {
    const { broker, producer } = await scenario(
      () => ({ kind: "answer" }),
      { lingerMs: 0, batchSize: 1 },
      async (p) => {
        await p.send({ topic: "orders", messages: [{ value: "a", partition: 0 }] });
        await p.send({ topic: "orders", messages: [{ value: "b", partition: 1 }] });
        await p.send({
          topic: "orders",
          messages: [
            { value: "c", partition: 0 },
            { value: "d", partition: 0 },
          ],
        });
        await p.send({ topic: "orders", messages: [{ value: "e", partition: 0 }] });
      },
    );
    expect(producer.producerIdAndEpoch).toEqual({ producerId: 1000, producerEpoch: 0 });
    const seqs = broker.produced.flatMap((r) =>
      [...r.values.keys()].map((tp, i) => `${tp}:${r.sequences[i]}`),
    );
    // "c" and "d" form one batch (sequences 1-2), so "e" is sequence 3.
    expect(seqs.filter((s) => s.startsWith("orders-0"))).toEqual(["orders-0:0", "orders-0:1", "orders-0:3"]);
    expect(seqs.filter((s) => s.startsWith("orders-1"))).toEqual(["orders-1:0"]);
    expect(new Set(broker.produced.flatMap((r) => r.producerIds))).toEqual(new Set([1000]));
  });

  it("resends a batch whose answer was lost with the same sequence, in sequence order", async () => {
    let dropped = false;
    const { broker } = await scenario(
      (p, b) => {
        if (!p.values.has("orders-0")) return { kind: "answer" };
        if (!dropped && p.sequences[0] === 0) {
          dropped = true;
          b.append("orders-0", p.values.get("orders-0")!); // written, but the answer is lost
          return { kind: "drop" };
        }
        return { kind: "answer" };
      },
      { lingerMs: 0, batchSize: 1 },
      async (p, ctx) => {
        expect(await fire(p, ctx, ["v0", "v1", "v2"])).toEqual([]);
      },
    );
    const a = attempts(broker);
    // v0, v1, v2 sent pipelined; v0's answer lost → the connection closes at the timeout, all
    // three are resent in sequence order with their sequences unchanged.
    expect(a.map((x) => x.seq)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(a.slice(3).map((x) => x.values[0])).toEqual(["v0", "v1", "v2"]);
  });

  it("retries OUT_OF_ORDER_SEQUENCE_NUMBER without an epoch bump while an earlier batch is pending", async () => {
    let firstDropped = false;
    const { broker, producer } = await scenario(
      (p, b) => {
        if (p.sequences[0] === 0 && !firstDropped) {
          firstDropped = true;
          return { kind: "drop" }; // the request was lost: nothing written
        }
        const log = b.logs.get("orders-0") ?? [];
        // The broker only takes the next sequence (its log length is the next expected).
        if (p.sequences[0] !== log.length)
          return {
            kind: "answer",
            partitions: { "orders-0": { errorCode: Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code } },
          };
        return { kind: "answer" };
      },
      { lingerMs: 0, batchSize: 1 },
      async (p, ctx) => {
        expect(await fire(p, ctx, ["v0", "v1"])).toEqual([]);
      },
    );
    expect(broker.logs.get("orders-0")).toEqual(["v0", "v1"]);
    expect(producer.producerIdAndEpoch.producerEpoch).toBe(0);
  });

  it("bumps the epoch and restarts at sequence 0 when the broker reports a real gap", async () => {
    let lostState = false;
    const seen: string[] = [];
    const { broker, producer } = await scenario(
      (p, b) => {
        const bytes = b.produced[b.produced.length - 1]!;
        seen.push(`${bytes.sequences[0]}`);
        // After v0 and v1 were acknowledged, the broker "forgets" them (e.g. an unclean leader
        // election lost acknowledged data): the next batch (sequence 2) is a gap.
        if (p.sequences[0] === 2 && !lostState) {
          lostState = true;
          return {
            kind: "answer",
            partitions: { "orders-0": { errorCode: Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code } },
          };
        }
        return { kind: "answer" };
      },
      { lingerMs: 0, batchSize: 1 },
      async (p) => {
        await p.send({ topic: "orders", messages: [{ value: "v0", partition: 0 }] });
        await p.send({ topic: "orders", messages: [{ value: "v1", partition: 0 }] });
        await p.send({ topic: "orders", messages: [{ value: "v2", partition: 0 }] });
        await p.send({ topic: "orders", messages: [{ value: "v3", partition: 0 }] });
      },
    );
    expect(seen).toEqual(["0", "1", "2", "0", "1"]); // v2 refused at 2, resent as epoch 1 seq 0; v3 is seq 1
    expect(producer.producerIdAndEpoch).toEqual({ producerId: 1000, producerEpoch: 1 });
    const last = broker.produced[broker.produced.length - 1]!;
    expect(last.values.get("orders-0")).toEqual(["v3"]);
  });

  it("takes DUPLICATE_SEQUENCE_NUMBER as success without an offset (history: info)", async () => {
    const { rec } = await scenario(
      () => ({
        kind: "answer",
        partitions: { "orders-0": { errorCode: Errors.DUPLICATE_SEQUENCE_NUMBER.code } },
      }),
      { lingerMs: 0 },
      async (p) => {
        const [m] = await p.send({ topic: "orders", messages: [{ value: "v0", partition: 0 }] });
        expect(m!.offset).toBe(-1);
      },
    );
    expect(rec.history().find((o) => o.type === "send")).toMatchObject({ outcome: "info" });
  });

  it("refuses a per-send acks other than all", async () => {
    await scenario(
      () => ({ kind: "answer" }),
      {},
      async (p) => {
        await expect(p.send({ topic: "orders", acks: 1, messages: [{ value: "x" }] })).rejects.toThrow(
          /requires acks=all/,
        );
      },
    );
  });
});

describe("without idempotence, a lost answer duplicates and reorders (as in Kafka)", () => {
  it("writes the batches of a broken connection twice and the retries land in reverse order", async () => {
    let dropped = false;
    const { broker, rec } = await scenario(
      (p, b) => {
        if (!p.values.has("orders-0") || dropped) return { kind: "answer" }; // answer = append
        dropped = true;
        b.append("orders-0", p.values.get("orders-0")!);
        return { kind: "drop" }; // written, answer lost: the connection breaks
      },
      { enableIdempotence: false, lingerMs: 0, batchSize: 1, maxInFlightRequestsPerConnection: 5 },
      async (p, ctx) => {
        expect(await fire(p, ctx, ["v0", "v1", "v2"])).toEqual([]);
      },
    );
    // First attempts: v0 v1 v2 (all written; v0's answer lost, so v1's and v2's are lost with
    // the connection). Retries go back to the front of the queue one by one: v2, v1, v0.
    expect(broker.logs.get("orders-0")).toEqual(["v0", "v1", "v2", "v2", "v1", "v0"]);
    const positions = rec
      .history()
      .filter((o) => o.type === "send")
      .map((o) => (o as { positions?: { offset: number }[] }).positions?.[0]?.offset);
    expect(positions.slice(1)).toEqual([5, 4, 3]); // after the warm-up: later sends landed earlier
  });
});
