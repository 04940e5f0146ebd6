/**
 * Lab 03's scenario: a shop's order pipeline on a simulated 3-broker cluster, with the learner's
 * relay (outbox → Kafka) and fulfilment consumer (Kafka → warehouse).
 *
 * - The cluster: 3 brokers and 3 controller-only nodes (a crashed broker does not take the
 *   controller quorum with it); topic `orders` with 3 partitions, RF 3 and the topic config
 *   min.insync.replicas=2; every broker runs a group coordinator.
 * - The checkout commits orders to the outbox (services.ts) all along, with two flash sales;
 *   every order placed must be shipped (an expectation in the effect ledger).
 * - The relay (`outbox-relay`) runs the learner's `relayOrders` with the learner's producer
 *   settings; three consumers in group `fulfilment` run the learner's `consumeOrders`, shipping
 *   through the warehouse (each shipment is an effect in the ledger).
 * - Faults, all before `faultsUntilMs`: the leader of an `orders` partition crashes twice (back
 *   after 4–5 s); the relay is killed once, 1–1.8 s after the first leader crash, as soon as
 *   its producer holds an unacknowledged order; during each flash sale one consumer is killed
 *   right after its next successful offset commit while it holds orders it read and has not
 *   shipped (the moment a commit that runs ahead of the work costs the most; 4 s after arming
 *   at the latest), and restarts 1–2 s later as a new group member: the group rebalances, and
 *   the rebalance completes once the dead member's session has expired. A learner's loop that
 *   throws ends its process, which is restarted a second later.
 * - Then quiet: the run ends once every order placed is shipped and the group's committed
 *   offsets reach the end of every partition, or at the deadline.
 *
 * Judged by the history checker: `lost-write`, `unseen` (acknowledged orders never read, after
 * the final drain) and `effect-lost` (an order placed, or acknowledged, never shipped) are
 * forbidden; duplicates and repeated shipments are reported but allowed (at-least-once).
 * Liveness: sends invoked after the faults stop are acknowledged within 10 s, every
 * acknowledged order is read within 20 s after the faults stop, and the group's committed
 * offsets reach the end of every partition.
 */
import {
  analyzeHistory,
  buildVerdict,
  checkLiveness,
  fmtMs,
  fmtRanges,
  type LivenessResult,
  type Verdict,
} from "../../src/check";
import {
  Kafka,
  type ClientInstrumentation,
  type ConsumerConfig,
  type ProducerConfig,
  type ResolvedConsumerConfig,
  type ResolvedProducerConfig,
} from "../../src/client";
import type { NodeId, TraceEvent } from "../../src/sim";
import {
  committedToEnd,
  highWatermarkOf,
  offsetsCaughtUp,
  Narration,
  errorText,
  labRecorders,
  labWorld,
  learnerConsumerConfig,
  learnerProducerConfig,
  plural,
  runUntilDone,
  startLabCluster,
  type ClientScenarioOptions,
  type ClientScenarioResult,
  type LearnerConfig,
} from "../_lib";
import { OrderBook, Warehouse, type Order } from "./services";
import {
  CONSUMER_KEYS,
  LAB03_FORBIDDEN,
  LAB_CONSUMER_SETTINGS,
  LAB_PRODUCER_TIMINGS,
  PRODUCER_KEYS,
  SCENARIO,
  type ReliabilityImpl,
} from "./spec";

/** Trace kinds the lab records (cat "app"); the timeline shows them. */
export const LAB_EVENT_KINDS: ReadonlySet<string> = new Set([
  "flash-sale",
  "replication-cut",
  "leader-crash",
  "broker-restart",
  "relay-crash",
  "relay-restart",
  "consumer-crash",
  "consumer-restart",
  "loop-threw",
  "checkout-closed",
]);

interface CrashNote {
  who: string;
  atMs: number;
  backAtMs: number;
  why: string;
  /** Orders the process had read (or was sending) and not yet shipped (or seen acknowledged). */
  inHand: number;
  /** A broker: when its links to the other brokers were cut, before the crash. */
  cutAtMs?: number;
  /** The relay: orders in the outbox when it was killed. */
  outbox?: number;
}

