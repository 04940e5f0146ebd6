/**
 * Leadership changes in the ReplicaManager (replica-manager.ts), as Kafka's
 * ReplicaManager.applyDelta with makeLeaders / makeFollowers: for each partition with this
 * broker among its replicas, open or create the log (with the topic's config overrides), then
 * makeLeader or makeFollower; a follower is (re)assigned to the fetcher of its leader broker
 * (replica-fetcher-manager.ts); leadership changes go to the listeners (the group coordinator)
 * and complete the requests waiting on the partition.
 *
 * Invariant: a partition is fetched by at most one fetcher, that of its current leader, and by
 * none while this broker leads it.
 *
 * Departures from Kafka: no reassignment or log-dir moves; a partition this broker no longer
 * hosts is not deleted.
 */
import { KAFKA_CONFIG_NAMES, logConfigFromProperties, topicPartitionKey } from "../log";
import type { PartitionRegistration } from "../controller";
import { Partition } from "../replication";
import { fetcherFor } from "./replica-fetcher-manager";
import { afterPartitionChange, keyOf, type ReplicaManagerState } from "./replica-manager-state";
import type { LeadershipChange } from "./services";

export function getOrCreatePartition(
  s: ReplicaManagerState,
  topic: string,
  partition: number,
  now: number,
): Partition | undefined {
  const key = topicPartitionKey({ topic, partition });
  const existing = s.partitions.get(key);
  if (existing !== undefined) return existing;
  s.host.logManager.setTopicConfig(topic, topicOverrides(s, topic));
  const r = s.host.logManager.getOrCreateLog(topic, partition, now);
  if ("error" in r) {
    s.host.trace("broker.logCreateFailed", {
      topic,
      partition,
      error: r.error.name,
      message: r.errorMessage,
    });
    return undefined;
  }
  const p = new Partition(topic, partition, r.log, {
    localBrokerId: s.host.brokerId,
    replicaLagTimeMaxMs: s.host.config.replicaLagTimeMaxMs,
    truncation: s.host.truncation,
    highWatermarkRule: s.host.highWatermarkRule,
    isReplicaIsrEligible: (id, epoch) => isReplicaIsrEligible(s, id, epoch),
  });
  s.partitions.set(key, p);
  return p;
}

/** Kafka topic configs from the metadata, restricted to the ones the log knows. */
export function topicOverrides(s: ReplicaManagerState, topic: string): Record<string, unknown> {
  const configs = s.host.metadata.topic(topic)?.configs;
  if (configs === undefined || configs.size === 0) return {};
  const known = new Set(Object.values(KAFKA_CONFIG_NAMES));
  const props: Record<string, string> = {};
  for (const [k, v] of configs) if (known.has(k)) props[k] = v;
  const full = logConfigFromProperties(props, s.host.config.log);
  const out: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(KAFKA_CONFIG_NAMES)) {
    if (name in props) out[field] = (full as unknown as Record<string, unknown>)[field];
  }
  return out;
}

function isReplicaIsrEligible(
  s: ReplicaManagerState,
  brokerId: number,
  fetchBrokerEpoch: number | undefined,
): boolean {
  const b = s.host.metadata.broker(brokerId);
  if (b === undefined || b.fenced) return false;
  return fetchBrokerEpoch === undefined || fetchBrokerEpoch === b.brokerEpoch;
}

export function becomeLeader(
  s: ReplicaManagerState,
  p: Partition,
  reg: PartitionRegistration,
  now: number,
): void {
  const wasLeader = p.isLeader;
  const epochBefore = p.leaderEpoch;
  const r = p.makeLeader(state(reg), now);
  if (!r.applied) return;
  const key = keyOf(p);
  for (const f of s.fetchers.values()) f.remove(key);
  if (!wasLeader || epochBefore !== p.leaderEpoch) {
    s.host.trace("replica.becomeLeader", {
      partition: key,
      leaderEpoch: p.leaderEpoch,
      isr: [...p.isr],
      logEndOffset: p.logEndOffset,
      highWatermark: p.highWatermark,
    });
  }
  afterPartitionChange(s, key);
  if (r.isNewLeader)
    notify(s, { topic: p.topic, partition: p.partition, isLeader: true, leaderEpoch: p.leaderEpoch });
}

export function becomeFollower(
  s: ReplicaManagerState,
  p: Partition,
  reg: PartitionRegistration,
  now: number,
): void {
  const r = p.makeFollower(state(reg), now);
  if (!r.applied) return;
  const key = keyOf(p);
  if (r.isNewLeaderEpoch) {
    s.host.trace("replica.becomeFollower", {
      partition: key,
      leaderId: reg.leader,
      leaderEpoch: reg.leaderEpoch,
      logEndOffset: p.logEndOffset,
      highWatermark: p.highWatermark,
      ...(r.truncatedTo !== null ? { truncatedTo: r.truncatedTo } : {}),
    });
    for (const f of s.fetchers.values()) f.remove(key);
    if (reg.leader >= 0) fetcherFor(s, reg.leader).add(key, p);
  }
  afterPartitionChange(s, key);
  if (r.wasLeader)
    notify(s, { topic: p.topic, partition: p.partition, isLeader: false, leaderEpoch: p.leaderEpoch });
}

function notify(s: ReplicaManagerState, change: LeadershipChange): void {
  for (const l of [...s.listeners]) l(change);
  s.host.onLeadershipChanged(change);
}

function state(reg: PartitionRegistration): {
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  isr: readonly number[];
  replicas: readonly number[];
} {
  return {
    leader: reg.leader,
    leaderEpoch: reg.leaderEpoch,
    partitionEpoch: reg.partitionEpoch,
    isr: reg.isr,
    replicas: reg.replicas,
  };
}
