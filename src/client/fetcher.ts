/**
 * The consumer's fetcher (Kafka's Fetcher + OffsetFetcher): sends Fetch requests to partition
 * leaders, buffers what comes back, hands records to poll() in order, and resets positions
 * with ListOffsets (auto.offset.reset, seekToBeginning/End).
 *
 * - One Fetch in flight per broker, covering every fetchable partition it leads (assigned, with
 *   a position, not paused, nothing buffered): fetch.max.wait.ms / fetch.min.bytes long poll,
 *   fetch.max.bytes per request, max.partition.fetch.bytes per partition, and the leader epoch
 *   from metadata so that a stale leader answers FENCED_LEADER_EPOCH instead of stale data.
 * - Leaders serve consumers only below the high watermark, so nothing returned here can be
 *   lost by a leader failover (KIP-101 keeps committed data).
 * - A response is used only if the partition is still assigned and its position is still the
 *   fetch offset (a seek or a rebalance in between makes it stale; it is dropped).
 * - Records before the fetch offset (a batch starts earlier) and control batches are skipped;
 *   once a buffered fetch is used up the position moves to the end of its last batch.
 * - Errors per partition: NOT_LEADER_OR_FOLLOWER, FENCED/UNKNOWN_LEADER_EPOCH,
 *   UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, KAFKA_STORAGE_ERROR, REPLICA_NOT_AVAILABLE
 *   → refresh metadata and fetch again; OFFSET_OUT_OF_RANGE → reset the position by
 *   auto.offset.reset (or fail poll with OffsetOutOfRangeError when it is "none"); a corrupt
 *   batch fails poll with the CORRUPT_MESSAGE error and leaves the position where it was.
 *
 * Departures: no fetch sessions (KIP-227), no fetching from followers (KIP-392), no
 * read_committed filtering (no transactions), no position validation with
 * OffsetsForLeaderEpoch after a leader change (KIP-320: the broker's truncation by leader epoch
 * keeps what a consumer could have read, so positions stay valid).
 */
import { KafkaError, Errors, errorForCode, type ErrorInfo } from "../protocol/errors";
import {
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  type FetchPartitionResponse,
  type FetchRequest,
  type FetchResponse,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
} from "../protocol/messages";
import { decodeRecordBatches } from "../protocol/record-batch";
import { utf8Decode } from "../protocol/bytes";
import type { ClientContext, NodeId, TimerId } from "../sim/process";
import type { ClientMetadata } from "./client-metadata";
import type { ResolvedConsumerConfig } from "./consumer-config";
import type { SubscriptionState } from "./consumer-subscription";
import { OffsetOutOfRangeError, tpKey, type ConsumerRecord, type TopicPartition } from "./consumer-types";
import type { NetworkClient } from "./network-client";

/** Fetched records of one partition waiting to be returned by poll(). */
interface CompletedFetch extends TopicPartition {
  /** The offset the next record returned must continue from (the position). */
  position: number;
  records: ConsumerRecord[];
  next: number;
  /** Exclusive end of the last batch received (skips control batches and compaction gaps). */
  nextFetchOffset: number;
  lastEpoch: number;
}

/** Errors after which the client refreshes metadata and fetches again. */
const REFRESH_ERRORS = new Set<number>([
  Errors.NOT_LEADER_OR_FOLLOWER.code,
  Errors.FENCED_LEADER_EPOCH.code,
  Errors.UNKNOWN_LEADER_EPOCH.code,
  Errors.UNKNOWN_TOPIC_OR_PARTITION.code,
  Errors.LEADER_NOT_AVAILABLE.code,
  Errors.KAFKA_STORAGE_ERROR.code,
  Errors.REPLICA_NOT_AVAILABLE.code,
  Errors.UNKNOWN_TOPIC_ID.code,
]);

export interface FetcherStats {
  fetchesSent: number;
  fetchErrors: number;
  recordsFetched: number;
  resets: number;
}

export class Fetcher {
  private completed: CompletedFetch[] = [];
  private readonly inFlight = new Set<NodeId>();
  private readonly waiters = new Set<() => void>();
  private pendingError: Error | undefined;
  private resetsInFlight = false;
  readonly stats: FetcherStats = { fetchesSent: 0, fetchErrors: 0, recordsFetched: 0, resets: 0 };

