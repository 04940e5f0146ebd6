/**
 * BrokerCore: the broker role of a node (process.roles=broker), hosted by BrokerProcess
 * (broker-only node) or CombinedProcess (with a controller). It implements BrokerServices for
 * handlers and components, and wires the pieces: LogManager (src/log), MetadataCache,
 * MetadataFetcher and BrokerLifecycle (src/controller), ReplicaManager, AlterPartitionManager,
 * TopicCreator, the handler registry, components and the periodic tasks. See broker.ts for the
 * overview.
 *
 * Startup gate (Kafka's BrokerServer waiting for initialCatchUpFuture): partition states from
 * the metadata are applied only once this broker is registered and its metadata has caught up
 * to its own registration record (lastAppliedOffset ≥ broker epoch). Until then a restarted
 * broker could replay an old image in which it still leads, and act on it; after the gate,
 * the metadata already shows it fenced and its leaderships moved.
 *
 * Timers: one NodeContext timer per scheduled callback (`schedule`), all dying with the process.
 * Periodic tasks re-arm themselves. Outgoing requests share one correlation-id counter, which
 * starts at a per-incarnation base (correlationIdBase): the simulated network may hand a
 * restarted broker an answer meant for its previous process (a TCP connection would have died
 * with it), and that answer must match none of the new process's requests (a Fetch, an
 * AlterPartition, its BrokerRegistration).
 */
import {
  isRequest,
  isResponse,
  type CreateTopicsRequest,
  type CreateTopicsResponse,
  type RequestEnvelope,
  type ResponseEnvelope,
} from "../protocol";
import {
  BrokerLifecycle,
  MetadataFetcher,
  correlationIdBase,
  MetadataCache,
  isLifecycleResponse,
  isMetadataFetchResponse,
  type MetadataDelta,
  type MetadataRecord,
  type RaftBatch,
} from "../controller";
import { LogManager, LONG_MAX, type LogSeams } from "../log";
import {
  kafkaHighWatermark,
  truncateByLeaderEpoch,
  type HighWatermarkRule,
  type TruncationPolicy,
} from "../replication";
import type { ConnectionError, NodeContext, NodeId, TimerId } from "../sim/process";
import type { Rng } from "../sim/rng";
import { AlterPartitionManager } from "./alter-partition-manager";
import { brokerConfig, type BrokerConfig, type BrokerConfigOverrides } from "./config";
import { HANDLERS } from "./handlers/index";
import { OFFSETS_TOPIC } from "./handlers/03-metadata";
import { OutboundRequests } from "./outbound";
import { ReplicaManager } from "./replica-manager";
import type { BrokerComponent, BrokerServices, Cancel, LeadershipChange, TopicSpec } from "./services";
import { TopicCreator } from "./topic-creator";

export const BROKER_TIMER_TAG = "broker";
/** How often the broker polls its controller-facing state machines (registration, heartbeats, metadata fetch). */
export const BROKER_POLL_INTERVAL_MS = 100;
/** Port advertised in the broker's listener (the simulator routes by node name). */
export const BROKER_PORT = 9092;

export interface BrokerOptions {
  /** node.id. */
  brokerId: number;
  clusterId: string;
  /** controller.quorum.voters: id and node name of each controller. */
  voters: readonly { id: number; address: NodeId }[];
  config?: BrokerConfigOverrides;
  /** The truncation seam (default: by leader epoch). */
  truncation?: TruncationPolicy;
  /** The high-watermark seam (default: Kafka's). */
  highWatermarkRule?: HighWatermarkRule;
  /** Storage seams for the LogManager (labs). */
  logSeams?: LogSeams;
  /** Components built for each broker incarnation (e.g. the group coordinator). */
  components?: (broker: BrokerServices) => BrokerComponent[];
}

export type MetadataSource = "fetch" | "local";

export class BrokerCore implements BrokerServices {
  readonly brokerId: number;
  readonly clusterId: string;
  readonly config: BrokerConfig;
  readonly metadata = new MetadataCache();
  replicaManager!: ReplicaManager;
  logManager!: LogManager;
  private ctx!: NodeContext;
  private lifecycle!: BrokerLifecycle;
  private fetcher: MetadataFetcher | null = null;
  private outbound!: OutboundRequests;
  private alterPartitions!: AlterPartitionManager;
  private topicCreator!: TopicCreator;
  private readonly timers = new Map<TimerId, () => void>();
  private readonly componentsByName = new Map<string, BrokerComponent>();
  private correlation = 1;
  private ready = false;
  private running = false;
  private lastLifecycleState = "";
  private ticking = false;

