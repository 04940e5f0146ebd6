/**
 * The catalogue of anomalies the checker can find, in plain language, and the shape of one
 * found case with its witness (the few operations that prove it).
 *
 * Names follow Jepsen's Kafka checker (jepsen-io/jepsen, `jepsen.tests.kafka`) so that a
 * learner who later reads a Jepsen report recognises them. The authoritative definitions are
 * in docs (reference/checker.md); each entry below restates one for learners.
 *
 * Log anomalies (what producers and consumers saw of the partitions):
 *
 * - lost-write — the broker said "written" (or a poll proved an uncertain send was written),
 *   later reads went past its offset, yet no poll ever returned it. Something promised to keep
 *   the message and did not: typically a leader acknowledged with acks=1, or with a too-small
 *   ISR, then died, and the new leader's log never had it.
 * - unseen — acknowledged, but never returned by any poll even after a final drain that read
 *   until the log went quiet, and above the highest offset anyone read. The tail of the log
 *   vanished (truncated after a failover) or consumers stopped short. A message reported as
 *   lost-write is not reported again as unseen.
 * - duplicate — one message stored at two offsets (or two partitions). A producer retried a
 *   send that had in fact succeeded; idempotence (producer id + sequence numbers) prevents it.
 * - inconsistent-offsets — one offset of one partition held different messages depending on
 *   who looked: replicas diverged and consumers saw both histories.
 * - nonmonotonic-send — one producer's later send to a partition landed at or below its earlier
 *   send: per-partition ordering broke (retries with several requests in flight, no idempotence).
 * - int-nonmonotonic-send / int-send-skip — the same inside one multi-message send: its messages
 *   to one partition went backwards, or other messages landed between them (one batch should be
 *   contiguous).
 * - poll-skip — one consumer read a partition and then, with no reassignment or seek between,
 *   jumped over offsets that exist. Its application never processed those messages.
 * - nonmonotonic-poll — one consumer went backwards or read an offset again without a
 *   reassignment or seek: it will process messages twice or out of order.
 * - aborted-read (Jepsen's G1a) — a poll returned a message whose send definitely failed (for
 *   instance from an aborted transaction). Consumers acted on data that never officially existed.
 *
 * Effect anomalies (what the consuming application did, from the effect ledger):
 *
 * - effect-duplicated — one message's side effect happened twice (an order charged twice):
 *   at-least-once delivery without an idempotent or transactional consumer.
 * - effect-lost — an acknowledged message whose effect never happened (offset committed before
 *   processing, then a crash).
 * - effect-reordered — two effects for one key happened in an order different from their
 *   offsets (parallel processing without per-key ordering).
 */
import type { Operation, OpType, Outcome, TopicPartitionName } from "./history";

export const LOG_ANOMALIES = [
  "lost-write",
  "unseen",
  "duplicate",
  "inconsistent-offsets",
  "nonmonotonic-send",
  "int-nonmonotonic-send",
  "int-send-skip",
  "poll-skip",
  "nonmonotonic-poll",
  "aborted-read",
] as const;

export const EFFECT_ANOMALIES = ["effect-duplicated", "effect-lost", "effect-reordered"] as const;

export const ALL_ANOMALIES = [...LOG_ANOMALIES, ...EFFECT_ANOMALIES] as const;

export type AnomalyName = (typeof ALL_ANOMALIES)[number];

export interface AnomalyDoc {
  /** One short line. */
  title: string;
  /** What was observed, in plain words. */
  meaning: string;
  /** Why a learner should care: what goes wrong for the business. */
  whyItMatters: string;
}

