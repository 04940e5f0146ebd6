/**
 * Broker lifecycle on the active controller (Kafka's ClusterControlManager and the broker parts
 * of ReplicationControlManager): registration, heartbeats, fencing and unfencing. Each function
 * reads the controller's latest image and returns the records to write and the response to send
 * once they commit; nothing changes until Raft commits the records.
 *
 * - Register: a new incarnation gets brokerEpoch = the offset its RegisterBrokerRecord will take
 *   (KRaft) and starts fenced. While the old incarnation still has a valid session, another
 *   incarnation is refused with DUPLICATE_BROKER_REGISTRATION (the restarted broker retries until
 *   the old session expires). If the old incarnation is still unfenced, we fence it in the same
 *   batch (Kafka's periodic stale-broker check usually has done so already).
 * - Heartbeat: a fenced broker is unfenced once its currentMetadataOffset has reached its own
 *   registration (it has caught up with the metadata log), as in BrokerHeartbeatManager.
 *   Unfencing elects leaders for leaderless partitions it can lead.
 * - Fencing (session expired, wantFence, or wantShutDown): remove the broker from every ISR and
 *   re-elect where it led (handleBrokerFenced). Without ELR, a broker that is the last ISR member
 *   stays in the ISR and the partition goes leaderless; with ELR (KIP-966, partition-change.ts)
 *   the ISR may empty, and a broker leaving an ISR that is below min ISR joins the ELR, where it
 *   stays while fenced.
 * - Registration of a new incarnation with ELR on: unless previousBrokerEpoch equals the epoch
 *   of the registration it replaces (the broker's clean-shutdown marker), the shutdown was
 *   unclean and the broker leaves every ISR and ELR (handleBrokerUncleanShutdown).
 *
 * Departure: controlled shutdown (CONTROLLED_SHUTDOWN state) is collapsed into one step: on
 * wantShutDown the broker is fenced (leaders moved, ISRs shrunk) and told shouldShutDown.
 */
import { Errors } from "../protocol";
import type { BrokerHeartbeats } from "./broker-heartbeats";
import type {
  BrokerHeartbeatRequest,
  BrokerHeartbeatResponse,
  BrokerRegistrationRequest,
  BrokerRegistrationResponse,
} from "./controller-apis";
import type { LeaderElectionPolicy } from "./election";
import {
  applyRecord,
  partitionsWithBrokerInElr,
  partitionsWithBrokerInIsr,
  partitionsWithoutLeader,
  unfencedBrokerIds,
  type MetadataImage,
  type TopicImage,
} from "./metadata-image";
import type { MetadataRecord } from "./metadata-records";
import { buildPartitionChange, type PartitionChangeContext } from "./partition-change";

export interface ElectionSettings {
  electLeader: LeaderElectionPolicy;
  /** Cluster default for unclean.leader.election.enable (false); a topic config overrides it. */
  uncleanLeaderElectionEnable: boolean;
  /** KIP-966 Eligible Leader Replicas (Kafka: eligible.leader.replicas.version=1). Default off. */
  eligibleLeaderReplicasEnabled?: boolean;
  /** Cluster default for min.insync.replicas (1); a topic config overrides it. Used by ELR only. */
  minInsyncReplicas?: number;
  /** With ELR: elect the last known leader when ISR and ELR are empty (Kafka does; default true). */
  electLastKnownLeader?: boolean;
}

export interface ControlResult<R> {
  records: MetadataRecord[];
  response: R;
}

export function uncleanEnabled(topic: TopicImage, settings: ElectionSettings): boolean {
  const v = topic.configs.get("unclean.leader.election.enable");
  return v === undefined ? settings.uncleanLeaderElectionEnable : v.toLowerCase() === "true";
}

/**
 * Kafka's ReplicationControlManager.getTopicEffectiveMinIsr: the topic's min.insync.replicas (or
 * the cluster default), capped by its replication factor (that of partition 0).
 */
export function effectiveMinIsr(topic: TopicImage, settings: ElectionSettings): number {
  const v = topic.configs.get("min.insync.replicas");
  const configured = v === undefined ? (settings.minInsyncReplicas ?? 1) : Number(v);
  const replicationFactor = topic.partitions[0]?.replicas.length ?? configured;
  return Math.min(configured, replicationFactor);
}

