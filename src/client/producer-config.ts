/**
 * Producer configuration: Kafka's producer configs (ProducerConfig.java, CommonClientConfigs.java)
 * under camelCase names, with the defaults of Apache Kafka 4.0, and Kafka's validation of the
 * idempotence settings (ProducerConfig.postProcessAndValidateIdempotenceConfigs).
 *
 * | field                            | Kafka config                              | default      |
 * |----------------------------------|-------------------------------------------|--------------|
 * | acks                             | acks                                      | "all" (-1; 3.0+, KIP-679) |
 * | enableIdempotence                | enable.idempotence                        | true (3.0+)  |
 * | retries                          | retries                                   | 2147483647 (2.1+, KIP-91) |
 * | deliveryTimeoutMs                | delivery.timeout.ms                       | 120000       |
 * | requestTimeoutMs                 | request.timeout.ms                        | 30000        |
 * | retryBackoffMs                   | retry.backoff.ms                          | 100          |
 * | retryBackoffMaxMs                | retry.backoff.max.ms                      | 1000 (3.7+, KIP-580) |
 * | lingerMs                         | linger.ms                                 | 5 (4.0, KIP-1030; 0 in 3.x) |
 * | batchSize                        | batch.size                                | 16384        |
 * | maxInFlightRequestsPerConnection | max.in.flight.requests.per.connection     | 5            |
 * | compressionType                  | compression.type                          | "none"       |
 * | maxRequestSize                   | max.request.size                          | 1048576      |
 * | bufferMemory                     | buffer.memory                             | 33554432     |
 * | maxBlockMs                       | max.block.ms                              | 60000        |
 * | partitionerIgnoreKeys            | partitioner.ignore.keys                   | false        |
 * | metadataMaxAgeMs                 | metadata.max.age.ms                       | 300000       |
 * | allowAutoCreateTopics            | allow.auto.create.topics                  | true         |
 *
 * Idempotence (Kafka's rule, KAFKA-13598): it needs acks=all, retries > 0 and
 * max.in.flight.requests.per.connection ≤ 5. Set explicitly to true with a conflicting setting
 * it is an error (Kafka's ConfigException); left unset, a conflicting setting silently turns
 * it off.
 *
 * buffer.memory bounds the bytes reserved by batches not yet completed (buffer-pool.ts); when
 * it is spent, send() waits for memory. max.block.ms bounds how long one send() may wait in
 * all — for its topics' metadata, then for memory — and how long connect() waits for a
 * producer id. A custom `partitioner` function (standing in for partitioner.class) is an
 * option of `kafka.producer()` (producer.ts).
 *
 * Departures from Kafka: batch.size above buffer.memory is refused here (Kafka fails each
 * send with an IllegalArgumentException instead); no partitioner.adaptive.partitioning.enable
 * (the sticky partitioner switches uniformly among partitions that have a leader, see
 * partitioner.ts).
 */
import type { CompressionType } from "../protocol/compression/index";

export type AcksConfig = "all" | -1 | 0 | 1 | "0" | "1" | "-1";

export interface ProducerConfig {
  /** acks: "all"/-1 every in-sync replica, 1 the leader, 0 no acknowledgement at all. */
  acks?: AcksConfig;
  /** enable.idempotence (see the file header for how conflicts are handled). */
  enableIdempotence?: boolean;
  /** retries: how many times a failed batch may be resent (bounded by deliveryTimeoutMs). */
  retries?: number;
  /** delivery.timeout.ms: upper bound on the time from send() to success or failure. */
  deliveryTimeoutMs?: number;
  /** request.timeout.ms: how long to wait for one response. */
  requestTimeoutMs?: number;
  /** retry.backoff.ms: first backoff before a retry. */
  retryBackoffMs?: number;
  /** retry.backoff.max.ms: cap of the exponential backoff (x2 per attempt, ±20% jitter). */
  retryBackoffMaxMs?: number;
  /** linger.ms: how long a batch waits for more records before it is sent. */
  lingerMs?: number;
  /** batch.size: bytes per batch (per partition) before it is sent without waiting. */
  batchSize?: number;
  /** max.in.flight.requests.per.connection: unanswered Produce requests per broker. */
  maxInFlightRequestsPerConnection?: number;
  /** compression.type. */
  compressionType?: CompressionType;
  /** max.request.size: the largest record (batch) and Produce request the producer sends. */
  maxRequestSize?: number;
  /** partitioner.ignore.keys: route keyed records with the sticky partitioner too. */
  partitionerIgnoreKeys?: boolean;
  /** metadata.max.age.ms: refresh metadata at least this often. */
  metadataMaxAgeMs?: number;
  /** allow.auto.create.topics: ask brokers to create unknown topics. */
  allowAutoCreateTopics?: boolean;
  /** buffer.memory: bytes the batches waiting to be sent or answered may hold; beyond, send() waits. */
  bufferMemory?: number;
  /** max.block.ms: how long send() may wait for metadata and memory, and connect() for a producer id. */
  maxBlockMs?: number;
}