  constructor(
    private readonly options: BrokerOptions,
    private readonly metadataSource: MetadataSource = "fetch",
  ) {
    this.brokerId = options.brokerId;
    this.clusterId = options.clusterId;
    this.config = brokerConfig(options.config);
  }

  // ---- BrokerServices ------------------------------------------------------------------------

  get nodeName(): NodeId {
    return this.ctx.nodeId;
  }
  get rng(): Rng {
    return this.ctx.rng;
  }
  get brokerEpoch(): number {
    return this.lifecycle?.brokerEpoch ?? -1;
  }
  /** True once the startup gate has passed (registered and caught up with the metadata). */
  get isReady(): boolean {
    return this.ready;
  }
  get lifecycleState(): string {
    return this.lifecycle?.state ?? "registering";
  }
  now(): number {
    return this.ctx.now();
  }
  trace(kind: string, detail: Record<string, unknown>): void {
    this.ctx.trace(kind, { broker: this.brokerId, ...detail });
  }

  schedule(delayMs: number, callback: () => void): Cancel {
    if (!this.running) return () => {};
    const id = this.ctx.setTimer(Math.max(0, delayMs), BROKER_TIMER_TAG);
    this.timers.set(id, callback);
    return () => {
      if (this.timers.delete(id)) this.ctx.cancelTimer(id);
    };
  }

  createTopics(request: CreateTopicsRequest, done: (response: CreateTopicsResponse) => void): void {
    this.topicCreator.createTopics(request, done);
  }

  ensureTopic(spec: TopicSpec, done?: (errorCode: number) => void): void {
    this.topicCreator.ensure(spec, done);
  }

  offsetsTopicSpec(): TopicSpec {
    const brokers = this.metadata.image.brokers.size;
    return {
      name: OFFSETS_TOPIC,
      numPartitions: this.config.offsetsTopicNumPartitions,
      replicationFactor: Math.max(1, Math.min(this.config.offsetsTopicReplicationFactor, brokers)),
      configs: { "cleanup.policy": "compact", "segment.bytes": String(this.config.offsetsTopicSegmentBytes) },
    };
  }

  registerComponent(component: BrokerComponent): void {
    if (this.componentsByName.has(component.name))
      throw new Error(`Cannot register broker component ${component.name}: the name is taken`);
    this.componentsByName.set(component.name, component);
    // The component tick starts with the first component that wants it (no idle timer otherwise).
    if (component.onTick !== undefined && !this.ticking && this.running) {
      this.ticking = true;
      this.every(this.config.componentTickMs, () => {
        const now = this.ctx.now();
        for (const comp of this.componentsByName.values()) comp.onTick?.(now);
      });
    }
  }

