/**
 * The sender (Kafka's Sender, the producer's I/O loop): takes ready batches from the
 * accumulator, groups them per leader into Produce requests, keeps at most
 * max.in.flight.requests.per.connection unanswered requests per broker, and completes, retries
 * or fails each batch from its partition's answer.
 *
 * One pass (`runOnce`, Sender.sendProducerData), run whenever something may have changed (a
 * record appended, a response, a timer for linger / backoff / delivery timeout):
 * 1. idempotent producer: settle unresolved sequences, apply a pending epoch bump, and obtain a
 *    producer id (InitProducerId) before producing;
 * 2. ask the accumulator which leaders are ready; unknown leaders → metadata refresh;
 * 3. skip brokers with a full in-flight window, drain the rest (one batch per partition);
 * 4. expire batches past delivery.timeout.ms, queued or in flight (TimeoutException);
 * 5. send the requests; schedule the next pass.
 *
 * Outcomes per batch (Sender.completeBatch): NONE → done; MESSAGE_TOO_LARGE for a batch of
 * several records → split into smaller batches put back at the front of the queue, not counted
 * as a retry (accumulator.ts; one record too large fails with MESSAGE_TOO_LARGE, Kafka's
 * RecordTooLargeException); DUPLICATE_SEQUENCE_NUMBER → done without an offset; a retriable error (or, idempotent, the cases of idempotence.ts) while
 * attempts < retries and before the delivery timeout → back to the accumulator after an
 * exponential backoff (retry.backoff.ms × 2^(attempts−1), capped at retry.backoff.max.ms,
 * ±20% jitter: KIP-580); anything else → failed with Kafka's error name. Errors meaning stale
 * metadata (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, ...)
 * refresh the metadata.
 *
 * Connections: answers from one broker are handled in request order (an answer is held until
 * the earlier ones arrived), as on Kafka's TCP connections, where the broker also reads one
 * request per connection at a time. A request with no answer within request.timeout.ms ends as
 * in Java: the connection is closed, so every request in flight to that broker fails
 * (REQUEST_TIMED_OUT for the one that timed out, NETWORK_EXCEPTION for the others, held answers
 * included) and their batches are retried; answers that arrive later are ignored. Without
 * idempotence such a retry can write a batch twice (the first attempt was written, only its
 * answer was lost) and, with several requests in flight, land it after a later batch
 * (retries go back to the front of the queue one by one): duplicates and reordering, as in
 * Kafka. The simulated network loses single messages; holding answers in order is what makes
 * a lost answer behave like a broken TCP connection.
 *
 * Departure from Kafka: the sender is not a thread but a callback loop on the client's timers.
 */
import { Errors, KafkaError, errorForCode, type ErrorInfo } from "../protocol/errors";
import type { ProducePartitionResponse, ProduceRequest, ProduceResponse } from "../protocol/messages";
import type { ClientContext, NodeId, TimerId } from "../sim/process";
import { type RecordAccumulator, type LeaderLookup } from "./accumulator";
import type { ClientMetadata } from "./client-metadata";
import type { IdempotenceManager } from "./idempotence";
import { DisconnectError, type NetworkClient } from "./network-client";
import { errorMayFollowAppend, type ProducerBatch } from "./producer-batch";
import type { ResolvedProducerConfig } from "./producer-config";

/** Errors after which Kafka refreshes metadata (InvalidMetadataException subclasses). */
const METADATA_ERRORS: ReadonlySet<ErrorInfo> = new Set([
  Errors.NOT_LEADER_OR_FOLLOWER,
  Errors.UNKNOWN_TOPIC_OR_PARTITION,
  Errors.LEADER_NOT_AVAILABLE,
  Errors.FENCED_LEADER_EPOCH,
  Errors.UNKNOWN_LEADER_EPOCH,
  Errors.KAFKA_STORAGE_ERROR,
  Errors.NETWORK_EXCEPTION,
  Errors.REQUEST_TIMED_OUT,
]);

interface InFlightRequest {
  node: NodeId;
  batches: ProducerBatch[];
  settled: boolean;
  /** The answer, held until every earlier request on the connection has its answer. */
  response: ProduceResponse | undefined;
}

