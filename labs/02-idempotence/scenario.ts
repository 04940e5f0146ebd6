/**
 * Lab 02's scenario: an order pipeline on a simulated 3-broker cluster, with the learner's
 * producer configuration, sequence check and payment handler.
 *
 * - The cluster: 3 brokers and 3 controller-only nodes; topic `orders` with 3 partitions, RF 3,
 *   min.insync.replicas 2; every broker runs the learner's sequence check (seam
 *   LogSeams.checkSequence) and a group coordinator.
 * - The shop (`shop`): a producer with the learner's settings places an order every 15-45 ms
 *   (value = order id, key = customer, header amount-cents), several sends in flight.
 * - The payment service: consumers `payments-1` and `payments-2` in group `payments`
 *   (static members, auto-commit every 5 s), running the learner's handler for each order
 *   against the payments database (payments-db.ts), whose charges go to the effect ledger.
 * - Faults in [1.5 s, 14 s) after the cluster is ready: 6% of the brokers' answers to the shop
 *   are lost (the producer times out and resends), the nemesis crashes the leader of an
 *   `orders` partition now and then, and the consumers crash four times — right after the
 *   database committed a charge (before the offset commit), or while a transaction is in flight.
 * - Quiet phase: answers flow again, every node is back; the run ends when every acknowledged
 *   order is charged (or at 45 s).
 *
 * Judged by the history checker: `duplicate` (an order stored at two offsets),
 * `effect-duplicated` (a customer charged twice for one order), `effect-lost` (an acknowledged
 * order never charged); liveness: every order acknowledged within 15 s, every acknowledged
 * order read within 20 s after the faults stop, every order placed charged by the end. The
 * sequence check is also run on its own against Kafka's rules (sequence-cases.ts).
 */
import { checkHistory, fmtMs, type LivenessResult } from "../../src/check";
import {
  Kafka,
  type ClientInstrumentation,
  type ConsumerRecord,
  type Producer,
  type ProducerConfig,
  type ResolvedProducerConfig,
} from "../../src/client";
import { logSeams, type CheckSequence, type SequenceCheckResult } from "../../src/log";
import { Errors } from "../../src/protocol";
import { installNemesis, type Nemesis } from "../../src/sim";
import {
  Narration,
  labRecorders,
  labWorld,
  learnerProducerConfig,
  plural,
  runUntilDone,
  startLabCluster,
  type ClientScenarioOptions,
  type ClientScenarioResult,
  type LearnerConfig,
} from "../_lib";
import { PaymentsDatabase, type ChargeRecord, type Order } from "./payments-db";
import {
  CHECKER_FORBIDDEN,
  LAB_PRODUCER_TIMINGS,
  PRODUCER_KEYS,
  SCENARIO,
  type IdempotenceImpl,
} from "./spec";

const AMOUNT_HEADER = "amount-cents";

/** Trace kinds the lab records (cat "app"); the timeline shows them. */
export const LAB_EVENT_KINDS: ReadonlySet<string> = new Set([
  "responses-lost",
  "responses-restored",
  "consumer-crash",
  "consumer-restart",
  "orders-stop",
]);

export interface ConsumerCrash {
  consumer: string;
  atMs: number;
  mode: "after-charge" | "mid-transaction" | "idle";
  /** The order whose charge had just committed (after-charge) or was in flight (mid-transaction). */
  order?: Order;
  /** The group's committed offsets of the order's partition at the crash. */
  committedOffset?: number;
  restartAtMs: number;
}

/** What the seam wrapper saw on the leaders. */
export interface SequenceCheckStats {
  appended: number;
  duplicates: number;
  errors: Map<string, number>;
}

/** The learner's producer settings merged with the lab's timings, or why they cannot run. */
export function shopProducerSettings(
  config: ProducerConfig,
): LearnerConfig<ProducerConfig, ResolvedProducerConfig> {
  return learnerProducerConfig(config, {
    file: "exercise/producer-config.ts",
    exportName: "shopProducerConfig",
    label: "exercise/producer-config.ts",
    allowedKeys: PRODUCER_KEYS,
    fixed: LAB_PRODUCER_TIMINGS,
    fixedNote: "it fixes the timings itself",
  });
}

