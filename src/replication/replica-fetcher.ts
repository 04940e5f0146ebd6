/**
 * The follower side of replication for one leader broker (Kafka's ReplicaFetcherThread and
 * AbstractFetcherThread, one per source broker): every partition this broker follows on that
 * leader is fetched in ONE Fetch request, from its log end offset, with its lastFetchedEpoch.
 * Pure: `buildRequest` says what to send, `onResponse` applies the answer; the broker sends,
 * times out (replica.socket.timeout.ms) and re-polls.
 *
 * Per partition, after an error (NOT_LEADER_OR_FOLLOWER, FENCED/UNKNOWN_LEADER_EPOCH, storage
 * errors...) the partition is delayed by replica.fetch.backoff.ms (Kafka: delayPartitions), and
 * the metadata update that must follow moves it elsewhere. A request that timed out delays
 * nothing: the next one is sent at once. A request whose connection failed (the leader's
 * process ended, or none runs there) delays every partition by replica.fetch.backoff.ms
 * (`delayAll`), as AbstractFetcherThread does for partitions whose fetch threw.
 *
 * The request in flight remembers the leader's broker epoch when it was sent: the incarnation
 * of the leader process it went to. The broker abandons it when that incarnation is gone (see
 * the replica manager), as Kafka's network client fails a request whose connection closed.
 *
 * Bounds: one request in flight per leader; at most replica.fetch.max.bytes per partition and
 * replica.fetch.response.max.bytes per response (the leader applies both).
 */
import type { FetchRequest, FetchResponse } from "../protocol";
import type { FollowerFetchOutcome, Partition } from "./partition";

export interface ReplicaFetcherOptions {
  /** This broker's id (Fetch.replicaId). */
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  /** replica.fetch.response.max.bytes. */
  maxBytes: number;
  /** replica.fetch.max.bytes. */
  partitionMaxBytes: number;
  /** replica.fetch.backoff.ms. */
  backoffMs: number;
}

interface FetchedPartition {
  partition: Partition;
  delayedUntilMs: number;
}

export interface FetchOutcome extends FollowerFetchOutcome {
  topic: string;
  partition: number;
}

export class ReplicaFetcher {
  private readonly partitions = new Map<string, FetchedPartition>();
  private inflight: {
    correlationId: number;
    sentAtMs: number;
    offsets: Map<string, number>;
    leaderBrokerEpoch: number;
  } | null = null;

  constructor(
    readonly leaderId: number,
    private readonly options: ReplicaFetcherOptions,
  ) {}

  get isEmpty(): boolean {
    return this.partitions.size === 0;
  }
  get inflightCorrelationId(): number | undefined {
    return this.inflight?.correlationId;
  }
  get inflightSentAtMs(): number | undefined {
    return this.inflight?.sentAtMs;
  }
  /** The leader's broker epoch (its registration) when the request in flight was sent; -1 unknown. */
  get inflightLeaderBrokerEpoch(): number | undefined {
    return this.inflight?.leaderBrokerEpoch;
  }
  keys(): string[] {
    return [...this.partitions.keys()];
  }
  has(key: string): boolean {
    return this.partitions.has(key);
  }

  add(key: string, partition: Partition): void {
    this.partitions.set(key, { partition, delayedUntilMs: 0 });
  }

  remove(key: string): void {
    this.partitions.delete(key);
  }

  /** The earliest time a delayed partition becomes fetchable again, if all are delayed. */
  nextReadyMs(nowMs: number): number | undefined {
    let next: number | undefined;
    for (const p of this.partitions.values()) {
      if (p.delayedUntilMs <= nowMs) return nowMs;
      next = next === undefined ? p.delayedUntilMs : Math.min(next, p.delayedUntilMs);
    }
    return next;
  }

  /**
   * The next Fetch body and the fetch offsets it carries, or null when one is in flight or no
   * partition is ready. The caller sends it, then calls `markInflight` with its correlation id,
   * and later passes the answer to `onResponse`.
   */
  buildRequest(
    nowMs: number,
    replicaEpoch: number,
  ): { body: FetchRequest; offsets: Map<string, number> } | null {
    if (this.inflight !== null) return null;
    const byTopic = new Map<string, FetchRequest["topics"][number]>();
    const offsets = new Map<string, number>();
    for (const [key, p] of this.partitions) {
      if (p.delayedUntilMs > nowMs || p.partition.role !== "follower") continue;
      const pos = p.partition.fetchPosition();
      let t = byTopic.get(p.partition.topic);
      if (t === undefined) byTopic.set(p.partition.topic, (t = { topic: p.partition.topic, partitions: [] }));
      t.partitions.push({
        partition: p.partition.partition,
        currentLeaderEpoch: pos.currentLeaderEpoch,
        fetchOffset: pos.fetchOffset,
        lastFetchedEpoch: pos.lastFetchedEpoch,
        logStartOffset: pos.logStartOffset,
        partitionMaxBytes: this.options.partitionMaxBytes,
      });
      offsets.set(key, pos.fetchOffset);
    }
    if (offsets.size === 0) return null;
    const body: FetchRequest = {
      replicaId: this.options.replicaId,
      replicaEpoch,
      maxWaitMs: this.options.maxWaitMs,
      minBytes: this.options.minBytes,
      maxBytes: this.options.maxBytes,
      isolationLevel: 0,
      topics: [...byTopic.values()],
    };
    return { body, offsets };
  }

  /**
   * The request built by `buildRequest` went out with `correlationId`, to the leader incarnation
   * registered with `leaderBrokerEpoch` (-1: unknown).
   */
  markInflight(
    correlationId: number,
    nowMs: number,
    offsets: Map<string, number>,
    leaderBrokerEpoch = -1,
  ): void {
    if (this.inflight !== null)
      throw new Error(`Cannot send a second Fetch to leader ${this.leaderId}: one is in flight`);
    this.inflight = { correlationId, sentAtMs: nowMs, offsets, leaderBrokerEpoch };
  }

  /** Forget the request in flight (it timed out, the connection is gone, or the fetcher stops). */
  abandonInflight(): void {
    this.inflight = null;
  }

  /** Delay every partition by replica.fetch.backoff.ms (the fetch failed at the connection level). */
  delayAll(nowMs: number): void {
    for (const p of this.partitions.values())
      p.delayedUntilMs = Math.max(p.delayedUntilMs, nowMs + this.options.backoffMs);
  }

  /** Apply the leader's answer to every partition it names. Returns what happened per partition. */
  onResponse(correlationId: number, response: FetchResponse, nowMs: number): FetchOutcome[] {
    const inflight = this.inflight;
    if (inflight === null || inflight.correlationId !== correlationId) return [];
    this.inflight = null;
    const out: FetchOutcome[] = [];
    for (const t of response.responses ?? []) {
      for (const pr of t.partitions ?? []) {
        const key = `${t.topic}-${pr.partitionIndex}`;
        const p = this.partitions.get(key);
        const fetchOffset = inflight.offsets.get(key);
        if (p === undefined || fetchOffset === undefined) continue;
        const outcome = p.partition.applyFetchResponse(pr, fetchOffset, nowMs);
        if (outcome.action === "error") p.delayedUntilMs = nowMs + this.options.backoffMs;
        out.push({ topic: t.topic, partition: pr.partitionIndex, ...outcome });
      }
    }
    return out;
  }
}
