/**
 * Broker configuration: Kafka's broker configs under camelCase names, with Kafka's defaults
 * (ServerConfigs, ReplicationConfigs, ServerLogConfigs, GroupCoordinatorConfig, KRaftConfigs).
 * Topic-level log configs (segment.bytes, min.insync.replicas, unclean.leader.election.enable,
 * ...) are the broker defaults in `log` (src/log/log-config.ts); a topic's ConfigRecord
 * overrides them.
 *
 * | field                                   | Kafka config                                   | default   |
 * |-----------------------------------------|------------------------------------------------|-----------|
 * | logDir                                  | log.dirs (one dir)                             | "kafka-logs" |
 * | autoCreateTopicsEnable                  | auto.create.topics.enable                      | true      |
 * | numPartitions                           | num.partitions                                 | 1         |
 * | defaultReplicationFactor                | default.replication.factor                     | 1         |
 * | replicaLagTimeMaxMs                     | replica.lag.time.max.ms                        | 30000     |
 * | replicaFetchWaitMaxMs                   | replica.fetch.wait.max.ms                      | 500       |
 * | replicaFetchMinBytes                    | replica.fetch.min.bytes                        | 1         |
 * | replicaFetchMaxBytes                    | replica.fetch.max.bytes                        | 1048576   |
 * | replicaFetchResponseMaxBytes            | replica.fetch.response.max.bytes               | 10485760  |
 * | replicaFetchBackoffMs                   | replica.fetch.backoff.ms                       | 1000      |
 * | replicaSocketTimeoutMs                  | replica.socket.timeout.ms                      | 30000     |
 * | replicaHighWatermarkCheckpointIntervalMs| replica.high.watermark.checkpoint.interval.ms  | 5000      |
 * | logFlushOffsetCheckpointIntervalMs      | log.flush.offset.checkpoint.interval.ms        | 60000     |
 * | logFlushStartOffsetCheckpointIntervalMs | log.flush.start.offset.checkpoint.interval.ms  | 60000     |
 * | logFlushSchedulerIntervalMs             | log.flush.scheduler.interval.ms                | Long.MAX  |
 * | logRetentionCheckIntervalMs             | log.retention.check.interval.ms                | 300000    |
 * | offsetsTopicNumPartitions               | offsets.topic.num.partitions                   | 50        |
 * | offsetsTopicReplicationFactor           | offsets.topic.replication.factor               | 3         |
 * | offsetsTopicSegmentBytes                | offsets.topic.segment.bytes                    | 104857600 |
 * | brokerHeartbeatIntervalMs               | broker.heartbeat.interval.ms                   | 2000      |
 * | brokerSessionTimeoutMs                  | broker.session.timeout.ms (controller side)    | 9000      |
 * | requestTimeoutMs                        | request.timeout.ms of broker→controller calls  | 2000 (see below) |
 * | fetchMaxBytes                           | fetch.max.bytes (broker cap on consumer Fetch) | 57671680  |
 * | componentTickMs                         | (none: our timer granularity for components)  | 100       |
 *
 * Departures from Kafka:
 * - One log dir. `requestTimeoutMs` bounds this broker's own requests to the controller quorum
 *   (Kafka uses several settings here, e.g. controller.quorum.request.timeout.ms = 2000).
 * - `componentTickMs` has no Kafka counterpart: Kafka's components run their own threads and
 *   schedulers; ours share the broker's virtual-time timer.
 * - `offsetsTopicReplicationFactor` is applied as min(3, registered brokers) when the topic is
 *   created, so small lab clusters work (Kafka refuses with COORDINATOR_NOT_AVAILABLE until
 *   enough brokers are alive).
 */
import { DEFAULT_LOG_CONFIG, LONG_MAX, logConfig, type LogConfig } from "../log";

export interface BrokerConfig {
  readonly logDir: string;
  readonly autoCreateTopicsEnable: boolean;
  readonly numPartitions: number;
  readonly defaultReplicationFactor: number;
  readonly replicaLagTimeMaxMs: number;
  readonly replicaFetchWaitMaxMs: number;
  readonly replicaFetchMinBytes: number;
  readonly replicaFetchMaxBytes: number;
  readonly replicaFetchResponseMaxBytes: number;
  readonly replicaFetchBackoffMs: number;
  readonly replicaSocketTimeoutMs: number;
  readonly replicaHighWatermarkCheckpointIntervalMs: number;
  readonly logFlushOffsetCheckpointIntervalMs: number;
  readonly logFlushStartOffsetCheckpointIntervalMs: number;
  readonly logFlushSchedulerIntervalMs: number;
  readonly logRetentionCheckIntervalMs: number;
  readonly offsetsTopicNumPartitions: number;
  readonly offsetsTopicReplicationFactor: number;
  readonly offsetsTopicSegmentBytes: number;
  readonly brokerHeartbeatIntervalMs: number;
  readonly brokerSessionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly fetchMaxBytes: number;
  readonly componentTickMs: number;
  /** Broker defaults of the topic-level configs (log.segment.bytes, min.insync.replicas, ...). */
  readonly log: LogConfig;
}

export const DEFAULT_BROKER_CONFIG: BrokerConfig = Object.freeze({
  logDir: "kafka-logs",
  autoCreateTopicsEnable: true,
  numPartitions: 1,
  defaultReplicationFactor: 1,
  replicaLagTimeMaxMs: 30000,
  replicaFetchWaitMaxMs: 500,
  replicaFetchMinBytes: 1,
  replicaFetchMaxBytes: 1048576,
  replicaFetchResponseMaxBytes: 10485760,
  replicaFetchBackoffMs: 1000,
  replicaSocketTimeoutMs: 30000,
  replicaHighWatermarkCheckpointIntervalMs: 5000,
  logFlushOffsetCheckpointIntervalMs: 60000,
  logFlushStartOffsetCheckpointIntervalMs: 60000,
  logFlushSchedulerIntervalMs: LONG_MAX,
  logRetentionCheckIntervalMs: 300000,
  offsetsTopicNumPartitions: 50,
  offsetsTopicReplicationFactor: 3,
  offsetsTopicSegmentBytes: 104857600,
  brokerHeartbeatIntervalMs: 2000,
  brokerSessionTimeoutMs: 9000,
  requestTimeoutMs: 2000,
  fetchMaxBytes: 57671680,
  componentTickMs: 100,
  log: DEFAULT_LOG_CONFIG,
});

export type BrokerConfigOverrides = Partial<Omit<BrokerConfig, "log">> & { log?: Partial<LogConfig> };

/** Defaults plus overrides; the log part is validated by src/log's logConfig. */
export function brokerConfig(overrides: BrokerConfigOverrides = {}): BrokerConfig {
  const { log, ...rest } = overrides;
  const merged: BrokerConfig = {
    ...DEFAULT_BROKER_CONFIG,
    ...stripUndefined(rest),
    log: logConfig(log ?? {}, DEFAULT_BROKER_CONFIG.log),
  };
  for (const [key, value] of Object.entries(merged)) {
    if (typeof value === "number" && !(Number.isInteger(value) && value >= 0))
      throw new RangeError(`Invalid broker config ${key}=${value}: must be an integer ≥ 0`);
  }
  if (merged.numPartitions < 1 || merged.defaultReplicationFactor < 1 || merged.offsetsTopicNumPartitions < 1)
    throw new RangeError(
      "Invalid broker config: num.partitions, default.replication.factor and offsets.topic.num.partitions must be ≥ 1",
    );
  if (merged.componentTickMs < 1) throw new RangeError("Invalid broker config componentTickMs: must be ≥ 1");
  return Object.freeze(merged);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
