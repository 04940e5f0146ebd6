/**
 * The broker's replica manager (Kafka's ReplicaManager): it owns the Partition objects of
 * src/replication for every replica this broker hosts and drives them with metadata, requests,
 * responses and timers.
 *
 * - Metadata (applyPartitionStates): for each partition with this broker among its replicas,
 *   open or create the log, then makeLeader / makeFollower; followers are (re)assigned to the
 *   ReplicaFetcher of their leader broker; leadership changes go to the listeners (the group
 *   coordinator) and complete waiting requests.
 * - Produce (appendToLeader): leader append; acks=-1 waits in the produce purgatory until
 *   checkEnoughReplicasReachOffset says done, or REQUEST_TIMED_OUT after timeoutMs.
 * - Fetch (fetchMessages): reads every partition (followers: progress recorded, divergence
 *   answered), then long-polls in the fetch purgatory until minBytes are available, a partition
 *   changes role or epoch, a follower's log diverges, or maxWaitMs passes; the completion reads
 *   again (Kafka's DelayedFetch).
 * - Follower fetching: one Fetch in flight per leader broker; the answer is applied, then the
 *   next Fetch goes out at once (the leader long-polls it). A fetcher left without partitions
 *   after a metadata update is shut down with its request in flight (Kafka's
 *   AbstractFetcherManager.shutdownIdleFetcherThreads, called from ReplicaManager.applyDelta),
 *   so a later leadership on that broker starts with a fresh request. A request whose leader
 *   has since registered again (a new broker epoch: the process that got it is gone) is
 *   abandoned at once and the Fetch re-sent, where Kafka's network client would see the
 *   connection close; without either, the fetcher would wait replica.socket.timeout.ms
 *   (30 s by default) for an answer that cannot come, and an ISR follower would hold the high
 *   watermark back meanwhile.
 * - ISR: a shrink check every replica.lag.time.max.ms / 2 (Kafka's isr-expiration task);
 *   proposals go to the AlterPartitionManager and its answers come back here.
 *
 * Response sizes: a Fetch answer holds at most maxBytes (fetch.max.bytes or
 * replica.fetch.response.max.bytes), at most partitionMaxBytes per partition, but always the
 * first batch of the first partition with data, however big (KIP-74).
 *
 * This file holds the class: hosted-partition queries, metadata entry points, ISR and
 * lifecycle. Its paths live beside it over one shared ReplicaManagerState
 * (replica-manager-state.ts), along ReplicaManager's own seams: leadership changes
 * (replica-leadership.ts), the produce path (replica-produce.ts), the fetch path and other
 * reads (replica-reads.ts), and follower fetching (replica-fetcher-manager.ts).
 *
 * Departures: no fetch sessions, quotas, reassignment, log-dir moves, DeleteRecords, or
 * preferred read replicas. A partition this broker no longer hosts is not deleted.
 */
import type { ErrorInfo, FetchRequest, FetchResponse, IsolationLevel } from "../protocol";
import { topicPartitionKey, type LogManager, type PartitionLog } from "../log";
import type { MetadataCache } from "../controller";
import {
  Purgatory,
  type AlterIsrAnswer,
  type AlterIsrProposal,
  type HighWatermarkRule,
  type Partition,
  type TruncationPolicy,
} from "../replication";
import type { BrokerConfig } from "./config";
import type { DelayedFetch, DelayedProduce } from "./delayed-operations";
import type { OutboundRequests } from "./outbound";
import { afterPartitionChange, keyOf, type ReplicaManagerState } from "./replica-manager-state";
import { becomeFollower, becomeLeader, getOrCreatePartition, topicOverrides } from "./replica-leadership";
import { appendToLeader } from "./replica-produce";
import { fetchMessages, lastOffsetForLeaderEpoch, listOffset, read, readAll } from "./replica-reads";
import { abandonFetch, pollFetchers, shutdownIdleFetchers } from "./replica-fetcher-manager";
import type {
  Cancel,
  LeaderAppendRequest,
  LeaderAppendResult,
  LeadershipChange,
  LeadershipListener,
  LocalPartitionInfo,
  LocalReadRequest,
  LocalReadResult,
  ReplicaManagerApi,
} from "./services";

