/**
 * The metadata image: the cluster state that the committed metadata log describes (Kafka's
 * MetadataImage / ClusterImage / TopicsImage), and the one pure function that advances it,
 * `applyRecord(image, record)`. Images are immutable values: applying returns a new image that
 * shares what did not change, so the active controller can keep a committed image and a
 * speculative one side by side, and readers never see a half-applied batch.
 *
 * Invariants asserted on every apply (a violation is a controller bug, never bad input):
 * replicas are distinct and non-empty; isr ⊆ replicas, distinct, and non-empty unless the
 * partition has no leader (only a controller with Eligible Leader Replicas, KIP-966, empties
 * it); the leader is -1 or in the isr; the ELR and last known ELR are distinct replicas and the
 * ELR shares no member with the ISR (Kafka: ReplicationControlManager.updatePartitionInfo's
 * overlap check); a partition change names a known topic and partition; fence/unfence name the
 * broker's current epoch.
 *
 * Departure from Kafka: a broker's last heartbeat time is not in the image. As in Kafka it is
 * in-memory state of the active controller (BrokerHeartbeatManager), not replicated.
 */
import {
  NO_LEADER,
  NO_LEADER_CHANGE,
  type BrokerEndpoint,
  type MetadataRecord,
  type PartitionRecord,
} from "./metadata-records";
import type { RaftBatch } from "./raft-messages";

export interface BrokerRegistration {
  brokerId: number;
  brokerEpoch: number;
  incarnationId: string;
  endPoints: readonly BrokerEndpoint[];
  rack: string | null;
  fenced: boolean;
}

export interface PartitionRegistration {
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** -1 when the partition has no leader. */
  readonly leader: number;
  readonly leaderEpoch: number;
  /** Bumped on every change (Kafka's partitionEpoch, the AlterPartition version check). */
  readonly partitionEpoch: number;
  /** KIP-966 eligible leader replicas (Kafka: PartitionRegistration.elr); absent = []. */
  readonly elr?: readonly number[];
  /** KIP-966 last known ELR (Kafka: PartitionRegistration.lastKnownElr); absent = []. */
  readonly lastKnownElr?: readonly number[];
}

const NONE: readonly number[] = Object.freeze([]);
/** The partition's eligible leader replicas ([] when it has none or ELR is off). */
export function elrOf(p: PartitionRegistration): readonly number[] {
  return p.elr ?? NONE;
}
/** The partition's last known ELR ([] when it has none or ELR is off). */
export function lastKnownElrOf(p: PartitionRegistration): readonly number[] {
  return p.lastKnownElr ?? NONE;
}

export interface TopicImage {
  readonly name: string;
  readonly topicId: string;
  readonly partitions: readonly PartitionRegistration[];
  /** Topic config overrides (ConfigRecord); absent names use the cluster defaults. */
  readonly configs: ReadonlyMap<string, string>;
}

export interface MetadataImage {
  /** Offset of the last batch applied (inclusive); -1 for the empty image. */
  readonly offset: number;
  readonly brokers: ReadonlyMap<number, BrokerRegistration>;
  /** By topic id. */
  readonly topics: ReadonlyMap<string, TopicImage>;
  readonly topicIdsByName: ReadonlyMap<string, string>;
}

export const EMPTY_IMAGE: MetadataImage = {
  offset: -1,
  brokers: new Map(),
  topics: new Map(),
  topicIdsByName: new Map(),
};

