/**
 * The producer: Kafka's KafkaProducer behind a KafkaJS-like async API.
 *
 *   const producer = kafka.producer({ lingerMs: 5 });          // Kafka config names, camelCase
 *   await producer.connect();                                    // InitProducerId (idempotence)
 *   const meta = await producer.send({ topic: "orders", messages: [{ key: "k", value: "v" }] });
 *   await producer.disconnect();                                 // flushes first
 *
 * `send` partitions each message (partitioner.ts), appends it to its partition's batch in the
 * accumulator, and resolves when every message of the call is acknowledged per `acks`, with
 * one RecordMetadata per partition touched. When the batches waiting hold buffer.memory bytes,
 * the append waits (virtual time) for batches to complete; a call's wait for metadata and
 * memory together is bounded by max.block.ms (KafkaProducer.doSend). It rejects with a
 * KafkaError named as Kafka names the failure: MESSAGE_TOO_LARGE at once for a record above
 * max.request.size or buffer.memory (RecordTooLargeException), the broker's error
 * (MESSAGE_TOO_LARGE for one record above the topic's max.message.bytes — a batch of several is
 * split and resent, see sender.ts —, NOT_ENOUGH_REPLICAS, ...) once retries are exhausted or
 * the error is not retriable, REQUEST_TIMED_OUT when delivery.timeout.ms passes, or when
 * max.block.ms passes waiting for metadata or memory (Kafka's TimeoutException and
 * BufferExhaustedException).
 *
 * Every send is reported to the instrumentation hooks (a lab's history): ok with every
 * message's position; fail only when no message of the call can have been written; info
 * (unknown) otherwise — acks=0, request timeouts, or retries that ended after an attempt
 * that may have been written.
 *
 * Departures from KafkaJS: keys/values are strings or Uint8Array (no Buffer); `send` needs
 * `connect()` first; RecordMetadata also lists every message's offset. Departures from Kafka:
 * see producer-config.ts, accumulator.ts, buffer-pool.ts, sender.ts.
 */
import { Errors, KafkaError, errorForCode } from "../protocol/errors";
import type { InitProducerIdRequest, InitProducerIdResponse } from "../protocol/messages";
import { estimateBatchSizeUpperBound } from "../protocol/record-batch";
import type { AppendRecord } from "../protocol/batch-builder";
import type { CompressionType } from "../protocol/compression/index";
import { RecordAccumulator, type AppendOptions } from "./accumulator";
import { BufferPool } from "./buffer-pool";
import { ClientMetadata, type TopicInfo } from "./client-metadata";
import { IdempotenceManager } from "./idempotence";
import type { ClientInstrumentation, SentRecordInfo } from "./instrumentation";
import type { Kafka } from "./kafka";
import { BuiltInPartitioner, type Partitioner } from "./partitioner";
import { SendCall, headersOf, toBytes, toText, type Prepared } from "./producer-send";
import {
  ConfigException,
  resolveProducerConfig,
  type ProducerConfig,
  type ResolvedProducerConfig,
} from "./producer-config";
import type { Message, ProducerBatchRecord, RecordMetadata, TopicMessages } from "./producer-types";
import { Sender } from "./sender";

export interface ProducerOptions extends ProducerConfig {
  /** A custom partitioner (Kafka's partitioner.class); undefined from it means the built-in choice. */
  partitioner?: Partitioner;
}

/** Where one call's append stands (the call may wait for memory between two records). */
interface AppendCursor {
  /** Index of the next record to append. */
  next: number;
  /** A batch became sendable: wake the sender. */
  wake: boolean;
  stickyTopic: string | undefined;
  available: number[];
  numPartitions: number;
}

type ProducerState = "new" | "connecting" | "connected" | "closing" | "closed";

export class Producer {
  readonly config: ResolvedProducerConfig;
  readonly kafka: Kafka;
  readonly metadata: ClientMetadata;
  readonly accumulator: RecordAccumulator;
  readonly sender: Sender;
  /** Present when idempotence is on. */
  readonly idempotence: IdempotenceManager | undefined;
  private readonly partitioner: BuiltInPartitioner;
  private readonly customPartitioner: Partitioner | undefined;
  private readonly maxBlockMs: number;
  private readonly instrumentation: ClientInstrumentation;
  private state: ProducerState = "new";
  /**
   * Sends reach the accumulator in the order they were called, as with Kafka's synchronous
   * KafkaProducer.send: each call's metadata wait and append run after the previous call's.
   */
  private appendTail: Promise<unknown> = Promise.resolve();
  /** Calls whose append waits for buffer.memory (at most one: appends are serialized). */
  private appendsBlocked = 0;
  private initPromise: Promise<boolean> | undefined;
  private nextInitNode = 0;

