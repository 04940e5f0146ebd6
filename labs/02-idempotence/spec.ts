/**
 * Lab 02's fixed terms: what the learner implements (`IdempotenceImpl`), the scenario's sizes
 * and timings, and the anomaly the lab adds to the checker's. Browser-safe.
 */
import type { ProducerConfig } from "../../src/client";
import type { CheckSequence } from "../../src/log";
import type { AnomalyName } from "../../src/check";
import type { OrderHandler, PaymentServices } from "./payments-db";

/** The learner's configuration and code. */
export interface IdempotenceImpl {
  /** exercise/producer-config.ts: the shop's producer settings. */
  producerConfig: ProducerConfig;
  /** exercise/sequence-check.ts: the brokers' sequence check (seam LogSeams.checkSequence). */
  checkSequence: CheckSequence;
  /** exercise/payment-consumer.ts: the payment consumer's handler, made once per process. */
  createOrderHandler: (services: PaymentServices) => OrderHandler;
}

/** Keys of exercise/producer-config.ts the lab accepts. */
export const PRODUCER_KEYS: readonly (keyof ProducerConfig)[] = [
  "acks",
  "enableIdempotence",
  "retries",
  "maxInFlightRequestsPerConnection",
];

/**
 * Producer timings the lab sets (Kafka's defaults are 30 s and 120 s: too long for a run of a
 * few dozen simulated seconds, and not what the lab is about).
 */
export const LAB_PRODUCER_TIMINGS = Object.freeze({
  requestTimeoutMs: 1500,
  deliveryTimeoutMs: 30_000,
  lingerMs: 5,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1000,
});

/** What the lab fixes. Times are relative to t0, the moment the cluster is ready. */
export const SCENARIO = Object.freeze({
  topic: "orders",
  partitions: 3,
  replicationFactor: 3,
  minInsyncReplicas: 2,
  brokers: 3,
  group: "payments",
  consumers: ["payments-1", "payments-2"] as readonly string[],
  shop: "shop",
  customers: 12,
  /** Gap between two orders, uniform in [min, max] ms. */
  orderGapMs: { min: 15, max: 45 },
  /** The shop places orders in [0, ordersUntilMs). */
  ordersUntilMs: 16_000,
  /** Faults (lost answers, leader crashes, consumer crashes) happen in [faultsFromMs, faultsUntilMs). */
  faultsFromMs: 1_500,
  faultsUntilMs: 14_000,
  /** Share of brokers' answers to the shop lost while faults happen. */
  responseLoss: 0.06,
  /** Leader crashes: mean gap and how long a crashed broker stays down. */
  leaderCrashMeanGapMs: 6_000,
  leaderDownMs: { min: 3_500, max: 5_500 },
  /** Consumer crashes in the fault phase, and how long a crashed consumer stays down. */
  consumerCrashes: 4,
  consumerDownMs: { min: 300, max: 1_200 },
  /** An armed crash waits at most this long for the consumer's next database work, then crashes it anyway. */
  crashArmedMaxMs: 4_000,
  /** The run ends once everything is charged, or at this time at the latest. */
  deadlineMs: 45_000,
  /** Liveness: every order acknowledged within this long of being placed. */
  ackWithinMs: 15_000,
  /** Liveness: every acknowledged order read within this long after the faults stop. */
  drainWithinMs: 20_000,
  /** One round trip to the payments database. */
  dbLatencyMs: 4,
  /** Consumer settings (Kafka's defaults for auto-commit; shorter session timeouts). */
  autoCommitIntervalMs: 5_000,
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 1_000,
  /** Seeded cases of the sequence check against Kafka's rules, per run. */
  sequenceCases: 240,
});

/** Checker anomalies the grader forbids. */
export const CHECKER_FORBIDDEN: readonly AnomalyName[] = ["duplicate", "effect-duplicated", "effect-lost"];

/** The lab's own anomaly: the sequence check answered a case against Kafka's rules. */
export const SEQUENCE_CHECK_WRONG = "sequence-check-wrong";

export const LAB02_FORBIDDEN: readonly string[] = [...CHECKER_FORBIDDEN, SEQUENCE_CHECK_WRONG];

export const SEQUENCE_CHECK_DOC = Object.freeze({
  title: "the sequence check answered a case against Kafka's rules",
  whyItMatters:
    "The broker's answer decides whether a retried batch is written twice (a duplicate), refused (the producer thinks the write failed, and may give up on an order that is in the log), or accepted over a gap (records lost in between go unnoticed). Every idempotent producer relies on it.",
});
