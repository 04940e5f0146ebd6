/**
 * Lab 01's fixed terms: what the learner provides (`HaImpl`: the `orders` topic's replication
 * settings, the producer's acks, the controller's leader election policy), how those files are
 * checked, the scenario's timings, and the anomalies and liveness checks the grader reports.
 * Browser-safe.
 */
import type { LeaderElectionPolicy } from "../../src/controller";
import { ConfigException, parseAcks, resolveProducerConfig, type AcksConfig } from "../../src/client";

/** exercise/topic-config.ts: how `orders` is created (kafka-topics.sh --create ...). */
export interface OrdersTopicSettings {
  /** --replication-factor: how many brokers hold a copy of each partition (1-3 here). */
  replicationFactor: number;
  /** --config key=value: the topic configs this lab lets you set. */
  configs: Readonly<Record<string, string>>;
}

/** exercise/producer-config.ts: the settings of the orders service's producer the lab lets you choose. */
export interface OrdersProducerSettings {
  acks: AcksConfig;
  enableIdempotence?: boolean;
}

/** The learner's files, validated. */
export interface HaImpl {
  topic: OrdersTopicSettings;
  producer: OrdersProducerSettings;
  electLeader: LeaderElectionPolicy;
}

/** Topic configs this lab accepts in topic-config.ts. */
export const TOPIC_CONFIG_KEYS: readonly string[] = ["min.insync.replicas", "unclean.leader.election.enable"];
/** Producer settings this lab accepts in producer-config.ts. */
export const PRODUCER_KEYS: readonly string[] = ["acks", "enableIdempotence"];

/** What the lab fixes (times in ms of simulated time). */
export const SCENARIO = Object.freeze({
  topic: "orders",
  partitions: 3,
  brokers: 3,
  /** Distinct customers; an order's key is its customer, so each customer's orders share a partition. */
  customers: 12,
  /** A new order every 8-16 ms (uniform), whatever happens to earlier ones... */
  thinkMs: { min: 8, max: 16 },
  /** ...unless this many are still unanswered: then the service turns new orders away (not recorded). */
  maxPending: 2000,
  /** Part 1: the first fault, after the sends begin. */
  firstFaultMs: { min: 1500, max: 2500 },
  /** How long the leader is cut off from the other brokers before it crashes. */
  cutMs: { min: 200, max: 400 },
  /** How long the crashed leader stays down. */
  crashDownMs: { min: 4000, max: 6000 },
  /** How long the powered-off leader stays down: longer than ackBoundMs, on purpose. */
  powerDownMs: { min: 11_000, max: 13_000 },
  /** After a fault, wait at most this long for every replica to be back in its ISR... */
  recoveryWaitMs: 10_000,
  /** ...then this long before the next fault. */
  calmMs: { min: 5000, max: 7000 },
  /** Part 2: between the three crashes. */
  badDayGapMs: 5000,
  /** Part 2: the first broker down restarts this long after the last crash, then the second, then the last. */
  badDayRestartGapsMs: [1500, 1500, 3000] as const,
  /** Sends go on this long after the last broker is back. */
  quietSendMs: 10_000,
  /** Liveness: sends are acknowledged within this long while at most one broker is down, and after recovery. */
  ackBoundMs: 8000,
  /** After the last broker is back, the cluster gets this long before sends are judged again. */
  recoverySettleMs: 4000,
  /** The audit consumer stops after this many empty polls in a row (250 ms each), or at its deadline. */
  auditEmptyPolls: 4,
  auditMaxMs: 20_000,
  /** Bound on recorded election decisions (story only). */
  maxElectionsRecorded: 10_000,
});

export class LabConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LabConfigError";
  }
}

