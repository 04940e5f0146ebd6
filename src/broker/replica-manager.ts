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
 * Departures: no fetch sessions, quotas, reassignment, log-dir moves, DeleteRecords, or
 * preferred read replicas. A partition this broker no longer hosts is not deleted.
 */
import {
  Errors,
  LATEST_TIMESTAMP,
  EARLIEST_TIMESTAMP,
  type ErrorInfo,
  type FetchRequest,
  type FetchResponse,
  type IsolationLevel,
} from "../protocol";
import {
  KAFKA_CONFIG_NAMES,
  logConfigFromProperties,
  topicPartitionKey,
  type LogManager,
  type PartitionLog,
} from "../log";
import type { MetadataCache, PartitionRegistration } from "../controller";
import {
  Partition,
  Purgatory,
  ReplicaFetcher,
  type AlterIsrAnswer,
  type AlterIsrProposal,
  type HighWatermarkRule,
  type TruncationPolicy,
} from "../replication";
import type { NodeId } from "../sim/process";
import type { BrokerConfig } from "./config";
import { DelayedFetch, DelayedProduce } from "./delayed-operations";
import { fetchCanComplete, readFetch, type FetchServingContext, type FetchSnapshot } from "./fetch-serving";
import type { OutboundRequests } from "./outbound";
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
  private readonly partitions = new Map<string, Partition>();
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private readonly producePurgatory = new Purgatory<DelayedProduce>("produce");
  private readonly fetchPurgatory = new Purgatory<DelayedFetch>("fetch");
  private readonly listeners: LeadershipListener[] = [];
  private fetcherPollScheduled = false;
  private stopped = false;

  constructor(private readonly host: ReplicaManagerHost) {}

  // ---- ReplicaManagerApi: state --------------------------------------------------------------

  isLeader(topic: string, partition: number): boolean {
    return this.partitions.get(topicPartitionKey({ topic, partition }))?.isLeader ?? false;
  }

  partitionInfo(topic: string, partition: number): LocalPartitionInfo | undefined {
    const p = this.partitions.get(topicPartitionKey({ topic, partition }));
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
    return [...this.partitions.values()];
  }

  partitionObject(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(topicPartitionKey({ topic, partition }));
  }

  localLog(topic: string, partition: number): PartitionLog | undefined {
    return this.host.logManager.getLog(topic, partition);
  }

  onLeadershipChange(listener: LeadershipListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  // ---- metadata ---------------------------------------------------------------------------------

  /**
   * Apply the current registration of each named partition (after a metadata delta, or all of
   * them once the broker has caught up at startup). Partitions without this broker among their
   * replicas are ignored.
   */
  applyPartitionStates(partitions: readonly { topic: string; partition: number }[]): void {
    const now = this.host.now();
    const me = this.host.brokerId;
    for (const { topic, partition } of partitions) {
      const reg = this.host.metadata.partition(topic, partition);
      if (reg === undefined || !reg.replicas.includes(me)) continue;
      const p = this.getOrCreatePartition(topic, partition, now);
      if (p === undefined) continue;
      if (reg.leader === me) this.becomeLeader(p, reg, now);
      else this.becomeFollower(p, reg, now);
    }
    this.shutdownIdleFetchers();
    this.pollFetchers();
  }

  /**
   * Brokers registered, fenced or unfenced in the metadata. A Fetch in flight to a leader that
   * has registered again since it was sent went to a process that is gone: abandon it and fetch
   * again (see the header).
   */
  onBrokersChanged(brokerIds: readonly number[]): void {
    let abandoned = false;
    for (const id of new Set(brokerIds)) {
      const f = this.fetchers.get(id);
      const sentTo = f?.inflightLeaderBrokerEpoch;
      if (f === undefined || sentTo === undefined) continue;
      const registered = this.host.metadata.broker(id)?.brokerEpoch;
      if (registered === undefined || registered === sentTo) continue;
      this.abandonFetch(f, `leader ${id} registered again (broker epoch ${sentTo} → ${registered})`);
      abandoned = true;
    }
    if (abandoned) this.pollFetchers();
  }

  /** Topic config overrides changed in the metadata: apply them to the topic's logs. */
  applyTopicConfig(topic: string): void {
    this.host.logManager.setTopicConfig(topic, this.topicOverrides(topic));
  }

  private getOrCreatePartition(topic: string, partition: number, now: number): Partition | undefined {
    const key = topicPartitionKey({ topic, partition });
    const existing = this.partitions.get(key);
    if (existing !== undefined) return existing;
    this.host.logManager.setTopicConfig(topic, this.topicOverrides(topic));
    const r = this.host.logManager.getOrCreateLog(topic, partition, now);
    if ("error" in r) {
      this.host.trace("broker.logCreateFailed", {
        topic,
        partition,
        error: r.error.name,
        message: r.errorMessage,
      });
      return undefined;
    }
    const p = new Partition(topic, partition, r.log, {
      localBrokerId: this.host.brokerId,
      replicaLagTimeMaxMs: this.host.config.replicaLagTimeMaxMs,
      truncation: this.host.truncation,
      highWatermarkRule: this.host.highWatermarkRule,
      isReplicaIsrEligible: (id, epoch) => this.isReplicaIsrEligible(id, epoch),
    });
    this.partitions.set(key, p);
    return p;
  }

  /** Kafka topic configs from the metadata, restricted to the ones the log knows. */
  private topicOverrides(topic: string): Record<string, unknown> {
    const configs = this.host.metadata.topic(topic)?.configs;
    if (configs === undefined || configs.size === 0) return {};
    const known = new Set(Object.values(KAFKA_CONFIG_NAMES));
    const props: Record<string, string> = {};
    for (const [k, v] of configs) if (known.has(k)) props[k] = v;
    const full = logConfigFromProperties(props, this.host.config.log);
    const out: Record<string, unknown> = {};
    for (const [field, name] of Object.entries(KAFKA_CONFIG_NAMES)) {
      if (name in props) out[field] = (full as unknown as Record<string, unknown>)[field];
    }
    return out;
  }

  private isReplicaIsrEligible(brokerId: number, fetchBrokerEpoch: number | undefined): boolean {
    const b = this.host.metadata.broker(brokerId);
    if (b === undefined || b.fenced) return false;
    return fetchBrokerEpoch === undefined || fetchBrokerEpoch === b.brokerEpoch;
  }

  private becomeLeader(p: Partition, reg: PartitionRegistration, now: number): void {
    const wasLeader = p.isLeader;
    const epochBefore = p.leaderEpoch;
    const r = p.makeLeader(state(reg), now);
    if (!r.applied) return;
    const key = keyOf(p);
    for (const f of this.fetchers.values()) f.remove(key);
    if (!wasLeader || epochBefore !== p.leaderEpoch) {
      this.host.trace("replica.becomeLeader", {
        partition: key,
        leaderEpoch: p.leaderEpoch,
        isr: [...p.isr],
        logEndOffset: p.logEndOffset,
        highWatermark: p.highWatermark,
      });
    }
    this.afterPartitionChange(key);
    if (r.isNewLeader)
      this.notify({ topic: p.topic, partition: p.partition, isLeader: true, leaderEpoch: p.leaderEpoch });
  }

  private becomeFollower(p: Partition, reg: PartitionRegistration, now: number): void {
    const r = p.makeFollower(state(reg), now);
    if (!r.applied) return;
    const key = keyOf(p);
    if (r.isNewLeaderEpoch) {
      this.host.trace("replica.becomeFollower", {
        partition: key,
        leaderId: reg.leader,
        leaderEpoch: reg.leaderEpoch,
        logEndOffset: p.logEndOffset,
        highWatermark: p.highWatermark,
        ...(r.truncatedTo !== null ? { truncatedTo: r.truncatedTo } : {}),
      });
      for (const f of this.fetchers.values()) f.remove(key);
      if (reg.leader >= 0) this.fetcherFor(reg.leader).add(key, p);
    }
    this.afterPartitionChange(key);
    if (r.wasLeader)
      this.notify({ topic: p.topic, partition: p.partition, isLeader: false, leaderEpoch: p.leaderEpoch });
  }

  private notify(change: LeadershipChange): void {
    for (const l of [...this.listeners]) l(change);
    this.host.onLeadershipChanged(change);
  }

  private afterPartitionChange(key: string): void {
    this.producePurgatory.checkAndComplete(key);
    this.fetchPurgatory.checkAndComplete(key);
  }

  // ---- produce -------------------------------------------------------------------------------------

  appendToLeader(req: LeaderAppendRequest, done: (result: LeaderAppendResult) => void): void {
    const now = this.host.now();
    const key = topicPartitionKey({ topic: req.topic, partition: req.partition });
    const p = this.partitions.get(key);
    if (p === undefined || !p.isLeader) return done(this.notLeader(req.topic, req.partition));
    const { result, highWatermarkChanged } = p.appendAsLeader(req.records, {
      acks: req.acks,
      origin: req.origin,
      nowMs: now,
    });
    const base: LeaderAppendResult = {
      error: result.error,
      errorMessage: result.errorMessage ?? null,
      baseOffset: result.firstOffset,
      lastOffset: result.lastOffset,
      logAppendTimeMs: result.logAppendTime,
      logStartOffset: result.logStartOffset,
    };
    if (result.error !== Errors.NONE) return done(base);
    // Followers and consumers waiting on this partition may now have data.
    this.fetchPurgatory.checkAndComplete(key);
    if (highWatermarkChanged) this.producePurgatory.checkAndComplete(key);
    if (req.acks !== -1 || result.lastOffset < 0) return done(base);
    const op = new DelayedProduce(p, result.lastOffset + 1, base, done);
    if (!this.producePurgatory.tryCompleteElseWatch(op, [key])) {
      op.cancelTimer = this.host.schedule(req.timeoutMs, () => this.producePurgatory.forceComplete(op));
    }
  }

  private notLeader(topic: string, partition: number): LeaderAppendResult {
    const known = this.host.metadata.partition(topic, partition);
    const error = known === undefined ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.NOT_LEADER_OR_FOLLOWER;
    const r: LeaderAppendResult = {
      error,
      errorMessage:
        known === undefined
          ? `This server does not host ${topic}-${partition}`
          : `Broker ${this.host.brokerId} is not the leader of ${topic}-${partition}`,
      baseOffset: -1,
      lastOffset: -1,
      logAppendTimeMs: -1,
      logStartOffset: -1,
    };
    if (known !== undefined) r.currentLeader = { leaderId: known.leader, leaderEpoch: known.leaderEpoch };
    return r;
  }

  // ---- reads -----------------------------------------------------------------------------------------

  read(req: LocalReadRequest): LocalReadResult {
    const p = this.partitions.get(topicPartitionKey({ topic: req.topic, partition: req.partition }));
    const fail = (error: ErrorInfo, message: string | null): LocalReadResult => ({
      error,
      errorMessage: message,
      records: new Uint8Array(0),
      highWatermark: -1,
      logStartOffset: -1,
      logEndOffset: -1,
    });
    if (p === undefined) {
      const n = this.notLeader(req.topic, req.partition);
      return {
        ...fail(n.error, n.errorMessage),
        ...(n.currentLeader ? { currentLeader: n.currentLeader } : {}),
      };
    }
    const error = p.checkLeaderEpoch(req.currentLeaderEpoch ?? -1, req.requireLeader ?? true);
    if (error !== Errors.NONE) return fail(error, null);
    const bound = req.bound === "high-watermark" ? p.highWatermark : p.logEndOffset;
    const r = p.log.read(req.fetchOffset, req.maxBytes, bound);
    return {
      error: r.error,
      errorMessage: r.errorMessage ?? null,
      records: r.records,
      highWatermark: r.highWatermark,
      logStartOffset: r.logStartOffset,
      logEndOffset: r.logEndOffset,
    };
  }

  fetchMessages(request: FetchRequest, done: (response: FetchResponse) => void): void {
    const { response, bytes, complete } = this.readAll(request);
    if (complete || request.maxWaitMs <= 0 || bytes >= Math.max(1, request.minBytes)) {
      done(response);
      return;
    }
    const snapshot: FetchSnapshot = new Map();
    const keys: string[] = [];
    for (const t of request.topics ?? []) {
      for (const fp of t.partitions ?? []) {
        const key = topicPartitionKey({ topic: t.topic, partition: fp.partition });
        const p = this.partitions.get(key);
        keys.push(key);
        snapshot.set(key, { role: p?.role ?? "none", leaderEpoch: p?.leaderEpoch ?? -1 });
      }
    }
    const op = new DelayedFetch(
      () => fetchCanComplete(this.fetchContext(), request, snapshot),
      () => done(this.readAll(request).response),
    );
    if (!this.fetchPurgatory.tryCompleteElseWatch(op, keys)) {
      op.cancelTimer = this.host.schedule(request.maxWaitMs, () => this.fetchPurgatory.forceComplete(op));
    }
  }

  /** Read every partition of a Fetch now (fetch-serving.ts), then act on what the reads changed. */
  readAll(request: FetchRequest): { response: FetchResponse; bytes: number; complete: boolean } {
    const r = readFetch(this.fetchContext(), request);
    for (const key of r.highWatermarkMoved) {
      this.producePurgatory.checkAndComplete(key);
      this.fetchPurgatory.checkAndComplete(key);
    }
    for (const pr of r.proposals) this.host.submitAlterPartition(pr);
    return { response: r.response, bytes: r.bytes, complete: r.complete };
  }

  private fetchContext(): FetchServingContext {
    return {
      partition: (key) => this.partitions.get(key),
      notLeader: (topic, partition) => this.notLeader(topic, partition),
      nowMs: this.host.now(),
      fetchMaxBytes: this.host.config.fetchMaxBytes,
    };
  }

  listOffset(
    topic: string,
    partition: number,
    timestamp: number,
    options: { currentLeaderEpoch: number; isolationLevel: IsolationLevel; fromConsumer: boolean },
  ): { error: ErrorInfo; timestamp: number; offset: number; leaderEpoch: number } {
    const fail = (error: ErrorInfo) => ({ error, timestamp: -1, offset: -1, leaderEpoch: -1 });
    const p = this.partitions.get(topicPartitionKey({ topic, partition }));
    if (p === undefined) return fail(this.notLeader(topic, partition).error);
    const error = p.checkLeaderEpoch(options.currentLeaderEpoch, true);
    if (error !== Errors.NONE) return fail(error);
    const latestEpoch = p.log.leaderEpochCache.latestEpoch() ?? -1;
    if (timestamp === EARLIEST_TIMESTAMP)
      return {
        error: Errors.NONE,
        timestamp: -1,
        offset: p.logStartOffset,
        leaderEpoch: p.log.leaderEpochCache.epochForOffset(p.logStartOffset) ?? -1,
      };
    if (timestamp === LATEST_TIMESTAMP) {
      const offset = options.fromConsumer ? p.highWatermark : p.logEndOffset;
      return { error: Errors.NONE, timestamp: -1, offset, leaderEpoch: latestEpoch };
    }
    const r = p.log.offsetForTimestamp(timestamp);
    if (r.error !== Errors.NONE) return fail(r.error);
    if (options.fromConsumer && r.offset >= p.highWatermark)
      return { error: Errors.NONE, timestamp: -1, offset: -1, leaderEpoch: -1 };
    return { error: Errors.NONE, timestamp: r.timestamp, offset: r.offset, leaderEpoch: r.leaderEpoch ?? -1 };
  }

  lastOffsetForLeaderEpoch(
    topic: string,
    partition: number,
    currentLeaderEpoch: number,
    leaderEpoch: number,
  ): { error: ErrorInfo; leaderEpoch: number; endOffset: number } {
    const p = this.partitions.get(topicPartitionKey({ topic, partition }));
    if (p === undefined)
      return { error: this.notLeader(topic, partition).error, leaderEpoch: -1, endOffset: -1 };
    const r = p.lastOffsetForLeaderEpoch(currentLeaderEpoch, leaderEpoch, true);
    return { error: r.error, leaderEpoch: r.epoch, endOffset: r.endOffset };
  }

  // ---- follower fetching ---------------------------------------------------------------------------

  private fetcherFor(leaderId: number): ReplicaFetcher {
    let f = this.fetchers.get(leaderId);
    if (f === undefined) {
      const c = this.host.config;
      f = new ReplicaFetcher(leaderId, {
        replicaId: this.host.brokerId,
        maxWaitMs: c.replicaFetchWaitMaxMs,
        minBytes: c.replicaFetchMinBytes,
        maxBytes: c.replicaFetchResponseMaxBytes,
        partitionMaxBytes: c.replicaFetchMaxBytes,
        backoffMs: c.replicaFetchBackoffMs,
      });
      this.fetchers.set(leaderId, f);
    }
    return f;
  }

  /** Kafka's shutdownIdleFetcherThreads: drop every fetcher without partitions, with its request in flight. */
  private shutdownIdleFetchers(): void {
    for (const [leaderId, f] of [...this.fetchers]) {
      if (!f.isEmpty) continue;
      if (f.inflightCorrelationId !== undefined) this.abandonFetch(f, "no partition left on this leader");
      this.fetchers.delete(leaderId);
    }
  }

  /** Forget the fetcher's request in flight; its answer, if one still comes, is ignored. */
  private abandonFetch(f: ReplicaFetcher, reason: string): void {
    const correlationId = f.inflightCorrelationId;
    if (correlationId === undefined) return;
    this.host.outbound.cancel(correlationId);
    f.abandonInflight();
    this.host.trace("replica.fetchAbandoned", { leaderId: f.leaderId, correlationId, reason });
  }

  /** Send a Fetch to every leader that has ready partitions and no Fetch in flight. */
  pollFetchers(): void {
    if (this.stopped) return;
    const now = this.host.now();
    const brokerEpoch = this.host.brokerEpoch();
    let nextWakeMs: number | undefined;
    for (const f of this.fetchers.values()) {
      if (f.isEmpty || f.inflightCorrelationId !== undefined) continue;
      const node = this.nodeOf(f.leaderId);
      if (node === undefined) {
        nextWakeMs = Math.min(nextWakeMs ?? Infinity, now + this.host.config.replicaFetchBackoffMs);
        continue;
      }
      const built = f.buildRequest(now, brokerEpoch);
      if (built === null) {
        const ready = f.nextReadyMs(now);
        if (ready !== undefined && ready > now) nextWakeMs = Math.min(nextWakeMs ?? Infinity, ready);
        continue;
      }
      let correlationId = -1;
      correlationId = this.host.outbound.send<FetchResponse>(
        node,
        "Fetch",
        built.body,
        this.host.config.replicaSocketTimeoutMs,
        (res) => this.onFetchAnswer(f, correlationId, res),
      );
      f.markInflight(
        correlationId,
        now,
        built.offsets,
        this.host.metadata.broker(f.leaderId)?.brokerEpoch ?? -1,
      );
    }
    if (nextWakeMs !== undefined && !this.fetcherPollScheduled) {
      this.fetcherPollScheduled = true;
      this.host.schedule(Math.max(1, nextWakeMs - now), () => {
        this.fetcherPollScheduled = false;
        this.pollFetchers();
      });
    }
  }

  private onFetchAnswer(f: ReplicaFetcher, correlationId: number, res: FetchResponse | undefined): void {
    if (this.stopped) return;
    if (res === undefined) {
      if (f.inflightCorrelationId === correlationId) f.abandonInflight();
    } else {
      const outcomes = f.onResponse(correlationId, res, this.host.now());
      for (const o of outcomes) {
        if (o.action === "truncated")
          this.host.trace("replica.truncate", {
            partition: `${o.topic}-${o.partition}`,
            truncatedTo: o.truncatedTo,
          });
        if (o.action === "appended" || o.action === "truncated")
          this.fetchPurgatory.checkAndComplete(`${o.topic}-${o.partition}`);
      }
    }
    this.pollFetchers();
  }

  private nodeOf(brokerId: number): NodeId | undefined {
    const b = this.host.metadata.broker(brokerId);
    return b?.endPoints[0]?.host;
  }

  // ---- ISR ---------------------------------------------------------------------------------------------

  /** The isr-expiration task: shrink the ISR of every led partition with lagging followers. */
  maybeShrinkIsrs(): void {
    const now = this.host.now();
    for (const p of this.partitions.values()) {
      const proposal = p.maybeShrinkIsr(now);
      if (proposal) {
        this.host.trace("replica.isrShrink", {
          partition: keyOf(p),
          isr: [...p.isr],
          proposed: proposal.newIsrWithEpochs.map((b) => b.brokerId),
        });
        this.host.submitAlterPartition(proposal);
      }
    }
  }

  /** The controller answered an ISR proposal. */
  onAlterPartitionAnswer(proposal: AlterIsrProposal, answer: AlterIsrAnswer): void {
    const key = topicPartitionKey({ topic: proposal.topic, partition: proposal.partition });
    const p = this.partitions.get(key);
    if (p === undefined) return;
    const r = p.onAlterIsrAnswer(proposal, answer, this.host.now());
    this.host.trace("replica.alterPartition", {
      partition: key,
      kind: proposal.kind,
      ok: answer.ok,
      ...(answer.ok ? { isr: [...answer.isr] } : { errorCode: answer.errorCode }),
    });
    if (r.retry) this.host.submitAlterPartition(proposal);
    this.afterPartitionChange(key);
  }

  // ---- lifecycle ---------------------------------------------------------------------------------------

  /** Orderly shutdown or crash cleanup: answer every waiting request, stop fetching. */
  stop(): void {
    this.stopped = true;
    for (const p of this.partitions.values()) p.makeNone();
    this.producePurgatory.forceCompleteAll();
    this.fetchPurgatory.forceCompleteAll();
  }
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

function keyOf(p: Partition): string {
  return `${p.topic}-${p.partition}`;
}