/** The PartitionChangeBuilder settings for one topic (what every caller of buildPartitionChange passes). */
export function changeContext(
  topic: TopicImage,
  settings: ElectionSettings,
  liveBrokers: ReadonlySet<number>,
  uncleanShutdownReplicas?: readonly number[],
): PartitionChangeContext {
  const base = {
    liveBrokers,
    uncleanLeaderElectionEnable: uncleanEnabled(topic, settings),
    electLeader: settings.electLeader,
  };
  if (!(settings.eligibleLeaderReplicasEnabled ?? false)) return base;
  return {
    ...base,
    eligibleLeaderReplicasEnabled: true,
    minIsr: effectiveMinIsr(topic, settings),
    electLastKnownLeader: settings.electLastKnownLeader ?? true,
    ...(uncleanShutdownReplicas ? { uncleanShutdownReplicas } : {}),
  };
}

export function registerBroker(
  image: MetadataImage,
  req: BrokerRegistrationRequest,
  env: {
    clusterId: string;
    newBrokerEpoch: number;
    heartbeats: BrokerHeartbeats;
    nowMs: number;
    election: ElectionSettings;
  },
): ControlResult<BrokerRegistrationResponse> {
  const fail = (errorCode: number, errorMessage: string): ControlResult<BrokerRegistrationResponse> => ({
    records: [],
    response: { errorCode, errorMessage, brokerEpoch: -1 },
  });
  if (req.clusterId !== env.clusterId)
    return fail(
      Errors.INCONSISTENT_CLUSTER_ID.code,
      `Expected cluster ID ${env.clusterId}, but got cluster ID ${req.clusterId}`,
    );
  const existing = image.brokers.get(req.brokerId);
  if (existing && existing.incarnationId === req.incarnationId) {
    // The same process registering again (a retry): keep its epoch.
    return {
      records: [],
      response: { errorCode: Errors.NONE.code, errorMessage: null, brokerEpoch: existing.brokerEpoch },
    };
  }
  if (existing && env.heartbeats.hasValidSession(image, req.brokerId, env.nowMs)) {
    return fail(
      Errors.DUPLICATE_BROKER_REGISTRATION.code,
      "Another broker is registered with that broker id.",
    );
  }
  const records = existing && !existing.fenced ? fenceBroker(image, req.brokerId, env.election) : [];
  if (
    existing &&
    (env.election.eligibleLeaderReplicasEnabled ?? false) &&
    req.previousBrokerEpoch !== existing.brokerEpoch
  ) {
    // KIP-966 (Kafka: ClusterControlManager.registerBroker → handleBrokerUncleanShutdown): a new
    // incarnation that cannot show the epoch it had at a clean shutdown may have lost unflushed
    // records, so it leaves every ISR and ELR. Decided on the image after the fence above.
    let scratch = image;
    for (const r of records) scratch = applyRecord(scratch, r);
    records.push(...handleBrokerUncleanShutdown(scratch, req.brokerId, env.election));
  }
  records.push({
    type: "RegisterBrokerRecord",
    brokerId: req.brokerId,
    incarnationId: req.incarnationId,
    brokerEpoch: env.newBrokerEpoch,
    endPoints: req.listeners,
    rack: req.rack,
    fenced: true,
  });
  env.heartbeats.touch(req.brokerId, env.nowMs);
  return {
    records,
    response: { errorCode: Errors.NONE.code, errorMessage: null, brokerEpoch: env.newBrokerEpoch },
  };
}

export function processHeartbeat(
  image: MetadataImage,
  req: BrokerHeartbeatRequest,
  env: { heartbeats: BrokerHeartbeats; nowMs: number; election: ElectionSettings },
): ControlResult<BrokerHeartbeatResponse> {
  const broker = image.brokers.get(req.brokerId);
  if (!broker || broker.brokerEpoch !== req.brokerEpoch) {
    return {
      records: [],
      response: {
        errorCode: Errors.STALE_BROKER_EPOCH.code,
        isCaughtUp: false,
        isFenced: true,
        shouldShutDown: false,
      },
    };
  }
  env.heartbeats.touch(req.brokerId, env.nowMs);
  // brokerEpoch is the offset of the broker's RegisterBrokerRecord batch.
  const isCaughtUp = req.currentMetadataOffset >= broker.brokerEpoch;
  let records: MetadataRecord[] = [];
  let fenced = broker.fenced;
  let shouldShutDown = false;
  if (broker.fenced) {
    if (req.wantShutDown) shouldShutDown = true;
    else if (!req.wantFence && isCaughtUp) {
      records = unfenceBroker(image, req.brokerId, env.election);
      fenced = false;
    }
  } else if (req.wantFence || req.wantShutDown) {
    records = fenceBroker(image, req.brokerId, env.election);
    fenced = true;
    shouldShutDown = req.wantShutDown;
  }
  return { records, response: { errorCode: Errors.NONE.code, isCaughtUp, isFenced: fenced, shouldShutDown } };
}

