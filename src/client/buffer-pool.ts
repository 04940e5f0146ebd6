/**
 * The producer's memory budget (Kafka's BufferPool, buffer.memory): every batch the accumulator
 * creates reserves max(batch.size, its first record's upper-bound size) bytes, and gives them
 * back when the batch reaches its final outcome (RecordAccumulator.deallocate). When the budget
 * is spent, `send()` waits — in virtual time, on the client's timers — until enough is given
 * back, and fails with a timeout after what is left of max.block.ms
 * (BufferExhaustedException, a TimeoutException: REQUEST_TIMED_OUT here).
 *
 * Invariants: 0 ≤ availableBytes ≤ totalBytes; waiters are served strictly first come, first
 * served (a new request never overtakes a waiting one), as Kafka's pool, where the first waiter
 * takes every byte freed until it has enough; `waiters` is bounded by the number of sends that
 * can be blocked at once (one per producer, the accumulator's appends are serialized).
 *
 * Departures from Kafka: bytes are counted, not allocated (memory is the JS heap), so there is
 * no free list of batch.size buffers; and allocating more than `totalBytes` is refused by the
 * caller beforehand (the producer checks each record against buffer.memory).
 */
import { Errors, KafkaError } from "../protocol/errors";
import type { ClientContext, TimerId } from "../sim/process";

interface Waiter {
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (e: KafkaError) => void;
  timer: TimerId | undefined;
}

export type PoolClock = Pick<ClientContext, "now" | "setTimer" | "cancelTimer">;

export class BufferPool {
  private available: number;
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(
    private readonly clock: PoolClock,
    /** buffer.memory. */
    readonly totalBytes: number,
    /** batch.size, for error messages (Kafka's "poolable size"). */
    readonly poolableSizeBytes: number,
  ) {
    if (!Number.isSafeInteger(totalBytes) || totalBytes < 0)
      throw new RangeError(`Cannot create a buffer pool of ${totalBytes} bytes`);
    this.available = totalBytes;
  }

  /** Bytes not reserved by any batch. */
  get availableBytes(): number {
    return this.available;
  }

  /** Sends waiting for memory. */
  get queuedWaiters(): number {
    return this.waiters.length;
  }

  /** Reserve `bytes` now if nobody waits and they are free; false otherwise (nothing changes). */
  tryAllocate(bytes: number): boolean {
    this.checkSize(bytes);
    if (this.closed || this.waiters.length > 0 || this.available < bytes) return false;
    this.available -= bytes;
    return true;
  }

  /**
   * Reserve `bytes`, waiting up to `maxTimeToBlockMs` of virtual time behind earlier waiters.
   * Rejects with REQUEST_TIMED_OUT when the time runs out, or when the pool is closed.
   */
  allocate(bytes: number, maxTimeToBlockMs: number): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    if (this.tryAllocate(bytes)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { bytes, resolve, reject, timer: undefined };
      this.waiters.push(waiter);
      const waitMs = Math.max(0, maxTimeToBlockMs);
      waiter.timer = this.clock.setTimer(waitMs, () => {
        waiter.timer = undefined;
        const i = this.waiters.indexOf(waiter);
        if (i < 0) return; // served in the same instant
        this.waiters.splice(i, 1);
        reject(
          new KafkaError(
            Errors.REQUEST_TIMED_OUT,
            `Cannot allocate ${bytes} bytes for a new batch within max.block.ms (${waitMs} ms left of it): ` +
              `buffer.memory is ${this.totalBytes} bytes, ${this.available} of them free (batch.size ${this.poolableSizeBytes})`,
          ),
        );
        // The head may have left: the next waiter may fit now.
        this.serveWaiters();
      });
    });
  }

  /** Give back bytes reserved by `allocate`/`tryAllocate` (a batch completed or was split). */
  deallocate(bytes: number): void {
    if (bytes === 0) return;
    this.checkSize(bytes);
    this.available += bytes;
    if (this.available > this.totalBytes)
      throw new Error(
        `Cannot deallocate ${bytes} bytes: the pool would hold ${this.available} of ${this.totalBytes} (a batch was freed twice)`,
      );
    this.serveWaiters();
  }

  /** The producer is closed: every waiter fails (Kafka: "Producer closed while allocating memory"). */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) {
      if (w.timer !== undefined) this.clock.cancelTimer(w.timer);
      w.reject(closedError());
    }
  }

  private serveWaiters(): void {
    for (;;) {
      const head = this.waiters[0];
      if (head === undefined || head.bytes > this.available) return;
      this.waiters.shift();
      this.available -= head.bytes;
      if (head.timer !== undefined) this.clock.cancelTimer(head.timer);
      head.timer = undefined;
      head.resolve();
    }
  }

  private checkSize(bytes: number): void {
    if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > this.totalBytes)
      throw new RangeError(
        `Cannot allocate ${bytes} bytes from a buffer pool of ${this.totalBytes} bytes (buffer.memory)`,
      );
  }
}

function closedError(): KafkaError {
  return new KafkaError(
    Errors.UNKNOWN_SERVER_ERROR,
    "Cannot allocate memory for a new batch: the producer was closed while the send waited",
  );
}
