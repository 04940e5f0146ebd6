/**
 * A broker's view of the cluster metadata (Kafka's KRaftMetadataCache fed by the metadata
 * loader): the committed batches of __cluster_metadata applied in order to a MetadataImage, with
 * the lookups a broker needs to serve Metadata (API 3), to find partition leaders and epochs, and
 * to react to changes (applyBatches returns a delta, like Kafka's MetadataDelta handed to
 * BrokerMetadataPublisher).
 *
 * It only ever sees committed batches (from MetadataFetcher or, on a combined node, from the
 * local controller's onCommit), so it never rolls back. `lastAppliedOffset` is what the broker
 * reports as currentMetadataOffset in its heartbeats.
 */
import { Errors, type MetadataTopic } from "../protocol";
import {
  applyBatch,
  EMPTY_IMAGE,
  topicByName,
  type BrokerRegistration,
  type MetadataImage,
  type PartitionRegistration,
  type TopicImage,
} from "./metadata-image";
import type { MetadataRecord } from "./metadata-records";
import type { RaftBatch } from "./raft-messages";

/** Kafka's Topic.INTERNAL_TOPICS. */
const INTERNAL_TOPICS = new Set(["__consumer_offsets", "__transaction_state"]);

export interface PartitionDelta {
  topicName: string;
  topicId: string;
  partitionId: number;
  /** undefined for a new partition. */
  previous: PartitionRegistration | undefined;
  current: PartitionRegistration;
}

export interface MetadataDelta {
  /** Partitions created or changed, in log order (a partition may appear more than once). */
  partitions: PartitionDelta[];
  /** Brokers registered, fenced or unfenced. */
  brokers: number[];
  /** Topics whose configs changed. */
  topicConfigs: string[];
}

export class MetadataCache {
  private current: MetadataImage = EMPTY_IMAGE;
  private lastEpoch = 0;

  get image(): MetadataImage {
    return this.current;
  }
  /** Offset of the last applied batch (inclusive), -1 before the first. */
  get lastAppliedOffset(): number {
    return this.current.offset;
  }
  /** The next offset to fetch (exclusive end of what is applied). */
  get nextOffset(): number {
    return this.current.offset + 1;
  }
  /** Epoch of the last applied batch (0 before the first): the fetch's lastFetchedEpoch. */
  get lastAppliedEpoch(): number {
    return this.lastEpoch;
  }

  /** Apply committed batches, which must continue the cache's log exactly. */
  applyBatches(batches: readonly RaftBatch<MetadataRecord>[]): MetadataDelta {
    const delta: MetadataDelta = { partitions: [], brokers: [], topicConfigs: [] };
    for (const batch of batches) {
      if (batch.offset !== this.nextOffset) {
        throw new Error(
          `Cannot apply metadata batch ${batch.offset}: the cache expects offset ${this.nextOffset}`,
        );
      }
      const before = this.current;
      this.current = applyBatch(this.current, batch);
      this.lastEpoch = batch.epoch;
      for (const r of batch.records) {
        if (r.type === "PartitionRecord" || r.type === "PartitionChangeRecord") {
          const topic = this.current.topics.get(r.topicId)!;
          delta.partitions.push({
            topicName: topic.name,
            topicId: r.topicId,
            partitionId: r.partitionId,
            previous: before.topics.get(r.topicId)?.partitions[r.partitionId],
            current: topic.partitions[r.partitionId]!,
          });
        } else if (r.type === "RegisterBrokerRecord") delta.brokers.push(r.brokerId);
        else if (r.type === "FenceBrokerRecord" || r.type === "UnfenceBrokerRecord") delta.brokers.push(r.id);
        else if (r.type === "ConfigRecord") delta.topicConfigs.push(r.resourceName);
      }
    }
    return delta;
  }

  // --- Lookups ------------------------------------------------------------------------------

  topic(name: string): TopicImage | undefined {
    return topicByName(this.current, name);
  }
  topicId(name: string): string | undefined {
    return this.current.topicIdsByName.get(name);
  }
  topicName(topicId: string): string | undefined {
    return this.current.topics.get(topicId)?.name;
  }
  partition(topic: string, partitionId: number): PartitionRegistration | undefined {
    return this.topic(topic)?.partitions[partitionId];
  }
  /** The partition's leader and leaderEpoch; leaderId -1 when it has none. */
  leaderFor(topic: string, partitionId: number): { leaderId: number; leaderEpoch: number } | undefined {
    const p = this.partition(topic, partitionId);
    return p && { leaderId: p.leader, leaderEpoch: p.leaderEpoch };
  }
  broker(id: number): BrokerRegistration | undefined {
    return this.current.brokers.get(id);
  }
  /** Registered, unfenced brokers, by id. */
  liveBrokers(): BrokerRegistration[] {
    return [...this.current.brokers.values()]
      .filter((b) => !b.fenced)
      .sort((a, b) => a.brokerId - b.brokerId);
  }
  /** A topic config override, or undefined (then the broker default applies). */
  topicConfig(topic: string, name: string): string | undefined {
    return this.topic(topic)?.configs.get(name);
  }

  /**
   * The topics part of a Metadata (API 3) response (Kafka's KRaftMetadataCache.getTopicMetadata):
   * unknown topics get UNKNOWN_TOPIC_OR_PARTITION, leaderless partitions LEADER_NOT_AVAILABLE,
   * and replicas on fenced or unregistered brokers are listed as offline. `names` null = all.
   */
  metadataTopics(names: readonly string[] | null): MetadataTopic[] {
    const wanted = names ?? [...this.current.topicIdsByName.keys()].sort();
    return wanted.map((name) => {
      const topic = this.topic(name);
      if (!topic)
        return { errorCode: Errors.UNKNOWN_TOPIC_OR_PARTITION.code, name, isInternal: false, partitions: [] };
      return {
        errorCode: Errors.NONE.code,
        name,
        isInternal: INTERNAL_TOPICS.has(name),
        partitions: topic.partitions.map((p, partitionIndex) => ({
          errorCode: p.leader === -1 ? Errors.LEADER_NOT_AVAILABLE.code : Errors.NONE.code,
          partitionIndex,
          leaderId: p.leader,
          leaderEpoch: p.leaderEpoch,
          replicaNodes: [...p.replicas],
          isrNodes: [...p.isr],
          offlineReplicas: p.replicas.filter((id) => this.current.brokers.get(id)?.fenced !== false),
        })),
      };
    });
  }

  /** The brokers part of a Metadata response: live brokers' endpoint on `listenerName` (first endpoint if absent). */
  metadataBrokers(listenerName?: string): { nodeId: number; host: string; port: number }[] {
    return this.liveBrokers().flatMap((b) => {
      const ep = b.endPoints.find((e) => e.name === listenerName) ?? b.endPoints[0];
      return ep ? [{ nodeId: b.brokerId, host: ep.host, port: ep.port }] : [];
    });
  }
}
