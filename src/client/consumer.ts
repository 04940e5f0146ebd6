/**
 * The consumer (Kafka's KafkaConsumer with a KafkaJS-like async API):
 *
 *   const consumer = kafka.consumer({ groupId: "billing", enableAutoCommit: false });
 *   await consumer.connect();
 *   await consumer.subscribe({ topics: ["orders"], fromBeginning: true, listener: { onPartitionsRevoked } });
 *   for (;;) {
 *     const records = await consumer.poll({ timeoutMs: 1000 });   // Java-style explicit poll
 *     for (const r of records) await charge(r);
 *     await consumer.commitSync();                              // positions = last processed + 1
 *   }
 *   // or, as in KafkaJS: await consumer.run({ eachMessage: async ({ message }) => { ... } });
 *
 * poll() does what Java's poll does, in order: rejoin the group if a rebalance is needed (never
 * blocking past the poll timeout), auto-commit the consumed positions if enable.auto.commit and
 * auto.commit.interval.ms elapsed (maybeAutoCommitOffsetsAsync: what the previous polls
 * returned, processed or not), initialise positions (committed offset, else auto.offset.reset),
 * then return buffered records or fetch and wait. Positions advance as records are returned.
 *
 * Delivery guarantees follow from when the position is committed relative to processing:
 * commit after processing (commitSync after the work, or auto-commit with the work done before
 * the next poll) is at-least-once; handing records to another task and letting auto-commit run
 * is at-most-once for the records still queued when the process dies.
 *
 * Every client call records through ClientInstrumentation (polls, commits, assignments, seeks),
 * so a lab's history recorder sees what the consumer returned and committed.
 */
import { Errors } from "../protocol/errors";
import type { ClientContext, NodeId } from "../sim/process";
import { ClientMetadata } from "./client-metadata";
import { resolveConsumerConfig, type ConsumerConfig, type ResolvedConsumerConfig } from "./consumer-config";
import { ConsumerGroup, settlesWithin, type Generation } from "./consumer-group";
import { ConsumerOffsets } from "./consumer-offsets";
import { ConsumerRunner } from "./consumer-runner";
import { SubscriptionState } from "./consumer-subscription";
import {
  OffsetOutOfRangeError,
  tpKey,
  type ConsumerRecord,
  type OffsetToCommit,
  type PollOptions,
  type RebalanceListener,
  type RunConfig,
  type SubscribeOptions,
  type TopicPartition,
  type TopicPartitionOffset,
} from "./consumer-types";
import type { RebalanceProtocol } from "./assignors";
import { Fetcher } from "./fetcher";
import type { ClientInstrumentation } from "./instrumentation";
import type { NetworkClient } from "./network-client";

/** What a consumer needs from its Kafka entry object (src/client/kafka.ts satisfies it). */
export interface ConsumerHost {
  readonly ctx: ClientContext;
  readonly clientId: string;
  readonly bootstrapServers: readonly NodeId[];
  readonly instrumentation: ClientInstrumentation;
  readonly network: NetworkClient;
}

const DEFAULT_POLL_TIMEOUT_MS = 1000;

export class Consumer {
  readonly config: ResolvedConsumerConfig;
  readonly ctx: ClientContext;
  readonly clientId: string;
  private readonly metadata: ClientMetadata;
  private readonly subscriptions: SubscriptionState;
  private readonly fetcher: Fetcher;
  private readonly group: ConsumerGroup | undefined;
  private readonly offsets: ConsumerOffsets | undefined;
  private readonly instrumentation: ClientInstrumentation;
  private listener: RebalanceListener | undefined;
  private listenerError: unknown;
  /** An error initialising positions (no offset and auto.offset.reset=none), thrown by poll. */
  private positionError: unknown;
  private autoCommitOverride: boolean | undefined;
  private nextAutoCommitMs: number;
  private closed = false;
  private polling = false;
  private runner: ConsumerRunner | undefined;

