/**
 * Lab 04's scenario: an order pipeline on a simulated 3-broker cluster, with the learner's
 * producer settings on the order service and the learner's worker pool in the fulfilment
 * consumer.
 *
 * - The cluster: 3 brokers and 3 controller-only nodes (a crashed broker does not take the
 *   controller quorum with it); topic `orders` with 3 partitions, RF 3, min.insync.replicas=2;
 *   every broker runs a group coordinator (the consumer commits its offsets to group
 *   `fulfilment`).
 * - The order service places about 20 orders a second for 24 s. Each order has three events,
 *   keyed by the order id, sent as they happen 5–60 ms apart: created → paid → shipped. It
 *   never waits for an acknowledgement before the next send, so a leader has several Produce
 *   requests in flight from it.
 * - The fulfilment consumer (one process, assigned every partition, auto-commit off) polls and
 *   hands each record to the learner's pool; every 500 ms it commits `pool.committable()`. The
 *   handler takes 20–60 ms per event (rng "fulfilment-handler") and records the effect in the
 *   ledger; the pool may run 4 workers.
 * - Faults, all before faultsUntilMs: 4% of the brokers' answers to the order service are lost
 *   in two windows (the producer's request times out after 1 s and it resends); partition
 *   leaders crash (nemesis "crash-leader", back after 2–3.5 s); the consumer is killed once,
 *   right after a successful offset commit, and restarts 1 s later from the committed offsets
 *   with a fresh pool.
 * - The run ends when every acknowledged event has been handled, or at the deadline.
 *
 * Judged by the history checker: effect-reordered (a key's effects applied out of offset
 * order), nonmonotonic-send (a later send of the producer stored at a lower offset), effect-lost
 * and lost-write are forbidden; duplicates (a non-idempotent resend) are reported but allowed.
 * Liveness: at least 40 events handled per simulated second while orders flow (one worker
 * manages 25), and every event the service sent acknowledged.
 */
import { analyzeHistory, buildVerdict, checkLiveness, fmtMs, type LivenessResult } from "../../src/check";
import {
  Kafka,
  type ClientInstrumentation,
  type Producer,
  type ProducerConfig,
  type ResolvedProducerConfig,
} from "../../src/client";
import { installNemesis, type ClientContext } from "../../src/sim";
import {
  errorText,
  labRecorders,
  labWorld,
  learnerProducerConfig,
  startLabCluster,
  type ClientScenarioOptions,
  type ClientScenarioResult,
  type LearnerConfig,
} from "../_lib";
import {
  BoundedQueue,
  ORDER_EVENT_KINDS,
  type CommitPosition,
  type OrderEvent,
  type OrderEventKind,
  type PoolServices,
  type WorkerPool,
} from "./pool";
import {
  LAB04_FORBIDDEN,
  LAB_PRODUCER_TIMINGS,
  LIVENESS,
  PRODUCER_KEYS,
  SCENARIO,
  type OrderingImpl,
} from "./spec";
import { describeOrdering, type ConsumerCrash, type RunFacts } from "./story";

/** Trace kinds the lab records (cat "app"); the timeline shows them. */
export const LAB_EVENT_KINDS: ReadonlySet<string> = new Set([
  "orders-start",
  "orders-stop",
  "answers-lost",
  "answers-restored",
  "consumer-crash",
  "consumer-restart",
  "pool-error",
]);

/** The learner's settings merged with the lab's, or why they cannot run. */
export function producerSettings(
  config: ProducerConfig,
): LearnerConfig<ProducerConfig, ResolvedProducerConfig> {
  return learnerProducerConfig(config, {
    file: "exercise/producer-config.ts",
    exportName: "orderProducerConfig",
    allowedKeys: PRODUCER_KEYS,
    fixed: LAB_PRODUCER_TIMINGS,
    fixedNote: "it fixes the timings itself",
  });
}

function within(rng: { next(): number }, r: { min: number; max: number }): number {
  return r.min + rng.next() * (r.max - r.min);
}

