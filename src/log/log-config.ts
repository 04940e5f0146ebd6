/**
 * Per-partition log configuration: Kafka's topic-level configs (LogConfig.java, defaults from
 * ServerLogConfigs.java) under camelCase names. `logConfig(overrides)` fills defaults and checks
 * ranges; `logConfigFromProperties` reads Kafka-named properties ("segment.bytes": "1048576").
 *
 * | field                       | Kafka topic config (broker default config)        | default          |
 * |-----------------------------|---------------------------------------------------|------------------|
 * | segmentBytes                | segment.bytes (log.segment.bytes)                 | 1073741824       |
 * | segmentMs                   | segment.ms (log.roll.ms, log.roll.hours=168)      | 604800000        |
 * | segmentIndexBytes           | segment.index.bytes (log.index.size.max.bytes)    | 10485760         |
 * | indexIntervalBytes          | index.interval.bytes (log.index.interval.bytes)   | 4096             |
 * | retentionMs                 | retention.ms (log.retention.ms/minutes/hours=168) | 604800000 (-1 = forever) |
 * | retentionBytes              | retention.bytes (log.retention.bytes)             | -1 (no limit)    |
 * | maxMessageBytes             | max.message.bytes (message.max.bytes)             | 1048588          |
 * | flushMessages               | flush.messages (log.flush.interval.messages)      | Long.MAX (never) |
 * | flushMs                     | flush.ms (log.flush.interval.ms)                  | Long.MAX (never) |
 * | fileDeleteDelayMs           | file.delete.delay.ms (log.segment.delete.delay.ms)| 60000            |
 * | messageTimestampType        | message.timestamp.type (log.message.timestamp.type)| CreateTime      |
 * | messageTimestampBeforeMaxMs | message.timestamp.before.max.ms                   | Long.MAX         |
 * | messageTimestampAfterMaxMs  | message.timestamp.after.max.ms                    | 3600000 (Kafka 4.0; Long.MAX before) |
 * | cleanupPolicy               | cleanup.policy (log.cleanup.policy)               | "delete"         |
 * | minInsyncReplicas           | min.insync.replicas                               | 1                |
 * | uncleanLeaderElectionEnable | unclean.leader.election.enable                    | false            |
 *
 * Departures from Kafka:
 * - Kafka's Long.MAX_VALUE ("never") is LONG_MAX here = Number.MAX_SAFE_INTEGER (JS numbers are
 *   exact only below 2^53; nothing in the course gets near either).
 * - segment.bytes may be as small as 14 bytes (Kafka before 4.0; 4.0 raised the minimum to 1 MiB
 *   and kept an internal override for tests). Labs need tiny segments to show rolling.
 * - Not modelled: segment.jitter.ms (needs randomness per segment; 0 by default in Kafka anyway),
 *   preallocate, compression.type other than "producer" (we never recompress), the tiered-storage
 *   and message-downconversion configs. cleanup.policy=compact is accepted but no log cleaner
 *   runs; a compact-only log is exempt from time/size retention, as in Kafka.
 * - min.insync.replicas and unclean.leader.election.enable are topic configs in Kafka's
 *   LogConfig, so they live here; the replication layer reads them, the log ignores them.
 */

import type { TimestampType } from "../protocol";

/** Kafka's Long.MAX_VALUE, meaning "never" for flush.messages and flush.ms (see header). */
export const LONG_MAX = Number.MAX_SAFE_INTEGER;

export type CleanupPolicy = "delete" | "compact" | "compact,delete";

export interface LogConfig {
  readonly segmentBytes: number;
  readonly segmentMs: number;
  readonly segmentIndexBytes: number;
  readonly indexIntervalBytes: number;
  readonly retentionMs: number;
  readonly retentionBytes: number;
  readonly maxMessageBytes: number;
  readonly flushMessages: number;
  readonly flushMs: number;
  readonly fileDeleteDelayMs: number;
  readonly messageTimestampType: TimestampType;
  readonly messageTimestampBeforeMaxMs: number;
  readonly messageTimestampAfterMaxMs: number;
  readonly cleanupPolicy: CleanupPolicy;
  readonly minInsyncReplicas: number;
  readonly uncleanLeaderElectionEnable: boolean;
}

export const DEFAULT_LOG_CONFIG: LogConfig = Object.freeze({
  segmentBytes: 1073741824,
  segmentMs: 168 * 60 * 60 * 1000,
  segmentIndexBytes: 10485760,
  indexIntervalBytes: 4096,
  retentionMs: 168 * 60 * 60 * 1000,
  retentionBytes: -1,
  maxMessageBytes: 1048576 + 12,
  flushMessages: LONG_MAX,
  flushMs: LONG_MAX,
  fileDeleteDelayMs: 60000,
  messageTimestampType: "CreateTime",
  messageTimestampBeforeMaxMs: LONG_MAX,
  messageTimestampAfterMaxMs: 3600000,
  cleanupPolicy: "delete",
  minInsyncReplicas: 1,
  uncleanLeaderElectionEnable: false,
});