export interface SenderStats {
  requestsSent: number;
  batchesSent: number;
  retries: number;
  requestTimeouts: number;
  /** Produce requests failed by a disconnect (the broker's process ended, or none listened). */
  disconnects: number;
  /** Batches split after MESSAGE_TOO_LARGE (Kafka's batch-split-rate sensor, as a count). */
  batchSplits: number;
}

export class Sender {
  readonly stats: SenderStats = {
    requestsSent: 0,
    batchesSent: 0,
    retries: 0,
    requestTimeouts: 0,
    disconnects: 0,
    batchSplits: 0,
  };
  /** Per broker, the Produce requests in flight on its "connection", in send order. */
  private readonly inFlight = new Map<NodeId, Set<InFlightRequest>>();
  /** Every batch drained and not yet answered, for in-flight expiry. */
  private readonly inFlightBatches = new Set<ProducerBatch>();
  private timer: TimerId | undefined;
  private timerDueMs = Infinity;
  private metadataRefreshing = false;
  private initInProgress = false;
  private fatal: KafkaError | undefined;
  private readonly guaranteeMessageOrder: boolean;
  readonly leaderOf: LeaderLookup;

  constructor(
    private readonly ctx: ClientContext,
    private readonly net: NetworkClient,
    private readonly metadata: ClientMetadata,
    private readonly accumulator: RecordAccumulator,
    private readonly idempotence: IdempotenceManager | undefined,
    private readonly config: ResolvedProducerConfig,
    /** Obtains a producer id (InitProducerId); resolves true on success. */
    private readonly initProducerId: () => Promise<boolean>,
  ) {
    this.guaranteeMessageOrder = config.maxInFlightRequestsPerConnection === 1;
    this.leaderOf = (topic, partition) => {
      const t = this.metadata.cached(topic);
      return t?.partitions[partition]?.leaderNode;
    };
  }

  /** The error that stopped the producer (e.g. InitProducerId refused), if any. */
  get fatalError(): KafkaError | undefined {
    return this.fatal;
  }

  /** Unanswered Produce requests to a broker. */
  inFlightCount(node: NodeId): number {
    return this.inFlight.get(node)?.size ?? 0;
  }

  /** A snapshot for debugging and labs: queues, requests in flight, sequences, leaders. */
  describe(): Record<string, unknown> {
    const inFlight: Record<string, string[]> = {};
    for (const [node, set] of this.inFlight)
      inFlight[node] = [...set].map((r) => r.batches.map((b) => b.toString()).join(", "));
    return {
      now: this.ctx.now(),
      timerDueMs: this.timerDueMs,
      queues: this.accumulator.describe(),
      inFlight,
      inFlightBatches: [...this.inFlightBatches].map((b) => b.toString()),
      idempotence: this.idempotence?.describe(),
      metadataRefreshing: this.metadataRefreshing,
      initInProgress: this.initInProgress,
    };
  }

  /** Run a pass soon (at the current virtual time). */
  wakeup(): void {
    this.scheduleIn(0);
  }

  private scheduleIn(delayMs: number): void {
    if (!this.ctx.alive) return;
    const due = this.ctx.now() + Math.max(0, delayMs);
    if (this.timer !== undefined && this.timerDueMs <= due) return;
    if (this.timer !== undefined) this.ctx.cancelTimer(this.timer);
    this.timerDueMs = due;
    this.timer = this.ctx.setTimer(Math.max(0, delayMs), () => {
      this.timer = undefined;
      this.timerDueMs = Infinity;
      this.runOnce();
    });
  }

  /** Stop: fail every incomplete batch with `error` (forced close, or a fatal producer error). */
  abort(error: KafkaError): void {
    this.fatal ??= error;
    for (const b of this.accumulator.abandonQueued()) this.finish(b, () => b.fail(error));
    for (const b of [...this.inFlightBatches]) {
      this.inFlightBatches.delete(b);
      this.finish(b, () => b.fail(error));
    }
    if (this.timer !== undefined) this.ctx.cancelTimer(this.timer);
    this.timer = undefined;
  }