export const ANOMALY_DOCS: Record<AnomalyName, AnomalyDoc> = {
  "lost-write": {
    title: "acknowledged message lost",
    meaning:
      "The broker acknowledged the message, consumers later read past its offset, yet no poll ever returned it.",
    whyItMatters: "The producer was told the data was safe and moved on; nobody will ever process it.",
  },
  unseen: {
    title: "acknowledged message never consumed",
    meaning:
      "The broker acknowledged the message but even a final drain that read until the log was quiet never returned it.",
    whyItMatters:
      "Acknowledged data is missing from the end of the log: a leader failover truncated it, or consumers stopped early.",
  },
  duplicate: {
    title: "message stored twice",
    meaning: "The same message sits at two or more offsets.",
    whyItMatters: "Every consumer will process it twice: double charges, double shipments.",
  },
  "inconsistent-offsets": {
    title: "one offset, two messages",
    meaning: "Different clients saw different messages at the same offset of the same partition.",
    whyItMatters:
      "Replicas diverged: what a consumer read depends on which broker it asked, and one version was lost.",
  },
  "nonmonotonic-send": {
    title: "producer's messages out of order",
    meaning: "A producer's later send to a partition was written at or before its earlier send.",
    whyItMatters:
      "Kafka promises per-partition order for one producer; consumers see 'cancel order' before 'create order'.",
  },
  "int-nonmonotonic-send": {
    title: "batch written out of order",
    meaning:
      "Inside one multi-message send, messages to one partition were written in a different order than given.",
    whyItMatters: "A batch is meant to be appended as a unit, in order.",
  },
  "int-send-skip": {
    title: "batch split apart",
    meaning:
      "Inside one multi-message send, other messages were written between its messages to one partition.",
    whyItMatters: "A batch is meant to occupy consecutive offsets.",
  },
  "poll-skip": {
    title: "consumer skipped messages",
    meaning: "A consumer jumped over offsets that exist, with no reassignment or seek in between.",
    whyItMatters: "The application never processed the skipped messages even though they are in the log.",
  },
  "nonmonotonic-poll": {
    title: "consumer went backwards",
    meaning:
      "A consumer read an offset at or before one it had already read, with no reassignment or seek in between.",
    whyItMatters: "The application processes messages twice or out of order.",
  },
  "aborted-read": {
    title: "read a message that was never written",
    meaning: "A poll returned a message whose send definitely failed (for example, its transaction aborted).",
    whyItMatters: "Consumers acted on data the producer was told does not exist.",
  },
  "effect-duplicated": {
    title: "side effect applied twice",
    meaning: "The application applied one message's effect (charge, row, email) more than once.",
    whyItMatters: "At-least-once delivery without idempotent processing charges customers twice.",
  },
  "effect-lost": {
    title: "side effect never applied",
    meaning: "An acknowledged message's effect never happened by the end of the run.",
    whyItMatters:
      "The offset was committed before processing finished, or processing failed silently: the order is never charged.",
  },
  "effect-reordered": {
    title: "side effects out of order",
    meaning: "Two effects for the same key were applied in an order different from their offsets.",
    whyItMatters: "Per-key order is what makes 'create' come before 'update'; parallel processing broke it.",
  },
};

export function isAnomalyName(s: string): s is AnomalyName {
  return (ALL_ANOMALIES as readonly string[]).includes(s);
}

/** One operation or effect that is part of a witness. JSON-serialisable. */
export interface WitnessEvent {
  /** What this event shows, e.g. "acknowledged send", "poll that read the highest offset". */
  role: string;
  kind: "op" | "effect";
  /** History operation id (kind "op") or ledger sequence number (kind "effect"). */
  id: number;
  /** Client (process) or consumer that acted. */
  process: string;
  type?: OpType;
  node?: string;
  invokeMs?: number;
  completeMs?: number;
  outcome?: Outcome | "pending";
  /** Time an effect was applied. */
  atMs?: number;
  topicPartition?: TopicPartitionName;
  offset?: number;
  key?: string | null;
  value?: string;
}

/** One occurrence of an anomaly: what happened and the smallest set of events that shows it. */
export interface AnomalyCase {
  name: AnomalyName;
  /** One plain-language sentence about this case. */
  summary: string;
  topicPartition?: TopicPartitionName;
  offset?: number;
  value?: string;
  key?: string | null;
  /** The client at fault, for per-client anomalies (the producer or consumer whose order broke). */
  process?: string;
  /** Further offsets involved (skipped offsets, duplicate positions), capped. */
  offsets?: number[];
  /** For grouping explanations: the highest offset read in the partition (lost-write, unseen). */
  highestOffsetRead?: number;
  events: WitnessEvent[];
}

/** A witness event for a history operation, with the message details that matter for this case. */
export function opWitness(
  op: Operation,
  role: string,
  detail: { topicPartition?: TopicPartitionName; offset?: number; key?: string | null; value?: string } = {},
): WitnessEvent {
  const w: WitnessEvent = {
    role,
    kind: "op",
    id: op.id,
    process: op.process,
    type: op.type,
    invokeMs: op.invokeMs,
    outcome: op.outcome ?? "pending",
  };
  if (op.node !== undefined) w.node = op.node;
  if (op.completeMs !== undefined) w.completeMs = op.completeMs;
  if (detail.topicPartition !== undefined) w.topicPartition = detail.topicPartition;
  if (detail.offset !== undefined) w.offset = detail.offset;
  if (detail.key !== undefined) w.key = detail.key;
  if (detail.value !== undefined) w.value = detail.value;
  return w;
}