/** The learner's sequence check behind a guard: a frozen view of the state, a checked answer, counts. */
export function guardedCheckSequence(learner: CheckSequence, stats: SequenceCheckStats): CheckSequence {
  return (state, batch) => {
    const view =
      state === undefined
        ? undefined
        : Object.freeze({
            producerEpoch: state.producerEpoch,
            lastSequence: state.lastSequence,
            batches: Object.freeze(state.batches.map((b) => Object.freeze({ ...b }))),
          });
    let r: SequenceCheckResult;
    try {
      r = learner(view, Object.freeze({ ...batch }));
    } catch (e) {
      throw new Error(
        `checkSequence threw on producer ${batch.producerId} epoch ${batch.producerEpoch} seq ${batch.baseSequence}-${batch.lastSequence}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (r?.kind === "append") {
      stats.appended++;
      return r;
    }
    if (r?.kind === "duplicate") {
      const i = view?.batches.indexOf(r.batch) ?? -1;
      if (i < 0)
        throw new Error(
          `checkSequence answered "duplicate" with a batch that is not one of state.batches (return one of them, as is: the broker answers its offsets)`,
        );
      stats.duplicates++;
      return { kind: "duplicate", batch: state!.batches[i]! };
    }
    if (r?.kind === "error") {
      if (typeof r.error?.code !== "number" || r.error.code === Errors.NONE.code)
        throw new Error(
          `checkSequence answered an error without a Kafka error (use Errors.X from src/protocol)`,
        );
      stats.errors.set(r.error.name, (stats.errors.get(r.error.name) ?? 0) + 1);
      return { kind: "error", error: r.error, message: String(r.message ?? r.error.message) };
    }
    throw new Error(
      `checkSequence must answer { kind: "append" }, { kind: "duplicate", batch } or { kind: "error", error, message }; it answered ${JSON.stringify(r)}`,
    );
  };
}

function parseOrder(r: ConsumerRecord): Order {
  const amount = Number(r.headers[AMOUNT_HEADER]);
  if (r.value === null || r.key === null || !Number.isSafeInteger(amount))
    throw new Error(`Cannot read order at ${r.topic}-${r.partition}@${r.offset}: not an order message`);
  return {
    orderId: r.value,
    customer: r.key,
    amountCents: amount,
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
  };
}

function euros(cents: number): string {
  return `${(cents / 100).toFixed(2)} EUR`;
}

export async function runIdempotenceScenario(
  impl: IdempotenceImpl,
  options: ClientScenarioOptions,
): Promise<ClientScenarioResult> {
  const { seed } = options;
  const S = SCENARIO;
  const story = new Narration();
  const settings = shopProducerSettings(impl.producerConfig);
  if ("error" in settings) throw new Error(settings.error);

  const world = labWorld(options);
  const seqStats: SequenceCheckStats = { appended: 0, duplicates: 0, errors: new Map() };
  const cluster = await startLabCluster(world, {
    brokers: S.brokers,
    brokerConfig: { log: { minInsyncReplicas: S.minInsyncReplicas } },
    topic: { name: S.topic, partitions: S.partitions, replicationFactor: S.replicationFactor },
    logSeams: logSeams({ checkSequence: guardedCheckSequence(impl.checkSequence, seqStats) }),
  });
  const t0 = world.now();
  const at = (ms: number): number => t0 + ms;

  // ---- history, ledger, database ----------------------------------------------------------------
  const { rec, ledger, history } = labRecorders(world);
  const committed = new Map<string, { offset: number; atMs: number; by: string }>();
  const hooks: ClientInstrumentation = {
    ...history.hooks,
    onCommit(clientId, offsets) {
      history.hooks.onCommit!(clientId, offsets);
      for (const o of offsets)
        committed.set(`${o.topic}-${o.partition}`, { offset: o.offset, atMs: world.now(), by: clientId });
    },
  };
  const db = new PaymentsDatabase(ledger, { latencyMs: S.dbLatencyMs });
  const rng = world.rng("lab02");

  // ---- the shop ---------------------------------------------------------------------------------
  const placed: { orderId: string; customer: string; amountCents: number; atMs: number }[] = [];
  let acked = 0;
  const sendErrors: string[] = [];
  let producer: Producer | undefined;
  let shopDone = false;
  world.spawn(S.shop, async (ctx) => {
    const kafka = new Kafka(ctx, {
      clientId: S.shop,
      bootstrapServers: [...cluster.brokerNodes],
      instrumentation: hooks,
    });
    producer = kafka.producer(settings.config);
    await producer.connect();
    const pending: Promise<unknown>[] = [];
    for (let i = 1; ctx.now() < at(S.ordersUntilMs); i++) {
      const orderId = `order-${String(i).padStart(4, "0")}`;
      const customer = `customer-${String(1 + rng.int(S.customers)).padStart(2, "0")}`;
      const amountCents = 500 + 10 * rng.int(1000);
      placed.push({ orderId, customer, amountCents, atMs: ctx.now() });
      pending.push(
        producer
          .send({
            topic: S.topic,
            messages: [{ key: customer, value: orderId, headers: { [AMOUNT_HEADER]: String(amountCents) } }],
          })
          .then(
            () => acked++,
            (e: unknown) => {
              if (sendErrors.length < 1000)
                sendErrors.push(`${orderId}: ${e instanceof Error ? e.message : String(e)}`);
            },
          ),
      );
      await ctx.sleep(S.orderGapMs.min + rng.next() * (S.orderGapMs.max - S.orderGapMs.min));
    }
    world.trace.record("app", "orders-stop", S.shop, { placed: placed.length });
    await Promise.all(pending);
    shopDone = true;
  });

  // ---- the payment consumers --------------------------------------------------------------------
  const handlerErrors: string[] = [];
  let handlerErrorCount = 0;
  const incarnations = new Map<string, number>();
  /** The process running consumer `name` now (a restarted consumer is a new process: payments-1.2). */
  const processOf = new Map<string, string>();
  const startConsumer = (name: string): void => {
    const n = (incarnations.get(name) ?? 0) + 1;
    incarnations.set(name, n);
    const proc = n === 1 ? name : `${name}.${n}`;
    processOf.set(name, proc);
    world.spawn(proc, async (ctx) => {
      const kafka = new Kafka(ctx, {
        clientId: name,
        bootstrapServers: [...cluster.brokerNodes],
        instrumentation: hooks,
      });
      const consumer = kafka.consumer({
        groupId: S.group,
        groupInstanceId: name,
        enableAutoCommit: true,
        autoCommitIntervalMs: S.autoCommitIntervalMs,
        autoOffsetReset: "earliest",
        sessionTimeoutMs: S.sessionTimeoutMs,
        heartbeatIntervalMs: S.heartbeatIntervalMs,
        requestTimeoutMs: 3000,
      });
      const handler = impl.createOrderHandler({
        db: db.connect(ctx, name),
        consumer: name,
        commitOffset: (order) =>
          consumer.commitSync([{ topic: order.topic, partition: order.partition, offset: order.offset + 1 }]),
      });
      if (typeof handler !== "function")
        throw new Error("createOrderHandler must return a function (order) => Promise<void>");
      await consumer.connect();
      await consumer.subscribe({ topics: [S.topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const order = parseOrder(message);
          db.delivered(name, order.orderId, {
            topicPartition: `${order.topic}-${order.partition}`,
            offset: order.offset,
            key: order.customer,
          });
          inFlight.set(name, order);
          if (chargedOrders.has(order.orderId)) redeliveries++;
          await handler(order);
          inFlight.delete(name);
        },
        onError: (e) => {
          handlerErrorCount++;
          if (handlerErrors.length < 5)
            handlerErrors.push(
              `${name} at t=${fmtMs(world.now())}: ${e instanceof Error ? e.message : String(e)}`,
            );
        },
      });
    });
  };
  const inFlight = new Map<string, Order>();
  /** Deliveries of orders that had been charged before (redeliveries after crashes, or log copies). */
  let redeliveries = 0;
  const chargedOrders = new Set<string>();

  // ---- faults -------------------------------------------------------------------------------------
  const faultsEnd = at(S.faultsUntilMs);
  world.at(at(S.faultsFromMs), "responses-lost", () => {
    for (const b of cluster.brokerNodes)
      world.network.setLink(b, S.shop, { lossProbability: S.responseLoss });
    world.trace.record("app", "responses-lost", "network", {
      share: `${S.responseLoss * 100}%`,
      of: `answers from ${cluster.brokerNodes.join(", ")} to ${S.shop}`,
    });
  });
  world.at(faultsEnd, "responses-restored", () => {
    for (const b of cluster.brokerNodes) world.network.setLink(b, S.shop, { lossProbability: 0 });
    world.trace.record("app", "responses-restored", "network", {});
  });
  const leaderPick = world.rng("leader-pick");
  const nemesis: Nemesis = installNemesis(world, {
    startMs: at(S.faultsFromMs + 1000),
    faultPhaseEndMs: faultsEnd,
    meanIntervalMs: S.leaderCrashMeanGapMs,
    durationMs: S.leaderDownMs,
    mix: { "crash-leader": 1 },
    leader: () => cluster.leaderOf(S.topic, leaderPick.int(S.partitions)) ?? cluster.anyLeader(),
    nodes: cluster.brokerNodes,
    maxNodesDown: 1,
  });

  // Consumer crashes: alternate consumers, at least one of each kind.
  const crashes: ConsumerCrash[] = [];
  type Armed = { mode: "after-charge" | "mid-transaction"; downMs: number };
  const armed = new Map<string, Armed>();
  const crashNow = (
    name: string,
    plan: Armed,
    mode: ConsumerCrash["mode"],
    order: Order | undefined,
  ): void => {
    armed.delete(name);
    const proc = processOf.get(name)!;
    if (!world.isUp(proc)) return;
    world.crash(proc);
    history.crashed(name);
    const restartAtMs = world.now() + plan.downMs;
    const c: ConsumerCrash = { consumer: name, atMs: world.now(), mode, restartAtMs };
    if (order !== undefined) {
      c.order = order;
      const k = committed.get(`${order.topic}-${order.partition}`);
      if (k !== undefined) c.committedOffset = k.offset;
    }
    crashes.push(c);
    world.trace.record("app", "consumer-crash", proc, {
      when:
        mode === "after-charge"
          ? "right after its charge committed, before the offset commit"
          : mode === "mid-transaction"
            ? "during a database transaction"
            : "while idle",
      ...(order !== undefined
        ? { order: order.orderId, at: `${order.topic}-${order.partition}@${order.offset}` }
        : {}),
      ...(c.committedOffset !== undefined ? { committedOffset: c.committedOffset } : {}),
    });
    world.at(restartAtMs, `restart ${name}`, () => {
      startConsumer(name);
      world.trace.record("app", "consumer-restart", processOf.get(name)!, { consumer: name });
    });
  };
  db.onCommitted = (info) => {
    for (const c of info.charges) chargedOrders.add(c.orderId);
    const plan = armed.get(info.consumer);
    if (plan?.mode === "after-charge" && info.charges.length > 0) {
      const last: ChargeRecord = info.charges[info.charges.length - 1]!;
      crashNow(info.consumer, plan, "after-charge", inFlight.get(info.consumer) ?? orderOf(last));
    }
  };
  db.onBegin = (consumer) => {
    const plan = armed.get(consumer);
    if (plan?.mode === "mid-transaction") {
      armed.delete(consumer);
      const order = inFlight.get(consumer);
      world.after(S.dbLatencyMs / 2, `crash ${consumer}`, () =>
        crashNow(consumer, plan, "mid-transaction", order),
      );
    }
  };
  const orderOf = (c: ChargeRecord): Order => ({
    orderId: c.orderId,
    customer: c.customer,
    amountCents: c.amountCents,
    topic: c.delivery.topicPartition.slice(0, c.delivery.topicPartition.lastIndexOf("-")),
    partition: Number(c.delivery.topicPartition.slice(c.delivery.topicPartition.lastIndexOf("-") + 1)),
    offset: c.delivery.offset,
  });
  const crashRng = world.rng("consumer-crashes");
  const span = S.faultsUntilMs - S.faultsFromMs - 1500;
  const modes: Armed["mode"][] = ["after-charge", "mid-transaction"];
  const first = crashRng.int(S.consumers.length);
  for (let i = 0; i < S.consumerCrashes; i++) {
    const mode = i < 2 ? modes[i]! : modes[crashRng.int(2)]!;
    const name = S.consumers[(i + first) % S.consumers.length]!;
    const when = at(S.faultsFromMs + 1000 + ((i + crashRng.next()) * span) / S.consumerCrashes);
    const plan: Armed = {
      mode,
      downMs: S.consumerDownMs.min + crashRng.int(S.consumerDownMs.max - S.consumerDownMs.min),
    };
    world.at(when, `arm crash ${name}`, () => {
      if (!world.isUp(processOf.get(name)!)) return;
      armed.set(name, plan);
      // If the consumer does no database work for a while (nothing to read), crash it anyway.
      world.after(S.crashArmedMaxMs, `crash ${name} (idle)`, () => {
        if (armed.get(name) === plan) crashNow(name, plan, "idle", undefined);
      });
    });
  }

  for (const name of S.consumers) startConsumer(name);

  // ---- run --------------------------------------------------------------------------------------
  const everythingCharged = (): boolean => {
    if (!shopDone) return false;
    for (const op of rec.history())
      if (op.type === "send" && op.outcome === "ok" && !chargedOrders.has(op.messages[0]!.value))
        return false;
    return true;
  };
  await runUntilDone(world, everythingCharged, { fromMs: faultsEnd, limitMs: at(S.deadlineMs) });
  // A little more time, so that a late duplicate charge (or redelivery) has a chance to show.
  await world.runUntil(world.now() + 1000);
  const endMs = world.now();

  // ---- verdict ----------------------------------------------------------------------------------
  const verdict = checkHistory(rec.history(), {
    forbid: CHECKER_FORBIDDEN,
    ledger,
    effectTopics: [S.topic],
    unseenTopics: [S.topic],
    liveness: [
      {
        kind: "sends-acked-within",
        afterMs: t0,
        withinMs: S.ackWithinMs,
        name: "every order acknowledged",
      },
      {
        kind: "drained-within",
        afterMs: faultsEnd,
        withinMs: S.drainWithinMs,
        name: "the payment service keeps up",
      },
    ],
    seed,
    replayCommand: options.replayCommand,
    // The run stops early only once every acknowledged order is charged (so was read): the
    // drain deadline counts as reached.
    endMs: Math.max(endMs, faultsEnd + S.drainWithinMs),
  });

  // ---- the story ----------------------------------------------------------------------------------
  const cfg = settings.resolved;
  const dir = options.solution === true ? "solution" : "exercise";
  const your = options.solution === true ? "the reference" : "your";
  const Your = options.solution === true ? "The reference" : "Your";
  story.section("The setup");
  story.say(
    `A 3-broker cluster (plus 3 controllers) holds the topic ${S.topic}: ${S.partitions} partitions, replication factor ${S.replicationFactor}, min.insync.replicas ${S.minInsyncReplicas}. Every broker runs ${your} sequence check (${dir}/sequence-check.ts) on every batch an idempotent producer sends.`,
  );
  story.say(
    `The shop's producer (${dir}/producer-config.ts): acks=${cfg.acks === -1 ? "all" : cfg.acks}, retries=${cfg.retries}, max.in.flight.requests.per.connection=${cfg.maxInFlightRequestsPerConnection}, enable.idempotence=${cfg.idempotence}${cfg.idempotenceDisabledReason !== undefined && cfg.idempotenceDisabledReason !== "enable.idempotence=false" ? ` (${cfg.idempotenceDisabledReason})` : ""}; the lab sets request.timeout.ms=${LAB_PRODUCER_TIMINGS.requestTimeoutMs}.`,
  );
  story.say(
    `The payment service: ${S.consumers.join(" and ")} in group ${S.group}, auto-committing every ${S.autoCommitIntervalMs} ms, each running ${your} handler (${dir}/payment-consumer.ts) on every order against the payments database (a restarted consumer is a new process: payments-1.2 is payments-1's second run).`,
  );

  story.section("What happened");
  const lost = world.network.stats.dropped.loss;
  const retries = producer?.sender.stats.retries ?? 0;
  story.item(
    `The shop placed ${placed.length} orders between t=${fmtMs(t0)} (the cluster was ready) and t=${fmtMs(at(S.ordersUntilMs))}; ${acked} were acknowledged${sendErrors.length > 0 ? `, ${sendErrors.length} failed (first: ${sendErrors[0]})` : ""}.`,
  );
  story.item(
    `From t=${fmtMs(at(S.faultsFromMs))} to t=${fmtMs(faultsEnd)} the network lost ${S.responseLoss * 100}% of the brokers' answers to the shop (${plural(lost, "message")} dropped): the producer waited request.timeout.ms, then resent. It retried ${plural(retries, "batch", "batches")} in all.`,
  );
  const errs = [...seqStats.errors].map(([k, v]) => `${v} ${k}`).join(", ");
  story.item(
    cfg.idempotence
      ? `Idempotent producer: every batch carried a producer id and sequence numbers. ${Your} sequence check answered ${seqStats.appended} batches "append", ${seqStats.duplicates} "duplicate" (a resend answered with its original offsets)${errs.length > 0 ? `, and refused ${errs}` : ""}.`
      : `Without idempotence the batches carried no producer id, so the brokers had no way to tell a resend from a new batch: every resend was appended again.`,
  );
  const bumps = producer?.idempotence?.producerEpoch ?? 0;
  if (cfg.idempotence && (seqStats.errors.get("OUT_OF_ORDER_SEQUENCE_NUMBER") ?? 0) > 0 && bumps > 0)
    story.item(
      `Told OUT_OF_ORDER_SEQUENCE_NUMBER for the batch right after its last acknowledged one, an idempotent producer concludes that the broker lost track of its sequences: it bumped its epoch ${plural(bumps, "time")}, restarted the partition's sequences at 0 and resent — and a resend under a new epoch is a new batch to the broker, written again.`,
    );
  let noOffset = 0;
  for (const op of rec.history())
    if (
      op.type === "send" &&
      op.outcome === "info" &&
      op.error?.startsWith("DUPLICATE_SEQUENCE_NUMBER") === true
    )
      noOffset++;
  if (noOffset > 0)
    story.item(
      `${plural(noOffset, "order")} came back DUPLICATE_SEQUENCE_NUMBER: the producer counts that as written but learns no offset, so the shop never got an acknowledgement with a position for ${noOffset === 1 ? "it" : "them"}.`,
    );
  const leaderCrashes = nemesis.steps.filter((s) => s.action === "crash-leader");
  const tookEvents = world.trace.events.filter((e) => e.cat === "nemesis" && e.kind === "crash-leader");
  if (tookEvents.length > 0)
    story.item(
      `Leader crashes: ${tookEvents.map((e) => `${String(e["target"])} at t=${fmtMs(e.t)}`).join(", ")} (${tookEvents.length === 1 ? "back" : "each back"} after a few seconds; the controller moved its partitions' leadership to an in-sync follower, which had the producers' state too).`,
    );
  else if (leaderCrashes.length === 0) story.item("No leader crashed in this run.");
  for (const c of crashes) {
    const back = `back at t=${fmtMs(c.restartAtMs)}`;
    const tp = c.order !== undefined ? `${c.order.topic}-${c.order.partition}` : "";
    let resume = "";
    if (c.order !== undefined) {
      const from = c.committedOffset ?? 0;
      const upTo = c.mode === "after-charge" ? c.order.offset : c.order.offset - 1;
      const committedText =
        c.committedOffset === undefined
          ? `No offset of ${tp} had been committed yet`
          : `The group's committed offset for ${tp} was ${from}`;
      if (from > upTo) resume = ` ${committedText}: nothing processed would be delivered again.`;
      else
        resume = ` ${committedText}, so ${from === upTo ? `offset ${from}` : `offsets ${from}–${upTo}`} of ${tp}, already processed, would be delivered again.`;
    }
    if (c.mode === "after-charge")
      story.item(
        `t=${fmtMs(c.atMs)}: ${c.consumer} crashed right after the database committed the charge for ${c.order?.orderId ?? "an order"} (${tp} offset ${c.order?.offset ?? "?"}), before the consumer committed that offset (${back}).${resume}`,
      );
    else if (c.mode === "mid-transaction")
      story.item(
        `t=${fmtMs(c.atMs)}: ${c.consumer} crashed while its database transaction for ${c.order?.orderId ?? "an order"} (${tp} offset ${c.order?.offset ?? "?"}) was in flight: the database applied none of it (${back}).${resume}`,
      );
    else story.item(`t=${fmtMs(c.atMs)}: ${c.consumer} crashed while it had nothing to do (${back}).`);
  }
  if (handlerErrorCount > 0)
    story.item(
      `${Your} handler threw ${plural(handlerErrorCount, "time")} (the consumer retried the order each time); first: ${handlerErrors[0]}`,
    );

  story.section("The charges");
  const byOrder = new Map<string, ChargeRecord[]>();
  for (const c of db.charges) {
    const l = byOrder.get(c.orderId);
    if (l === undefined) byOrder.set(c.orderId, [c]);
    else l.push(c);
  }
  let extraCharges = 0;
  let extraCents = 0;
  let worst: ChargeRecord[] | undefined;
  for (const l of byOrder.values()) {
    if (l.length < 2) continue;
    extraCharges += l.length - 1;
    extraCents += (l.length - 1) * l[0]!.amountCents;
    if (worst === undefined || l.length > worst.length) worst = l;
  }
  const ackedValues = new Set<string>();
  for (const op of rec.history())
    if (op.type === "send" && op.outcome === "ok") for (const m of op.messages) ackedValues.add(m.value);
  const neverCharged = [...ackedValues].filter((v) => !byOrder.has(v));
  story.say(
    `${plural(db.charges.length, "charge")} for ${plural(byOrder.size, "order")} (${plural(ackedValues.size, "acknowledged order")}).${
      extraCharges > 0
        ? ` Customers were charged ${plural(extraCharges, "time")} too many: ${euros(extraCents)} overcharged.`
        : " Nobody was charged twice."
    }${neverCharged.length > 0 ? ` ${plural(neverCharged.length, "acknowledged order")} never charged (first: ${neverCharged[0]}).` : ""}`,
  );
  if (redeliveries > 0)
    story.say(
      `The consumers received ${plural(redeliveries, "order")} that had already been charged (redelivered after a crash, or a second copy in the log)${extraCharges === 0 ? ": each was recognised, and none was charged again." : "."}`,
    );
  if (worst !== undefined) {
    const w = worst;
    story.say(
      `For example ${w[0]!.customer} paid ${w.length} times for ${w[0]!.orderId} (${euros(w[0]!.amountCents)}): ${w
        .map(
          (c) => `t=${fmtMs(c.atMs)} by ${c.consumer} from ${c.delivery.topicPartition}@${c.delivery.offset}`,
        )
        .join(", ")}.`,
    );
  }
  const dupCases = verdict.anomalies.find((a) => a.name === "duplicate");
  if (dupCases !== undefined)
    story.say(
      `${plural(dupCases.count, "order")} ${dupCases.count === 1 ? "is" : "are"} stored more than once in the log, at different offsets: a consumer that keys its "already charged" check on topic-partition-offset would charge ${dupCases.count === 1 ? "it" : "them"} twice even without a crash.`,
    );

  // The business requirement, stated directly: every order the shop placed was charged (an
  // order whose send never succeeded is not charged, and effect-lost does not count it).
  const uncharged = placed.filter((o) => !byOrder.has(o.orderId));
  const everyOrderCharged: LivenessResult = {
    name: "every order charged",
    kind: "every-order-charged" as LivenessResult["kind"],
    ok: uncharged.length === 0,
    measured: uncharged.length,
    examples: [],
    explanation:
      uncharged.length === 0
        ? `all ${plural(placed.length, "order")} the shop placed were charged by t=${fmtMs(endMs)}`
        : `${uncharged.length} of ${plural(placed.length, "order")} the shop placed were never charged by t=${fmtMs(endMs)} (first: ${uncharged[0]!.orderId}, placed at t=${fmtMs(uncharged[0]!.atMs)})`,
  };
  const liveness = [...verdict.liveness, everyOrderCharged];
  const bad = verdict.anomalies.filter((a) => a.forbidden);
  const badLive = liveness.filter((l) => !l.ok);
  const ok = bad.length === 0 && badLive.length === 0;
  return {
    verdict: {
      ...verdict,
      ok,
      summary: ok
        ? `PASS seed=${seed}: no forbidden anomaly, ${plural(liveness.length, "liveness check")} passed`
        : `FAIL seed=${seed}: ${[...bad.map((a) => `${a.name} (${a.count})`), ...badLive.map((l) => `liveness: ${l.name}`)].join(", ")}`,
      liveness,
    },
    narration: story,
    trace: world.trace.events,
  };
}