  /** One pass of the loop (see the file header). */
  runOnce(): void {
    if (this.fatal !== undefined || !this.ctx.alive) return;
    const now = this.ctx.now();
    const idem = this.idempotence;
    if (idem !== undefined) {
      idem.maybeResolveSequences();
      if (idem.bumpEpochIfNeeded()) {
        this.startInitProducerId();
        this.expire(now);
        this.scheduleNextExpiry(now);
        return;
      }
    }
    const ready = this.accumulator.ready(now, this.leaderOf);
    if (ready.unknownLeaderTopics.size > 0) this.refreshMetadata();
    let nextDelayMs = ready.nextReadyCheckDelayMs;
    for (const node of ready.readyNodes) {
      if (this.inFlightCount(node) >= this.config.maxInFlightRequestsPerConnection) continue;
      // Java's Sender skips a node that is not `ready` (reconnect backoff after a disconnect):
      // its batches stay queued, in sequence order, until the node or a new leader is ready.
      const connectionDelayMs = this.net.connectionDelayMs(node);
      if (connectionDelayMs > 0) {
        nextDelayMs = Math.min(nextDelayMs, connectionDelayMs);
        continue;
      }
      const batches = this.accumulator.drain(node, this.leaderOf, this.config.maxRequestSize, now, idem);
      if (batches.length === 0) continue;
      if (this.guaranteeMessageOrder) for (const b of batches) this.accumulator.mute(b.tpKey);
      this.sendProduceRequest(node, batches, now);
      // One request per broker per pass (as Java's Sender); look again at once for more.
      nextDelayMs = 0;
    }
    this.expire(now);
    if (ready.unknownLeaderTopics.size > 0) nextDelayMs = Math.min(nextDelayMs, this.config.retryBackoffMs);
    if (nextDelayMs < Infinity) this.scheduleIn(Math.ceil(nextDelayMs));
    this.scheduleNextExpiry(now);
  }

  private scheduleNextExpiry(now: number): void {
    let earliest = this.accumulator.earliestQueuedCreatedMs();
    for (const b of this.inFlightBatches) if (b.createdMs < earliest) earliest = b.createdMs;
    // Whole milliseconds, at least 1: virtual time is fractional, and a timer that fires a
    // rounding error before the deadline would find nothing to expire and loop.
    if (earliest < Infinity)
      this.scheduleIn(Math.max(1, Math.ceil(earliest + this.config.deliveryTimeoutMs - now)));
  }

  private startInitProducerId(): void {
    if (this.initInProgress) return;
    this.initInProgress = true;
    this.initProducerId().then(
      (ok) => {
        this.initInProgress = false;
        if (ok) this.wakeup();
      },
      (e: unknown) => {
        this.initInProgress = false;
        this.abort(e instanceof KafkaError ? e : new KafkaError(Errors.UNKNOWN_SERVER_ERROR, String(e)));
      },
    );
  }

  private refreshMetadata(): void {
    if (this.metadataRefreshing) return;
    this.metadataRefreshing = true;
    this.metadata.invalidate();
    this.metadata.refresh().then(
      () => {
        this.metadataRefreshing = false;
        this.wakeup();
      },
      () => {
        this.metadataRefreshing = false;
        this.wakeup();
      },
    );
  }

  // ---- requests ---------------------------------------------------------------------------------

  private sendProduceRequest(node: NodeId, batches: ProducerBatch[], now: number): void {
    const acks = batches[0]!.options.acks;
    const byTopic = new Map<string, { index: number; records: Uint8Array }[]>();
    let brokerTimeoutMs = 0;
    for (const b of batches) {
      let list = byTopic.get(b.topic);
      if (list === undefined) byTopic.set(b.topic, (list = []));
      list.push({ index: b.partition, records: b.bytes() });
      b.attempts++;
      b.lastAttemptMs = now;
      this.inFlightBatches.add(b);
      brokerTimeoutMs = Math.max(brokerTimeoutMs, b.options.brokerTimeoutMs);
    }
    const body: ProduceRequest = {
      transactionalId: null,
      acks,
      timeoutMs: brokerTimeoutMs,
      topicData: [...byTopic].map(([name, partitionData]) => ({ name, partitionData })),
    };
    const req: InFlightRequest = { node, batches, settled: false, response: undefined };
    this.stats.requestsSent++;
    this.stats.batchesSent += batches.length;
    if (acks === 0) {
      // No response will come (acks=0): the batches are "done" once handed to the network.
      void this.net.request(node, "Produce", body, { expectResponse: false });
      for (const b of batches) this.handlePartition(b, undefined, req, now);
      return;
    }
    let set = this.inFlight.get(node);
    if (set === undefined) this.inFlight.set(node, (set = new Set()));
    set.add(req);
    this.net
      .request<ProduceResponse>(node, "Produce", body, { timeoutMs: this.config.requestTimeoutMs })
      .then(
        (res) => this.onResponse(req, res),
        (e: unknown) => this.onFailure(req, e instanceof DisconnectError),
      );
  }

