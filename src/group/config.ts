/**
 * Group coordinator configuration: Kafka's broker configs for groups and offsets
 * (GroupCoordinatorConfig.java, OffsetConfig), camelCase, with Kafka's defaults.
 *
 * | field                            | Kafka config                              | default    |
 * |----------------------------------|-------------------------------------------|------------|
 * | offsetsTopicNumPartitions        | offsets.topic.num.partitions              | 50         |
 * | groupMinSessionTimeoutMs         | group.min.session.timeout.ms              | 6000       |
 * | groupMaxSessionTimeoutMs         | group.max.session.timeout.ms              | 1800000    |
 * | groupInitialRebalanceDelayMs     | group.initial.rebalance.delay.ms          | 3000       |
 * | offsetsCommitTimeoutMs           | offsets.commit.timeout.ms                 | 5000       |
 * | offsetMetadataMaxBytes           | offset.metadata.max.bytes                 | 4096       |
 * | offsetsRetentionMinutes          | offsets.retention.minutes                 | 10080 (7 days) |
 * | offsetsRetentionCheckIntervalMs  | offsets.retention.check.interval.ms       | 600000     |
 * | offsetsLoadBufferSize            | offsets.load.buffer.size                  | 5242880    |
 * | newMemberJoinTimeoutMs           | (GroupCoordinator's fixed 5 minutes, KIP-394) | 300000 |
 *
 * Departures: offsets.commit.required.acks is always -1 (acks=all), the only value Kafka 4.0
 * still allows; group.max.size is not enforced (Kafka's default, Integer.MAX_VALUE, never bites).
 */

export interface GroupCoordinatorConfig {
  readonly offsetsTopicNumPartitions: number;
  readonly groupMinSessionTimeoutMs: number;
  readonly groupMaxSessionTimeoutMs: number;
  readonly groupInitialRebalanceDelayMs: number;
  readonly offsetsCommitTimeoutMs: number;
  readonly offsetMetadataMaxBytes: number;
  readonly offsetsRetentionMinutes: number;
  readonly offsetsRetentionCheckIntervalMs: number;
  readonly offsetsLoadBufferSize: number;
  readonly newMemberJoinTimeoutMs: number;
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: GroupCoordinatorConfig = Object.freeze({
  offsetsTopicNumPartitions: 50,
  groupMinSessionTimeoutMs: 6000,
  groupMaxSessionTimeoutMs: 1800000,
  groupInitialRebalanceDelayMs: 3000,
  offsetsCommitTimeoutMs: 5000,
  offsetMetadataMaxBytes: 4096,
  offsetsRetentionMinutes: 10080,
  offsetsRetentionCheckIntervalMs: 600000,
  offsetsLoadBufferSize: 5242880,
  newMemberJoinTimeoutMs: 300000,
});

/** Defaults plus overrides, validated: every value an integer, partitions and sizes ≥ 1. */
export function groupCoordinatorConfig(
  overrides: Partial<GroupCoordinatorConfig> = {},
): GroupCoordinatorConfig {
  const merged: Record<string, number> = { ...DEFAULT_GROUP_COORDINATOR_CONFIG };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) merged[k] = v;
  for (const [k, v] of Object.entries(merged)) {
    if (!(k in DEFAULT_GROUP_COORDINATOR_CONFIG))
      throw new RangeError(`Unknown group coordinator config "${k}"`);
    if (!Number.isSafeInteger(v) || v < 0)
      throw new RangeError(`Invalid group coordinator config ${k}=${v}: must be an integer ≥ 0`);
  }
  const c = merged as unknown as GroupCoordinatorConfig;
  if (c.offsetsTopicNumPartitions < 1 || c.offsetsLoadBufferSize < 1)
    throw new RangeError(
      "Invalid group coordinator config: offsets.topic.num.partitions and offsets.load.buffer.size must be ≥ 1",
    );
  if (c.groupMinSessionTimeoutMs > c.groupMaxSessionTimeoutMs)
    throw new RangeError(
      `Invalid group coordinator config: group.min.session.timeout.ms ${c.groupMinSessionTimeoutMs} > group.max.session.timeout.ms ${c.groupMaxSessionTimeoutMs}`,
    );
  return Object.freeze(c);
}
