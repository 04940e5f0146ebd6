/**
 * Test helpers for the producer: an instrumentation adapter that records sends into a
 * HistoryRecorder, a small workload that keeps a window of concurrent sends in flight, and a
 * scripted fake broker (a NodeProcess) for unit tests that need exact control over answers.
 */
import { HistoryRecorder, type OpHandle } from "../src/check";
import { Kafka, type ClientInstrumentation, type Producer, type ProducerOptions } from "../src/client";
import { World } from "../src/sim/world";
import type { ClientContext, NodeContext, NodeId, NodeProcess } from "../src/sim/process";
import {
  Errors,
  decodeRecordBatches,
  type InitProducerIdResponse,
  type MetadataResponse,
  type ProducePartitionResponse,
  type ProduceRequest,
  type ProduceResponse,
  type RequestEnvelope,
  type ResponseEnvelope,
} from "../src/protocol";

/** Record every send of a client in `rec` (what a lab's scenario does). */
export function recordSends(rec: HistoryRecorder): ClientInstrumentation {
  return {
    onSendInvoke: (clientId, records) =>
      rec.invoke("send", clientId, {
        messages: records.map((r) => ({ topic: r.topic, key: r.key, value: r.value })),
      }),
    onSendComplete: (token, outcome) => {
      const h = token as OpHandle<"send">;
      if (outcome.outcome === "ok")
        rec.ok(h, {
          positions: outcome.positions.map((p) => ({ partition: p.partition, offset: p.offset })),
        });
      else if (outcome.outcome === "fail") rec.fail(h, outcome.error);
      else rec.info(h, outcome.error);
    },
  };
}

/**
 * Send `count` single-message sends with unique values, keeping up to `window` in flight
 * (fire-and-forget, as an application does), then wait for all of them. Returns the errors.
 */
export async function sendWindowed(
  ctx: ClientContext,
  producer: Producer,
  o: {
    topic: string;
    count: number;
    window: number;
    prefix: string;
    keys?: number;
    thinkMs?: number;
    stopAtMs?: number;
  },
): Promise<{ ok: number; failed: string[] }> {
  let inFlight = 0;
  let ok = 0;
  const failed: string[] = [];
  const all: Promise<void>[] = [];
  for (let i = 0; i < o.count; i++) {
    if (o.stopAtMs !== undefined && ctx.now() >= o.stopAtMs) break;
    while (inFlight >= o.window) await ctx.sleep(1);
    inFlight++;
    const key = o.keys === undefined ? null : `k${i % o.keys}`;
    all.push(
      producer
        .send({ topic: o.topic, messages: [{ key, value: `${o.prefix}-${i}` }] })
        .then(
          () => {
            ok++;
          },
          (e: unknown) => {
            failed.push(String(e));
          },
        )
        .finally(() => {
          inFlight--;
        }),
    );
    if (o.thinkMs !== undefined) await ctx.sleep(o.thinkMs);
  }
  await Promise.all(all);
  return { ok, failed };
}

// ---- a scripted fake broker ---------------------------------------------------------------------

export interface FakeProduce {
  from: NodeId;
  request: ProduceRequest;
  /** Values of each batch, per "topic-partition". */
  values: Map<string, string[]>;
  producerIds: number[];
  sequences: number[];
}

/** What the fake does with a Produce: answer per partition, or drop the request (no answer). */
export type FakeProduceAnswer =
  { kind: "answer"; partitions?: Record<string, Partial<ProducePartitionResponse>> } | { kind: "drop" };

/**
 * A broker that serves Metadata for fixed topics (itself as every leader, or `leaders`),
 * InitProducerId, and Produce answered by `onProduce` — by default it appends to an in-memory
 * log per partition, so offsets are real, and answers NONE.
 */
export class FakeBroker implements NodeProcess {
  ctx!: NodeContext;
  readonly produced: FakeProduce[] = [];
  /** In-memory log per "topic-partition": values in offset order. */
  readonly logs = new Map<string, string[]>();
  private nextProducerId = 1000;

  constructor(
    readonly brokerId: number,
    readonly options: {
      topics: Record<string, number>;
      /** Leader node of a partition (default: this broker). */
      leader?: (topic: string, partition: number) => { id: number; node: NodeId };
      brokers?: { nodeId: number; host: NodeId }[];
      onProduce?: (p: FakeProduce, broker: FakeBroker) => FakeProduceAnswer;
    },
  ) {}

  start(ctx: NodeContext): void {
    this.ctx = ctx;
  }

  onTimer(): void {}

  /** Append values to the in-memory log, returning the base offset. */
  append(tp: string, values: string[]): number {
    let log = this.logs.get(tp);
    if (log === undefined) this.logs.set(tp, (log = []));
    const base = log.length;
    log.push(...values);
    return base;
  }