  constructor(host: ConsumerHost, config: ConsumerConfig = {}) {
    this.config = resolveConsumerConfig(config);
    this.ctx = host.ctx;
    this.clientId = host.clientId;
    this.instrumentation = host.instrumentation;
    this.metadata = new ClientMetadata(host.network, {
      bootstrapServers: [...host.bootstrapServers],
      metadataMaxAgeMs: this.config.metadataMaxAgeMs,
      retryBackoffMs: this.config.retryBackoffMs,
      allowAutoTopicCreation: this.config.allowAutoCreateTopics,
      requestTimeoutMs: this.config.requestTimeoutMs,
    });
    this.subscriptions = new SubscriptionState(this.config.autoOffsetReset);
    this.fetcher = new Fetcher(this.ctx, host.network, this.metadata, this.subscriptions, this.config);
    this.nextAutoCommitMs = this.ctx.now() + this.config.autoCommitIntervalMs;
    const groupId = this.config.groupId;
    if (groupId !== null) {
      this.group = new ConsumerGroup(
        this.ctx,
        host.network,
        this.metadata,
        this.subscriptions,
        this.config,
        groupId,
        {
          onJoinPrepare: (protocol, lost) => this.onJoinPrepare(protocol, lost),
          onJoinComplete: (protocol, assigned, generation) =>
            this.onJoinComplete(protocol, assigned, generation),
        },
      );
      this.offsets = new ConsumerOffsets(
        this.ctx,
        host.network,
        this.config,
        groupId,
        this.group,
        this.subscriptions,
        (o) =>
          this.instrumentation.onCommit?.(
            this.clientId,
            o.map((x) => ({ topic: x.topic, partition: x.partition, offset: x.offset })),
          ),
      );
    }
  }

  // ---- Lifecycle -------------------------------------------------------------------------------

  /** Learn the cluster (a Metadata request to the bootstrap servers). */
  async connect(): Promise<void> {
    this.ensureOpen();
    await this.metadata.refresh();
  }

  /**
   * Leave cleanly: stop run(), commit the consumed positions if auto-commit is on, call
   * onPartitionsRevoked, send LeaveGroup (not for static members, KIP-345).
   */
  async disconnect(): Promise<void> {
    if (this.closed) return;
    await this.runner?.stop();
    const group = this.group;
    try {
      if (group && this.subscriptions.type === "topics" && group.state === "STABLE") {
        if (this.autoCommitEnabled) await this.commitQuietly();
        const owned = this.subscriptions.assigned();
        if (owned.length > 0) await this.invokeListener("onPartitionsRevoked", owned);
        await group.maybeLeaveGroup("the consumer is being closed");
      } else if (this.autoCommitEnabled) {
        await this.commitQuietly();
      }
    } finally {
      this.closed = true;
      group?.close();
      this.fetcher.notify();
      this.ctx.trace("consumer.closed", { client: this.clientId });
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error(`Consumer ${this.clientId} is closed`);
  }

  // ---- Subscription ----------------------------------------------------------------------------

  /** Join the group for these topics (adds to earlier subscribe calls, as KafkaJS does). */
  async subscribe(options: SubscribeOptions): Promise<void> {
    this.ensureOpen();
    if (this.group === undefined)
      throw new Error("Cannot subscribe without a group.id: set groupId, or assign() partitions yourself");
    this.subscriptions.subscribe(options.topics, options.fromBeginning ?? false);
    if (options.listener) this.listener = options.listener;
    this.group.requestRejoin("subscription changed");
    for (const t of options.topics) await this.metadata.topic(t);
  }

  /** Take these partitions without a group (positions from committed offsets if group.id is set). */
  assign(partitions: readonly TopicPartition[]): void {
    this.ensureOpen();
    this.subscriptions.assignFromUser(partitions);
    this.fetcher.clearBuffer();
    this.instrumentation.onAssign?.(this.clientId, this.subscriptions.assigned());
  }

  assignment(): TopicPartition[] {
    return this.subscriptions.assigned();
  }

  /**
   * Drop the subscription or the manual assignment. A group member first gives its partitions
   * up (onPartitionsRevoked, auto-commit if on) and leaves the group, as Java's unsubscribe().
   */
  async unsubscribe(): Promise<void> {
    this.ensureOpen();
    const group = this.group;
    if (group && this.subscriptions.type === "topics") {
      if (group.state === "STABLE") {
        if (this.autoCommitEnabled) await this.commitQuietly();
        const owned = this.subscriptions.assigned();
        if (owned.length > 0) await this.invokeListener("onPartitionsRevoked", owned);
      }
      await group.maybeLeaveGroup("the consumer unsubscribed");
    }
    this.subscriptions.unsubscribe();
    this.fetcher.clearBuffer();
    this.instrumentation.onAssign?.(this.clientId, []);
  }

  /** The generation and member id while in a group (for tests and labs). */
  groupMetadata(): Generation | undefined {
    return this.group?.generation;
  }

  // ---- Poll ------------------------------------------------------------------------------------

  private get autoCommitEnabled(): boolean {
    return this.group !== undefined && (this.autoCommitOverride ?? this.config.enableAutoCommit);
  }

  /** Records fetched since the last poll, up to maxRecords (default max.poll.records). */
  async poll(options: PollOptions = {}): Promise<ConsumerRecord[]> {
    this.ensureOpen();
    // Kafka's consumer is not safe for concurrent use (ConcurrentModificationException).
    if (this.polling)
      throw new Error(
        `Cannot poll consumer ${this.clientId}: another poll() is in progress (run() polls for you)`,
      );
    this.polling = true;
    try {
      return await this.pollOnce(options);
    } finally {
      this.polling = false;
    }
  }

  private async pollOnce(options: PollOptions): Promise<ConsumerRecord[]> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
    const maxRecords = options.maxRecords ?? this.config.maxPollRecords;
    const deadline = this.ctx.now() + timeoutMs;
    const group = this.group;
    if (group) {
      group.lastPollMs = this.ctx.now();
      this.throwPendingErrors();
      // checkMetadataForRejoin: the leader rejoins when a subscribed topic's partition count changed.
      if (
        this.subscriptions.type === "topics" &&
        (group.checkMetadataForRejoin() || group.state !== "STABLE")
      ) {
        const joined = await settlesWithin(this.ctx, group.ensureActiveGroup(), deadline - this.ctx.now());
        group.lastPollMs = this.ctx.now();
        this.throwPendingErrors();
        if (!joined) return [];
      }
      this.maybeAutoCommit();
    }
    if (this.subscriptions.type === "none") return [];
    const positions = this.updateFetchPositions().catch((e: unknown) => {
      this.positionError ??= e;
    });
    const ready = await settlesWithin(this.ctx, positions, deadline - this.ctx.now());
    this.throwPendingErrors();
    for (;;) {
      const records = this.fetcher.collect(maxRecords);
      if (records.length > 0) {
        void this.fetcher.sendFetches().catch(() => this.metadata.invalidate()); // pipeline the next fetch
        this.recordPoll(records);
        return records;
      }
      // Virtual time is fractional: below 1 ms left, `now + remaining` may round back to `now`.
      const remaining = deadline - this.ctx.now();
      // A pending rejoin ends the poll only for a subscription: with assign() the consumer
      // never joins the group (it uses group.id only for offsets), so the flag stays set.
      if (
        remaining < 1 ||
        this.closed ||
        (group && this.subscriptions.type === "topics" && group.rejoinNeeded)
      )
        return [];
      if (!ready) {
        await this.ctx.sleep(Math.min(remaining, this.config.retryBackoffMs));
        return [];
      }
      await this.fetcher.sendFetches();
      await this.fetcher.waitForData(remaining);
    }
  }