/** The learner's settings merged with the lab's, or why they cannot run. */
export function relaySettings(config: ProducerConfig): LearnerConfig<ProducerConfig, ResolvedProducerConfig> {
  return learnerProducerConfig(config, {
    file: "exercise/order-producer.ts",
    exportName: "relayProducerConfig",
    allowedKeys: PRODUCER_KEYS,
    fixed: LAB_PRODUCER_TIMINGS,
    fixedNote: "it fixes the timings itself",
  });
}

export function consumerSettings(
  config: ConsumerConfig,
): LearnerConfig<ConsumerConfig, ResolvedConsumerConfig> {
  return learnerConsumerConfig(config, {
    file: "exercise/order-consumer.ts",
    exportName: "fulfilmentConsumerConfig",
    allowedKeys: CONSUMER_KEYS,
    fixed: { ...LAB_CONSUMER_SETTINGS, groupId: SCENARIO.group },
  });
}

function within(rng: { int(n: number): number }, r: { min: number; max: number }): number {
  return r.min + rng.int(r.max - r.min + 1);
}

export async function runReliabilityScenario(
  impl: ReliabilityImpl,
  options: ClientScenarioOptions,
): Promise<ClientScenarioResult> {
  const { seed } = options;
  const S = SCENARIO;
  const producerSettings = relaySettings(impl.producerConfig);
  if ("error" in producerSettings) throw new Error(producerSettings.error);
  const consumerCfg = consumerSettings(impl.consumerConfig);
  if ("error" in consumerCfg) throw new Error(consumerCfg.error);

  const world = labWorld(options);
  const cluster = await startLabCluster(world, {
    brokers: S.brokers,
    topic: {
      name: S.topic,
      partitions: S.partitions,
      replicationFactor: S.replicationFactor,
      configs: { "min.insync.replicas": String(S.minInsyncReplicas) },
    },
  });
  const t0 = world.now();
  const at = (ms: number): number => t0 + ms;
  const T = (ms: number): string => `t=${fmtMs(ms)}`;

  // ---- stores, history, hooks -----------------------------------------------------------------
  const { rec, ledger, history } = labRecorders(world);
  const book = new OrderBook();
  const warehouse = new Warehouse(ledger, book, S.shipMs, world.rng("warehouse"));
  const relayInFlight = { n: 0 };
  const relayIncarnation = { n: 0 };
  /** Records polled and shipped by each consumer's current process. */
  const hand = new Map<string, { polled: number; shipped: number }>();
  const lastCommit = new Map<number, { offset: number; atMs: number; by: string }>();
  const commitWatchers = new Map<string, () => void>();
  const sendWatchers: (() => void)[] = [];
  const hooks: ClientInstrumentation = {
    ...history.hooks,
    onSendInvoke(clientId, records) {
      const token = history.hooks.onSendInvoke!(clientId, records);
      const entries = records.map((r) => {
        const fate = book.fates.get(r.value);
        const send = { atMs: world.now(), incarnation: relayIncarnation.n } as {
          atMs: number;
          outcome?: "ok" | "fail" | "info";
          error?: string;
          incarnation: number;
        };
        fate?.sends.push(send);
        return send;
      });
      relayInFlight.n++;
      for (const w of sendWatchers.splice(0)) w();
      return { token, entries, incarnation: relayIncarnation.n };
    },
    onSendComplete(t, outcome) {
      const { token, entries, incarnation } = t as {
        token: unknown;
        entries: { outcome?: string; error?: string }[];
        incarnation: number;
      };
      history.hooks.onSendComplete!(token, outcome);
      if (incarnation !== relayIncarnation.n) return; // a dead process learns nothing
      relayInFlight.n--;
      for (const e of entries) {
        e.outcome = outcome.outcome;
        if (outcome.outcome !== "ok") e.error = outcome.error;
      }
    },
    onPoll(clientId, records) {
      history.hooks.onPoll!(clientId, records);
      const h = hand.get(clientId);
      if (h !== undefined) h.polled += records.length;
      for (const r of records) {
        const fate = book.fates.get(r.value);
        if (fate !== undefined && fate.firstPolled === undefined)
          fate.firstPolled = {
            atMs: world.now(),
            by: clientId,
            topicPartition: `${r.topic}-${r.partition}`,
            offset: r.offset,
          };
      }
    },
    onCommit(clientId, offsets) {
      history.hooks.onCommit!(clientId, offsets);
      for (const o of offsets)
        lastCommit.set(o.partition, { offset: o.offset, atMs: world.now(), by: clientId });
      commitWatchers.get(clientId)?.();
    },
  };

  // ---- the checkout -----------------------------------------------------------------------------
  const orderRng = world.rng("checkout");
  const rushes = S.rushStartsMs.map((w) => within(orderRng, w));
  let n = 0;
  const placeAt = (ms: number): void => {
    const orderId = `order-${String(++n).padStart(4, "0")}`;
    const customer = `customer-${String(1 + orderRng.int(S.customers)).padStart(2, "0")}`;
    world.at(at(ms), "checkout", () => {
      const order: Order = { orderId, customer, placedAtMs: world.now() };
      book.place(order);
      ledger.expect({ value: orderId, key: customer });
    });
  };
  for (let ms = 0; ms < S.ordersUntilMs;) {
    const rush = rushes.find((r) => ms >= r && ms < r + S.rushMs);
    placeAt(ms);
    ms += within(orderRng, rush !== undefined ? S.rushGapMs : S.orderGapMs);
  }
  for (const r of rushes)
    world.at(at(r), "flash sale", () =>
      world.trace.record("app", "flash-sale", "checkout", { lastsMs: S.rushMs }),
    );
  world.at(at(S.ordersUntilMs), "checkout closed", () =>
    world.trace.record("app", "checkout-closed", "checkout", { ordersPlaced: book.fates.size }),
  );

  // ---- the relay --------------------------------------------------------------------------------
  const crashes: CrashNote[] = [];
  const loopErrors: string[] = [];
  let loopErrorCount = 0;
  const LOOP_RESTARTS_MAX = 40;
  const noteLoopError = (who: string, e: unknown): void => {
    loopErrorCount++;
    if (loopErrors.length < 3) loopErrors.push(`${who} at ${T(world.now())}: ${errorText(e)}`);
    world.trace.record("app", "loop-threw", who, { error: errorText(e) });
  };
  const startRelay = (): void => {
    relayIncarnation.n++;
    relayInFlight.n = 0;
    world.spawn(S.relay, async (ctx) => {
      const kafka = new Kafka(ctx, {
        clientId: S.relay,
        bootstrapServers: [...cluster.brokerNodes],
        instrumentation: hooks,
      });
      const producer = kafka.producer(producerSettings.config);
      // A fire-and-forget send that fails must not stop Node with an unhandled rejection (in
      // Java an ignored Future fails silently too): mark each send's promise as observed. The
      // promise handed back is the same one, so code that awaits it still sees the error.
      const send = producer.send.bind(producer);
      producer.send = (record) => {
        const p = send(record);
        p.catch(() => undefined);
        return p;
      };
      const sendBatch = producer.sendBatch.bind(producer);
      producer.sendBatch = (batch) => {
        const p = sendBatch(batch);
        p.catch(() => undefined);
        return p;
      };
      try {
        await producer.connect();
        await impl.relayOrders({
          outbox: book.connect(ctx),
          producer,
          topic: S.topic,
          sleep: (ms) => ctx.sleep(ms),
          now: () => ctx.now(),
        });
        throw new Error("relayOrders returned; it must run for the life of the process");
      } catch (e) {
        noteLoopError(S.relay, e);
        if (loopErrorCount > LOOP_RESTARTS_MAX) return;
        world.after(0, "relay exits", () => {
          if (world.crash(S.relay)) history.crashed(S.relay);
          world.after(1000, "relay restarts", startRelay);
        });
      }
    });
  };

  // ---- the consumers ----------------------------------------------------------------------------
  const startConsumer = (name: string): void => {
    hand.set(name, { polled: 0, shipped: 0 });
    world.spawn(name, async (ctx) => {
      const kafka = new Kafka(ctx, {
        clientId: name,
        bootstrapServers: [...cluster.brokerNodes],
        instrumentation: hooks,
      });
      const consumer = kafka.consumer(consumerCfg.config);
      const exitAfterError = (e: unknown): void => {
        noteLoopError(name, e);
        if (loopErrorCount > LOOP_RESTARTS_MAX) return;
        world.after(0, `${name} exits`, () => {
          if (world.crash(name)) history.crashed(name);
          world.after(1000, `${name} restarts`, () => startConsumer(name));
        });
      };
      const services = warehouse.services(ctx, name, S.topic, (_w, e) => exitAfterError(e));
      const ship = services.ship;
      services.ship = async (record) => {
        await ship(record);
        const h = hand.get(name);
        if (h !== undefined) h.shipped++;
      };
      try {
        await consumer.connect();
        await impl.consumeOrders(consumer, services);
        throw new Error("consumeOrders returned; it must run for the life of the process");
      } catch (e) {
        exitAfterError(e);
      }
    });
  };

  // ---- faults -----------------------------------------------------------------------------------
  const faultRng = world.rng("faults");
  const ledBy = (node: NodeId): string[] =>
    Array.from({ length: S.partitions }, (_, p) => p)
      .filter((p) => cluster.leaderOf(S.topic, p) === node)
      .map((p) => `${S.topic}-${p}`);
  const leaderCrashTimes: number[] = [];
  for (const f of S.leaderFaults) {
    const cutAt = rushes[f.rush]! + within(faultRng, f.cutAfterMs);
    const when = cutAt + within(faultRng, S.crashAfterCutMs);
    const downMs = within(faultRng, S.leaderDownMs);
    const partition = faultRng.int(S.partitions);
    leaderCrashTimes.push(when);
    let target: NodeId | undefined;
    let cut: number | undefined;
    world.at(at(cutAt), "replication cut", () => {
      target = cluster.leaderOf(S.topic, partition) ?? cluster.anyLeader();
      if (target === undefined || !world.isUp(target)) return;
      const others = cluster.brokerNodes.filter((b) => b !== target);
      cut = world.network.partition([target], others);
      world.trace.record("app", "replication-cut", target, {
        leads: ledBy(target).join(","),
        cutOffFrom: others.join(","),
      });
    });
    world.at(at(when), "leader crash", () => {
      if (cut !== undefined) world.network.removePartition(cut);
      const node = target;
      if (node === undefined || !world.isUp(node)) return;
      const led = ledBy(node);
      world.crash(node);
      world.trace.record("app", "leader-crash", node, { leads: led.join(","), backInMs: downMs });
      crashes.push({
        who: node,
        atMs: world.now(),
        backAtMs: world.now() + downMs,
        why: `leader of ${led.join(" and ")}`,
        inHand: 0,
        cutAtMs: at(cutAt),
      });
      world.after(downMs, "broker restart", () => {
        world.start(node);
        world.trace.record("app", "broker-restart", node, {});
      });
    });
  }

  // The relay: killed once, while its producer holds an unacknowledged order.
  const relayArmMs = leaderCrashTimes[0]! + within(faultRng, S.relayCrashAfterLeaderMs);
  const relayDownMs = within(faultRng, S.relayDownMs);
  let relayCrashed = false;
  const crashRelay = (): void => {
    if (relayCrashed || !world.isUp(S.relay)) return;
    relayCrashed = true;
    const inFlight = relayInFlight.n;
    world.crash(S.relay);
    history.crashed(S.relay);
    world.trace.record("app", "relay-crash", S.relay, {
      unacknowledgedSends: inFlight,
      outbox: book.outboxSize,
    });
    crashes.push({
      who: S.relay,
      atMs: world.now(),
      backAtMs: world.now() + relayDownMs,
      why: "the relay process was killed",
      inHand: inFlight,
      outbox: book.outboxSize,
    });
    world.after(relayDownMs, "relay restart", () => {
      startRelay();
      world.trace.record("app", "relay-restart", S.relay, {});
    });
  };
  world.at(at(relayArmMs), "arm relay crash", () => {
    if (relayInFlight.n > 0) crashRelay();
    else sendWatchers.push(() => world.after(0, "relay crash", crashRelay));
  });
  world.at(at(relayArmMs + 2000), "relay crash (fallback)", crashRelay);

  // Consumers: one killed during each flash sale, right after its next successful commit.
  const consumerRng = world.rng("consumer-crashes");
  let previous = -1;
  S.consumerCrashes.forEach((plan, i) => {
    let idx = consumerRng.int(S.consumers.length);
    if (idx === previous) idx = (idx + 1) % S.consumers.length;
    previous = idx;
    const name = S.consumers[idx]!;
    const armMs = rushes[plan.rush]! + within(consumerRng, plan.armAfterMs);
    const downMs = within(consumerRng, S.consumerDownMs);
    let done = false;
    const crash = (why: string): void => {
      if (done) return;
      done = true;
      commitWatchers.delete(name);
      if (!world.isUp(name)) return;
      const h = hand.get(name)!;
      world.crash(name);
      history.crashed(name);
      world.trace.record("app", "consumer-crash", name, { when: why, readNotShipped: h.polled - h.shipped });
      crashes.push({
        who: name,
        atMs: world.now(),
        backAtMs: world.now() + downMs,
        why,
        inHand: h.polled - h.shipped,
      });
      world.after(downMs, `restart ${name}`, () => {
        startConsumer(name);
        world.trace.record("app", "consumer-restart", name, { newMember: true });
      });
    };
    world.at(at(armMs), `arm consumer crash ${i + 1}`, () => {
      commitWatchers.set(name, () => {
        const h = hand.get(name)!;
        if (h.polled > h.shipped)
          world.after(0, `crash ${name}`, () => crash("right after an offset commit"));
      });
    });
    world.at(at(armMs + S.consumerCrashFallbackMs), `crash ${name} (fallback)`, () =>
      crash("while shipping"),
    );
  });

  startRelay();
  for (const c of S.consumers) startConsumer(c);

  // ---- run --------------------------------------------------------------------------------------
  const faultsEnd = at(S.faultsUntilMs);
  const logEnd = highWatermarkOf(cluster, S.topic);
  const committedCaughtUp = (): boolean => committedToEnd(S.partitions, logEnd, lastCommit);
  const allShipped = (): boolean => {
    if (book.outboxSize > 0 || book.fates.size < n) return false;
    for (const f of book.fates.values()) if (f.shipped.length === 0) return false;
    return true;
  };
  await runUntilDone(world, () => allShipped() && committedCaughtUp(), {
    fromMs: faultsEnd,
    limitMs: at(S.deadlineMs),
  });
  await world.runUntil(world.now() + 500);
  const endMs = world.now();

  // ---- verdict ----------------------------------------------------------------------------------
  const analysis = analyzeHistory(rec.history(), {
    ledger,
    unseenTopics: [S.topic],
    effectTopics: [S.topic],
  });
  const liveEnd = Math.max(endMs, faultsEnd + S.drainWithinMs);
  const liveness: LivenessResult[] = checkLiveness(
    analysis,
    [
      {
        kind: "sends-acked-within",
        afterMs: faultsEnd,
        withinMs: S.ackWithinMs,
        name: "orders are acknowledged once the cluster is whole",
      },
      {
        kind: "drained-within",
        afterMs: faultsEnd,
        withinMs: S.drainWithinMs,
        name: "the consumers read every acknowledged order",
      },
    ],
    { endMs: liveEnd },
  );
  liveness.push(
    offsetsCaughtUp({
      topic: S.topic,
      group: S.group,
      partitions: S.partitions,
      logEnd,
      lastCommit,
      endAt: T(endMs),
      notes: {
        ok: " (a restart would redo nothing)",
        lagging: ". A consumer that restarts would ship all of that again",
      },
    }),
  );
  const verdict = buildVerdict(analysis, liveness, {
    forbid: LAB03_FORBIDDEN,
    seed,
    replayCommand: options.replayCommand,
  });

  const story = tell({
    impl,
    t0,
    endMs,
    rushes: rushes.map(at),
    crashes,
    book,
    verdict,
    loopErrors,
    loopErrorCount,
    producer: producerSettings.resolved,
    consumer: consumerCfg.resolved,
    lastCommit,
    trace: world.trace.events,
  });
  return { verdict, narration: story, trace: world.trace.events };
}