  constructor(kafka: Kafka, options: ProducerOptions = {}) {
    const { partitioner, ...config } = options;
    this.config = resolveProducerConfig(config);
    this.kafka = kafka;
    this.maxBlockMs = this.config.maxBlockMs;
    this.customPartitioner = partitioner;
    this.instrumentation = kafka.instrumentation;
    const ctx = kafka.ctx;
    this.metadata = new ClientMetadata(kafka.network, {
      bootstrapServers: [...kafka.bootstrapServers],
      metadataMaxAgeMs: this.config.metadataMaxAgeMs,
      retryBackoffMs: this.config.retryBackoffMs,
      allowAutoTopicCreation: this.config.allowAutoCreateTopics,
      requestTimeoutMs: this.config.requestTimeoutMs,
    });
    this.accumulator = new RecordAccumulator(
      {
        batchSize: this.config.batchSize,
        lingerMs: this.config.lingerMs,
        deliveryTimeoutMs: this.config.deliveryTimeoutMs,
      },
      new BufferPool(ctx, this.config.bufferMemory, this.config.batchSize),
    );
    this.idempotence = this.config.idempotence ? new IdempotenceManager() : undefined;
    this.partitioner = new BuiltInPartitioner(
      ctx.rng.split("partitioner"),
      this.config.batchSize,
      this.config.partitionerIgnoreKeys,
    );
    this.sender = new Sender(
      ctx,
      kafka.network,
      this.metadata,
      this.accumulator,
      this.idempotence,
      this.config,
      () => this.initProducerId(),
    );
  }

  get clientId(): string {
    return this.kafka.clientId;
  }

  /** The producer id and epoch (idempotent producer), -1 until InitProducerId answered. */
  get producerIdAndEpoch(): { producerId: number; producerEpoch: number } {
    return {
      producerId: this.idempotence?.producerId ?? -1,
      producerEpoch: this.idempotence?.producerEpoch ?? -1,
    };
  }

  /**
   * Get ready to send: with idempotence, obtain a producer id (InitProducerId, retried with
   * backoff for up to max.block.ms). Resolves when the producer can send.
   */
  async connect(): Promise<void> {
    if (this.state === "connected") return;
    if (this.state === "closing" || this.state === "closed")
      throw new Error(`Cannot connect producer ${this.clientId}: it was disconnected`);
    this.state = "connecting";
    if (this.idempotence !== undefined && !this.idempotence.hasProducerId) {
      const ok = await this.initProducerId().catch((e: unknown) => {
        this.state = "new";
        throw e;
      });
      if (!ok) {
        this.state = "new";
        throw new KafkaError(
          Errors.REQUEST_TIMED_OUT,
          `Cannot connect producer ${this.clientId}: no producer id after max.block.ms ${this.maxBlockMs}`,
        );
      }
    }
    this.state = "connected";
  }

  /** Send messages to one topic (see the file header). */
  send(record: {
    topic: string;
    messages: readonly Message[];
    acks?: -1 | 0 | 1;
    timeout?: number;
    compression?: CompressionType;
  }): Promise<RecordMetadata[]> {
    return this.sendBatch({
      topicMessages: [{ topic: record.topic, messages: record.messages }],
      acks: record.acks,
      timeout: record.timeout,
      compression: record.compression,
    });
  }