/** The configuration after defaults and validation. */
export interface ResolvedProducerConfig {
  readonly acks: -1 | 0 | 1;
  readonly idempotence: boolean;
  /** Why idempotence is off, when it is (for logs and labs). */
  readonly idempotenceDisabledReason: string | undefined;
  readonly retries: number;
  readonly deliveryTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  readonly lingerMs: number;
  readonly batchSize: number;
  readonly maxInFlightRequestsPerConnection: number;
  readonly compressionType: CompressionType;
  readonly maxRequestSize: number;
  readonly partitionerIgnoreKeys: boolean;
  readonly metadataMaxAgeMs: number;
  readonly allowAutoCreateTopics: boolean;
  readonly bufferMemory: number;
  readonly maxBlockMs: number;
}

export const INT32_MAX = 2147483647;
/** Kafka's limit for idempotence: the broker caches the last 5 batches per producer. */
export const MAX_IN_FLIGHT_FOR_IDEMPOTENCE = 5;

export const PRODUCER_DEFAULTS = Object.freeze({
  acks: -1 as const,
  enableIdempotence: true,
  retries: INT32_MAX,
  deliveryTimeoutMs: 120_000,
  requestTimeoutMs: 30_000,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1000,
  lingerMs: 5,
  batchSize: 16384,
  maxInFlightRequestsPerConnection: 5,
  compressionType: "none" as CompressionType,
  maxRequestSize: 1048576,
  partitionerIgnoreKeys: false,
  metadataMaxAgeMs: 300_000,
  allowAutoCreateTopics: true,
  bufferMemory: 33554432,
  maxBlockMs: 60_000,
});

/** Kafka's ConfigException: a configuration that cannot work. */
export class ConfigException extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigException";
  }
}

const COMPRESSION_TYPES: readonly CompressionType[] = ["none", "gzip", "snappy", "lz4", "zstd"];

export function parseAcks(acks: AcksConfig): -1 | 0 | 1 {
  switch (acks) {
    case "all":
    case -1:
    case "-1":
      return -1;
    case 0:
    case "0":
      return 0;
    case 1:
    case "1":
      return 1;
    default:
      throw new ConfigException(
        `Invalid value ${String(acks)} for configuration acks: must be all, -1, 0 or 1`,
      );
  }
}

function intSetting(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min)
    throw new ConfigException(
      `Invalid value ${value} for configuration ${name}: must be an integer ≥ ${min}`,
    );
  return value;
}

