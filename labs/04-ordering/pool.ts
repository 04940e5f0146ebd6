/**
 * Lab 04: what the learner's worker pool is given and must provide. The fulfilment consumer's
 * poll loop (scenario.ts) hands every polled record of `orders` to the pool with `submit`, and
 * every half second commits the offsets the pool reports as safe (`committable`). The pool runs
 * the order events through the application's handler on at most `workers` worker tasks (threads
 * of the consumer process), each event taking 20–60 ms of simulated time.
 *
 * `BoundedQueue` is the blocking queue the pool may build on (Java's ArrayBlockingQueue): `put`
 * waits while the queue is full, `take` waits while it is empty, both first come, first served.
 * It is plain promises, so it costs no simulated time. Browser-safe.
 */

/** The events of one order, in the order they happen. */
export const ORDER_EVENT_KINDS = ["created", "paid", "shipped"] as const;
export type OrderEventKind = (typeof ORDER_EVENT_KINDS)[number];

/** One record of `orders`: an order event, keyed by the order id. */
export interface OrderEvent {
  topic: string;
  partition: number;
  /** The record's offset in its partition. */
  offset: number;
  /** The record key: the order id ("order-0042"). Every event of one order has the same key. */
  orderId: string;
  kind: OrderEventKind;
  /** The record value ("order-0042:paid"); unique in a run. */
  value: string;
}

/** A partition's offset to commit: the NEXT offset to read (last fully handled + 1). */
export interface CommitPosition {
  topic: string;
  partition: number;
  offset: number;
}

/** A blocking queue of bounded capacity (first come, first served on both ends). */
export interface BlockingQueue<T> {
  readonly capacity: number;
  /** Items waiting in the queue. */
  readonly size: number;
  /** Add an item; waits while the queue is full. */
  put(item: T): Promise<void>;
  /** Remove the oldest item; waits while the queue is empty. */
  take(): Promise<T>;
}

/** What the consumer process gives the pool (one set per process incarnation). */
export interface PoolServices {
  /** How many worker tasks the pool may start (the service's thread budget). */
  readonly workers: number;
  /**
   * The application's handler: applies one order event (marks the order created, charges it,
   * ships it). Takes 20–60 ms of simulated time, different each call. Never throws.
   */
  handle(event: OrderEvent): Promise<void>;
  /** Starts a worker task in the consumer process; at most `workers` of them. */
  startWorker(name: string, task: () => Promise<void>): void;
  /** A new blocking queue holding at most `capacity` items. */
  queue<T>(capacity: number): BlockingQueue<T>;
}

/** The learner's pool. */
export interface WorkerPool {
  /**
   * Hand one polled record to the pool. The poll loop awaits it before the next record, so a
   * pool that waits here (a full queue) slows polling down: back-pressure.
   */
  submit(event: OrderEvent): Promise<void>;
  /**
   * For each partition the pool has seen, the offset to commit now: every record below it must
   * have been fully handled, or a crash right after the commit loses it.
   */
  committable(): CommitPosition[];
}

export type CreateWorkerPool = (services: PoolServices) => WorkerPool;

/** ArrayBlockingQueue in promises: no simulated time passes inside it. */
export class BoundedQueue<T> implements BlockingQueue<T> {
  private readonly items: T[] = [];
  private readonly takers: ((item: T) => void)[] = [];
  private readonly putters: (() => void)[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new Error(`Cannot create a queue of capacity ${capacity}: it must be a positive integer`);
  }

  get size(): number {
    return this.items.length;
  }

  async put(item: T): Promise<void> {
    while (this.items.length >= this.capacity) await new Promise<void>((wake) => this.putters.push(wake));
    const taker = this.takers.shift();
    if (taker !== undefined) taker(item);
    else this.items.push(item);
  }

  async take(): Promise<T> {
    if (this.items.length > 0) {
      const item = this.items.shift()!;
      this.putters.shift()?.();
      return item;
    }
    return new Promise<T>((resolve) => this.takers.push(resolve));
  }
}