  /** Send messages to several topics in one call. */
  async sendBatch(batch: ProducerBatchRecord): Promise<RecordMetadata[]> {
    let token: unknown;
    if (this.instrumentation.onSendInvoke !== undefined) {
      const infos: SentRecordInfo[] = [];
      for (const tm of batch.topicMessages)
        for (const m of tm.messages)
          infos.push({ topic: tm.topic, key: toText(m.key), value: toText(m.value) ?? "" });
      token = this.instrumentation.onSendInvoke(this.clientId, infos);
    }
    try {
      const acks = this.callAcks(batch.acks);
      const turn = this.appendTail.then(async () => {
        // max.block.ms runs from the call's turn (Kafka: from send(), which one thread calls in turn).
        const deadlineMs = this.kafka.ctx.now() + this.maxBlockMs;
        const prepared = await this.prepare(batch.topicMessages);
        const appended = this.append(prepared, acks, batch, deadlineMs);
        if (appended.waiting !== undefined) await appended.waiting;
        return { done: appended.done };
      });
      this.appendTail = turn.catch(() => undefined);
      const { done } = await turn;
      const result = await done;
      if (acks === 0)
        this.instrumentation.onSendComplete?.(token, {
          outcome: "info",
          error: "acks=0: the producer never learns the outcome",
        });
      else if (result.positions.some((p) => p.offset < 0))
        this.instrumentation.onSendComplete?.(token, {
          outcome: "info",
          error: "DUPLICATE_SEQUENCE_NUMBER: written, but the broker no longer knows the offset",
        });
      else this.instrumentation.onSendComplete?.(token, { outcome: "ok", positions: result.positions });
      return result.metadata;
    } catch (e) {
      const maybeWritten = (e as { maybeWritten?: boolean }).maybeWritten ?? false;
      const error =
        e instanceof Error ? `${e.name === "KafkaError" ? "" : `${e.name}: `}${e.message}` : String(e);
      this.instrumentation.onSendComplete?.(token, { outcome: maybeWritten ? "info" : "fail", error });
      throw e;
    }
  }

  /** Send everything queued now, and wait until every batch has its outcome (KafkaProducer.flush). */
  async flush(): Promise<void> {
    this.accumulator.beginFlush();
    try {
      this.sender.wakeup();
      await this.accumulator.allComplete();
    } finally {
      this.accumulator.endFlush();
    }
  }

  /**
   * Flush, then stop (KafkaJS disconnect, Kafka close). Later sends fail. A send waiting for
   * memory is waited for (its records are sent), as Kafka's close lets appends in progress end.
   */
  async disconnect(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closing";
    this.accumulator.beginClose();
    if (this.appendsBlocked > 0) {
      this.sender.wakeup();
      await this.appendTail;
    }
    await this.flush();
    this.accumulator.pool.close();
    this.state = "closed";
  }

  // ---- internals ----------------------------------------------------------------------------------

  private callAcks(acks: -1 | 0 | 1 | undefined): -1 | 0 | 1 {
    if (this.state !== "connected")
      throw new KafkaError(
        Errors.NETWORK_EXCEPTION,
        `Cannot send with producer ${this.clientId}: it is ${this.state === "closed" || this.state === "closing" ? "disconnected" : "not connected (call connect() first)"}`,
      );
    if (this.sender.fatalError !== undefined) throw this.sender.fatalError;
    if (acks === undefined || acks === this.config.acks) return this.config.acks;
    if (this.config.idempotence)
      throw new ConfigException(
        `Cannot send with acks=${acks}: this producer is idempotent, which requires acks=all for every send`,
      );
    return acks;
  }

  /** Resolve metadata and partitions for every message (KafkaProducer.doSend up to the append). */
  private async prepare(topicMessages: readonly TopicMessages[]): Promise<Prepared[]> {
    const out: Prepared[] = [];
    // Record timestamps are whole milliseconds (virtual time may be fractional).
    const now = Math.floor(this.kafka.ctx.now());
    for (const tm of topicMessages) {
      const topic = await this.waitOnMetadata(tm.topic);
      const numPartitions = topic.partitions.length;
      const available = topic.partitions.filter((p) => p.leaderNode !== undefined).map((p) => p.partition);
      for (const m of tm.messages) {
        if (m.timestamp !== undefined && !(Number.isSafeInteger(m.timestamp) && m.timestamp >= 0))
          throw new KafkaError(
            Errors.INVALID_TIMESTAMP,
            `Invalid timestamp ${m.timestamp}: must be a non-negative integer (ms)`,
          );
        const key = toBytes(m.key);
        const record: AppendRecord = {
          key,
          value: toBytes(m.value),
          headers: headersOf(m.headers),
          timestamp: m.timestamp ?? now,
        };
        // KafkaProducer.ensureValidRecordSize (RecordTooLargeException, error 10).
        const size = estimateBatchSizeUpperBound(key, record.value ?? null, record.headers);
        if (size > this.config.maxRequestSize)
          throw new KafkaError(
            Errors.MESSAGE_TOO_LARGE,
            `The message is ${size} bytes when serialized which is larger than ${this.config.maxRequestSize}, the value of max.request.size`,
          );
        if (size > this.config.bufferMemory)
          throw new KafkaError(
            Errors.MESSAGE_TOO_LARGE,
            `Cannot send a message of ${size} bytes when serialized: it is larger than buffer.memory ${this.config.bufferMemory}, so no batch could ever hold it`,
          );
        let partition = m.partition;
        if (partition === undefined && this.customPartitioner !== undefined)
          partition = this.customPartitioner({
            topic: tm.topic,
            key,
            numPartitions,
            availablePartitions: available,
          });
        if (partition === undefined) {
          partition = this.partitioner.partition(tm.topic, key, numPartitions, available);
        } else if (!Number.isInteger(partition) || partition < 0 || partition >= numPartitions) {
          throw new KafkaError(
            Errors.UNKNOWN_TOPIC_OR_PARTITION,
            `Partition ${partition} of topic ${tm.topic} with partition count ${numPartitions} is not present in metadata`,
          );
        }
        out.push({ topic: tm.topic, partition, record });
      }
    }
    return out;
  }

