/**
 * Lab 04's narration: what the run did, told in business terms (orders created, paid, shipped)
 * and tied to Kafka's mechanics (offsets, retries, in-flight requests, commits). The checker's
 * verdict names the anomalies; this file explains where each order's events went out of order:
 * in the log (the producer stored them out of send order) or in the consumer (the pool applied
 * them out of offset order). Browser-safe.
 */
import { fmtMs, type EffectLedger, type History, type Verdict } from "../../src/check";
import type { ResolvedProducerConfig } from "../../src/client";
import { Narration, plural } from "../_lib";
import { ORDER_EVENT_KINDS, type CommitPosition, type OrderEventKind } from "./pool";
import { LAB_PRODUCER_TIMINGS, SCENARIO } from "./spec";

export interface ConsumerCrash {
  process: string;
  atMs: number;
  /** Committed offsets (next to read) per partition at the crash. */
  committed: Map<number, number>;
  /** Values being handled by a worker when the process died. */
  inHand: string[];
  /** What the pool reported as committable at the crash. */
  reported: CommitPosition[];
}

export interface RunFacts {
  t0: number;
  ordersPlaced: number;
  eventsSent: number;
  sendFailures: string[];
  sendFailureCount: number;
  /** When each value was sent (virtual ms). */
  sentAtMs: Map<string, number>;
  consumerCrash: ConsumerCrash | undefined;
  poolErrors: string[];
  /** Effects applied (with redeliveries). */
  handled: number;
  /** Effects applied a second time (a redelivery after the crash, or a duplicate in the log). */
  redelivered: number;
  /** Sum of handling time over all workers (ms). */
  busyMs: number;
  producerStats:
    { requestsSent: number; batchesSent: number; retries: number; requestTimeouts: number } | undefined;
  /** Partition leaders the nemesis crashed (the partition it was asked to hit, when known). */
  leaderCrashes: {
    atMs: number;
    node: string;
    partition: number | undefined;
    backAtMs: number | undefined;
  }[];
}

export interface StoryInput {
  facts: RunFacts;
  settings: ResolvedProducerConfig;
  ledger: EffectLedger;
  history: History;
  lostAnswers: number;
  endMs: number;
  verdict: Verdict;
}

interface Place {
  partition: string;
  offset: number;
}

const RANK: Record<OrderEventKind, number> = { created: 0, paid: 1, shipped: 2 };

function parseValue(value: string): { orderId: string; kind: OrderEventKind } | undefined {
  const [orderId, kind] = value.split(":");
  if (orderId === undefined || !(ORDER_EVENT_KINDS as readonly string[]).includes(kind ?? ""))
    return undefined;
  return { orderId, kind: kind as OrderEventKind };
}