export async function runOrderingScenario(
  impl: OrderingImpl,
  options: ClientScenarioOptions,
): Promise<ClientScenarioResult> {
  const { seed } = options;
  const S = SCENARIO;
  const settings = producerSettings(impl.producerConfig);
  if ("error" in settings) throw new Error(settings.error);
  if (typeof impl.createWorkerPool !== "function")
    throw new Error("exercise/worker-pool.ts must export a function createWorkerPool(services)");

  const world = labWorld(options);
  const cluster = await startLabCluster(world, {
    brokers: S.brokers,
    brokerConfig: { log: { minInsyncReplicas: S.minInsyncReplicas } },
    topic: { name: S.topic, partitions: S.partitions, replicationFactor: S.replicationFactor },
  });
  const t0 = world.now();
  const at = (ms: number): number => t0 + ms;

  // ---- history, ledger ------------------------------------------------------------------------
  const { rec, ledger, history } = labRecorders(world);
  const committed = new Map<number, number>();
  let onCommitted: (() => void) | undefined;
  const hooks: ClientInstrumentation = {
    ...history.hooks,
    onCommit(clientId, offsets) {
      history.hooks.onCommit!(clientId, offsets);
      for (const o of offsets) committed.set(o.partition, o.offset);
      onCommitted?.();
    },
  };

  // Progress: the run ends once the order service is done and every acknowledged event is handled.
  const acked = new Set<string>();
  const applied = new Set<string>();
  let missing = 0;
  const noteAcked = (value: string): void => {
    if (acked.has(value)) return;
    acked.add(value);
    if (!applied.has(value)) missing++;
  };
  const noteApplied = (value: string): boolean => {
    if (applied.has(value)) return false;
    applied.add(value);
    if (acked.has(value)) missing--;
    return true;
  };

  // ---- the order service ------------------------------------------------------------------------
  const facts: RunFacts = {
    t0,
    ordersPlaced: 0,
    eventsSent: 0,
    sendFailures: [],
    sendFailureCount: 0,
    sentAtMs: new Map(),
    consumerCrash: undefined,
    poolErrors: [],
    handled: 0,
    redelivered: 0,
    busyMs: 0,
    producerStats: undefined,
    leaderCrashes: [],
  };
  let pendingSends = 0;
  let serviceDone = false;
  const orderRng = world.rng("orders");
  world.spawn(S.orderService, async (ctx) => {
    const kafka = new Kafka(ctx, {
      clientId: S.orderService,
      bootstrapServers: [...cluster.brokerNodes],
      instrumentation: hooks,
    });
    const producer: Producer = kafka.producer(settings.config);
    await producer.connect();
    const send = (orderId: string, kind: OrderEventKind): void => {
      const value = `${orderId}:${kind}`;
      facts.eventsSent++;
      facts.sentAtMs.set(value, ctx.now());
      pendingSends++;
      producer.send({ topic: S.topic, messages: [{ key: orderId, value }] }).then(
        () => {
          pendingSends--;
          noteAcked(value);
        },
        (e: unknown) => {
          pendingSends--;
          facts.sendFailureCount++;
          if (facts.sendFailures.length < 5)
            facts.sendFailures.push(`${value} at t=${fmtMs(ctx.now() - t0)}: ${errorText(e)}`);
        },
      );
    };
    world.trace.record("app", "orders-start", S.orderService, { rate: "about 20 orders/s, 3 events each" });
    for (let i = 1; ctx.now() < at(S.ordersUntilMs); i++) {
      const orderId = `order-${String(i).padStart(4, "0")}`;
      facts.ordersPlaced++;
      send(orderId, "created");
      const paidAfter = within(orderRng, S.stepGapMs);
      const shippedAfter = paidAfter + within(orderRng, S.stepGapMs);
      ctx.setTimer(paidAfter, () => send(orderId, "paid"));
      ctx.setTimer(shippedAfter, () => send(orderId, "shipped"));
      await ctx.sleep(within(orderRng, S.orderGapMs));
    }
    await ctx.sleep(2 * S.stepGapMs.max);
    world.trace.record("app", "orders-stop", S.orderService, { orders: facts.ordersPlaced });
    while (pendingSends > 0) await ctx.sleep(50);
    facts.producerStats = { ...producer.sender.stats };
    serviceDone = true;
  });

  // ---- the fulfilment consumer --------------------------------------------------------------------
  const handlerRng = world.rng("fulfilment-handler");
  let incarnation = 0;
  let currentProcess = "";
  let currentPool: { pool: WorkerPool; inHand: Set<string> } | undefined;
  const servicesFor = (ctx: ClientContext, proc: string, inHand: Set<string>): PoolServices => {
    let started = 0;
    return {
      workers: S.workers,
      async handle(event) {
        if (event === null || typeof event !== "object" || typeof event.value !== "string")
          throw new Error("services.handle needs an OrderEvent (as submit received it)");
        inHand.add(event.value);
        const took = within(handlerRng, S.handleMs);
        await ctx.sleep(took);
        facts.busyMs += took;
        inHand.delete(event.value);
        ledger.apply({
          value: event.value,
          key: event.orderId,
          topicPartition: `${event.topic}-${event.partition}`,
          offset: event.offset,
          consumer: proc,
        });
        facts.handled++;
        if (!noteApplied(event.value)) facts.redelivered++;
      },
      startWorker(name, task) {
        if (started >= S.workers)
          throw new Error(
            `Cannot start worker "${name}": the pool may run at most ${S.workers} workers (services.workers)`,
          );
        started++;
        ctx.spawn(name, async () => {
          try {
            await task();
          } catch (e) {
            poolError(`worker ${name} stopped: ${errorText(e)}`);
          }
        });
      },
      queue: <T>(capacity: number) => new BoundedQueue<T>(capacity),
    };
  };
  const poolError = (message: string): void => {
    if (facts.poolErrors.length < 5) facts.poolErrors.push(`t=${fmtMs(world.now() - t0)}: ${message}`);
    world.trace.record("app", "pool-error", currentProcess, { error: message });
  };
  const startConsumer = (): void => {
    incarnation++;
    const proc = incarnation === 1 ? S.consumer : `${S.consumer}.${incarnation}`;
    currentProcess = proc;
    world.spawn(proc, async (ctx) => {
      const kafka = new Kafka(ctx, {
        clientId: S.consumer,
        bootstrapServers: [...cluster.brokerNodes],
        instrumentation: hooks,
      });
      const consumer = kafka.consumer({
        groupId: S.group,
        enableAutoCommit: false,
        autoOffsetReset: "earliest",
        maxPollRecords: S.maxPollRecords,
        requestTimeoutMs: 3000,
      });
      await consumer.connect();
      const inHand = new Set<string>();
      const pool = impl.createWorkerPool(servicesFor(ctx, proc, inHand));
      if (pool === null || typeof pool !== "object" || typeof pool.submit !== "function")
        throw new Error("createWorkerPool must return { submit(event), committable() }");
      currentPool = { pool, inHand };
      consumer.assign(Array.from({ length: S.partitions }, (_, p) => ({ topic: S.topic, partition: p })));
      let nextCommitMs = ctx.now() + S.commitIntervalMs;
      const lastCommitted = new Map<number, number>();
      for (;;) {
        const records = await consumer.poll({ timeoutMs: 100 });
        for (const r of records) {
          const [orderId, kind] = (r.value ?? "").split(":");
          if (orderId !== r.key || !(ORDER_EVENT_KINDS as readonly string[]).includes(kind ?? ""))
            throw new Error(`Unexpected record at ${r.topic}-${r.partition}@${r.offset}: ${r.value}`);
          const event: OrderEvent = {
            topic: r.topic,
            partition: r.partition,
            offset: r.offset,
            orderId,
            kind: kind as OrderEventKind,
            value: r.value!,
          };
          await pool.submit(event);
        }
        if (ctx.now() < nextCommitMs) continue;
        nextCommitMs = ctx.now() + S.commitIntervalMs;
        const positions = validCommit(pool.committable(), poolError);
        const changed = positions.filter((p) => lastCommitted.get(p.partition) !== p.offset);
        if (changed.length === 0) continue;
        try {
          await consumer.commitSync(changed);
          for (const p of changed) lastCommitted.set(p.partition, p.offset);
        } catch (e) {
          ctx.trace("commit-failed", { error: errorText(e) });
        }
      }
    });
  };
  startConsumer();

  // ---- faults -----------------------------------------------------------------------------------
  for (const w of S.lossWindows) {
    world.at(at(w.fromMs), "answers-lost", () => {
      for (const b of cluster.brokerNodes)
        world.network.setLink(b, S.orderService, { lossProbability: S.responseLoss });
      world.trace.record("app", "answers-lost", "network", {
        share: `${S.responseLoss * 100}%`,
        of: `answers from ${cluster.brokerNodes.join(", ")} to ${S.orderService}`,
      });
    });
    world.at(at(w.untilMs), "answers-restored", () => {
      for (const b of cluster.brokerNodes) world.network.setLink(b, S.orderService, { lossProbability: 0 });
      world.trace.record("app", "answers-restored", "network", {});
    });
  }
  const leaderPick = world.rng("leader-pick");
  const picks: { atMs: number; partition: number; node: string | undefined }[] = [];
  installNemesis(world, {
    startMs: at(S.leaderCrashFromMs),
    faultPhaseEndMs: at(S.faultsUntilMs),
    meanIntervalMs: S.leaderCrashMeanGapMs,
    durationMs: S.leaderDownMs,
    mix: { "crash-leader": 1 },
    leader: () => {
      const partition = leaderPick.int(S.partitions);
      const node = cluster.leaderOf(S.topic, partition);
      picks.push({ atMs: world.now(), partition, node });
      return node ?? cluster.anyLeader();
    },
    nodes: cluster.brokerNodes,
    maxNodesDown: 1,
  });

  // The consumer is killed right after its first successful commit once armed.
  const crashRng = world.rng("consumer-crash");
  world.at(at(within(crashRng, S.consumerCrashArmMs)), "arm consumer crash", () => {
    onCommitted = () => {
      onCommitted = undefined;
      world.after(0, "crash fulfilment", () => {
        const proc = currentProcess;
        if (!world.isUp(proc)) return;
        const inHand = currentPool === undefined ? [] : [...currentPool.inHand];
        const queuedOffsets = currentPool === undefined ? [] : currentPool.pool.committable();
        world.crash(proc);
        history.crashed(S.consumer);
        const crash: ConsumerCrash = {
          process: proc,
          atMs: world.now(),
          committed: new Map(committed),
          inHand,
          reported: queuedOffsets.map((p) => ({ ...p })),
        };
        facts.consumerCrash = crash;
        world.trace.record("app", "consumer-crash", proc, {
          when: "right after an offset commit",
          committed: [...committed].map(([p, o]) => `${S.topic}-${p}@${o}`).join(" "),
          handling: inHand.length,
        });
        world.after(S.consumerDownMs, "restart fulfilment", () => {
          startConsumer();
          world.trace.record("app", "consumer-restart", currentProcess, {
            from: "the committed offsets",
          });
        });
      });
    };
  });

  await world.runUntil(() => serviceDone && missing === 0 && world.now() > at(S.faultsUntilMs), {
    limitMs: at(S.deadlineMs),
  });
  const endMs = world.now();

  // ---- verdict ------------------------------------------------------------------------------------
  const analysis = analyzeHistory(rec.history(), { ledger });
  const liveness: LivenessResult[] = checkLiveness(
    analysis,
    [
      {
        kind: "effect-throughput",
        name: LIVENESS.throughput,
        fromMs: at(S.throughput.fromMs),
        toMs: at(S.throughput.untilMs),
        minPerSecond: S.throughput.minPerSecond,
      },
    ],
    { endMs },
  );
  const notAcked = facts.eventsSent - acked.size;
  liveness.push({
    name: LIVENESS.allSent,
    kind: "min-sends-ok",
    ok: serviceDone && notAcked === 0,
    measured: acked.size,
    examples: [],
    explanation:
      serviceDone && notAcked === 0
        ? `all ${facts.eventsSent} events the order service sent were acknowledged`
        : `${notAcked} of ${facts.eventsSent} events the order service sent were not acknowledged by t=${fmtMs(endMs - t0)}${facts.sendFailures.length > 0 ? ` (e.g. ${facts.sendFailures[0]})` : ""}`,
  });
  const verdict = buildVerdict(analysis, liveness, {
    forbid: LAB04_FORBIDDEN,
    seed,
    replayCommand: options.replayCommand,
  });

  // Leader crashes as they happened (the nemesis resolves "the leader" when the step fires).
  for (const e of world.trace.events) {
    if (e.cat !== "nemesis" || (e.kind !== "crash-leader" && e.kind !== "recover")) continue;
    const node = String(e["target"]);
    if (e.kind === "recover") {
      const open = facts.leaderCrashes.find((c) => c.node === node && c.backAtMs === undefined);
      if (open !== undefined) open.backAtMs = e.t;
      continue;
    }
    const pick = picks.find((p) => p.atMs === e.t && p.node === node);
    facts.leaderCrashes.push({ atMs: e.t, node, partition: pick?.partition, backAtMs: undefined });
  }
  const narration = describeOrdering({
    facts,
    settings: settings.resolved,
    ledger,
    history: rec.history(),
    lostAnswers: world.network.stats.dropped.loss,
    endMs,
    verdict,
  });
  return { verdict, narration, trace: world.trace.events };
}

/** The pool's committable offsets, checked; a malformed entry is reported and skipped. */
function validCommit(positions: unknown, report: (message: string) => void): CommitPosition[] {
  if (!Array.isArray(positions)) {
    report("committable() must return an array of { topic, partition, offset }");
    return [];
  }
  const out: CommitPosition[] = [];
  for (const p of positions as unknown[]) {
    const c = p as Partial<CommitPosition> | null;
    if (
      c === null ||
      typeof c !== "object" ||
      c.topic !== SCENARIO.topic ||
      !Number.isSafeInteger(c.partition) ||
      c.partition! < 0 ||
      c.partition! >= SCENARIO.partitions ||
      !Number.isSafeInteger(c.offset) ||
      c.offset! < 0
    ) {
      report(`committable() returned ${JSON.stringify(p)}; expected { topic: "orders", partition, offset }`);
      continue;
    }
    out.push({ topic: c.topic, partition: c.partition!, offset: c.offset! });
  }
  return out;
}