  /** KafkaProducer.waitOnMetadata: the topic with its partitions, or fail after max.block.ms. */
  private async waitOnMetadata(name: string): Promise<TopicInfo> {
    const ctx = this.kafka.ctx;
    const deadline = ctx.now() + this.maxBlockMs;
    for (;;) {
      const topic = await this.metadata.topic(name); // refreshes when unknown, stale or old
      if (topic !== undefined && topic.partitions.length > 0) return topic;
      if (topic !== undefined && topic.errorCode === Errors.INVALID_TOPIC_EXCEPTION.code)
        throw new KafkaError(Errors.INVALID_TOPIC_EXCEPTION, `Cannot send to topic ${name}`);
      const left = deadline - ctx.now();
      if (left <= 0)
        throw new KafkaError(
          Errors.REQUEST_TIMED_OUT,
          `Topic ${name} not present in metadata after ${this.maxBlockMs} ms${topic === undefined ? "" : ` (last error ${errorForCode(topic.errorCode).name})`}`,
        );
      this.metadata.invalidate();
      await ctx.sleep(Math.min(left, this.config.retryBackoffMs));
    }
  }

  /**
   * Append every message; `done` settles with all outcomes. `waiting` is set when the append
   * had to wait for buffer.memory: it resolves once every message is appended or the call
   * failed (max.block.ms passed, the producer stopped). Messages appended before a failure
   * still go; the call then fails as "maybe written".
   */
  private append(
    prepared: readonly Prepared[],
    acks: -1 | 0 | 1,
    batch: ProducerBatchRecord,
    deadlineMs: number,
  ): {
    done: Promise<{
      metadata: RecordMetadata[];
      positions: { topic: string; partition: number; offset: number }[];
    }>;
    waiting: Promise<void> | undefined;
  } {
    let call: SendCall | undefined;
    const done = new Promise<{
      metadata: RecordMetadata[];
      positions: { topic: string; partition: number; offset: number }[];
    }>((resolve, reject) => {
      call = new SendCall(prepared, resolve, reject);
    });
    const options: AppendOptions = {
      compression: batch.compression ?? this.config.compressionType,
      acks,
      brokerTimeoutMs: batch.timeout ?? this.config.requestTimeoutMs,
    };
    const cursor: AppendCursor = {
      next: 0,
      wake: false,
      stickyTopic: undefined,
      available: [],
      numPartitions: 0,
    };
    const blockedBytes = this.appendFrom(prepared, call!, options, cursor, 0);
    if (blockedBytes === undefined) {
      if (cursor.wake) this.sender.wakeup();
      return { done, waiting: undefined };
    }
    return {
      done,
      waiting: this.appendAfterMemory(prepared, call!, options, cursor, blockedBytes, deadlineMs),
    };
  }

