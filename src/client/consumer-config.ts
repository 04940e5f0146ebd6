/**
 * Consumer configuration: Kafka's consumer configs (ConsumerConfig.java, CommonClientConfigs.java)
 * under camelCase names, with Apache Kafka 4.0's defaults, and Kafka's checks.
 *
 * | field                       | Kafka config                   | default                     |
 * |-----------------------------|--------------------------------|-----------------------------|
 * | groupId                     | group.id                       | none (no group)             |
 * | groupInstanceId             | group.instance.id              | none (dynamic member)       |
 * | enableAutoCommit            | enable.auto.commit             | true (false without group.id) |
 * | autoCommitIntervalMs        | auto.commit.interval.ms        | 5000                        |
 * | autoOffsetReset             | auto.offset.reset              | "latest"                    |
 * | sessionTimeoutMs            | session.timeout.ms             | 45000 (3.0+, KIP-735)       |
 * | heartbeatIntervalMs         | heartbeat.interval.ms          | 3000                        |
 * | maxPollIntervalMs           | max.poll.interval.ms           | 300000                      |
 * | maxPollRecords              | max.poll.records               | 500                         |
 * | fetchMinBytes               | fetch.min.bytes                | 1                           |
 * | fetchMaxWaitMs              | fetch.max.wait.ms              | 500                         |
 * | fetchMaxBytes               | fetch.max.bytes                | 52428800                    |
 * | maxPartitionFetchBytes      | max.partition.fetch.bytes      | 1048576                     |
 * | isolationLevel              | isolation.level                | "read_uncommitted"          |
 * | partitionAssignmentStrategy | partition.assignment.strategy  | ["range", "cooperative-sticky"] (3.0+) |
 * | requestTimeoutMs            | request.timeout.ms             | 30000                       |
 * | defaultApiTimeoutMs         | default.api.timeout.ms         | 60000                       |
 * | retryBackoffMs              | retry.backoff.ms               | 100                         |
 * | retryBackoffMaxMs           | retry.backoff.max.ms           | 1000                        |
 * | metadataMaxAgeMs            | metadata.max.age.ms            | 300000                      |
 * | allowAutoCreateTopics       | allow.auto.create.topics       | true                        |
 *
 * Kafka's rules kept: heartbeat.interval.ms < session.timeout.ms (Heartbeat's constructor);
 * enable.auto.commit=true without a group.id is a configuration error (KafkaConsumer), and
 * without a group.id it defaults to false; group.instance.id needs a group.id.
 *
 * Departures: group.protocol is always "classic" (KIP-848's consumer protocol is not modelled);
 * read_committed behaves as read_uncommitted (the broker has no transactions); no client.rack,
 * no check.crcs switch (CRCs are always checked), no key/value deserializers (records carry both
 * the bytes and their UTF-8 text).
 */
import type { PartitionAssignor } from "./assignors";
import { builtInAssignor } from "./assignors";

export type AutoOffsetReset = "earliest" | "latest" | "none";

export interface ConsumerConfig {
  groupId?: string;
  groupInstanceId?: string;
  enableAutoCommit?: boolean;
  autoCommitIntervalMs?: number;
  autoOffsetReset?: AutoOffsetReset;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxPollIntervalMs?: number;
  maxPollRecords?: number;
  fetchMinBytes?: number;
  fetchMaxWaitMs?: number;
  fetchMaxBytes?: number;
  maxPartitionFetchBytes?: number;
  isolationLevel?: "read_uncommitted" | "read_committed";
  /** Assignor names ("range", "roundrobin", "cooperative-sticky") or custom assignors, preferred first. */
  partitionAssignmentStrategy?: readonly (string | PartitionAssignor)[];
  requestTimeoutMs?: number;
  defaultApiTimeoutMs?: number;
  retryBackoffMs?: number;
  retryBackoffMaxMs?: number;
  metadataMaxAgeMs?: number;
  allowAutoCreateTopics?: boolean;
}

export interface ResolvedConsumerConfig {
  readonly groupId: string | null;
  readonly groupInstanceId: string | null;
  readonly enableAutoCommit: boolean;
  readonly autoCommitIntervalMs: number;
  readonly autoOffsetReset: AutoOffsetReset;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxPollIntervalMs: number;
  readonly maxPollRecords: number;
  readonly fetchMinBytes: number;
  readonly fetchMaxWaitMs: number;
  readonly fetchMaxBytes: number;
  readonly maxPartitionFetchBytes: number;
  readonly isolationLevel: 0 | 1;
  readonly assignors: readonly PartitionAssignor[];
  readonly requestTimeoutMs: number;
  readonly defaultApiTimeoutMs: number;
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  readonly metadataMaxAgeMs: number;
  readonly allowAutoCreateTopics: boolean;
}

export const CONSUMER_DEFAULTS = Object.freeze({
  enableAutoCommit: true,
  autoCommitIntervalMs: 5000,
  autoOffsetReset: "latest" as AutoOffsetReset,
  sessionTimeoutMs: 45000,
  heartbeatIntervalMs: 3000,
  maxPollIntervalMs: 300000,
  maxPollRecords: 500,
  fetchMinBytes: 1,
  fetchMaxWaitMs: 500,
  fetchMaxBytes: 52428800,
  maxPartitionFetchBytes: 1048576,
  partitionAssignmentStrategy: ["range", "cooperative-sticky"] as readonly string[],
  requestTimeoutMs: 30000,
  defaultApiTimeoutMs: 60000,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1000,
  metadataMaxAgeMs: 300000,
  allowAutoCreateTopics: true,
});

