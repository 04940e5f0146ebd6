/**
 * Lab 04's fixed terms: what the learner implements (`OrderingImpl`), the producer keys the
 * learner may set, the scenario's sizes and timings, and what the grader forbids and requires.
 * Browser-safe.
 */
import type { AnomalyName } from "../../src/check";
import type { ProducerConfig } from "../../src/client";
import type { CreateWorkerPool } from "./pool";

/** The learner's configuration and code (exercise/producer-config.ts, exercise/worker-pool.ts). */
export interface OrderingImpl {
  /** The order service's producer settings. */
  producerConfig: ProducerConfig;
  /** The fulfilment consumer's worker pool. */
  createWorkerPool: CreateWorkerPool;
}

/** Keys of `orderProducerConfig` the lab accepts (the timings are the lab's, below). */
export const PRODUCER_KEYS: readonly (keyof ProducerConfig)[] = [
  "acks",
  "enableIdempotence",
  "retries",
  "maxInFlightRequestsPerConnection",
];

/**
 * Producer timings the lab sets: Kafka's request.timeout.ms (30 s) is far too long for a run of
 * half a minute. delivery.timeout.ms (30 s) ≥ linger.ms + request.timeout.ms, as Kafka checks.
 */
export const LAB_PRODUCER_TIMINGS = Object.freeze({
  requestTimeoutMs: 1000,
  deliveryTimeoutMs: 30_000,
  lingerMs: 5,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1000,
});

/** What the lab fixes. Times are relative to t0, the moment the cluster is ready (ms). */
export const SCENARIO = Object.freeze({
  topic: "orders",
  partitions: 3,
  replicationFactor: 3,
  minInsyncReplicas: 2,
  brokers: 3,
  orderService: "order-service",
  consumer: "fulfilment",
  group: "fulfilment",
  /** The pool's thread budget. */
  workers: 4,
  /** Time to apply one event, uniform in [min, max) ms: one worker does at most 1000/40 = 25/s. */
  handleMs: { min: 20, max: 60 },
  /** A new order every 30–70 ms (about 20 orders, 60 events a second). */
  orderGapMs: { min: 30, max: 70 },
  /** paid follows created, and shipped follows paid, after 5–60 ms. */
  stepGapMs: { min: 5, max: 60 },
  ordersUntilMs: 24_000,
  /** Answers from the brokers to the order service are lost with this probability... */
  responseLoss: 0.04,
  /** ...in these windows (ms from t0). */
  lossWindows: [
    { fromMs: 3_000, untilMs: 9_000 },
    { fromMs: 13_000, untilMs: 18_000 },
  ],
  /** Partition leaders crash in [leaderCrashFromMs, faultsUntilMs), down this long. */
  leaderCrashFromMs: 5_000,
  leaderCrashMeanGapMs: 7_000,
  leaderDownMs: { min: 2_000, max: 3_500 },
  faultsUntilMs: 18_000,
  /** The consumer is killed right after its first successful commit at or after this time... */
  consumerCrashArmMs: { min: 7_000, max: 12_000 },
  /** ...and restarts this long after. */
  consumerDownMs: 1_000,
  /** The poll loop commits `committable()` this often. */
  commitIntervalMs: 500,
  maxPollRecords: 100,
  /** Throughput floor: first applications per simulated second in [fromMs, untilMs). */
  throughput: { fromMs: 2_000, untilMs: 24_000, minPerSecond: 40 },
  /** The run ends when every event is handled, or at this time. */
  deadlineMs: 45_000,
});

/** What the grader forbids. */
export const LAB04_FORBIDDEN: readonly AnomalyName[] = [
  "effect-reordered",
  "nonmonotonic-send",
  "effect-lost",
  "lost-write",
];

/** Liveness check names (the integrity test's wrong fixes refer to them). */
export const LIVENESS = Object.freeze({
  throughput: "effect-throughput",
  allSent: "every-event-acknowledged",
});