  constructor(
    private readonly ctx: ClientContext,
    private readonly net: NetworkClient,
    private readonly metadata: ClientMetadata,
    private readonly subscriptions: SubscriptionState,
    private readonly config: ResolvedConsumerConfig,
  ) {}

  // ---- Fetch ----------------------------------------------------------------------------------

  /** Send a Fetch to every leader with fetchable partitions and no fetch in flight (does not wait for answers). */
  async sendFetches(): Promise<void> {
    const buffered = new Set(this.completed.map((c) => tpKey(c.topic, c.partition)));
    const byNode = new Map<NodeId, FetchRequest["topics"]>();
    const partitions = this.subscriptions
      .fetchablePartitions()
      .filter((s) => !buffered.has(tpKey(s.topic, s.partition)));
    for (const topic of new Set(partitions.map((s) => s.topic))) await this.metadata.topic(topic);
    for (const s of partitions) {
      const leader = this.metadata.cached(s.topic)?.partitions.find((p) => p.partition === s.partition);
      const node = leader?.leaderNode;
      if (node === undefined) {
        this.metadata.invalidate();
        continue;
      }
      if (this.inFlight.has(node) || s.position === null) continue;
      let topics = byNode.get(node);
      if (!topics) byNode.set(node, (topics = []));
      let t = topics.find((x) => x.topic === s.topic);
      if (!t) topics.push((t = { topic: s.topic, partitions: [] }));
      t.partitions.push({
        partition: s.partition,
        currentLeaderEpoch: leader!.leaderEpoch,
        fetchOffset: s.position.offset,
        lastFetchedEpoch: -1,
        logStartOffset: -1,
        partitionMaxBytes: this.config.maxPartitionFetchBytes,
      });
    }
    for (const [node, topics] of byNode) this.fetchFrom(node, topics);
  }

  private fetchFrom(node: NodeId, topics: FetchRequest["topics"]): void {
    const request: FetchRequest = {
      replicaId: -1,
      replicaEpoch: -1,
      maxWaitMs: this.config.fetchMaxWaitMs,
      minBytes: this.config.fetchMinBytes,
      maxBytes: this.config.fetchMaxBytes,
      isolationLevel: this.config.isolationLevel,
      topics,
    };
    this.inFlight.add(node);
    this.stats.fetchesSent++;
    this.net
      .request<FetchResponse>(node, "Fetch", request, {
        timeoutMs: this.config.requestTimeoutMs + this.config.fetchMaxWaitMs,
      })
      .then(
        (res) => this.onFetchResponse(request, res),
        () => {
          this.stats.fetchErrors++;
          this.metadata.invalidate();
        },
      )
      .finally(() => {
        this.inFlight.delete(node);
        this.notify();
      });
  }

  private onFetchResponse(request: FetchRequest, res: FetchResponse): void {
    if (res.errorCode !== undefined && res.errorCode !== Errors.NONE.code) {
      this.stats.fetchErrors++;
      this.metadata.invalidate();
      return;
    }
    for (const t of res.responses ?? []) {
      for (const p of t.partitions ?? []) {
        const sent = request.topics
          .find((x) => x.topic === t.topic)
          ?.partitions.find((x) => x.partition === p.partitionIndex);
        if (sent) this.onPartition(t.topic, sent.fetchOffset, p);
      }
    }
  }

  private onPartition(topic: string, fetchOffset: number, p: FetchPartitionResponse): void {
    const tp = { topic, partition: p.partitionIndex };
    const s = this.subscriptions.state(tp);
    // Stale: unassigned meanwhile, or the position moved (seek, reset, rebalance).
    if (!s || s.position === null || s.position.offset !== fetchOffset) return;
    if (p.errorCode !== Errors.NONE.code)
      return this.onPartitionError(tp, fetchOffset, errorForCode(p.errorCode));
    s.highWatermark = p.highWatermark;
    s.logStartOffset = p.logStartOffset;
    if (p.records === null || p.records.length === 0) return;
    let completed: CompletedFetch;
    try {
      completed = this.decode(tp, fetchOffset, p.records);
    } catch (e) {
      this.pendingError = new KafkaError(
        Errors.CORRUPT_MESSAGE,
        `Cannot return records of ${tpKey(topic, p.partitionIndex)} at offset ${fetchOffset}: ${e instanceof Error ? e.message : String(e)} (seek past the corrupt batch to go on)`,
      );
      return;
    }
    if (completed.records.length === 0 && completed.nextFetchOffset <= fetchOffset) return;
    this.stats.recordsFetched += completed.records.length;
    this.completed.push(completed);
  }