export function describeOrdering(input: StoryInput): Narration {
  const { facts, settings, ledger, history, verdict } = input;
  const S = SCENARIO;
  const at = (ms: number): string => `t=${fmtMs(ms)}`;
  const fromT0 = (ms: number): string => at(facts.t0 + ms);
  const n = new Narration();

  n.section("The setup");
  n.say(
    `A cluster of ${S.brokers} brokers (and 3 controllers) hosts \`${S.topic}\`: ${S.partitions} partitions, replication factor ${S.replicationFactor}, min.insync.replicas=${S.minInsyncReplicas}.`,
  );
  n.say(
    `The cluster was ready at ${at(facts.t0)}; from then the order service places about 20 orders a second for ${fmtMs(S.ordersUntilMs)}. Each order has three events, keyed by its order id and sent as they happen, 5–60 ms apart: created → paid → shipped. It never waits for one acknowledgement before the next send. Your producer (exercise/producer-config.ts): enable.idempotence=${settings.idempotence}, max.in.flight.requests.per.connection=${settings.maxInFlightRequestsPerConnection}, retries=${settings.retries}, acks=${settings.acks === -1 ? "all" : settings.acks}; the lab sets request.timeout.ms=${LAB_PRODUCER_TIMINGS.requestTimeoutMs}.`,
  );
  n.say(
    `The fulfilment consumer reads all ${S.partitions} partitions and hands each record to your pool (exercise/worker-pool.ts), which may run ${S.workers} workers; applying one event takes ${S.handleMs.min}–${S.handleMs.max} ms, so one worker manages at most ${Math.floor(1000 / ((S.handleMs.min + S.handleMs.max) / 2))} a second. Every ${S.commitIntervalMs} ms the consumer commits the offsets your pool reports as committable.`,
  );

  // ---- faults ----
  n.section("What happened");
  const p = facts.producerStats;
  n.say(
    `${facts.ordersPlaced} orders, ${facts.eventsSent} events sent, ${verdict.stats.messagesAcknowledged} acknowledged${facts.sendFailureCount > 0 ? `, ${facts.sendFailureCount} failed` : ""}.${p !== undefined ? ` The producer sent ${p.requestsSent} Produce requests; ${plural(p.requestTimeouts, "request")} timed out after ${LAB_PRODUCER_TIMINGS.requestTimeoutMs} ms and ${plural(p.retries, "batch", "batches")} were resent.` : ""}`,
  );
  const events: { atMs: number; text: string }[] = [];
  events.push({
    atMs: facts.t0 + S.lossWindows[0]!.fromMs,
    text: `${S.lossWindows.map((w) => `${fromT0(w.fromMs)}–${fmtMs(facts.t0 + w.untilMs)}`).join(" and ")}: ${S.responseLoss * 100}% of the brokers' answers to the order service were lost (${plural(input.lostAnswers, "message")} dropped). A lost answer looks like a dead connection: the request times out, every request in flight on that connection fails with it, and the producer resends them.`,
  });
  for (const c of facts.leaderCrashes)
    events.push({
      atMs: c.atMs,
      text: `${at(c.atMs)}: ${c.node}, ${c.partition !== undefined ? `leader of ${S.topic}-${c.partition}` : "a partition leader"}, crashed${c.backAtMs !== undefined ? ` (back at ${at(c.backAtMs)})` : ""}. The order service's requests in flight to it timed out; after a metadata refresh the producer resent them to the new leaders.`,
    });
  const crash = facts.consumerCrash;
  if (crash !== undefined) {
    const committed = [...crash.committed]
      .sort((a, b) => a[0] - b[0])
      .map(([part, o]) => `${S.topic}-${part}@${o}`)
      .join(", ");
    events.push({
      atMs: crash.atMs,
      text: `${at(crash.atMs)}: the consumer process (${crash.process}) was killed right after committing ${committed}; ${plural(crash.inHand.length, "event was", "events were")} being handled at that moment. It restarted ${fmtMs(S.consumerDownMs)} later with a new pool, from the committed offsets.`,
    });
  }
  for (const e of events.sort((a, b) => a.atMs - b.atMs)) n.item(e.text);
  for (const e of facts.poolErrors) n.item(`your pool: ${e}`);

  // ---- the log ----
  // Every copy of every event: where polls read it and where acknowledgements placed it.
  const copies = new Map<string, Map<string, Place>>();
  const addCopy = (value: string, place: Place): void => {
    let m = copies.get(value);
    if (m === undefined) copies.set(value, (m = new Map()));
    m.set(`${place.partition}@${place.offset}`, place);
  };
  for (const op of history) {
    if (op.type === "poll" && op.outcome === "ok")
      for (const [tp, records] of Object.entries(op.records ?? {}))
        for (const [offset, , value] of records) addCopy(value, { partition: tp, offset });
    if (op.type === "send" && op.outcome === "ok" && op.positions !== undefined)
      op.messages.forEach((m, i) => {
        const pos = op.positions![i];
        if (pos !== undefined)
          addCopy(m.value, { partition: `${m.topic}-${pos.partition}`, offset: pos.offset });
      });
  }
  const orders = new Map<string, Map<OrderEventKind, string>>();
  for (const value of facts.sentAtMs.keys()) {
    const v = parseValue(value);
    if (v === undefined) continue;
    let m = orders.get(v.orderId);
    if (m === undefined) orders.set(v.orderId, (m = new Map()));
    m.set(v.kind, value);
  }
  let logBroken = 0;
  let logExample = "";
  /** Orders whose FIRST copies are out of order: even applying each event once goes wrong. */
  const swappedOrders = new Set<string>();
  for (const [orderId, events] of orders) {
    const stored: { k: OrderEventKind; offset: number; tp: string; first: boolean }[] = [];
    for (const k of ORDER_EVENT_KINDS) {
      const value = events.get(k);
      const places = [...(value === undefined ? [] : (copies.get(value)?.values() ?? []))].sort(
        (a, b) => a.offset - b.offset,
      );
      places.forEach((pl, i) => stored.push({ k, offset: pl.offset, tp: pl.partition, first: i === 0 }));
    }
    stored.sort((a, b) => a.offset - b.offset);
    const firsts = stored.filter((x) => x.first);
    if (firsts.some((x, i) => i > 0 && RANK[x.k] < RANK[firsts[i - 1]!.k])) swappedOrders.add(orderId);
    let top = -1;
    let broken = false;
    for (const x of stored) {
      if (RANK[x.k] < top) broken = true;
      top = Math.max(top, RANK[x.k]);
    }
    if (!broken) continue;
    logBroken++;
    if (logExample === "" || (swappedOrders.has(orderId) && swappedOrders.size === 1)) {
      const shown = stored.slice(0, 7).map((x) => `${x.k}@${x.offset}`);
      logExample = `${orderId} reads ${shown.join(", ")}${stored.length > 7 ? ", …" : ""} in ${stored[0]!.tp}`;
    }
  }
  n.section("The log: does each order read created → paid → shipped in offset order?");
  if (logBroken === 0)
    n.say(
      `Yes: for every order, the log holds its events in the order they were sent.${settings.idempotence ? " The idempotent producer's sequence numbers let a leader append a resent batch only in its place, and recognise one it already has." : ""}`,
    );
  else {
    n.say(
      `No: ${plural(logBroken, "order")} ${logBroken === 1 ? "does" : "do"} not. For example ${logExample}. In ${swappedOrders.size} of them an event's first copy already lies behind a later event; in the rest a resent copy of an earlier event landed after a later one, so a consumer that applies the log in order sets the order back (to \`created\` after it was paid).`,
    );
    n.say(
      `This is the producer: ${settings.maxInFlightRequestsPerConnection} requests in flight, idempotence off. When a request timed out, the requests behind it failed with it although the leader may have written them, and the producer resent them in a different order, after requests that had gone out since. A consumer reads the log in offset order; it cannot repair this.`,
    );
  }
  const dups = verdict.anomalies.find((a) => a.name === "duplicate");
  if (dups !== undefined)
    n.say(
      `${plural(dups.count, "event is", "events are")} stored twice: a resend of a batch whose answer was lost, which the leader had already written (without idempotence it cannot tell). Allowed here; lab 02 is about it.`,
    );

  // ---- the consumer ----
  const firstApply = new Map<string, { atMs: number; offset: number; tp: string }>();
  for (const e of ledger.entries())
    if (!firstApply.has(e.value))
      firstApply.set(e.value, { atMs: e.atMs, offset: e.offset, tp: e.topicPartition });
  let poolSwapped = 0;
  let poolExample = "";
  let businessBroken = 0;
  for (const [orderId, events] of orders) {
    const applied = ORDER_EVENT_KINDS.map((k) => ({ k, value: events.get(k) }))
      .filter((x) => x.value !== undefined && firstApply.has(x.value))
      .map((x) => ({ k: x.k, ...firstApply.get(x.value!)! }))
      .sort((a, b) => a.atMs - b.atMs);
    let broken = false;
    for (let i = 1; i < applied.length; i++) {
      const a = applied[i - 1]!;
      const b = applied[i]!;
      if (RANK[b.k] > RANK[a.k]) continue;
      broken = true;
      if (b.offset > a.offset) {
        // applied later although its offset is higher: not the pool's doing (the log was wrong)
        continue;
      }
      poolSwapped++;
      if (poolExample === "")
        poolExample = `${orderId}: \`${a.k}\` (${a.tp}@${a.offset}) was applied at ${at(a.atMs)}, before \`${b.k}\` (@${b.offset}, applied at ${at(b.atMs)})`;
      break;
    }
    if (broken) businessBroken++;
  }
  n.section("The consumer: were each order's events applied in offset order?");
  if (poolSwapped === 0) n.say("Yes: for every order, effects were applied in the order of their offsets.");
  else
    n.say(
      `No: in ${plural(poolSwapped, "order")} a worker applied an event before an earlier event of the same order had finished. For example ${poolExample}. One shared queue lets whichever worker is free take the next event, and handling times vary, so a later event of a key can overtake an earlier one.`,
    );
  if (businessBroken > 0)
    n.say(
      `In business terms, ${plural(businessBroken, "order")} went through created → paid → shipped in the wrong order (${swappedOrders.size} because of the log, the rest because of the pool).`,
    );
  const window = (S.throughput.untilMs - S.throughput.fromMs) / 1000;
  const tput = verdict.liveness.find((l) => l.kind === "effect-throughput");
  const busy = facts.busyMs / (S.workers * (input.endMs - facts.t0));
  n.say(
    `Throughput: ${tput !== undefined ? `${+tput.measured.toFixed(1)} events per second` : "not measured"} between ${fromT0(S.throughput.fromMs)} and ${fromT0(S.throughput.untilMs)} (${window} s; the floor is ${S.throughput.minPerSecond}). The ${S.workers} worker slots were busy ${Math.round(busy * 100)}% of the run. ${facts.handled} effects applied${facts.redelivered > 0 ? `, ${facts.redelivered} of them a second time (redelivered after the crash, or a duplicate in the log: at-least-once, allowed)` : ", none twice"}.`,
  );
  const lost = verdict.anomalies.find((a) => a.name === "effect-lost");
  if (lost !== undefined && crash !== undefined)
    n.say(
      `${plural(lost.count, "acknowledged event was", "acknowledged events were")} never applied: the offsets committed just before the crash were past events still queued or being handled, so the restarted consumer began after them.`,
    );

  // ---- what to do ----
  n.section(verdict.ok ? "Result" : "What to fix");
  if (verdict.ok) {
    n.say(
      "Every order's events were stored in send order and applied in offset order, nothing acknowledged was lost, and the pool kept up.",
    );
    return n;
  }
  const failing = new Set([
    ...verdict.anomalies.filter((a) => a.forbidden).map((a) => a.name as string),
    ...verdict.liveness.filter((l) => !l.ok).map((l) => l.name),
  ]);
  if (failing.has("nonmonotonic-send"))
    n.item(
      "nonmonotonic-send → exercise/producer-config.ts: the producer must keep send order across retries with several requests in flight.",
    );
  if (failing.has("effect-reordered"))
    n.item(
      "effect-reordered → exercise/worker-pool.ts: events of one order must never be handled by two workers at once.",
    );
  if (failing.has("effect-lost"))
    n.item(
      "effect-lost → committable() in exercise/worker-pool.ts: commit only up to the first offset not yet fully handled.",
    );
  if (failing.has("effect-throughput"))
    n.item(
      `effect-throughput → exercise/worker-pool.ts: one worker manages ${Math.floor(1000 / ((S.handleMs.min + S.handleMs.max) / 2))} events a second; the floor is ${S.throughput.minPerSecond}. Use all ${S.workers} workers, in parallel across keys.`,
    );
  if (failing.has("every-event-acknowledged"))
    n.item(
      "every-event-acknowledged → exercise/producer-config.ts: sends must survive lost answers and leader crashes (retries, acks=all).",
    );
  if (failing.has("lost-write"))
    n.item("lost-write → exercise/producer-config.ts: with acks=all nothing acknowledged is lost.");
  return n;
}