  component<T extends BrokerComponent>(name: string): T | undefined {
    return this.componentsByName.get(name) as T | undefined;
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  start(ctx: NodeContext): void {
    this.ctx = ctx;
    this.running = true;
    this.correlation = correlationIdBase(ctx.now());
    const c = this.config;
    this.logManager = LogManager.open(
      {
        disk: ctx.disk,
        logDir: c.logDir,
        defaultConfig: c.log,
        ...(this.options.logSeams ? { seams: this.options.logSeams } : {}),
      },
      ctx.now(),
    );
    const report = this.logManager.startupReport;
    this.trace("broker.logsLoaded", {
      logs: Object.keys(report.logs).length,
      hadCleanShutdown: report.hadCleanShutdown,
      ...(report.notes.length > 0 ? { notes: report.notes } : {}),
    });
    const next = (): number => this.correlation++;
    this.outbound = new OutboundRequests({
      clientId: String(this.brokerId),
      send: (to, m) => ctx.send(to, m),
      schedule: (d, cb) => this.schedule(d, cb),
      nextCorrelationId: next,
      now: () => ctx.now(),
    });
    this.lifecycle = new BrokerLifecycle(
      {
        brokerId: this.brokerId,
        clusterId: this.clusterId,
        incarnationId: `incarnation-${ctx.rng.int(2 ** 30)}-${ctx.rng.int(2 ** 30)}`,
        listeners: [{ name: "PLAINTEXT", host: ctx.nodeId, port: BROKER_PORT, securityProtocol: 0 }],
        voters: this.options.voters,
        nextCorrelationId: next,
        previousBrokerEpoch: report.cleanShutdownBrokerEpoch ?? -1,
        heartbeatIntervalMs: c.brokerHeartbeatIntervalMs,
        requestTimeoutMs: c.requestTimeoutMs,
      },
      this.metadata,
    );
    if (this.metadataSource === "fetch") {
      this.fetcher = new MetadataFetcher(this.metadata, {
        clusterId: this.clusterId,
        voters: this.options.voters,
        nextCorrelationId: next,
        clientId: ctx.nodeId,
        requestTimeoutMs: c.requestTimeoutMs,
      });
    }
    this.alterPartitions = new AlterPartitionManager(
      {
        brokerId: this.brokerId,
        brokerEpoch: () => this.brokerEpoch,
        metadata: this.metadata,
        outbound: this.outbound,
        requestTimeoutMs: c.requestTimeoutMs,
        schedule: (d, cb) => this.schedule(d, cb),
        trace: (k, d) => this.trace(k, d),
      },
      this.options.voters,
      (proposal, answer) => this.replicaManager.onAlterPartitionAnswer(proposal, answer),
    );
    this.topicCreator = new TopicCreator(
      {
        clientId: String(this.brokerId),
        metadata: this.metadata,
        outbound: this.outbound,
        requestTimeoutMs: c.requestTimeoutMs,
        now: () => ctx.now(),
        nextCorrelationId: next,
        schedule: (d, cb) => this.schedule(d, cb),
        trace: (k, d) => this.trace(k, d),
      },
      this.options.voters,
    );
    this.replicaManager = new ReplicaManager({
      brokerId: this.brokerId,
      config: c,
      metadata: this.metadata,
      logManager: this.logManager,
      outbound: this.outbound,
      truncation: this.options.truncation ?? truncateByLeaderEpoch,
      highWatermarkRule: this.options.highWatermarkRule ?? kafkaHighWatermark,
      now: () => ctx.now(),
      brokerEpoch: () => this.brokerEpoch,
      schedule: (d, cb) => this.schedule(d, cb),
      trace: (k, d) => this.trace(k, d),
      submitAlterPartition: (p) => this.alterPartitions.submit(p),
      onLeadershipChanged: (change) => this.onLeadershipChanged(change),
    });
    for (const component of this.options.components?.(this) ?? []) this.registerComponent(component);
    this.every(BROKER_POLL_INTERVAL_MS, () => this.pollControllerFacing());
    this.every(Math.max(1, Math.floor(c.replicaLagTimeMaxMs / 2)), () =>
      this.replicaManager.maybeShrinkIsrs(),
    );
    this.every(c.replicaHighWatermarkCheckpointIntervalMs, () => this.logManager.checkpointHighWatermarks());
    this.every(c.logFlushOffsetCheckpointIntervalMs, () => this.logManager.checkpointRecoveryPoints());
    this.every(c.logFlushStartOffsetCheckpointIntervalMs, () => this.logManager.checkpointLogStartOffsets());
    this.every(c.logRetentionCheckIntervalMs, () => this.logManager.runRetention(ctx.now()));
    if (c.logFlushSchedulerIntervalMs < LONG_MAX)
      this.every(c.logFlushSchedulerIntervalMs, () => this.logManager.flushDirty(ctx.now()));
    this.pollControllerFacing();
  }

  /** Orderly shutdown: components, replica manager, then logs closed with checkpoints and the clean-shutdown marker. */
  stop(): void {
    if (!this.running) return;
    for (const comp of this.componentsByName.values()) comp.stop?.();
    this.replicaManager.stop();
    const report = this.logManager.close(this.ctx.now(), Math.max(0, this.brokerEpoch));
    this.trace("broker.stopped", { cleanShutdownMarker: report.cleanShutdownMarkerWritten });
    this.running = false;
    for (const id of this.timers.keys()) this.ctx.cancelTimer(id);
    this.timers.clear();
  }

  // ---- messages and timers -------------------------------------------------------------------

  /** A request from a client or broker, or a response to one of this broker's requests. */
  onMessage(from: NodeId, message: unknown): void {
    if (!this.running) return;
    if (isRequest(message)) return this.onRequest(from, message);
    if (!isResponse(message)) return;
    if (this.fetcher !== null && isMetadataFetchResponse(message)) {
      const delta = this.fetcher.onResponse(message, this.ctx.now());
      if (delta !== null) this.onMetadataDelta(delta);
      this.pollControllerFacing();
      return;
    }
    if (isLifecycleResponse(message)) {
      this.lifecycle.onResponse(message, this.ctx.now());
      this.afterLifecycleChange();
      this.pollControllerFacing();
      return;
    }
    this.outbound.onResponse(message as ResponseEnvelope);
  }

  /**
   * The connection to `peer` failed (its process ended, or none runs there; see
   * ConnectionError): the controller-facing requests and the outbound requests it took fail now
   * instead of at their timeouts, each retried as after a timeout but after a backoff.
   */
  onConnectionError(peer: NodeId, error: ConnectionError): void {
    if (!this.running) return;
    const now = this.ctx.now();
    const lifecycle = this.lifecycle.onConnectionError(peer, error, now);
    const fetch = this.fetcher?.onConnectionError(peer, error, now) ?? false;
    const outbound = this.outbound.onConnectionError(peer, error);
    if (lifecycle || fetch || outbound > 0)
      this.trace("broker.disconnected", {
        peer,
        kind: error.kind,
        lifecycle,
        metadataFetch: fetch,
        outbound,
      });
  }

  /** Returns false for a timer that is not the broker's (combined nodes offer it to the controller first). */
  onTimer(tag: string, id: TimerId): boolean {
    if (tag !== BROKER_TIMER_TAG) return false;
    const callback = this.timers.get(id);
    if (callback === undefined) return true;
    this.timers.delete(id);
    if (this.running) callback();
    return true;
  }

  /** Combined mode: a committed metadata batch from the co-located controller. */
  applyCommittedBatch(batch: RaftBatch<MetadataRecord>): void {
    if (batch.offset < this.metadata.nextOffset) return;
    const delta = this.metadata.applyBatches([batch]);
    if (this.running) this.onMetadataDelta(delta);
  }

  private onRequest(from: NodeId, request: RequestEnvelope): void {
    const handler = HANDLERS[request.api];
    if (handler === undefined) {
      this.trace("broker.unsupportedApi", { api: request.api, from });
      return;
    }
    let responded = false;
    const ctx = this.ctx;
    handler(this, request, (body: unknown) => {
      if (responded || !this.running) return;
      responded = true;
      const response: ResponseEnvelope = {
        kind: "response",
        api: request.api,
        correlationId: request.correlationId,
        body,
      };
      ctx.send(from, response);
    });
  }

  private every(intervalMs: number, task: () => void): void {
    const run = (): void => {
      task();
      this.schedule(intervalMs, run);
    };
    this.schedule(intervalMs, run);
  }

  private pollControllerFacing(): void {
    if (!this.running) return;
    const now = this.ctx.now();
    const out = [this.lifecycle.poll(now), this.fetcher?.poll(now) ?? null];
    for (const o of out) if (o !== null) this.ctx.send(o.to, o.message);
  }

  private afterLifecycleChange(): void {
    const state = this.lifecycle.state;
    if (state !== this.lastLifecycleState) {
      this.lastLifecycleState = state;
      this.trace("broker.lifecycle", { state, brokerEpoch: this.lifecycle.brokerEpoch });
    }
    this.maybeBecomeReady();
  }

  private onMetadataDelta(delta: MetadataDelta): void {
    if (!this.ready) {
      this.maybeBecomeReady();
      return;
    }
    for (const topic of new Set(delta.topicConfigs)) this.replicaManager.applyTopicConfig(topic);
    if (delta.brokers.length > 0) this.replicaManager.onBrokersChanged(delta.brokers);
    const seen = new Set<string>();
    const partitions: { topic: string; partition: number }[] = [];
    for (const d of delta.partitions) {
      const key = `${d.topicName}-${d.partitionId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      partitions.push({ topic: d.topicName, partition: d.partitionId });
    }
    if (partitions.length > 0) this.replicaManager.applyPartitionStates(partitions);
    for (const comp of this.componentsByName.values()) comp.onMetadataUpdate?.(delta);
  }

  /** The startup gate (see the file header). */
  private maybeBecomeReady(): void {
    if (this.ready || !this.running) return;
    const epoch = this.lifecycle.brokerEpoch;
    if (epoch < 0 || this.metadata.lastAppliedOffset < epoch) return;
    this.ready = true;
    const partitions: { topic: string; partition: number }[] = [];
    const deltaPartitions: MetadataDelta["partitions"] = [];
    for (const name of [...this.metadata.image.topicIdsByName.keys()].sort()) {
      const topic = this.metadata.topic(name)!;
      topic.partitions.forEach((current, partitionId) => {
        partitions.push({ topic: name, partition: partitionId });
        deltaPartitions.push({
          topicName: name,
          topicId: topic.topicId,
          partitionId,
          previous: undefined,
          current,
        });
      });
    }
    this.trace("broker.ready", {
      brokerEpoch: epoch,
      metadataOffset: this.metadata.lastAppliedOffset,
      partitions: partitions.length,
    });
    this.replicaManager.applyPartitionStates(partitions);
    const initial: MetadataDelta = {
      partitions: deltaPartitions,
      brokers: [...this.metadata.image.brokers.keys()],
      topicConfigs: [],
    };
    for (const comp of this.componentsByName.values()) comp.onMetadataUpdate?.(initial);
  }

  private onLeadershipChanged(change: LeadershipChange): void {
    for (const comp of this.componentsByName.values()) comp.onLeadershipChange?.(change);
  }
}