  private onPartitionError(tp: TopicPartition, fetchOffset: number, error: ErrorInfo): void {
    this.stats.fetchErrors++;
    if (REFRESH_ERRORS.has(error.code)) {
      this.metadata.invalidate();
      return;
    }
    if (error === Errors.OFFSET_OUT_OF_RANGE) {
      const strategy = this.subscriptions.defaultResetFor(tp.topic);
      this.ctx.trace("consumer.offsetOutOfRange", {
        tp: tpKey(tp.topic, tp.partition),
        fetchOffset,
        reset: strategy,
      });
      if (strategy === "none") {
        this.pendingError = new OffsetOutOfRangeError(
          Errors.OFFSET_OUT_OF_RANGE,
          `Fetch position ${fetchOffset} of ${tpKey(tp.topic, tp.partition)} is out of range and auto.offset.reset is none`,
          [tp],
        );
      } else {
        this.subscriptions.requestReset(tp, strategy);
      }
      return;
    }
    this.ctx.trace("consumer.fetchError", { tp: tpKey(tp.topic, tp.partition), error: error.name });
  }

  private decode(tp: TopicPartition, fetchOffset: number, bytes: Uint8Array): CompletedFetch {
    const records: ConsumerRecord[] = [];
    let nextFetchOffset = fetchOffset;
    let lastEpoch = -1;
    for (const batch of decodeRecordBatches(bytes)) {
      const h = batch.header;
      nextFetchOffset = Math.max(nextFetchOffset, h.baseOffset + h.lastOffsetDelta + 1);
      lastEpoch = h.partitionLeaderEpoch;
      if (batch.isControl) continue;
      for (const r of batch.records) {
        if (r.offset < fetchOffset) continue;
        const headers: Record<string, string | null> = {};
        for (const hd of r.headers) headers[hd.key] = hd.value === null ? null : utf8Decode(hd.value);
        records.push({
          topic: tp.topic,
          partition: tp.partition,
          offset: r.offset,
          timestamp: r.timestamp,
          leaderEpoch: h.partitionLeaderEpoch,
          key: r.key === null ? null : utf8Decode(r.key),
          value: r.value === null ? null : utf8Decode(r.value),
          keyBytes: r.key,
          valueBytes: r.value,
          headers,
        });
      }
    }
    return { ...tp, position: fetchOffset, records, next: 0, nextFetchOffset, lastEpoch };
  }

  // ---- Handing records to poll -----------------------------------------------------------------

  hasBufferedRecords(): boolean {
    return this.completed.some((c) => {
      const s = this.subscriptions.state(c);
      return s !== undefined && !s.paused && s.position?.offset === c.position;
    });
  }

  /**
   * Up to `maxRecords` buffered records, in fetch order, advancing positions. Throws a pending
   * fetch error (OffsetOutOfRangeError with reset "none", a corrupt batch) first.
   */
  collect(maxRecords: number): ConsumerRecord[] {
    if (this.pendingError) {
      const e = this.pendingError;
      this.pendingError = undefined;
      throw e;
    }
    const out: ConsumerRecord[] = [];
    const keep: CompletedFetch[] = [];
    for (const c of this.completed) {
      const s = this.subscriptions.state(c);
      if (!s || s.position === null || s.position.offset !== c.position) continue; // stale: drop
      if (s.paused || out.length >= maxRecords) {
        keep.push(c);
        continue;
      }
      const take = c.records.slice(c.next, c.next + (maxRecords - out.length));
      for (const r of take) out.push(r);
      c.next += take.length;
      if (take.length > 0) {
        const last = take[take.length - 1]!;
        s.position = { offset: last.offset + 1, leaderEpoch: last.leaderEpoch };
        c.position = last.offset + 1;
      }
      if (c.next < c.records.length) {
        keep.push(c);
      } else if (c.nextFetchOffset > s.position.offset) {
        s.position = { offset: c.nextFetchOffset, leaderEpoch: c.lastEpoch };
      }
    }
    this.completed = keep;
    return out;
  }

