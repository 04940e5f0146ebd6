/**
 * Lab 03's fixed terms: what the learner implements (`ReliabilityImpl`), the configuration keys
 * the learner may set, the scenario's sizes and timings, and the anomalies the grader forbids.
 * Browser-safe.
 */
import type { AnomalyName } from "../../src/check";
import type { ConsumerConfig, ProducerConfig } from "../../src/client";
import type { ConsumeOrders, RelayOrders } from "./services";

/** The learner's configuration and code (exercise/order-producer.ts, exercise/order-consumer.ts). */
export interface ReliabilityImpl {
  /** The relay's producer settings. */
  producerConfig: ProducerConfig;
  /** The relay's loop: from the outbox to Kafka. */
  relayOrders: RelayOrders;
  /** The fulfilment consumers' settings. */
  consumerConfig: ConsumerConfig;
  /** The fulfilment consumer's loop: from Kafka to the warehouse. */
  consumeOrders: ConsumeOrders;
}

/** Keys of `relayProducerConfig` the lab accepts (the timings are the lab's, below). */
export const PRODUCER_KEYS: readonly (keyof ProducerConfig)[] = [
  "acks",
  "retries",
  "deliveryTimeoutMs",
  "enableIdempotence",
  "maxInFlightRequestsPerConnection",
];

/** Keys of `fulfilmentConsumerConfig` the lab accepts (group, timeouts and reset are the lab's). */
export const CONSUMER_KEYS: readonly (keyof ConsumerConfig)[] = [
  "enableAutoCommit",
  "autoCommitIntervalMs",
  "maxPollRecords",
];

/**
 * Producer timings the lab sets: Kafka's request.timeout.ms (30 s) is too long for a run of a
 * few dozen simulated seconds. delivery.timeout.ms is the learner's (it must be at least
 * linger.ms + request.timeout.ms = 1505 ms, as Kafka checks).
 */
export const LAB_PRODUCER_TIMINGS = Object.freeze({
  requestTimeoutMs: 1500,
  lingerMs: 5,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1000,
});

/** Consumer settings the lab sets (shorter session timeout than Kafka's 45 s; the broker's minimum is 6 s). */
export const LAB_CONSUMER_SETTINGS = Object.freeze({
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 1000,
  requestTimeoutMs: 3000,
  autoOffsetReset: "earliest" as const,
});

/** What the lab fixes. Times are relative to t0, the moment the cluster is ready (ms). */
export const SCENARIO = Object.freeze({
  topic: "orders",
  partitions: 3,
  replicationFactor: 3,
  minInsyncReplicas: 2,
  brokers: 3,
  group: "fulfilment",
  consumers: ["fulfilment-1", "fulfilment-2", "fulfilment-3"] as readonly string[],
  relay: "outbox-relay",
  customers: 24,
  /** Checkout: one order every orderGapMs (uniform) in [0, ordersUntilMs)... */
  orderGapMs: { min: 40, max: 100 },
  ordersUntilMs: 27_000,
  /** ...and three flash sales of rushMs each, one order every rushGapMs, starting in these windows. */
  rushStartsMs: [
    { min: 2_000, max: 2_500 },
    { min: 7_500, max: 8_000 },
    { min: 16_000, max: 16_500 },
  ] as readonly { min: number; max: number }[],
  rushMs: 1_000,
  rushGapMs: { min: 5, max: 12 },
  /**
   * Leader faults: this long after flash sale `rush` starts, the leader of one `orders` partition
   * is cut off from the other brokers (clients and controllers still reach it); it crashes
   * `crashAfterCutMs` later and stays down `leaderDownMs`.
   */
  leaderFaults: [
    { rush: 0, cutAfterMs: { min: 200, max: 500 } },
    { rush: 2, cutAfterMs: { min: 1_200, max: 1_500 } },
  ] as readonly { rush: number; cutAfterMs: { min: number; max: number } }[],
  crashAfterCutMs: { min: 600, max: 1_000 },
  leaderDownMs: { min: 3_500, max: 4_500 },
  /** The relay process is killed this long after the first leader crash, once it has a send in flight. */
  relayCrashAfterLeaderMs: { min: 1_000, max: 1_800 },
  relayDownMs: { min: 500, max: 1_200 },
  /**
   * Consumer crashes: armed this long after flash sale `rush` starts, each fires right after that
   * consumer's next successful offset commit (or `consumerCrashFallbackMs` after arming).
   */
  consumerCrashes: [
    { rush: 1, armAfterMs: { min: 200, max: 500 } },
    { rush: 2, armAfterMs: { min: 150, max: 300 } },
  ] as readonly { rush: number; armAfterMs: { min: number; max: number } }[],
  consumerCrashFallbackMs: 4_000,
  consumerDownMs: { min: 1_000, max: 2_000 },
  /** Faults happen before this time; every node is up after it. */
  faultsUntilMs: 24_000,
  /** The run ends once every order placed is shipped (and commits caught up), or at this time. */
  deadlineMs: 42_000,
  /** Shipping one order: a call to the warehouse taking this long (uniform). */
  shipMs: { min: 20, max: 40 },
  /** Liveness: sends invoked after the faults stop are acknowledged within this long. */
  ackWithinMs: 10_000,
  /** Liveness: every acknowledged order is read within this long after the faults stop. */
  drainWithinMs: 15_000,
});

/** Checker anomalies the grader forbids. */
export const LAB03_FORBIDDEN: readonly AnomalyName[] = ["lost-write", "unseen", "effect-lost"];

/** The lab's own liveness check: the group's committed offsets reach the end of every partition. */
export { OFFSETS_CAUGHT_UP } from "../_lib";