  onMessage(from: NodeId, message: unknown): void {
    const req = message as RequestEnvelope;
    if (req.kind !== "request") return;
    const reply = (body: unknown): void => {
      const res: ResponseEnvelope = {
        kind: "response",
        api: req.api,
        correlationId: req.correlationId,
        body,
      };
      this.ctx.send(from, res);
    };
    if (req.api === "Metadata") {
      const brokers = this.options.brokers ?? [{ nodeId: this.brokerId, host: this.ctx.nodeId }];
      const body: MetadataResponse = {
        brokers: brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: 9092 })),
        clusterId: "fake",
        controllerId: this.brokerId,
        topics: Object.entries(this.options.topics).map(([name, n]) => ({
          errorCode: 0,
          name,
          isInternal: false,
          partitions: Array.from({ length: n }, (_, p) => {
            const leader = this.options.leader?.(name, p) ?? { id: this.brokerId, node: this.ctx.nodeId };
            return {
              errorCode: 0,
              partitionIndex: p,
              leaderId: leader.id,
              leaderEpoch: 0,
              replicaNodes: [leader.id],
              isrNodes: [leader.id],
              offlineReplicas: [],
            };
          }),
        })),
      };
      reply(body);
    } else if (req.api === "InitProducerId") {
      const body: InitProducerIdResponse = {
        errorCode: 0,
        producerId: this.nextProducerId++,
        producerEpoch: 0,
      };
      reply(body);
    } else if (req.api === "Produce") {
      const pr = req.body as ProduceRequest;
      const values = new Map<string, string[]>();
      const producerIds: number[] = [];
      const sequences: number[] = [];
      for (const t of pr.topicData)
        for (const p of t.partitionData) {
          const batches = decodeRecordBatches(p.records);
          values.set(
            `${t.name}-${p.index}`,
            batches.flatMap((b) => b.records.map((r) => new TextDecoder().decode(r.value!))),
          );
          for (const b of batches) {
            producerIds.push(b.header.producerId);
            sequences.push(b.header.baseSequence);
          }
        }
      const fp: FakeProduce = { from, request: pr, values, producerIds, sequences };
      this.produced.push(fp);
      const answer = this.options.onProduce?.(fp, this) ?? { kind: "answer" };
      if (answer.kind === "drop" || pr.acks === 0) {
        if (pr.acks === 0) for (const [tp, v] of values) this.append(tp, v);
        return;
      }
      const body: ProduceResponse = {
        throttleTimeMs: 0,
        responses: pr.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) => {
            const tp = `${t.name}-${p.index}`;
            const override = answer.partitions?.[tp];
            const errorCode = override?.errorCode ?? Errors.NONE.code;
            const baseOffset =
              errorCode === 0 ? (override?.baseOffset ?? this.append(tp, values.get(tp)!)) : -1;
            return {
              index: p.index,
              errorCode,
              baseOffset,
              logAppendTimeMs: -1,
              logStartOffset: 0,
              errorMessage: null,
              ...override,
              ...(errorCode === 0 ? { baseOffset } : {}),
            };
          }),
        })),
      };
      reply(body);
    }
  }
}

/**
 * One producer ("app", lab-like timeouts plus `producerOptions`) against one FakeBroker answering
 * Produce with `onProduce`, running `body`; every send is recorded. Throws if the app task failed.
 */
export async function fakeBrokerScenario(options: {
  seed: number;
  onProduce: (p: FakeProduce, b: FakeBroker) => FakeProduceAnswer;
  producerOptions: ProducerOptions;
  body: (producer: Producer, ctx: ClientContext) => Promise<void>;
}): Promise<{ broker: FakeBroker; rec: HistoryRecorder; producer: Producer }> {
  const world = new World({ seed: options.seed });
  const broker = new FakeBroker(1, { topics: { orders: 2 }, onProduce: options.onProduce });
  world.addNode("broker-1", () => broker);
  const rec = new HistoryRecorder(() => world.now());
  let producer: Producer | undefined;
  world.spawn("app", async (ctx) => {
    producer = new Kafka(ctx, {
      clientId: "app",
      bootstrapServers: ["broker-1"],
      instrumentation: recordSends(rec),
    }).producer({
      requestTimeoutMs: 1000,
      deliveryTimeoutMs: 20_000,
      retryBackoffMs: 10,
      ...options.producerOptions,
    });
    await producer.connect();
    await options.body(producer, ctx);
  });
  await world.runUntilTasksDone({ limitMs: 120_000 });
  const failed = world.tasks().find((t) => t.state === "failed");
  if (failed) throw failed.error;
  return { broker, rec, producer: producer! };
}
