/**
 * The client's view of the cluster (the Java client's Metadata/MetadataCache): which broker leads
 * each partition, at which leader epoch, and where brokers are. Refreshed with a Metadata request
 * (API 3) to any reachable broker — first one of `bootstrap.servers`, later any known broker —
 * and invalidated when a broker answers NOT_LEADER_OR_FOLLOWER or a request times out.
 *
 * Broker addresses: a MetadataResponse broker's `host` is the node name the client sends to (in
 * the simulator a node id such as "broker-1"); `nodeId` is Kafka's numeric broker id.
 *
 * Departure from Kafka: no background refresh thread; refreshes happen on demand (when asked for
 * a topic it does not know, after an invalidation, or when older than `metadata.max.age.ms`),
 * each bounded by the request timeout and separated by `retry.backoff.ms`.
 */
import { Errors } from "../protocol/errors";
import type { MetadataRequest, MetadataResponse, MetadataTopic } from "../protocol/messages";
import type { NodeId } from "../sim/process";
import type { NetworkClient } from "./network-client";

export const DEFAULT_METADATA_MAX_AGE_MS = 300_000;

export interface PartitionLeader {
  partition: number;
  /** Broker id, -1 when the partition has no leader right now. */
  leaderId: number;
  leaderEpoch: number;
  /** The node to send to, undefined when there is no leader or the broker is unknown. */
  leaderNode: NodeId | undefined;
  replicas: number[];
  isr: number[];
}

export interface TopicInfo {
  name: string;
  errorCode: number;
  partitions: PartitionLeader[];
}

export interface ClientMetadataOptions {
  bootstrapServers: NodeId[];
  metadataMaxAgeMs?: number;
  retryBackoffMs?: number;
  /** Producers ask brokers to auto-create unknown topics (allow.auto.create.topics, default true). */
  allowAutoTopicCreation?: boolean;
  /** request.timeout.ms of Metadata requests (default: the NetworkClient's). */
  requestTimeoutMs?: number;
}

export class ClientMetadata {
  private readonly topics = new Map<string, TopicInfo>();
  private readonly brokers = new Map<number, NodeId>();
  private lastRefreshMs = -Infinity;
  private stale = true;
  private refreshing: Promise<void> | undefined;
  private nextBootstrap = 0;
  private readonly wanted = new Set<string>();

  constructor(
    private readonly net: NetworkClient,
    private readonly options: ClientMetadataOptions,
  ) {
    if (options.bootstrapServers.length === 0)
      throw new Error("bootstrap.servers must name at least one broker");
  }

  /** Known broker nodes (from the last response, else the bootstrap list). */
  knownNodes(): NodeId[] {
    return this.brokers.size > 0 ? [...this.brokers.values()] : [...this.options.bootstrapServers];
  }

  nodeFor(brokerId: number): NodeId | undefined {
    return this.brokers.get(brokerId);
  }

  /** The cached topic, if any (may be stale). */
  cached(topic: string): TopicInfo | undefined {
    return this.topics.get(topic);
  }

  /** Mark the metadata stale: the next `topic()` call refreshes first. */
  invalidate(): void {
    this.stale = true;
  }

  /**
   * Partition leaders of `topic`, refreshing if the topic is unknown, the cache is stale or old.
   * Resolves with whatever the last refresh learned (the topic may carry an error code, e.g.
   * UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE while an auto-created topic gets leaders).
   */
  async topic(topic: string): Promise<TopicInfo | undefined> {
    this.wanted.add(topic);
    const age = this.net.ctx.now() - this.lastRefreshMs;
    if (
      this.stale ||
      !this.topics.has(topic) ||
      age >= (this.options.metadataMaxAgeMs ?? DEFAULT_METADATA_MAX_AGE_MS)
    ) {
      await this.refresh();
    }
    return this.topics.get(topic);
  }

  /** Refresh now (one request in flight at a time; concurrent callers share it). */
  refresh(): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = undefined;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const sinceLast = this.net.ctx.now() - this.lastRefreshMs;
    const backoff = this.options.retryBackoffMs ?? 100;
    if (sinceLast < backoff) await this.net.ctx.sleep(backoff - sinceLast);
    const nodes = this.knownNodes();
    const node = nodes[this.nextBootstrap++ % nodes.length]!;
    const body: MetadataRequest = {
      topics: [...this.wanted].map((name) => ({ name })),
      allowAutoTopicCreation: this.options.allowAutoTopicCreation ?? true,
    };
    try {
      const res = await this.net.request<MetadataResponse>(node, "Metadata", body, {
        timeoutMs: this.options.requestTimeoutMs ?? this.net.requestTimeoutMs,
      });
      this.apply(res);
      this.stale = false;
    } catch (_err) {
      // Timed out: try another broker next time. The caller sees the old (stale) view.
      this.stale = true;
    } finally {
      this.lastRefreshMs = this.net.ctx.now();
    }
  }

  private apply(res: MetadataResponse): void {
    if (res.brokers.length > 0) {
      this.brokers.clear();
      for (const b of res.brokers) this.brokers.set(b.nodeId, b.host);
    }
    for (const t of res.topics) this.topics.set(t.name, this.toTopicInfo(t));
  }

  private toTopicInfo(t: MetadataTopic): TopicInfo {
    const partitions = [...t.partitions]
      .sort((a, b) => a.partitionIndex - b.partitionIndex)
      .map((p) => ({
        partition: p.partitionIndex,
        leaderId: p.leaderId,
        leaderEpoch: p.leaderEpoch,
        leaderNode: p.leaderId >= 0 ? this.brokers.get(p.leaderId) : undefined,
        replicas: p.replicaNodes,
        isr: p.isrNodes,
      }));
    return { name: t.name, errorCode: t.errorCode === Errors.NONE.code ? 0 : t.errorCode, partitions };
  }
}
