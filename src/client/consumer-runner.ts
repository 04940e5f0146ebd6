/**
 * consumer.run() (KafkaJS's Runner over Java-style poll): a background task that polls, splits
 * the records into per-partition batches, and hands them to eachBatch or, one by one in offset
 * order, to eachMessage, awaiting each before the next poll. Because processing finishes before
 * the next poll, auto-commit inside poll is at-least-once here.
 *
 * - partitionsConsumedConcurrently > 1 processes several partitions' batches at once (order is
 *   kept within a partition).
 * - A handler that throws: the partition is sought back to the failed record (eachBatch: after
 *   the last resolved offset), `onError` is told, and consumption retries after retry.backoff.ms.
 * - Stopping (stop(), disconnect()) or losing the partition in a rebalance mid-batch: records of
 *   the batch that were not processed are not skipped — the position is sought back to the
 *   first unprocessed record if the partition is still ours.
 * - A poll that throws (a failed rebalance callback, an offset out of range with
 *   auto.offset.reset=none) is reported to `onError` and the loop goes on; fatal errors
 *   (FENCED_INSTANCE_ID, an inconsistent protocol, a bad config) end the loop.
 */
import { KafkaError } from "../protocol/errors";
import type { Consumer } from "./consumer";
import type { Batch, ConsumerRecord, RunConfig, TopicPartition } from "./consumer-types";

const FATAL_ERRORS = new Set([
  "FENCED_INSTANCE_ID",
  "INCONSISTENT_GROUP_PROTOCOL",
  "INVALID_SESSION_TIMEOUT",
  "INVALID_GROUP_ID",
  "GROUP_AUTHORIZATION_FAILED",
]);

export class ConsumerRunner {
  running = false;
  private done: Promise<void> | undefined;
  private resolveDone: (() => void) | undefined;
  error: unknown;

  constructor(
    private readonly consumer: Consumer,
    private readonly config: RunConfig,
  ) {}

  start(): void {
    this.running = true;
    this.done = new Promise<void>((resolve) => (this.resolveDone = resolve));
    this.consumer.ctx.spawn(`run-${this.consumer.clientId}`, async () => {
      try {
        await this.loop();
      } finally {
        this.running = false;
        this.resolveDone?.();
      }
    });
  }

  /** Ask the loop to stop and wait until the batch in progress is done. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.done;
  }

  private async loop(): Promise<void> {
    const c = this.consumer;
    while (this.running && !c.isClosed && c.ctx.alive) {
      let records: ConsumerRecord[];
      try {
        records = await c.poll();
      } catch (e) {
        this.config.onError?.(e, { topic: "", partition: -1 });
        c.ctx.trace("consumer.runPollError", {
          client: c.clientId,
          error: e instanceof Error ? e.message : String(e),
        });
        if (e instanceof KafkaError && FATAL_ERRORS.has(e.type)) {
          this.error = e;
          return;
        }
        await c.ctx.sleep(c.config.retryBackoffMs);
        continue;
      }
      if (records.length === 0) continue;
      await this.processAll(records);
    }
  }

  private async processAll(records: ConsumerRecord[]): Promise<void> {
    const byPartition = new Map<string, ConsumerRecord[]>();
    for (const r of records) {
      const k = `${r.topic}\u0000${r.partition}`;
      let list = byPartition.get(k);
      if (!list) byPartition.set(k, (list = []));
      list.push(r);
    }
    const batches = [...byPartition.values()];
    const limit = Math.max(1, this.config.partitionsConsumedConcurrently ?? 1);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        await this.processBatch(batch);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, batches.length) }, worker));
  }

  private async processBatch(messages: ConsumerRecord[]): Promise<void> {
    const c = this.consumer;
    const first = messages[0]!;
    const tp: TopicPartition = { topic: first.topic, partition: first.partition };
    const endPosition = messages[messages.length - 1]!.offset + 1;
    // Stale once the position no longer follows this batch (seek, revocation, reset).
    const isStale = (): boolean => !c.positionIs(tp, endPosition);
    const pause = (): (() => void) => {
      c.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
      return () => c.resume([{ topic: tp.topic, partitions: [tp.partition] }]);
    };
    const heartbeat = (): Promise<void> => Promise.resolve();
    let processedUpTo = first.offset; // first offset not yet processed
    try {
      if (this.config.eachBatch) {
        const batch: Batch = {
          topic: tp.topic,
          partition: tp.partition,
          highWatermark: -1,
          messages,
          isEmpty: () => messages.length === 0,
          firstOffset: () => first.offset,
          lastOffset: () => endPosition - 1,
        };
        let resolved = -1;
        try {
          await this.config.eachBatch({
            batch,
            resolveOffset: (o) => (resolved = Math.max(resolved, o)),
            heartbeat,
            pause,
            commitOffsetsIfNecessary: () => c.commitIfDue(),
            isRunning: () => this.running,
            isStale,
          });
          processedUpTo = endPosition;
        } catch (e) {
          processedUpTo = resolved >= 0 ? resolved + 1 : first.offset;
          throw e;
        }
      } else {
        for (const message of messages) {
          if (!this.running || isStale()) break;
          await this.config.eachMessage!({
            topic: tp.topic,
            partition: tp.partition,
            message,
            heartbeat,
            pause,
          });
          processedUpTo = message.offset + 1;
        }
      }
    } catch (e) {
      this.config.onError?.(e, tp);
      c.ctx.trace("consumer.handlerError", {
        client: c.clientId,
        tp: `${tp.topic}-${tp.partition}`,
        offset: processedUpTo,
        error: e instanceof Error ? e.message : String(e),
      });
      if (!isStale()) c.rewind(tp, processedUpTo);
      await c.ctx.sleep(c.config.retryBackoffMs);
      return;
    }
    // Not everything processed (stopped, or the batch went stale): do not skip the rest.
    if (processedUpTo < endPosition && !isStale()) c.rewind(tp, processedUpTo);
  }
}