  /**
   * An answer arrived. Kafka's answers on one connection come in request order (TCP, and the
   * broker reads one request per connection at a time), so an answer is held until every
   * earlier request on the connection has its own; if one of those never comes, the
   * connection closes and the held answers are lost with it, as they would be on a broken
   * TCP connection.
   */
  private onResponse(req: InFlightRequest, res: ProduceResponse): void {
    if (req.settled) return; // the connection was closed meanwhile: Java never sees this answer
    req.response = res;
    const queue = this.inFlight.get(req.node);
    if (queue === undefined) return;
    for (const head of queue) {
      if (head.response === undefined) break;
      this.settle(head);
      this.complete(head, head.response);
    }
    this.wakeup();
  }

  private complete(req: InFlightRequest, res: ProduceResponse): void {
    const now = this.ctx.now();
    const byPartition = new Map<string, ProducePartitionResponse>();
    for (const t of res.responses ?? [])
      for (const p of t.partitionResponses ?? []) byPartition.set(`${t.name}-${p.index}`, p);
    for (const b of req.batches) this.handlePartition(b, byPartition.get(b.tpKey) ?? missing(b), req, now);
  }

  /**
   * No answer in time, or the connection failed (`disconnected`: Kafka's DisconnectException):
   * close the "connection", failing every request in flight to that broker, including those
   * whose (held) answers arrived after the missing one. Both errors are retriable; the batches
   * may have been written (for a refused request they were not, but Kafka cannot tell either).
   */
  private onFailure(req: InFlightRequest, disconnected: boolean): void {
    if (req.settled) return;
    if (disconnected) this.stats.disconnects++;
    else this.stats.requestTimeouts++;
    this.ctx.trace(disconnected ? "producer.disconnect" : "producer.requestTimeout", {
      node: req.node,
      inFlight: this.inFlightCount(req.node),
    });
    const now = this.ctx.now();
    const all = [...(this.inFlight.get(req.node) ?? [])];
    for (const r of all) {
      this.settle(r);
      const error = r === req && !disconnected ? Errors.REQUEST_TIMED_OUT : Errors.NETWORK_EXCEPTION;
      for (const b of r.batches) {
        b.maybeWritten = true;
        this.handlePartition(b, failedResponse(b, error), r, now);
      }
    }
    this.refreshMetadata();
    this.wakeup();
  }

  private settle(req: InFlightRequest): void {
    req.settled = true;
    this.inFlight.get(req.node)?.delete(req);
  }

  // ---- per-batch outcome --------------------------------------------------------------------------