  private throwPendingErrors(): void {
    if (this.group?.fatal) throw this.group.fatal;
    if (this.positionError !== undefined) {
      const e = this.positionError;
      this.positionError = undefined;
      throw e;
    }
    if (this.listenerError !== undefined) {
      const e = this.listenerError;
      this.listenerError = undefined;
      throw e;
    }
  }

  private recordPoll(records: readonly ConsumerRecord[]): void {
    this.instrumentation.onPoll?.(
      this.clientId,
      records.map((r) => ({
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
        key: r.key,
        value: r.value ?? "",
      })),
    );
  }

  /** Committed offset, else auto.offset.reset, for partitions without a position; then ListOffsets resets. */
  private async updateFetchPositions(): Promise<void> {
    const init = this.subscriptions.initializingPartitions();
    if (init.length > 0) {
      const committed = this.offsets ? await this.offsets.fetchCommitted(init).catch(() => undefined) : [];
      if (committed === undefined) return;
      const found = new Map(committed.map((c) => [tpKey(c.topic, c.partition), c]));
      for (const s of init) {
        if (!this.subscriptions.isAssigned(s) || s.position !== null || s.resetStrategy !== null) continue;
        const c = found.get(tpKey(s.topic, s.partition));
        if (c !== undefined && c.offset >= 0) {
          this.subscriptions.seek(s, { offset: c.offset, leaderEpoch: c.leaderEpoch });
          this.instrumentation.onSeek?.(this.clientId, {
            topic: s.topic,
            partition: s.partition,
            offset: c.offset,
          });
          continue;
        }
        const strategy = this.subscriptions.defaultResetFor(s.topic);
        if (strategy === "none")
          throw new OffsetOutOfRangeError(
            Errors.OFFSET_OUT_OF_RANGE,
            `No committed offset for ${tpKey(s.topic, s.partition)} and auto.offset.reset is none (NoOffsetForPartitionException)`,
            [{ topic: s.topic, partition: s.partition }],
          );
        this.subscriptions.requestReset(s, strategy);
      }
    }
    const resetting = this.subscriptions.partitionsAwaitingReset().map((s) => ({ ...s }));
    await this.fetcher.resetPositions();
    for (const r of resetting) {
      const s = this.subscriptions.state(r);
      if (s?.position)
        this.instrumentation.onSeek?.(this.clientId, {
          topic: s.topic,
          partition: s.partition,
          offset: s.position.offset,
        });
    }
  }