/** Fence every unfenced broker whose session expired. */
export function fenceStaleBrokers(
  image: MetadataImage,
  heartbeats: BrokerHeartbeats,
  nowMs: number,
  election: ElectionSettings,
): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  let current = image;
  for (const brokerId of heartbeats.staleBrokers(image, nowMs)) {
    const more = fenceBroker(current, brokerId, election);
    for (const r of more) current = applyRecord(current, r);
    records.push(...more);
  }
  return records;
}

/** Kafka's handleBrokerFenced: ISR shrink and re-election for every partition with the broker in its ISR, then FenceBrokerRecord. */
export function fenceBroker(
  image: MetadataImage,
  brokerId: number,
  election: ElectionSettings,
): MetadataRecord[] {
  const broker = image.brokers.get(brokerId);
  if (!broker) throw new Error(`Cannot fence broker ${brokerId}: it is not registered`);
  const live = unfencedBrokerIds(image);
  live.delete(brokerId);
  const records: MetadataRecord[] = [];
  for (const { topic, partitionId } of partitionsWithBrokerInIsr(image, brokerId)) {
    const partition = topic.partitions[partitionId]!;
    const change = buildPartitionChange(
      { topicId: topic.topicId, topicName: topic.name, partitionId },
      partition,
      partition.isr.filter((id) => id !== brokerId),
      changeContext(topic, election, live),
    );
    if (change) records.push(change);
  }
  records.push({ type: "FenceBrokerRecord", id: brokerId, epoch: broker.brokerEpoch });
  return records;
}

/**
 * Kafka's ReplicationControlManager.handleBrokerUncleanShutdown (ELR on): remove the broker from
 * the ISR of every partition that has it there, then from the ELR of every partition that has it
 * there (the two sets are disjoint), re-electing where needed; the broker may not lead.
 */
export function handleBrokerUncleanShutdown(
  image: MetadataImage,
  brokerId: number,
  election: ElectionSettings,
): MetadataRecord[] {
  const live = unfencedBrokerIds(image);
  live.delete(brokerId);
  const records: MetadataRecord[] = [];
  const affected = [
    ...partitionsWithBrokerInIsr(image, brokerId),
    ...partitionsWithBrokerInElr(image, brokerId),
  ];
  for (const { topic, partitionId } of affected) {
    const partition = topic.partitions[partitionId]!;
    const change = buildPartitionChange(
      { topicId: topic.topicId, topicName: topic.name, partitionId },
      partition,
      partition.isr.filter((id) => id !== brokerId),
      changeContext(topic, election, live, [brokerId]),
    );
    if (change) records.push(change);
  }
  return records;
}

/** Kafka's handleBrokerUnfenced: UnfenceBrokerRecord, then elections for leaderless partitions. */
export function unfenceBroker(
  image: MetadataImage,
  brokerId: number,
  election: ElectionSettings,
): MetadataRecord[] {
  const broker = image.brokers.get(brokerId);
  if (!broker) throw new Error(`Cannot unfence broker ${brokerId}: it is not registered`);
  const records: MetadataRecord[] = [
    { type: "UnfenceBrokerRecord", id: brokerId, epoch: broker.brokerEpoch },
  ];
  const live = unfencedBrokerIds(image);
  live.add(brokerId);
  for (const { topic, partitionId } of partitionsWithoutLeader(image)) {
    const partition = topic.partitions[partitionId]!;
    const change = buildPartitionChange(
      { topicId: topic.topicId, topicName: topic.name, partitionId },
      partition,
      partition.isr,
      changeContext(topic, election, live),
    );
    if (change) records.push(change);
  }
  return records;
}
