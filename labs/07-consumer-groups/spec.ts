/**
 * Lab 07's fixed terms: what the learner implements (`ConsumerGroupsImpl`), the configuration
 * keys the learner may set, the scenario's sizes and timings, and the anomalies the grader
 * forbids. Browser-safe.
 *
 * Lab time: the scenario lasts about a minute of simulated time, so the group's timeouts are
 * shortened the way LAB_PRODUCER_TIMINGS shortens the producer's in labs 02-04. The starter's
 * max.poll.interval.ms of 2 s stands for Kafka's 5 minutes, a parcel's 20 ms for a real
 * warehouse call; the coordinator's group.min.session.timeout.ms is 1 s instead of 6 s, so that
 * a session timeout can be shorter or longer than a 3-4 s restart.
 */
import type { AnomalyName } from "../../src/check";
import type { ConsumerConfig } from "../../src/client";
import type { RunPacker } from "./services";

/** exercise/consumer-config.ts: the settings of one packer, from its stable name ("packer-2"). */
export type PackerConfig = (packer: string) => ConsumerConfig;

/** The learner's configuration and code. */
export interface ConsumerGroupsImpl {
  packerConfig: PackerConfig;
  runPacker: RunPacker;
}

/** Keys of `packerConfig(...)` the lab accepts (group id, heartbeat, timeouts and reset are the lab's). */
export const CONSUMER_KEYS: readonly (keyof ConsumerConfig)[] = [
  "maxPollRecords",
  "maxPollIntervalMs",
  "sessionTimeoutMs",
  "groupInstanceId",
  "partitionAssignmentStrategy",
  "enableAutoCommit",
  "autoCommitIntervalMs",
];

/** Consumer settings the lab sets itself. */
export const LAB_CONSUMER_SETTINGS = Object.freeze({
  heartbeatIntervalMs: 500,
  requestTimeoutMs: 3000,
  autoOffsetReset: "earliest" as const,
});

/** The coordinator's settings (shortened: Kafka's group.min.session.timeout.ms is 6000). */
export const LAB_GROUP_COORDINATOR = Object.freeze({
  groupMinSessionTimeoutMs: 1000,
});

/** What the lab fixes. Times are relative to t0, the moment the cluster is ready (ms). */
export const SCENARIO = Object.freeze({
  topic: "shipments",
  partitions: 6,
  replicationFactor: 3,
  minInsyncReplicas: 2,
  brokers: 3,
  group: "packers",
  packers: ["packer-1", "packer-2", "packer-3"] as readonly string[],
  dispatcher: "dispatch",
  customers: 48,
  /** Orders waiting when the packers start (the night's orders), sent at t0. */
  backlog: 900,
  /** Then one order every orderGapMs (uniform) until ordersUntilMs. */
  orderGapMs: { min: 15, max: 35 },
  ordersUntilMs: 34_000,
  /** Packing and shipping one parcel: a call to the carrier taking this long. */
  shipMs: 20,
  /**
   * The deploy: from deployAtMs, each packer in turn is asked to stop (SIGTERM), killed if still
   * running `graceMs` later, and started again (new process, same name) `restartAfterMs` after
   * the stop request; the next packer is asked to stop `nextAfterMs` after that restart.
   */
  deployAtMs: 11_000,
  graceMs: 2000,
  restartAfterMs: { min: 3000, max: 4000 },
  nextAfterMs: { min: 2000, max: 3000 },
  /** Liveness: every order acknowledged before the deploy ended is shipped this long after it. */
  catchUpWithinMs: 8000,
  /** Lab check: the group completes at most this many rebalances during the deploy. */
  maxDeployRebalances: 1,
  /** After the last restart, rebalances still count for this long (they were caused by it). */
  deploySettleMs: 3000,
  /** The run ends once every order is shipped and committed, or at this time. */
  deadlineMs: 50_000,
});

/** Checker anomalies the grader forbids. */
export const LAB07_FORBIDDEN: readonly AnomalyName[] = ["effect-duplicated", "effect-lost", "lost-write"];

/** The lab's own checks (liveness results in the verdict). */
export const CAUGHT_UP = "the group catches up after the deploy";
export { OFFSETS_CAUGHT_UP } from "../_lib";
export const DEPLOY_REBALANCES = "the deploy rebalances the group at most once";