/** The topic settings, checked; throws LabConfigError with what to change. */
export function checkTopicSettings(t: unknown): OrdersTopicSettings {
  const s = t as Partial<OrdersTopicSettings> | null;
  if (s === null || typeof s !== "object")
    throw new LabConfigError("topic-config.ts must export ordersTopic = { replicationFactor, configs }");
  const rf = s.replicationFactor;
  if (typeof rf !== "number" || !Number.isInteger(rf) || rf < 1 || rf > SCENARIO.brokers)
    throw new LabConfigError(
      `topic-config.ts: replicationFactor must be an integer from 1 to ${SCENARIO.brokers} (the cluster has ${SCENARIO.brokers} brokers), got ${String(rf)}`,
    );
  const configs = s.configs ?? {};
  if (typeof configs !== "object" || configs === null)
    throw new LabConfigError("topic-config.ts: configs must be an object of Kafka topic configs");
  for (const [k, v] of Object.entries(configs)) {
    if (!TOPIC_CONFIG_KEYS.includes(k))
      throw new LabConfigError(
        `topic-config.ts sets ${k}; this lab lets you set only ${TOPIC_CONFIG_KEYS.join(" and ")} (and replicationFactor)`,
      );
    if (typeof v !== "string")
      throw new LabConfigError(`topic-config.ts: ${k} must be a string, as Kafka configs are ("2", "false")`);
  }
  const minIsr = configs["min.insync.replicas"];
  if (minIsr !== undefined && !/^[1-9][0-9]*$/.test(minIsr))
    throw new LabConfigError(
      `topic-config.ts: min.insync.replicas must be a positive integer, got "${minIsr}"`,
    );
  const unclean = configs["unclean.leader.election.enable"];
  if (unclean !== undefined && unclean !== "true" && unclean !== "false")
    throw new LabConfigError(
      `topic-config.ts: unclean.leader.election.enable must be "true" or "false", got "${unclean}"`,
    );
  return { replicationFactor: rf, configs: { ...configs } };
}

/** The producer settings, checked; throws LabConfigError with what to change. */
export function checkProducerSettings(p: unknown): OrdersProducerSettings {
  const s = p as Partial<OrdersProducerSettings> | null;
  if (s === null || typeof s !== "object")
    throw new LabConfigError("producer-config.ts must export ordersProducerConfig = { acks: ... }");
  for (const k of Object.keys(s))
    if (!PRODUCER_KEYS.includes(k))
      throw new LabConfigError(
        `producer-config.ts sets ${k}; this lab lets you set only ${PRODUCER_KEYS.join(" and ")} (timeouts and retries are fixed by the scenario)`,
      );
  if (s.acks === undefined) throw new LabConfigError('producer-config.ts: set acks ("all", 1 or 0)');
  if (s.enableIdempotence !== undefined && typeof s.enableIdempotence !== "boolean")
    throw new LabConfigError("producer-config.ts: enableIdempotence must be true or false");
  try {
    // Kafka's own checks, e.g. enable.idempotence=true with acks=1 is a ConfigException.
    resolveProducerConfig({
      acks: s.acks,
      ...(s.enableIdempotence !== undefined ? { enableIdempotence: s.enableIdempotence } : {}),
    });
  } catch (e) {
    if (e instanceof ConfigException) throw new LabConfigError(`producer-config.ts: ${e.message}`);
    throw e;
  }
  return s.enableIdempotence === undefined
    ? { acks: s.acks }
    : { acks: s.acks, enableIdempotence: s.enableIdempotence };
}

/** The three settings as one line: "replication factor 3, min.insync.replicas 2, unclean election off, acks=all". */
export function describeSettings(impl: HaImpl): string {
  const minIsr = impl.topic.configs["min.insync.replicas"] ?? "1";
  const unclean = impl.topic.configs["unclean.leader.election.enable"] ?? "false";
  const acks = parseAcks(impl.producer.acks);
  return `replication factor ${impl.topic.replicationFactor}, min.insync.replicas=${minIsr}, unclean.leader.election.enable=${unclean}, acks=${acks === -1 ? "all" : acks}`;
}