/** Defaults, range checks and Kafka's idempotence rules. Throws ConfigException. */
export function resolveProducerConfig(config: ProducerConfig = {}): ResolvedProducerConfig {
  const d = PRODUCER_DEFAULTS;
  const acks = config.acks === undefined ? d.acks : parseAcks(config.acks);
  const retries = intSetting("retries", config.retries ?? d.retries, 0);
  const deliveryTimeoutMs = intSetting(
    "delivery.timeout.ms",
    config.deliveryTimeoutMs ?? d.deliveryTimeoutMs,
    0,
  );
  const requestTimeoutMs = intSetting("request.timeout.ms", config.requestTimeoutMs ?? d.requestTimeoutMs, 0);
  const retryBackoffMs = intSetting("retry.backoff.ms", config.retryBackoffMs ?? d.retryBackoffMs, 0);
  const retryBackoffMaxMs = intSetting(
    "retry.backoff.max.ms",
    config.retryBackoffMaxMs ?? Math.max(d.retryBackoffMaxMs, retryBackoffMs),
    0,
  );
  const lingerMs = intSetting("linger.ms", config.lingerMs ?? d.lingerMs, 0);
  const batchSize = intSetting("batch.size", config.batchSize ?? d.batchSize, 0);
  const maxInFlight = intSetting(
    "max.in.flight.requests.per.connection",
    config.maxInFlightRequestsPerConnection ?? d.maxInFlightRequestsPerConnection,
    1,
  );
  const maxRequestSize = intSetting("max.request.size", config.maxRequestSize ?? d.maxRequestSize, 1);
  const bufferMemory = intSetting("buffer.memory", config.bufferMemory ?? d.bufferMemory, 0);
  if (batchSize > bufferMemory)
    throw new ConfigException(
      `batch.size ${batchSize} cannot exceed buffer.memory ${bufferMemory}: no batch could ever be allocated`,
    );
  const maxBlockMs = intSetting("max.block.ms", config.maxBlockMs ?? d.maxBlockMs, 0);
  const compressionType = config.compressionType ?? d.compressionType;
  if (!COMPRESSION_TYPES.includes(compressionType))
    throw new ConfigException(
      `Invalid value ${String(compressionType)} for configuration compression.type: must be one of ${COMPRESSION_TYPES.join(", ")}`,
    );
  // KafkaProducer.configureDeliveryTimeout: delivery.timeout.ms ≥ linger.ms + request.timeout.ms.
  if (deliveryTimeoutMs < lingerMs + requestTimeoutMs) {
    throw new ConfigException(
      `delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms ` +
        `(${deliveryTimeoutMs} < ${lingerMs} + ${requestTimeoutMs})`,
    );
  }
  // ProducerConfig.postProcessAndValidateIdempotenceConfigs.
  const conflicts: string[] = [];
  if (maxInFlight > MAX_IN_FLIGHT_FOR_IDEMPOTENCE)
    conflicts.push(
      `max.in.flight.requests.per.connection=${maxInFlight} (must be ≤ ${MAX_IN_FLIGHT_FOR_IDEMPOTENCE})`,
    );
  if (retries === 0) conflicts.push("retries=0 (must be > 0)");
  if (acks !== -1) conflicts.push(`acks=${acks} (must be all)`);
  let idempotence = config.enableIdempotence ?? d.enableIdempotence;
  let idempotenceDisabledReason: string | undefined;
  if (idempotence && conflicts.length > 0) {
    if (config.enableIdempotence === true) {
      throw new ConfigException(
        `Cannot enable idempotence: it requires acks=all, retries > 0 and max.in.flight.requests.per.connection ≤ 5, but ${conflicts.join(", ")}`,
      );
    }
    idempotence = false;
    idempotenceDisabledReason = `enable.idempotence was not set and ${conflicts.join(", ")} conflicts with it`;
  } else if (!idempotence) {
    idempotenceDisabledReason = "enable.idempotence=false";
  }
  return Object.freeze({
    acks,
    idempotence,
    idempotenceDisabledReason,
    retries,
    deliveryTimeoutMs,
    requestTimeoutMs,
    retryBackoffMs,
    retryBackoffMaxMs,
    lingerMs,
    batchSize,
    maxInFlightRequestsPerConnection: maxInFlight,
    compressionType,
    maxRequestSize,
    partitionerIgnoreKeys: config.partitionerIgnoreKeys ?? d.partitionerIgnoreKeys,
    metadataMaxAgeMs: intSetting("metadata.max.age.ms", config.metadataMaxAgeMs ?? d.metadataMaxAgeMs, 0),
    allowAutoCreateTopics: config.allowAutoCreateTopics ?? d.allowAutoCreateTopics,
    bufferMemory,
    maxBlockMs,
  });
}