export interface ReplicaManagerHost {
  readonly brokerId: number;
  readonly config: BrokerConfig;
  readonly metadata: MetadataCache;
  readonly logManager: LogManager;
  readonly outbound: OutboundRequests;
  readonly truncation: TruncationPolicy;
  readonly highWatermarkRule: HighWatermarkRule;
  now(): number;
  brokerEpoch(): number;
  schedule(delayMs: number, callback: () => void): Cancel;
  trace(kind: string, detail: Record<string, unknown>): void;
  /** Send an ISR proposal to the controller (AlterPartitionManager). */
  submitAlterPartition(proposal: AlterIsrProposal): void;
  /** Called after a leadership change was applied (components' onLeadershipChange). */
  onLeadershipChanged(change: LeadershipChange): void;
}

export class ReplicaManager implements ReplicaManagerApi {
  /** Everything that changes (replica-manager-state.ts), shared with the produce, fetch and leadership paths. */
  private readonly s: ReplicaManagerState;

  constructor(host: ReplicaManagerHost) {
    this.s = {
      host,
      partitions: new Map<string, Partition>(),
      fetchers: new Map(),
      producePurgatory: new Purgatory<DelayedProduce>("produce"),
      fetchPurgatory: new Purgatory<DelayedFetch>("fetch"),
      listeners: [],
      fetcherPollScheduled: false,
      stopped: false,
    };
  }

  // ---- ReplicaManagerApi: state --------------------------------------------------------------

  isLeader(topic: string, partition: number): boolean {
    return this.s.partitions.get(topicPartitionKey({ topic, partition }))?.isLeader ?? false;
  }

  partitionInfo(topic: string, partition: number): LocalPartitionInfo | undefined {
    const p = this.s.partitions.get(topicPartitionKey({ topic, partition }));
    if (p === undefined || p.role === "none") return undefined;
    return {
      topic,
      partition,
      role: p.role,
      leaderId: p.leaderId,
      leaderEpoch: p.leaderEpoch,
      highWatermark: p.highWatermark,
      logEndOffset: p.logEndOffset,
      logStartOffset: p.logStartOffset,
      isr: p.isLeader ? p.maximalIsr : p.isr,
      replicas: p.replicas,
    };
  }

  /** Every hosted partition (tests, labs, the cluster builder). */
  allPartitions(): Partition[] {
    return [...this.s.partitions.values()];
  }

  partitionObject(topic: string, partition: number): Partition | undefined {
    return this.s.partitions.get(topicPartitionKey({ topic, partition }));
  }

  localLog(topic: string, partition: number): PartitionLog | undefined {
    return this.s.host.logManager.getLog(topic, partition);
  }

  onLeadershipChange(listener: LeadershipListener): () => void {
    this.s.listeners.push(listener);
    return () => {
      const i = this.s.listeners.indexOf(listener);
      if (i >= 0) this.s.listeners.splice(i, 1);
    };
  }

  // ---- metadata ---------------------------------------------------------------------------------

  /**
   * Apply the current registration of each named partition (after a metadata delta, or all of
   * them once the broker has caught up at startup). Partitions without this broker among their
   * replicas are ignored.
   */
  applyPartitionStates(partitions: readonly { topic: string; partition: number }[]): void {
    const now = this.s.host.now();
    const me = this.s.host.brokerId;
    for (const { topic, partition } of partitions) {
      const reg = this.s.host.metadata.partition(topic, partition);
      if (reg === undefined || !reg.replicas.includes(me)) continue;
      const p = getOrCreatePartition(this.s, topic, partition, now);
      if (p === undefined) continue;
      if (reg.leader === me) becomeLeader(this.s, p, reg, now);
      else becomeFollower(this.s, p, reg, now);
    }
    shutdownIdleFetchers(this.s);
    pollFetchers(this.s);
  }