/** Kafka's InvalidConfigurationException / ConfigException for the consumer. */
export class ConsumerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConsumerConfigError";
  }
}

function int(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min)
    throw new ConsumerConfigError(
      `Invalid value ${value} for configuration ${name}: must be an integer ≥ ${min}`,
    );
  return value;
}

/** Defaults and Kafka's checks. Throws ConsumerConfigError. */
export function resolveConsumerConfig(config: ConsumerConfig = {}): ResolvedConsumerConfig {
  const d = CONSUMER_DEFAULTS;
  const groupId = config.groupId === undefined || config.groupId === "" ? null : config.groupId;
  if (config.groupId === "")
    throw new ConsumerConfigError('Invalid value "" for configuration group.id: leave it unset for no group');
  if (groupId === null && config.enableAutoCommit === true)
    throw new ConsumerConfigError("enable.auto.commit cannot be set to true when no group.id is given");
  if (groupId === null && config.groupInstanceId !== undefined)
    throw new ConsumerConfigError("group.instance.id needs a group.id");
  const sessionTimeoutMs = int("session.timeout.ms", config.sessionTimeoutMs ?? d.sessionTimeoutMs, 1);
  const heartbeatIntervalMs = int(
    "heartbeat.interval.ms",
    config.heartbeatIntervalMs ?? d.heartbeatIntervalMs,
    1,
  );
  if (heartbeatIntervalMs >= sessionTimeoutMs)
    throw new ConsumerConfigError(
      `heartbeat.interval.ms (${heartbeatIntervalMs}) must be set lower than session.timeout.ms (${sessionTimeoutMs})`,
    );
  const reset = config.autoOffsetReset ?? d.autoOffsetReset;
  if (reset !== "earliest" && reset !== "latest" && reset !== "none")
    throw new ConsumerConfigError(
      `Invalid value ${String(reset)} for configuration auto.offset.reset: must be earliest, latest or none`,
    );
  const iso = config.isolationLevel ?? "read_uncommitted";
  if (iso !== "read_uncommitted" && iso !== "read_committed")
    throw new ConsumerConfigError(`Invalid value ${String(iso)} for configuration isolation.level`);
  const strategies = config.partitionAssignmentStrategy ?? d.partitionAssignmentStrategy;
  if (strategies.length === 0)
    throw new ConsumerConfigError("partition.assignment.strategy must name at least one assignor");
  const assignors = strategies.map((s) => (typeof s === "string" ? builtInAssignor(s) : s));
  const names = assignors.map((a) => a.name);
  if (new Set(names).size !== names.length)
    throw new ConsumerConfigError(
      `partition.assignment.strategy lists an assignor twice: ${names.join(", ")}`,
    );
  const retryBackoffMs = int("retry.backoff.ms", config.retryBackoffMs ?? d.retryBackoffMs, 0);
  return Object.freeze({
    groupId,
    groupInstanceId: config.groupInstanceId ?? null,
    enableAutoCommit: groupId === null ? false : (config.enableAutoCommit ?? d.enableAutoCommit),
    autoCommitIntervalMs: int(
      "auto.commit.interval.ms",
      config.autoCommitIntervalMs ?? d.autoCommitIntervalMs,
      0,
    ),
    autoOffsetReset: reset,
    sessionTimeoutMs,
    heartbeatIntervalMs,
    maxPollIntervalMs: int("max.poll.interval.ms", config.maxPollIntervalMs ?? d.maxPollIntervalMs, 1),
    maxPollRecords: int("max.poll.records", config.maxPollRecords ?? d.maxPollRecords, 1),
    fetchMinBytes: int("fetch.min.bytes", config.fetchMinBytes ?? d.fetchMinBytes, 0),
    fetchMaxWaitMs: int("fetch.max.wait.ms", config.fetchMaxWaitMs ?? d.fetchMaxWaitMs, 0),
    fetchMaxBytes: int("fetch.max.bytes", config.fetchMaxBytes ?? d.fetchMaxBytes, 0),
    maxPartitionFetchBytes: int(
      "max.partition.fetch.bytes",
      config.maxPartitionFetchBytes ?? d.maxPartitionFetchBytes,
      0,
    ),
    isolationLevel: iso === "read_committed" ? 1 : 0,
    assignors,
    requestTimeoutMs: int("request.timeout.ms", config.requestTimeoutMs ?? d.requestTimeoutMs, 1),
    defaultApiTimeoutMs: int(
      "default.api.timeout.ms",
      config.defaultApiTimeoutMs ?? d.defaultApiTimeoutMs,
      0,
    ),
    retryBackoffMs,
    retryBackoffMaxMs: int(
      "retry.backoff.max.ms",
      config.retryBackoffMaxMs ?? Math.max(d.retryBackoffMaxMs, retryBackoffMs),
      0,
    ),
    metadataMaxAgeMs: int("metadata.max.age.ms", config.metadataMaxAgeMs ?? d.metadataMaxAgeMs, 0),
    allowAutoCreateTopics: config.allowAutoCreateTopics ?? d.allowAutoCreateTopics,
  });
}