// ---- the story ------------------------------------------------------------------------------------

interface StoryInput {
  impl: ReliabilityImpl;
  t0: number;
  endMs: number;
  rushes: number[];
  crashes: CrashNote[];
  book: OrderBook;
  verdict: Verdict;
  loopErrors: string[];
  loopErrorCount: number;
  producer: ResolvedProducerConfig;
  consumer: ResolvedConsumerConfig;
  lastCommit: Map<number, { offset: number; atMs: number; by: string }>;
  trace: readonly TraceEvent[];
}

function tell(x: StoryInput): Narration {
  const S = SCENARIO;
  const T = (ms: number): string => `t=${fmtMs(ms)}`;
  const story = new Narration();
  const p = x.producer;
  const c = x.consumer;
  story.section("The setup");
  story.say(
    `A 3-broker cluster (plus 3 controllers) was ready at ${T(x.t0)}. Topic ${S.topic}: ${S.partitions} partitions, replication factor ${S.replicationFactor}, min.insync.replicas=${S.minInsyncReplicas}.`,
  );
  story.say(
    `The relay (exercise/order-producer.ts) moves orders from the shop's outbox to ${S.topic} with acks=${p.acks === -1 ? "all" : p.acks}, retries=${p.retries}, delivery.timeout.ms=${p.deliveryTimeoutMs}, enable.idempotence=${p.idempotence}${p.idempotenceDisabledReason !== undefined && p.acks !== -1 ? " (acks is not all)" : ""}.`,
  );
  story.say(
    `Consumers ${S.consumers.join(", ")} in group ${S.group} (exercise/order-consumer.ts) ship each order: enable.auto.commit=${c.enableAutoCommit}${c.enableAutoCommit ? `, auto.commit.interval.ms=${c.autoCommitIntervalMs}` : ""}.`,
  );

  story.section("What happened");
  const fates = [...x.book.fates.values()];
  story.item(
    `The checkout placed ${plural(fates.length, "order")} between ${T(x.t0)} and ${T(x.t0 + S.ordersUntilMs)}, with flash sales at ${x.rushes.map(T).join(", ")} (about ${Math.round(1000 / ((S.rushGapMs.min + S.rushGapMs.max) / 2))} orders a second for ${fmtMs(S.rushMs)}). Each one was in the outbox, and the customer was told "order placed".`,
  );
  for (const k of [...x.crashes].sort((a, b) => a.atMs - b.atMs)) {
    const back = `back at ${T(k.backAtMs)}`;
    if (k.who.startsWith("broker"))
      story.item(
        `${k.cutAtMs !== undefined ? `${T(k.cutAtMs)}: the network between ${k.who} (${k.why}) and the other brokers failed; clients still reached it, but its followers could not fetch. ${p.acks === -1 ? "With acks=all its high watermark stopped: sends to it waited for followers that could not fetch, and none of them was acknowledged. " : `With acks=${p.acks} it went on acknowledging orders that no other broker had. `}` : ""}${T(k.atMs)}: ${k.who} crashed (${back}). The controller made a follower the leader: one that had nothing ${k.who} wrote after the cut.`,
      );
    else if (k.who === S.relay)
      story.item(
        `${T(k.atMs)}: ${k.why}, with ${plural(k.inHand, "send")} not yet acknowledged in its producer; ${k.outbox === 0 ? "the outbox was empty, so those orders existed nowhere else" : `${plural(k.outbox ?? 0, "order")} were still in the outbox`} (${back}; it ran relayOrders again with a new producer).`,
      );
    else {
      const revoked = x.trace.find((e) => e.kind === "consumer.onPartitionsRevoked" && e.t > k.atMs);
      const joined =
        revoked === undefined
          ? undefined
          : x.trace.find((e) => e.kind === "group.completeJoin" && e.t > revoked.t);
      const rebalance =
        revoked !== undefined && joined !== undefined
          ? ` The group rebalanced from ${T(revoked.t)} (the members gave up their partitions, committing in onPartitionsRevoked if they had one) to ${T(joined.t)}, when the dead member's session.timeout.ms (${LAB_CONSUMER_SETTINGS.sessionTimeoutMs} ms) had run out: with the eager range assignor no member read from the topic in between.`
          : "";
      story.item(
        `${T(k.atMs)}: ${k.who} was killed ${k.why}, ${k.inHand === 0 ? "holding no order it had read and not shipped" : `holding ${plural(k.inHand, "order")} it had read but not shipped`} (${back} as a new group member).${rebalance}`,
      );
    }
  }
  if (x.loopErrorCount > 0)
    story.item(
      `Your code threw ${plural(x.loopErrorCount, "time")}; each time its process exited and restarted a second later. First: ${x.loopErrors[0]}`,
    );

  // Where each order that was never shipped got lost.
  const lost = fates.filter((f) => f.shipped.length === 0);
  const dropped = lost.filter(
    (f) =>
      f.publishedAtMs !== undefined &&
      !f.sends.some((s) => s.outcome === "ok") &&
      f.firstPolled === undefined,
  );
  const droppedFailed = dropped.filter((f) =>
    f.sends.some((s) => s.outcome === "fail" || s.outcome === "info"),
  );
  const droppedInMemory = dropped.filter((f) => !droppedFailed.includes(f));
  const ackedGone = lost.filter(
    (f) => f.sends.some((s) => s.outcome === "ok") && f.firstPolled === undefined,
  );
  const readNotShipped = lost.filter((f) => f.firstPolled !== undefined);
  const stuck = lost.filter((f) => f.publishedAtMs === undefined && f.firstPolled === undefined);
  const ids = (list: readonly { order: Order }[]): string => {
    const shown = list.slice(0, 4).map((f) => f.order.orderId);
    return list.length > 4 ? `${shown.join(", ")} and ${list.length - 4} more` : shown.join(", ");
  };
  story.section("Orders placed but never shipped");
  if (lost.length === 0) story.say(`None: all ${plural(fates.length, "order")} were shipped.`);
  else {
    story.say(
      `${plural(lost.length, "order")} of ${fates.length} never shipped, although each customer was told "order placed":`,
    );
    if (droppedFailed.length > 0) {
      const errors = new Map<string, number>();
      for (const f of droppedFailed) {
        const last = [...f.sends].reverse().find((s) => s.outcome !== undefined && s.outcome !== "ok");
        const e = (last?.error ?? "?").split(":")[0]!;
        errors.set(e, (errors.get(e) ?? 0) + 1);
      }
      story.item(
        `${plural(droppedFailed.length, "order")} (${ids(droppedFailed)}): the send failed (${[...errors].map(([e, k]) => `${k}× ${e}`).join(", ")}), nobody looked at the error, and the order was already removed from the outbox. retries=${p.retries} and delivery.timeout.ms=${p.deliveryTimeoutMs} gave up during the leader election.`,
      );
    }
    if (droppedInMemory.length > 0)
      story.item(
        `${plural(droppedInMemory.length, "order")} (${ids(droppedInMemory)}): removed from the outbox as soon as send() was called, and still in the producer's memory, unacknowledged, when the relay process was killed.`,
      );
    if (ackedGone.length > 0) {
      const tps = new Map<string, number[]>();
      for (const f of ackedGone) {
        const a = x.verdict.anomalies
          .flatMap((an) => an.witnesses)
          .find((w) => w.value === f.order.orderId && w.offset !== undefined);
        if (a?.topicPartition !== undefined) {
          const l = tps.get(a.topicPartition);
          if (l === undefined) tps.set(a.topicPartition, [a.offset!]);
          else l.push(a.offset!);
        }
      }
      const where = [...tps].map(([tp, offs]) => `offsets ${fmtRanges(offs)} of ${tp}`).join(", ");
      story.item(
        `${plural(ackedGone.length, "order")} (${ids(ackedGone)}) were acknowledged${p.acks === 1 ? " with acks=1: only the leader had them" : ""}, then vanished from the log when that leader crashed: the new leader never had them and wrote other orders at the same offsets${where.length > 0 ? ` (e.g. ${where})` : ""}.`,
      );
    }
    if (readNotShipped.length > 0) {
      const by = new Map<string, number>();
      for (const f of readNotShipped) by.set(f.firstPolled!.by, (by.get(f.firstPolled!.by) ?? 0) + 1);
      story.item(
        `${plural(readNotShipped.length, "order")} (${ids(readNotShipped)}) were read by a consumer (${[...by].map(([k, v]) => `${v} by ${k}`).join(", ")}) and never shipped: they waited in its memory when it was killed, and their offsets had already been committed, so the group resumed after them.`,
      );
    }
    if (stuck.length > 0)
      story.item(
        `${plural(stuck.length, "order")} (${ids(stuck)}) were still in the outbox at the end of the run (${T(x.endMs)}).`,
      );
  }
  const twice = fates.filter((f) => f.shipped.length > 1);
  const dup = x.verdict.anomalies.find((a) => a.name === "duplicate");
  story.section("Orders shipped twice (allowed here)");
  story.say(
    twice.length === 0
      ? "None."
      : `${plural(twice.length, "order")} shipped more than once (e.g. ${twice[0]!.order.orderId}: ${twice[0]!.shipped.map((s) => `${T(s.atMs)} by ${s.by}`).join(", ")}).${dup !== undefined ? ` ${plural(dup.count, "order")} ${dup.count === 1 ? "is" : "are"} stored twice in the log (re-sent after an acknowledgement that never arrived).` : ""} At-least-once delivery redoes work after a crash; making the effect idempotent is lab 02.`,
  );
  return story;
}