  // ---- Commits ---------------------------------------------------------------------------------

  private requireOffsets(): ConsumerOffsets {
    if (!this.offsets)
      throw new Error(
        "Cannot commit or read committed offsets without a group.id (Kafka's InvalidGroupIdException)",
      );
    return this.offsets;
  }

  /** Java's maybeAutoCommitOffsetsAsync: commit every consumed position once per auto.commit.interval.ms. */
  private maybeAutoCommit(): void {
    if (!this.autoCommitEnabled || this.ctx.now() < this.nextAutoCommitMs) return;
    this.nextAutoCommitMs = this.ctx.now() + this.config.autoCommitIntervalMs;
    const offsets = this.subscriptions.allConsumed();
    if (offsets.length === 0) return;
    void this.offsets!.commitAsync(offsets).then((error) => {
      if (error) {
        this.ctx.trace("consumer.autoCommitFailed", { client: this.clientId, error: error.message });
        this.nextAutoCommitMs = Math.min(this.nextAutoCommitMs, this.ctx.now() + this.config.retryBackoffMs);
      }
    });
  }

  /** Auto-commit now if it is on and the interval elapsed (KafkaJS's commitOffsetsIfNecessary). */
  async commitIfDue(override?: OffsetToCommit[]): Promise<void> {
    if (!this.autoCommitEnabled || this.ctx.now() < this.nextAutoCommitMs) return;
    this.nextAutoCommitMs = this.ctx.now() + this.config.autoCommitIntervalMs;
    await this.commitQuietly(override);
  }