  /**
   * Append from `cursor.next` on; returns undefined when every message is appended, or the
   * bytes a new batch needs when buffer.memory has no room for them now.
   */
  private appendFrom(
    prepared: readonly Prepared[],
    call: SendCall,
    options: AppendOptions,
    cursor: AppendCursor,
    reservedBytes: number,
  ): number | undefined {
    const now = this.kafka.ctx.now();
    let reserved = reservedBytes;
    for (; cursor.next < prepared.length; cursor.next++) {
      const i = cursor.next;
      const p = prepared[i]!;
      const r = this.accumulator.append(p.topic, p.partition, p.record, call, i, options, now, reserved);
      if (r.batch === undefined) return r.blockedBytes;
      reserved = 0;
      if (r.newBatchCreated || r.batch.isFull()) cursor.wake = true;
      if (p.record.key === null || this.config.partitionerIgnoreKeys) {
        if (cursor.stickyTopic !== p.topic) {
          cursor.stickyTopic = p.topic;
          const topic = this.metadata.cached(p.topic);
          cursor.numPartitions = topic?.partitions.length ?? 0;
          cursor.available =
            topic?.partitions.filter((x) => x.leaderNode !== undefined).map((x) => x.partition) ?? [];
        }
        this.partitioner.onAppend(
          p.topic,
          p.partition,
          r.appendedBytes,
          r.allBatchesFull,
          cursor.numPartitions,
          cursor.available,
        );
      }
    }
    return undefined;
  }

  /**
   * The rest of a call's append once buffer.memory is spent: wait for memory (BufferPool,
   * first come first served) up to the call's max.block.ms deadline, append, repeat.
   */
  private async appendAfterMemory(
    prepared: readonly Prepared[],
    call: SendCall,
    options: AppendOptions,
    cursor: AppendCursor,
    firstBlockedBytes: number,
    deadlineMs: number,
  ): Promise<void> {
    const ctx = this.kafka.ctx;
    const pool = this.accumulator.pool;
    this.appendsBlocked++;
    try {
      let needBytes: number | undefined = firstBlockedBytes;
      while (needBytes !== undefined) {
        // What is queued must go for memory to come back.
        if (cursor.wake) this.sender.wakeup();
        cursor.wake = false;
        ctx.trace("producer.bufferWait", { bytes: needBytes, availableBytes: pool.availableBytes });
        try {
          await pool.allocate(needBytes, deadlineMs - ctx.now());
        } catch (e) {
          const error = e instanceof KafkaError ? e : new KafkaError(Errors.UNKNOWN_SERVER_ERROR, String(e));
          call.abandon(error, cursor.next > 0);
          return;
        }
        const fatal = this.sender.fatalError;
        if (fatal !== undefined) {
          pool.deallocate(needBytes);
          call.abandon(
            new KafkaError(errorForCode(fatal.code), `Cannot send: the producer stopped (${fatal.message})`),
            cursor.next > 0,
          );
          return;
        }
        needBytes = this.appendFrom(prepared, call, options, cursor, needBytes);
      }
      if (cursor.wake) this.sender.wakeup();
    } finally {
      this.appendsBlocked--;
    }
  }

  /** InitProducerId to any broker, retried with backoff up to max.block.ms. Resolves false on timeout. */
  private initProducerId(): Promise<boolean> {
    this.initPromise ??= this.doInitProducerId().finally(() => {
      this.initPromise = undefined;
    });
    return this.initPromise;
  }

  private async doInitProducerId(): Promise<boolean> {
    const ctx = this.kafka.ctx;
    const idem = this.idempotence!;
    const deadline = ctx.now() + this.maxBlockMs;
    let attempt = 0;
    while (ctx.now() < deadline) {
      const nodes = this.metadata.knownNodes();
      const node = nodes[this.nextInitNode++ % nodes.length]!;
      const body: InitProducerIdRequest = {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: -1,
        producerEpoch: -1,
      };
      try {
        const res = await this.kafka.network.request<InitProducerIdResponse>(node, "InitProducerId", body, {
          timeoutMs: this.config.requestTimeoutMs,
        });
        const error = errorForCode(res.errorCode);
        if (error === Errors.NONE) {
          idem.setProducerIdAndEpoch(res.producerId, res.producerEpoch);
          ctx.trace("producer.init", { producerId: res.producerId, producerEpoch: res.producerEpoch, node });
          return true;
        }
        if (!error.retriable && error !== Errors.COORDINATOR_LOAD_IN_PROGRESS)
          throw new KafkaError(error, `InitProducerId refused by ${node}`);
      } catch (e) {
        if (e instanceof KafkaError) throw e;
        // Timed out: try another broker.
      }
      attempt++;
      await ctx.sleep(
        Math.min(this.config.retryBackoffMaxMs, this.config.retryBackoffMs * 2 ** Math.min(attempt, 10)),
      );
    }
    return false;
  }
}