/** camelCase field → Kafka topic config name. */
export const KAFKA_CONFIG_NAMES: Readonly<Record<keyof LogConfig, string>> = Object.freeze({
  segmentBytes: "segment.bytes",
  segmentMs: "segment.ms",
  segmentIndexBytes: "segment.index.bytes",
  indexIntervalBytes: "index.interval.bytes",
  retentionMs: "retention.ms",
  retentionBytes: "retention.bytes",
  maxMessageBytes: "max.message.bytes",
  flushMessages: "flush.messages",
  flushMs: "flush.ms",
  fileDeleteDelayMs: "file.delete.delay.ms",
  messageTimestampType: "message.timestamp.type",
  messageTimestampBeforeMaxMs: "message.timestamp.before.max.ms",
  messageTimestampAfterMaxMs: "message.timestamp.after.max.ms",
  cleanupPolicy: "cleanup.policy",
  minInsyncReplicas: "min.insync.replicas",
  uncleanLeaderElectionEnable: "unclean.leader.election.enable",
});

/** Inclusive numeric ranges, as LogConfig.java's ConfigDef validators (atLeast / between). */
const RANGES: Partial<Record<keyof LogConfig, readonly [number, number]>> = {
  segmentBytes: [14, 2147483647],
  segmentMs: [1, LONG_MAX],
  segmentIndexBytes: [4, 2147483647],
  indexIntervalBytes: [0, 2147483647],
  retentionMs: [-1, LONG_MAX],
  retentionBytes: [-1, LONG_MAX],
  maxMessageBytes: [0, 2147483647],
  flushMessages: [1, LONG_MAX],
  flushMs: [0, LONG_MAX],
  fileDeleteDelayMs: [0, LONG_MAX],
  messageTimestampBeforeMaxMs: [0, LONG_MAX],
  messageTimestampAfterMaxMs: [0, LONG_MAX],
  minInsyncReplicas: [1, 2147483647],
};

/** Thrown for a configuration that Kafka would reject (ConfigException); a bug in the caller. */
export class LogConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LogConfigError";
  }
}

/** Defaults plus overrides, validated. Throws LogConfigError naming the Kafka config. */
export function logConfig(
  overrides: Partial<LogConfig> = {},
  base: LogConfig = DEFAULT_LOG_CONFIG,
): LogConfig {
  const merged: LogConfig = { ...base, ...stripUndefined(overrides) };
  validateLogConfig(merged);
  return Object.freeze(merged);
}

export function validateLogConfig(c: LogConfig): void {
  for (const [key, range] of Object.entries(RANGES) as [keyof LogConfig, readonly [number, number]][]) {
    const v = c[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < range[0] || v > range[1]) {
      throw new LogConfigError(
        `Invalid value ${String(v)} for configuration ${KAFKA_CONFIG_NAMES[key]}: must be an integer in [${range[0]}, ${range[1]}]`,
      );
    }
  }
  if (c.messageTimestampType !== "CreateTime" && c.messageTimestampType !== "LogAppendTime") {
    throw new LogConfigError(
      `Invalid value ${String(c.messageTimestampType)} for configuration message.timestamp.type: must be CreateTime or LogAppendTime`,
    );
  }
  if (c.cleanupPolicy !== "delete" && c.cleanupPolicy !== "compact" && c.cleanupPolicy !== "compact,delete") {
    throw new LogConfigError(
      `Invalid value ${String(c.cleanupPolicy)} for configuration cleanup.policy: must be delete, compact or compact,delete`,
    );
  }
  if (typeof c.uncleanLeaderElectionEnable !== "boolean") {
    throw new LogConfigError(
      `Invalid value ${String(c.uncleanLeaderElectionEnable)} for configuration unclean.leader.election.enable: must be a boolean`,
    );
  }
}

/** Whether time/size retention deletes segments of this log (cleanup.policy contains "delete"). */
export function deletesByRetention(c: LogConfig): boolean {
  return c.cleanupPolicy !== "compact";
}

/**
 * Overrides from Kafka-named properties, e.g. the configs of a CreateTopics request. Unknown
 * names and unparsable values throw LogConfigError; values are strings as on the wire.
 */
export function logConfigFromProperties(
  props: Readonly<Record<string, string>>,
  base: LogConfig = DEFAULT_LOG_CONFIG,
): LogConfig {
  const byKafkaName = new Map<string, keyof LogConfig>(
    (Object.entries(KAFKA_CONFIG_NAMES) as [keyof LogConfig, string][]).map(([k, v]) => [v, k]),
  );
  const overrides: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(props)) {
    const key = byKafkaName.get(name);
    if (key === undefined) throw new LogConfigError(`Unknown topic configuration ${name}`);
    const kind = typeof DEFAULT_LOG_CONFIG[key];
    if (kind === "number") {
      const n = Number(raw.trim());
      if (raw.trim() === "" || !Number.isFinite(n))
        throw new LogConfigError(`Invalid value ${raw} for configuration ${name}: not a number`);
      // Kafka's Long.MAX_VALUE arrives as 9223372036854775807; map anything beyond 2^53 to LONG_MAX.
      overrides[key] = n > LONG_MAX ? LONG_MAX : n;
    } else if (kind === "boolean") {
      const v = raw.trim().toLowerCase();
      if (v !== "true" && v !== "false")
        throw new LogConfigError(`Invalid value ${raw} for configuration ${name}: must be true or false`);
      overrides[key] = v === "true";
    } else {
      overrides[key] = raw.trim();
    }
  }
  return logConfig(overrides as Partial<LogConfig>, base);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