  /**
   * Brokers registered, fenced or unfenced in the metadata. A Fetch in flight to a leader that
   * has registered again since it was sent went to a process that is gone: abandon it and fetch
   * again (see the header).
   */
  onBrokersChanged(brokerIds: readonly number[]): void {
    let abandoned = false;
    for (const id of new Set(brokerIds)) {
      const f = this.s.fetchers.get(id);
      const sentTo = f?.inflightLeaderBrokerEpoch;
      if (f === undefined || sentTo === undefined) continue;
      const registered = this.s.host.metadata.broker(id)?.brokerEpoch;
      if (registered === undefined || registered === sentTo) continue;
      abandonFetch(this.s, f, `leader ${id} registered again (broker epoch ${sentTo} → ${registered})`);
      abandoned = true;
    }
    if (abandoned) pollFetchers(this.s);
  }

  /** Topic config overrides changed in the metadata: apply them to the topic's logs. */
  applyTopicConfig(topic: string): void {
    this.s.host.logManager.setTopicConfig(topic, topicOverrides(this.s, topic));
  }

  // ---- produce (replica-produce.ts) ------------------------------------------------------------

  appendToLeader(req: LeaderAppendRequest, done: (result: LeaderAppendResult) => void): void {
    appendToLeader(this.s, req, done);
  }

  // ---- reads (replica-reads.ts) ----------------------------------------------------------------

  read(req: LocalReadRequest): LocalReadResult {
    return read(this.s, req);
  }

  fetchMessages(request: FetchRequest, done: (response: FetchResponse) => void): void {
    fetchMessages(this.s, request, done);
  }

  /** Read every partition of a Fetch now (fetch-serving.ts), then act on what the reads changed. */
  readAll(request: FetchRequest): { response: FetchResponse; bytes: number; complete: boolean } {
    return readAll(this.s, request);
  }

  listOffset(
    topic: string,
    partition: number,
    timestamp: number,
    options: { currentLeaderEpoch: number; isolationLevel: IsolationLevel; fromConsumer: boolean },
  ): { error: ErrorInfo; timestamp: number; offset: number; leaderEpoch: number } {
    return listOffset(this.s, topic, partition, timestamp, options);
  }

  lastOffsetForLeaderEpoch(
    topic: string,
    partition: number,
    currentLeaderEpoch: number,
    leaderEpoch: number,
  ): { error: ErrorInfo; leaderEpoch: number; endOffset: number } {
    return lastOffsetForLeaderEpoch(this.s, topic, partition, currentLeaderEpoch, leaderEpoch);
  }

  // ---- follower fetching (replica-fetcher-manager.ts) ------------------------------------------

  /** Send a Fetch to every leader that has ready partitions and no Fetch in flight. */
  pollFetchers(): void {
    pollFetchers(this.s);
  }

  // ---- ISR ---------------------------------------------------------------------------------------------

  /** The isr-expiration task: shrink the ISR of every led partition with lagging followers. */
  maybeShrinkIsrs(): void {
    const now = this.s.host.now();
    for (const p of this.s.partitions.values()) {
      const proposal = p.maybeShrinkIsr(now);
      if (proposal) {
        this.s.host.trace("replica.isrShrink", {
          partition: keyOf(p),
          isr: [...p.isr],
          proposed: proposal.newIsrWithEpochs.map((b) => b.brokerId),
        });
        this.s.host.submitAlterPartition(proposal);
      }
    }
  }

  /** The controller answered an ISR proposal. */
  onAlterPartitionAnswer(proposal: AlterIsrProposal, answer: AlterIsrAnswer): void {
    const key = topicPartitionKey({ topic: proposal.topic, partition: proposal.partition });
    const p = this.s.partitions.get(key);
    if (p === undefined) return;
    const r = p.onAlterIsrAnswer(proposal, answer, this.s.host.now());
    this.s.host.trace("replica.alterPartition", {
      partition: key,
      kind: proposal.kind,
      ok: answer.ok,
      ...(answer.ok ? { isr: [...answer.isr] } : { errorCode: answer.errorCode }),
    });
    if (r.retry) this.s.host.submitAlterPartition(proposal);
    afterPartitionChange(this.s, key);
  }

  // ---- lifecycle ---------------------------------------------------------------------------------------

  /** Orderly shutdown or crash cleanup: answer every waiting request, stop fetching. */
  stop(): void {
    this.s.stopped = true;
    for (const p of this.s.partitions.values()) p.makeNone();
    this.s.producePurgatory.forceCompleteAll();
    this.s.fetchPurgatory.forceCompleteAll();
  }
}