  /** Drop buffered records (all, or those of `tp`): after a seek or a revocation. */
  clearBuffer(tp?: TopicPartition): void {
    this.completed = tp
      ? this.completed.filter((c) => c.topic !== tp.topic || c.partition !== tp.partition)
      : [];
  }

  /** Resolves when a fetch answer arrives (or any `notify()`), or after `timeoutMs`. */
  waitForData(timeoutMs: number): Promise<void> {
    if (timeoutMs <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const state: { timer?: TimerId } = {};
      const done = (): void => {
        this.waiters.delete(done);
        if (state.timer !== undefined) this.ctx.cancelTimer(state.timer);
        resolve();
      };
      this.waiters.add(done);
      state.timer = this.ctx.setTimer(timeoutMs, done);
    });
  }

  /** Wake whoever waits in waitForData (data arrived, a rebalance is needed, the consumer closes). */
  notify(): void {
    for (const w of [...this.waiters]) w();
  }

  // ---- Offset reset (ListOffsets) ---------------------------------------------------------------

  /** ListOffsets for every partition awaiting a reset; positions are set when answers arrive. */
  async resetPositions(): Promise<void> {
    const pending = this.subscriptions.partitionsAwaitingReset();
    if (pending.length === 0 || this.resetsInFlight) return;
    this.resetsInFlight = true;
    try {
      for (const topic of new Set(pending.map((s) => s.topic))) await this.metadata.topic(topic);
      const byNode = new Map<
        NodeId,
        { topic: string; partition: number; strategy: "earliest" | "latest"; epoch: number }[]
      >();
      for (const s of pending) {
        const leader = this.metadata.cached(s.topic)?.partitions.find((p) => p.partition === s.partition);
        if (leader?.leaderNode === undefined) {
          this.metadata.invalidate();
          continue;
        }
        let list = byNode.get(leader.leaderNode);
        if (!list) byNode.set(leader.leaderNode, (list = []));
        list.push({
          topic: s.topic,
          partition: s.partition,
          strategy: s.resetStrategy!,
          epoch: leader.leaderEpoch,
        });
      }
      await Promise.all([...byNode].map(([node, list]) => this.listOffsets(node, list)));
    } finally {
      this.resetsInFlight = false;
    }
  }

  private async listOffsets(
    node: NodeId,
    list: { topic: string; partition: number; strategy: "earliest" | "latest"; epoch: number }[],
  ): Promise<void> {
    const topics = new Map<string, ListOffsetsRequest["topics"][number]>();
    for (const x of list) {
      let t = topics.get(x.topic);
      if (!t) topics.set(x.topic, (t = { name: x.topic, partitions: [] }));
      t.partitions.push({
        partitionIndex: x.partition,
        currentLeaderEpoch: x.epoch,
        timestamp: x.strategy === "earliest" ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP,
      });
    }
    const request: ListOffsetsRequest = {
      replicaId: -1,
      isolationLevel: this.config.isolationLevel,
      topics: [...topics.values()],
    };
    let res: ListOffsetsResponse;
    try {
      res = await this.net.request<ListOffsetsResponse>(node, "ListOffsets", request, {
        timeoutMs: this.config.requestTimeoutMs,
      });
    } catch (_timeout) {
      this.metadata.invalidate();
      return;
    }
    for (const t of res.topics ?? []) {
      for (const p of t.partitions ?? []) {
        const asked = list.find((x) => x.topic === t.name && x.partition === p.partitionIndex);
        const s = this.subscriptions.state({ topic: t.name, partition: p.partitionIndex });
        if (!asked || !s || s.position !== null || s.resetStrategy !== asked.strategy) continue;
        if (p.errorCode !== Errors.NONE.code || p.offset < 0) {
          this.metadata.invalidate();
          continue;
        }
        this.stats.resets++;
        this.subscriptions.seek(s, { offset: p.offset, leaderEpoch: p.leaderEpoch });
        this.ctx.trace("consumer.resetOffset", {
          tp: tpKey(t.name, p.partitionIndex),
          strategy: asked.strategy,
          offset: p.offset,
        });
      }
    }
  }
}