/** Apply one record; returns a new image (the argument is not changed). */
export function applyRecord(image: MetadataImage, record: MetadataRecord): MetadataImage {
  switch (record.type) {
    case "RegisterBrokerRecord": {
      const brokers = new Map(image.brokers);
      const { brokerId, brokerEpoch, incarnationId, endPoints, rack, fenced } = record;
      brokers.set(brokerId, { brokerId, brokerEpoch, incarnationId, endPoints, rack, fenced });
      return { ...image, brokers };
    }
    case "FenceBrokerRecord":
    case "UnfenceBrokerRecord": {
      const broker = image.brokers.get(record.id);
      if (!broker || broker.brokerEpoch !== record.epoch) {
        throw new Error(
          `Cannot apply ${record.type}: broker ${record.id} epoch ${record.epoch} is not registered (have ${broker?.brokerEpoch ?? "none"})`,
        );
      }
      const brokers = new Map(image.brokers);
      brokers.set(record.id, { ...broker, fenced: record.type === "FenceBrokerRecord" });
      return { ...image, brokers };
    }
    case "TopicRecord": {
      if (image.topics.has(record.topicId) || image.topicIdsByName.has(record.name)) {
        throw new Error(`Cannot apply TopicRecord: topic ${record.name} (${record.topicId}) already exists`);
      }
      const topics = new Map(image.topics);
      topics.set(record.topicId, {
        name: record.name,
        topicId: record.topicId,
        partitions: [],
        configs: new Map(),
      });
      const topicIdsByName = new Map(image.topicIdsByName);
      topicIdsByName.set(record.name, record.topicId);
      return { ...image, topics, topicIdsByName };
    }
    case "PartitionRecord": {
      const topic = topicOrThrow(image, record.topicId, record.type);
      if (record.partitionId !== topic.partitions.length) {
        throw new Error(
          `Cannot apply PartitionRecord: partition ${record.partitionId} of ${topic.name} is not the next one (${topic.partitions.length})`,
        );
      }
      const partition = checkPartition(fromRecord(record), `${topic.name}-${record.partitionId}`);
      return withTopic(image, { ...topic, partitions: [...topic.partitions, partition] });
    }
    case "PartitionChangeRecord": {
      const topic = topicOrThrow(image, record.topicId, record.type);
      const current = topic.partitions[record.partitionId];
      if (!current)
        throw new Error(
          `Cannot apply PartitionChangeRecord: ${topic.name} has no partition ${record.partitionId}`,
        );
      const leaderChanged = record.leader !== NO_LEADER_CHANGE;
      const next = checkPartition(
        withElr(
          {
            replicas: current.replicas,
            isr: record.isr ?? current.isr,
            leader: leaderChanged ? record.leader : current.leader,
            leaderEpoch: leaderChanged ? current.leaderEpoch + 1 : current.leaderEpoch,
            partitionEpoch: current.partitionEpoch + 1,
          },
          record.eligibleLeaderReplicas ?? elrOf(current),
          record.lastKnownElr ?? lastKnownElrOf(current),
        ),
        `${topic.name}-${record.partitionId}`,
      );
      const partitions = [...topic.partitions];
      partitions[record.partitionId] = next;
      return withTopic(image, { ...topic, partitions });
    }
    case "ConfigRecord": {
      const topicId = image.topicIdsByName.get(record.resourceName);
      if (topicId === undefined)
        throw new Error(`Cannot apply ConfigRecord: unknown topic ${record.resourceName}`);
      const topic = image.topics.get(topicId)!;
      const configs = new Map(topic.configs);
      if (record.value === null) configs.delete(record.name);
      else configs.set(record.name, record.value);
      return withTopic(image, { ...topic, configs });
    }
  }
}

/** Apply a committed batch; control batches only advance the offset. */
export function applyBatch(image: MetadataImage, batch: RaftBatch<MetadataRecord>): MetadataImage {
  if (batch.offset <= image.offset)
    throw new Error(`Cannot apply batch ${batch.offset}: image is already at offset ${image.offset}`);
  let next = image;
  for (const record of batch.records) next = applyRecord(next, record);
  return { ...next, offset: batch.offset };
}

// --- Queries ---------------------------------------------------------------------------------

export function topicByName(image: MetadataImage, name: string): TopicImage | undefined {
  const id = image.topicIdsByName.get(name);
  return id === undefined ? undefined : image.topics.get(id);
}

/** Registered brokers that are not fenced: the ones that may lead and be in an ISR. */
export function unfencedBrokerIds(image: MetadataImage): Set<number> {
  const ids = new Set<number>();
  for (const b of image.brokers.values()) if (!b.fenced) ids.add(b.brokerId);
  return ids;
}