  private async commitQuietly(offsets?: OffsetToCommit[]): Promise<void> {
    try {
      await this.commitSync(offsets);
    } catch (e) {
      this.ctx.trace("consumer.commitFailed", {
        client: this.clientId,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }

  /**
   * Commit `offsets` (each the NEXT offset to read), or every consumed position when omitted;
   * retries retriable failures until default.api.timeout.ms. Throws CommitFailedError,
   * RebalanceInProgressError, ConsumerTimeoutError or KafkaError.
   */
  async commitSync(offsets?: readonly OffsetToCommit[]): Promise<void> {
    const o = this.requireOffsets();
    await o.commitSync(offsets ?? this.subscriptions.allConsumed());
  }

  /** KafkaJS's name for commitSync with explicit offsets. */
  commitOffsets(offsets: readonly OffsetToCommit[]): Promise<void> {
    return this.commitSync(offsets);
  }

  /** One commit attempt in the background; `callback` gets null or the error. Never throws. */
  commitAsync(offsets?: readonly OffsetToCommit[], callback?: (error: Error | null) => void): void {
    const o = this.requireOffsets();
    void o.commitAsync(offsets ?? this.subscriptions.allConsumed()).then((e) => callback?.(e));
  }

  /** The group's committed offsets (-1 where none). */
  async committed(partitions: readonly TopicPartition[]): Promise<TopicPartitionOffset[]> {
    const c = await this.requireOffsets().fetchCommitted(partitions);
    return c.map((x) => ({ topic: x.topic, partition: x.partition, offset: x.offset }));
  }

  // ---- Positions -------------------------------------------------------------------------------

  /** Set the next offset to read; buffered records of the partition are dropped. */
  seek(target: TopicPartitionOffset): void {
    this.ensureOpen();
    this.subscriptions.seek(target, { offset: target.offset, leaderEpoch: -1 });
    this.fetcher.clearBuffer(target);
    this.instrumentation.onSeek?.(this.clientId, {
      topic: target.topic,
      partition: target.partition,
      offset: target.offset,
    });
  }

  seekToBeginning(partitions: readonly TopicPartition[] = this.subscriptions.assigned()): void {
    for (const tp of partitions) {
      this.subscriptions.requestReset(tp, "earliest");
      this.fetcher.clearBuffer(tp);
    }
  }

  seekToEnd(partitions: readonly TopicPartition[] = this.subscriptions.assigned()): void {
    for (const tp of partitions) {
      this.subscriptions.requestReset(tp, "latest");
      this.fetcher.clearBuffer(tp);
    }
  }

  /** The next offset poll() will return for `tp`, undefined while it is being initialised. */
  position(tp: TopicPartition): number | undefined {
    return this.subscriptions.state(tp)?.position?.offset;
  }

  /** Stop fetching these partitions (KafkaJS shape: topics with optional partition lists). */
  pause(topics: readonly { topic: string; partitions?: readonly number[] }[]): void {
    for (const tp of this.expand(topics)) this.subscriptions.pause(tp);
  }

  resume(topics: readonly { topic: string; partitions?: readonly number[] }[]): void {
    for (const tp of this.expand(topics)) this.subscriptions.resume(tp);
    this.fetcher.notify();
  }

  paused(): TopicPartition[] {
    return this.subscriptions.paused();
  }

  private expand(topics: readonly { topic: string; partitions?: readonly number[] }[]): TopicPartition[] {
    const assigned = this.subscriptions.assigned();
    return topics.flatMap((t) =>
      t.partitions
        ? t.partitions.map((partition) => ({ topic: t.topic, partition }))
        : assigned.filter((a) => a.topic === t.topic),
    );
  }

  // ---- run() (KafkaJS) -------------------------------------------------------------------------

  /** Start consuming in a background task; resolves once started (as KafkaJS's run). */
  async run(config: RunConfig): Promise<void> {
    this.ensureOpen();
    if (this.runner?.running) throw new Error("Cannot run: this consumer is already running");
    if (!config.eachMessage && !config.eachBatch)
      throw new Error("Cannot run: give eachMessage or eachBatch");
    this.autoCommitOverride = config.autoCommit;
    this.runner = new ConsumerRunner(this, config);
    this.runner.start();
  }

  /** Stop run() (the consumer stays in the group until disconnect). */
  async stop(): Promise<void> {
    await this.runner?.stop();
  }

  // ---- Rebalance hooks -------------------------------------------------------------------------

  private async onJoinPrepare(protocol: RebalanceProtocol, lost: boolean): Promise<void> {
    if (!lost && this.autoCommitEnabled) await this.commitQuietly();
    if (protocol === "COOPERATIVE" && !lost) return;
    const owned = this.subscriptions.assigned();
    if (owned.length > 0) await this.invokeListener(lost ? "onPartitionsLost" : "onPartitionsRevoked", owned);
    this.subscriptions.assignFromGroup([]);
    this.fetcher.clearBuffer();
  }

  private async onJoinComplete(
    protocol: RebalanceProtocol,
    assigned: TopicPartition[],
    _g: Generation,
  ): Promise<void> {
    const owned = this.subscriptions.assigned();
    const has = (list: TopicPartition[], tp: TopicPartition) =>
      list.some((x) => x.topic === tp.topic && x.partition === tp.partition);
    const revoked = owned.filter((tp) => !has(assigned, tp));
    const added = assigned.filter((tp) => !has(owned, tp));
    if (protocol === "COOPERATIVE" && revoked.length > 0)
      await this.invokeListener("onPartitionsRevoked", revoked);
    this.subscriptions.assignFromGroup(assigned);
    for (const tp of revoked) this.fetcher.clearBuffer(tp);
    this.instrumentation.onAssign?.(this.clientId, this.subscriptions.assigned());
    this.nextAutoCommitMs = this.ctx.now() + this.config.autoCommitIntervalMs;
    await this.invokeListener("onPartitionsAssigned", added);
    if (protocol === "COOPERATIVE" && revoked.length > 0)
      this.group!.requestRejoin("cooperative rebalance revoked partitions");
  }

  private async invokeListener(kind: keyof RebalanceListener, partitions: TopicPartition[]): Promise<void> {
    const l = this.listener;
    const fn = kind === "onPartitionsLost" ? (l?.onPartitionsLost ?? l?.onPartitionsRevoked) : l?.[kind];
    this.ctx.trace(`consumer.${kind}`, {
      client: this.clientId,
      partitions: partitions.map((p) => tpKey(p.topic, p.partition)),
    });
    if (!fn) return;
    try {
      await fn.call(l, partitions);
    } catch (e) {
      this.listenerError ??= e;
    }
  }

  /** For the runner: seek back without dropping other partitions' buffers (internal). */
  rewind(tp: TopicPartition, offset: number): void {
    if (!this.subscriptions.isAssigned(tp)) return;
    this.seek({ ...tp, offset });
  }

  /** For the runner: is `tp` still assigned with the position `offset`? */
  positionIs(tp: TopicPartition, offset: number): boolean {
    return this.subscriptions.state(tp)?.position?.offset === offset;
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
