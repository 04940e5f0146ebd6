/**
 * What a consumer is subscribed to and where it stands in each assigned partition (Kafka's
 * SubscriptionState): the subscription (topics through the group, or partitions the user
 * assigned), the assigned partitions in order, and per partition its position (the next offset
 * to return, with the leader epoch of the last record returned), whether it awaits an offset
 * reset, whether it is paused, and the last high watermark seen.
 *
 * Invariants kept:
 * - a partition has a position only once it was initialised from a committed offset, a reset or
 *   a seek; records are fetched only for partitions with a position that are not paused;
 * - work started for an older assignment tells it is stale by the position: a fetch answer is
 *   used only while the partition is still assigned at the fetch offset (see fetcher.ts);
 * - subscribe and assign are exclusive (Kafka's IllegalStateException "Subscription to topics,
 *   partitions and pattern are mutually exclusive").
 */
import type { AutoOffsetReset } from "./consumer-config";
import { tpKey, type TopicPartition } from "./consumer-types";

export interface FetchPosition {
  offset: number;
  /** Leader epoch of the last record returned (or of the committed offset); -1 if unknown. */
  leaderEpoch: number;
}

export interface PartitionState extends TopicPartition {
  position: FetchPosition | null;
  /** Set when the position must be (re)set by ListOffsets. */
  resetStrategy: "earliest" | "latest" | null;
  paused: boolean;
  highWatermark: number;
  logStartOffset: number;
}

export type SubscriptionType = "none" | "topics" | "assigned";

export class SubscriptionState {
  type: SubscriptionType = "none";
  private readonly topics = new Set<string>();
  /** Topics subscribed with fromBeginning: their default reset is earliest (KafkaJS). */
  private readonly fromBeginning = new Set<string>();
  private readonly states = new Map<string, PartitionState>();

  constructor(private readonly defaultReset: AutoOffsetReset) {}

  subscribe(topics: readonly string[], fromBeginning: boolean): void {
    if (this.type === "assigned")
      throw new Error(
        "Cannot subscribe: this consumer assigned partitions itself (subscribe and assign are exclusive)",
      );
    for (const t of topics) {
      if (typeof t !== "string" || t === "")
        throw new Error(`Cannot subscribe to topic ${JSON.stringify(t)}`);
      this.topics.add(t);
      if (fromBeginning) this.fromBeginning.add(t);
    }
    this.type = "topics";
  }

  subscribedTopics(): string[] {
    return [...this.topics].sort();
  }

  /** Manual assignment (assign()): replaces the assignment; positions of kept partitions stay. */
  assignFromUser(partitions: readonly TopicPartition[]): void {
    if (this.type === "topics")
      throw new Error(
        "Cannot assign partitions: this consumer subscribed to topics (subscribe and assign are exclusive)",
      );
    this.type = partitions.length === 0 ? "none" : "assigned";
    this.setAssignment(partitions);
  }

  /** The group gave us these partitions (after a rebalance). */
  assignFromGroup(partitions: readonly TopicPartition[]): void {
    this.setAssignment(partitions);
  }

  private setAssignment(partitions: readonly TopicPartition[]): void {
    const next = new Map<string, PartitionState>();
    for (const tp of partitions) {
      const k = tpKey(tp.topic, tp.partition);
      next.set(
        k,
        this.states.get(k) ?? {
          topic: tp.topic,
          partition: tp.partition,
          position: null,
          resetStrategy: null,
          paused: false,
          highWatermark: -1,
          logStartOffset: -1,
        },
      );
    }
    this.states.clear();
    for (const [k, v] of next) this.states.set(k, v);
  }

  unsubscribe(): void {
    this.topics.clear();
    this.fromBeginning.clear();
    this.states.clear();
    this.type = "none";
  }

  assigned(): TopicPartition[] {
    return [...this.states.values()].map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  state(tp: TopicPartition): PartitionState | undefined {
    return this.states.get(tpKey(tp.topic, tp.partition));
  }

  isAssigned(tp: TopicPartition): boolean {
    return this.states.has(tpKey(tp.topic, tp.partition));
  }

  all(): PartitionState[] {
    return [...this.states.values()];
  }

  /** The default reset for a partition with no committed offset. */
  defaultResetFor(topic: string): AutoOffsetReset {
    return this.fromBeginning.has(topic) ? "earliest" : this.defaultReset;
  }

  seek(tp: TopicPartition, position: FetchPosition): void {
    const s = this.state(tp);
    if (!s)
      throw new Error(
        `Cannot seek ${tpKey(tp.topic, tp.partition)}: the partition is not assigned to this consumer`,
      );
    if (!Number.isSafeInteger(position.offset) || position.offset < 0)
      throw new Error(
        `Cannot seek ${tpKey(tp.topic, tp.partition)} to offset ${position.offset}: must be an integer ≥ 0`,
      );
    s.position = { ...position };
    s.resetStrategy = null;
  }

  requestReset(tp: TopicPartition, strategy: "earliest" | "latest"): void {
    const s = this.state(tp);
    if (!s) return;
    s.position = null;
    s.resetStrategy = strategy;
  }

  /** Partitions that need a committed offset looked up (no position, no pending reset). */
  initializingPartitions(): PartitionState[] {
    return this.all().filter((s) => s.position === null && s.resetStrategy === null);
  }

  partitionsAwaitingReset(): PartitionState[] {
    return this.all().filter((s) => s.position === null && s.resetStrategy !== null);
  }

  fetchablePartitions(): PartitionState[] {
    return this.all().filter((s) => s.position !== null && !s.paused);
  }

  /** Positions of every partition that has one: what auto-commit and commitSync() commit. */
  allConsumed(): { topic: string; partition: number; offset: number; leaderEpoch: number }[] {
    const out: { topic: string; partition: number; offset: number; leaderEpoch: number }[] = [];
    for (const s of this.states.values())
      if (s.position !== null)
        out.push({
          topic: s.topic,
          partition: s.partition,
          offset: s.position.offset,
          leaderEpoch: s.position.leaderEpoch,
        });
    return out;
  }

  pause(tp: TopicPartition): void {
    const s = this.state(tp);
    if (s) s.paused = true;
  }

  resume(tp: TopicPartition): void {
    const s = this.state(tp);
    if (s) s.paused = false;
  }

  paused(): TopicPartition[] {
    return this.all()
      .filter((s) => s.paused)
      .map((s) => ({ topic: s.topic, partition: s.partition }));
  }
}
