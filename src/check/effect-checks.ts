/**
 * The effect anomalies: checks over the effect ledger (effects.ts) against the messages the
 * history proves were written.
 *
 * - effect-duplicated: a message value with two or more ledger entries.
 * - effect-lost: an expected message with no ledger entry. Expected = every acknowledged send
 *   and every uncertain send that a poll returned (it is in the log, so a correct consumer
 *   processes it), plus the ledger's explicit `expect`s. By default every topic counts (fail
 *   closed: a consumer that never reads anything must not pass); pass `effectTopics` when the
 *   application consumes only some topics (a pipeline's output topic has no effects).
 * - effect-reordered: for one key and partition, looking only at each message's first effect in
 *   application order, an effect whose offset is below an offset already applied. Null keys
 *   carry no ordering promise in Kafka and are skipped. Redeliveries are not reorders: they show
 *   up as effect-duplicated.
 *
 * Linear in ledger entries plus messages (one sort of the ledger if it is not in time order).
 */
import type { AnomalyCase, AnomalyName, WitnessEvent } from "./anomalies";
import { opWitness } from "./anomalies";
import type { EffectEntry, ExpectedEffect } from "./effects";
import { effectsInApplyOrder } from "./effects";
import { fmtMs } from "./format";
import type { TopicPartitionName } from "./history";
import type { Observations, ValueInfo } from "./observations";
import { definitelyFailed, isAcknowledged } from "./observations";

type Cases = Record<AnomalyName, AnomalyCase[]>;

/** Applications of one message listed in a witness are capped at this many. */
const MAX_APPLICATIONS_SHOWN = 5;

export function effectWitness(e: EffectEntry, role: string): WitnessEvent {
  return {
    role,
    kind: "effect",
    id: e.seq,
    process: e.consumer,
    atMs: e.atMs,
    topicPartition: e.topicPartition,
    offset: e.offset,
    key: e.key,
    value: e.value,
  };
}

function topicOf(tp: TopicPartitionName): string {
  return tp.slice(0, tp.lastIndexOf("-"));
}

/** Where the history places a value: its acknowledged position, or where a poll read it. */
function placeOf(obs: Observations, v: ValueInfo): { tp: TopicPartitionName; offset: number } | undefined {
  for (const s of v.sends) {
    const op = obs.history[s.opId]!;
    if (op.type === "send" && op.outcome === "ok") {
      const m = op.messages[s.messageIndex]!;
      return {
        tp: `${m.topic}-${op.positions![s.messageIndex]!.partition}`,
        offset: op.positions![s.messageIndex]!.offset,
      };
    }
  }
  const p = v.positions[0];
  return p === undefined ? undefined : { tp: p.topicPartition, offset: p.offset };
}

export interface EffectCheckInput {
  entries: readonly EffectEntry[];
  expected: readonly ExpectedEffect[];
  /** Topics whose messages must produce effects (see file header for the default). */
  effectTopics?: readonly string[];
}

export function findEffectAnomalies(obs: Observations, input: EffectCheckInput, out: Cases): void {
  const ordered = effectsInApplyOrder(input.entries);
  const applications = new Map<string, EffectEntry[]>();
  for (const e of ordered) {
    const list = applications.get(e.value);
    if (list === undefined) applications.set(e.value, [e]);
    else list.push(e);
  }

  // effect-duplicated
  for (const [value, list] of applications) {
    if (list.length < 2) continue;
    const first = list[0]!;
    out["effect-duplicated"].push({
      name: "effect-duplicated",
      summary: `the effect of ${JSON.stringify(value)} (${first.topicPartition}@${first.offset}) was applied ${list.length} times, at ${list.map((e) => `t=${fmtMs(e.atMs)} by ${e.consumer}`).join(", ")}`,
      topicPartition: first.topicPartition,
      offset: first.offset,
      value,
      key: first.key,
      events: list
        .slice(0, MAX_APPLICATIONS_SHOWN)
        .map((e, i) => effectWitness(e, i === 0 ? "first application" : `application ${i + 1}`)),
    });
  }

  // effect-lost
  const reported = new Set<string>();
  const topics = input.effectTopics === undefined ? undefined : new Set<string>(input.effectTopics);
  for (const v of obs.values.values()) {
    if (applications.has(v.value)) continue;
    const acked = isAcknowledged(obs, v);
    if (!acked && (v.firstReadOpId < 0 || definitelyFailed(obs, v) || v.sends.length === 0)) continue;
    const place = placeOf(obs, v);
    if (place === undefined || (topics !== undefined && !topics.has(topicOf(place.tp)))) continue;
    const sendOp = obs.history[v.sends[0]!.opId]!;
    const events = [
      opWitness(sendOp, acked ? "acknowledged send" : "uncertain send that a poll proved written", {
        topicPartition: place.tp,
        offset: place.offset,
        key: v.key,
        value: v.value,
      }),
    ];
    if (v.firstReadOpId >= 0)
      events.push(
        opWitness(obs.history[v.firstReadOpId]!, "poll that returned it", {
          topicPartition: place.tp,
          offset: place.offset,
          value: v.value,
        }),
      );
    reported.add(v.value);
    out["effect-lost"].push({
      name: "effect-lost",
      summary: `${JSON.stringify(v.value)} at ${place.tp}@${place.offset} was ${acked ? "acknowledged" : "written"}${v.firstReadOpId >= 0 ? " and consumed" : ""}, but its effect never happened`,
      topicPartition: place.tp,
      offset: place.offset,
      value: v.value,
      key: v.key,
      events,
    });
  }
  for (const x of input.expected) {
    if (applications.has(x.value) || reported.has(x.value)) continue;
    reported.add(x.value);
    const c: AnomalyCase = {
      name: "effect-lost",
      summary: `${JSON.stringify(x.value)} was expected to produce an effect, but none happened`,
      value: x.value,
      events: [],
    };
    if (x.topicPartition !== undefined) c.topicPartition = x.topicPartition;
    if (x.offset !== undefined) c.offset = x.offset;
    if (x.key !== undefined) c.key = x.key;
    out["effect-lost"].push(c);
  }

  // effect-reordered: first applications only, per (key, partition).
  const highest = new Map<TopicPartitionName, Map<string, EffectEntry>>();
  for (const e of ordered) {
    if (e.key === null || applications.get(e.value)![0] !== e) continue;
    let byKey = highest.get(e.topicPartition);
    if (byKey === undefined) highest.set(e.topicPartition, (byKey = new Map()));
    const top = byKey.get(e.key);
    if (top === undefined || e.offset > top.offset) {
      byKey.set(e.key, e);
      continue;
    }
    if (e.offset === top.offset) continue; // two values at one offset: an inconsistent-offsets problem, not ordering
    out["effect-reordered"].push({
      name: "effect-reordered",
      summary: `offset ${e.offset} of ${e.topicPartition} (key ${JSON.stringify(e.key)}) was applied at t=${fmtMs(e.atMs)}, after offset ${top.offset} (applied at t=${fmtMs(top.atMs)})`,
      topicPartition: e.topicPartition,
      offset: e.offset,
      value: e.value,
      key: e.key,
      offsets: [top.offset, e.offset],
      events: [
        effectWitness(top, `applied first, though its offset ${top.offset} is higher`),
        effectWitness(e, `applied later, though its offset ${e.offset} is lower`),
      ],
    });
  }
}