  /** Sender.completeBatch for one partition's answer (`undefined` for acks=0). */
  private handlePartition(
    batch: ProducerBatch,
    response: ProducePartitionResponse | undefined,
    req: InFlightRequest,
    now: number,
  ): void {
    this.inFlightBatches.delete(batch);
    if (this.guaranteeMessageOrder) this.accumulator.unmute(batch.tpKey);
    if (batch.done) {
      // Expired (or aborted) while in flight: the idempotent producer still learns the outcome.
      if (response !== undefined && response.errorCode === 0)
        this.idempotence?.handleCompletedBatch(batch, response.baseOffset);
      return;
    }
    if (response === undefined) {
      batch.maybeWritten = true;
      this.finish(batch, () => batch.complete(-1, -1, -1));
      return;
    }
    const error = errorForCode(response.errorCode);
    if (error === Errors.NONE) {
      this.idempotence?.handleCompletedBatch(batch, response.baseOffset);
      this.finish(batch, () =>
        batch.complete(response.baseOffset, response.logAppendTimeMs, response.logStartOffset),
      );
      return;
    }
    if (error === Errors.MESSAGE_TOO_LARGE && batch.recordCount > 1) {
      // Sender.completeBatch: split and resend, without spending a retry.
      const parts = this.accumulator.splitAndReenqueue(batch, this.idempotence);
      this.stats.batchSplits++;
      this.ctx.trace("producer.batchSplit", {
        batch: batch.toString(),
        into: parts.map((b) => b.recordCount),
        node: req.node,
      });
      return;
    }
    if (errorMayFollowAppend(error, batch.options.acks)) batch.maybeWritten = true;
    if (METADATA_ERRORS.has(error)) this.refreshMetadata();
    if (this.canRetry(batch, error, response.logStartOffset, now)) {
      this.stats.retries++;
      this.ctx.trace("producer.retry", {
        batch: batch.toString(),
        error: error.name,
        attempt: batch.attempts,
        node: req.node,
      });
      this.accumulator.reenqueue(batch, now, this.backoffMs(batch.attempts));
      return;
    }
    if (error === Errors.DUPLICATE_SEQUENCE_NUMBER) {
      // The broker has moved past this sequence but no longer knows the batch's offset.
      this.idempotence?.handleCompletedBatch(batch, -1);
      this.finish(batch, () => batch.complete(-1, -1, -1));
      return;
    }
    const detail =
      `${response.errorMessage ?? error.message} (batch ${batch.toString()}, attempt ${batch.attempts}` +
      `${req.node ? ` to ${req.node}` : ""})`;
    this.ctx.trace("producer.batchFailed", {
      batch: batch.toString(),
      error: error.name,
      attempt: batch.attempts,
    });
    this.idempotence?.handleFailedBatch(batch, error, batch.attempts < this.config.retries);
    this.finish(batch, () => batch.fail(new KafkaError(error, detail)));
  }

  private canRetry(batch: ProducerBatch, error: ErrorInfo, logStartOffset: number, now: number): boolean {
    if (batch.hasReachedDeliveryTimeout(this.config.deliveryTimeoutMs, now)) return false;
    if (batch.attempts >= this.config.retries + 1) return false;
    if (this.idempotence !== undefined) return this.idempotence.canRetry(error, logStartOffset, batch);
    return error.retriable;
  }

  /** KIP-580: retry.backoff.ms × 2^(attempts−1), capped at retry.backoff.max.ms, ±20% jitter. */
  private backoffMs(attempts: number): number {
    const base = this.config.retryBackoffMs;
    const max = Math.max(this.config.retryBackoffMaxMs, base);
    const exp = Math.min(max, base * 2 ** Math.max(0, attempts - 1));
    const jitter = 1 + (this.ctx.rng.next() * 0.4 - 0.2);
    return Math.min(max, Math.round(exp * jitter));
  }

  /** Fail batches past delivery.timeout.ms, queued or in flight (Sender.failExpiredBatches). */
  private expire(now: number): void {
    const timeout = this.config.deliveryTimeoutMs;
    const expired = this.accumulator.expiredBatches(now);
    for (const b of this.inFlightBatches) {
      if (b.hasReachedDeliveryTimeout(timeout, now)) expired.push(b);
    }
    for (const b of expired) {
      const wasInFlight = this.inFlightBatches.delete(b);
      if (wasInFlight || b.inRetry) b.maybeWritten = true;
      if (this.idempotence !== undefined && b.hasSequence && (wasInFlight || b.inRetry))
        this.idempotence.markSequenceUnresolved(b);
      else if (this.idempotence !== undefined && b.hasSequence)
        this.idempotence.handleFailedBatch(b, undefined, false);
      const err = new KafkaError(
        Errors.REQUEST_TIMED_OUT,
        `Expiring ${b.recordCount} record(s) for ${b.tpKey}: ${now - b.createdMs} ms has passed since batch creation (delivery.timeout.ms ${timeout})`,
      );
      this.finish(b, () => b.fail(err));
    }
  }

  private finish(batch: ProducerBatch, complete: () => boolean): void {
    complete();
    this.accumulator.completed(batch);
  }
}

function failedResponse(b: ProducerBatch, error: ErrorInfo): ProducePartitionResponse {
  return {
    index: b.partition,
    errorCode: error.code,
    baseOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: -1,
    errorMessage: null,
  };
}

function missing(b: ProducerBatch): ProducePartitionResponse {
  return {
    ...failedResponse(b, Errors.UNKNOWN_SERVER_ERROR),
    errorMessage: `The Produce response did not mention ${b.tpKey}`,
  };
}