/** Every (topic, partition) whose ISR contains `brokerId`, in topic-name then partition order. */
export function partitionsWithBrokerInIsr(
  image: MetadataImage,
  brokerId: number,
): { topic: TopicImage; partitionId: number }[] {
  return partitionsWhere(image, (p) => p.isr.includes(brokerId));
}

/** Every (topic, partition) whose ELR contains `brokerId` (Kafka: BrokersToElrs), same order. */
export function partitionsWithBrokerInElr(
  image: MetadataImage,
  brokerId: number,
): { topic: TopicImage; partitionId: number }[] {
  return partitionsWhere(image, (p) => elrOf(p).includes(brokerId));
}

/** Every (topic, partition) without a leader. */
export function partitionsWithoutLeader(image: MetadataImage): { topic: TopicImage; partitionId: number }[] {
  return partitionsWhere(image, (p) => p.leader === NO_LEADER);
}

function partitionsWhere(
  image: MetadataImage,
  test: (p: PartitionRegistration) => boolean,
): { topic: TopicImage; partitionId: number }[] {
  const out: { topic: TopicImage; partitionId: number }[] = [];
  const names = [...image.topicIdsByName.keys()].sort();
  for (const name of names) {
    const topic = topicByName(image, name)!;
    topic.partitions.forEach((p, partitionId) => {
      if (test(p)) out.push({ topic, partitionId });
    });
  }
  return out;
}

// --- Helpers ---------------------------------------------------------------------------------

function topicOrThrow(image: MetadataImage, topicId: string, what: string): TopicImage {
  const topic = image.topics.get(topicId);
  if (!topic) throw new Error(`Cannot apply ${what}: unknown topic id ${topicId}`);
  return topic;
}

function withTopic(image: MetadataImage, topic: TopicImage): MetadataImage {
  const topics = new Map(image.topics);
  topics.set(topic.topicId, topic);
  return { ...image, topics };
}

function fromRecord(r: PartitionRecord): PartitionRegistration {
  return withElr(
    {
      replicas: [...r.replicas],
      isr: [...r.isr],
      leader: r.leader,
      leaderEpoch: r.leaderEpoch,
      partitionEpoch: r.partitionEpoch,
    },
    r.eligibleLeaderReplicas ?? NONE,
    r.lastKnownElr ?? NONE,
  );
}

/** The registration with its ELR fields, each set only when non-empty (a partition without ELR looks as before KIP-966). */
function withElr(
  p: PartitionRegistration,
  elr: readonly number[],
  lastKnownElr: readonly number[],
): PartitionRegistration {
  return {
    ...p,
    ...(elr.length > 0 ? { elr: [...elr] } : {}),
    ...(lastKnownElr.length > 0 ? { lastKnownElr: [...lastKnownElr] } : {}),
  };
}

function checkPartition(p: PartitionRegistration, name: string): PartitionRegistration {
  const fail = (why: string): never => {
    throw new Error(
      `Invalid partition state for ${name}: ${why} (replicas [${p.replicas}], isr [${p.isr}], leader ${p.leader})`,
    );
  };
  if (p.replicas.length === 0) fail("no replicas");
  if (new Set(p.replicas).size !== p.replicas.length) fail("duplicate replicas");
  if (p.isr.length === 0 && p.leader !== NO_LEADER) fail("empty ISR with a leader");
  if (new Set(p.isr).size !== p.isr.length) fail("duplicate ISR members");
  if (!p.isr.every((id) => p.replicas.includes(id))) fail("ISR member that is not a replica");
  if (p.leader !== NO_LEADER && !p.isr.includes(p.leader)) fail("leader outside the ISR");
  const elr = elrOf(p);
  for (const [what, ids] of [
    ["ELR", elr],
    ["last known ELR", lastKnownElrOf(p)],
  ] as const) {
    if (new Set(ids).size !== ids.length) fail(`duplicate ${what} members`);
    if (!ids.every((id) => p.replicas.includes(id))) fail(`${what} member that is not a replica`);
  }
  if (elr.some((id) => p.isr.includes(id))) fail(`ELR [${elr}] overlaps the ISR`);
  return p;
}
