/**
 * What lab 03's code runs against: the shop's outbox (orders the checkout committed, waiting to be
 * published to Kafka) and the warehouse (shipping an order is the consumer's side effect).
 *
 * The learner sees only the interfaces (`Outbox`, `RelayServices`, `FulfilmentServices`); the
 * scenario owns the classes. Both stores live outside the client processes, as a database
 * would: a crash of the relay or of a consumer loses its memory, never what the outbox or the
 * warehouse recorded.
 *
 * - `OrderBook`: every order placed, the outbox (orders not yet marked published, oldest first)
 *   and what became of each order (for the narration).
 * - `Warehouse`: ships orders; each shipment is one entry of the run's EffectLedger, the
 *   checker's record of side effects. Shipping takes a while (a remote call): a process that
 *   dies during the call ships nothing.
 *
 * Departure from a real outbox (a table polled by a relay, or change data capture): there is
 * one relay and no locking; an order returned by `nextOrders` and not yet marked published is
 * returned again by the next call.
 */
import type { EffectLedger } from "../../src/check";
import type { ClientContext, Rng } from "../../src/sim";
import type { Consumer, ConsumerRecord, Producer } from "../../src/client";

/** One order, as the checkout committed it. */
export interface Order {
  /** Unique per run: "order-0042". The message value. */
  orderId: string;
  /** "customer-07". The message key (orders of one customer stay in one partition, in order). */
  customer: string;
  /** When the checkout committed it (virtual ms). */
  placedAtMs: number;
}

/** The outbox table, as the relay sees it. */
export interface Outbox {
  /**
   * Up to `max` of the oldest orders still in the outbox, oldest first; waits up to `waitMs`
   * (default 200) for one to arrive when the outbox is empty, then returns [] . An order stays
   * in the outbox, and is returned again by later calls, until `markPublished` removes it.
   */
  nextOrders(max: number, waitMs?: number): Promise<Order[]>;
  /** Remove these orders from the outbox: they are in Kafka and will never be sent again. */
  markPublished(orderIds: readonly string[]): void;
}

/** What the relay loop gets (a fresh set after every restart of the relay process). */
export interface RelayServices {
  outbox: Outbox;
  /** Connected, with your relayProducerConfig (plus the lab's timings). */
  producer: Producer;
  /** "orders". */
  topic: string;
  sleep(ms: number): Promise<void>;
  now(): number;
}

/** What the fulfilment loop gets (a fresh set after every restart of a consumer process). */
export interface FulfilmentServices {
  /** "orders". */
  topic: string;
  /** Ship the order in this record (a call to the warehouse: 20–40 ms). Resolves once shipped. */
  ship(record: ConsumerRecord): Promise<void>;
  sleep(ms: number): Promise<void>;
  now(): number;
  /** Start a background task in this consumer's process (a worker). */
  startWorker(name: string, task: () => Promise<void>): void;
}

/** exercise/order-producer.ts: runs for the life of the relay process. */
export type RelayOrders = (services: RelayServices) => Promise<void>;
/** exercise/order-consumer.ts: runs for the life of a consumer process; `consumer` is connected, not subscribed. */
export type ConsumeOrders = (consumer: Consumer, services: FulfilmentServices) => Promise<void>;

/** What became of one order (the lab's own bookkeeping for the narration). */
export interface OrderFate {
  order: Order;
  /** Removed from the outbox at this time. */
  publishedAtMs?: number;
  /** Sends of this order by the relay, in invoke order. */
  sends: { atMs: number; outcome?: "ok" | "fail" | "info"; error?: string; incarnation: number }[];
  /** The first time a consumer's poll returned it. */
  firstPolled?: { atMs: number; by: string; topicPartition: string; offset: number };
  /** Shipments (effects). */
  shipped: { atMs: number; by: string }[];
}

const NEXT_ORDERS_WAIT_DEFAULT_MS = 200;
const OUTBOX_POLL_MS = 5;
const NEXT_ORDERS_MAX = 10_000;

/** The shop's database: orders placed and the outbox. */
export class OrderBook {
  readonly fates = new Map<string, OrderFate>();
  /** Orders not yet published, in placement order (a Map keeps insertion order). */
  private readonly pending = new Map<string, Order>();

  place(order: Order): void {
    if (this.fates.has(order.orderId)) throw new Error(`Cannot place ${order.orderId}: already placed`);
    this.fates.set(order.orderId, { order, sends: [], shipped: [] });
    this.pending.set(order.orderId, order);
  }

  get outboxSize(): number {
    return this.pending.size;
  }

  /** The relay's view, bound to one relay process. */
  connect(ctx: ClientContext): Outbox {
    return {
      nextOrders: async (max, waitMs = NEXT_ORDERS_WAIT_DEFAULT_MS) => {
        if (!Number.isSafeInteger(max) || max < 1 || max > NEXT_ORDERS_MAX)
          throw new Error(
            `Cannot read the outbox: max must be an integer in [1, ${NEXT_ORDERS_MAX}], got ${max}`,
          );
        const until = ctx.now() + Math.max(0, waitMs);
        while (this.pending.size === 0 && ctx.now() < until) await ctx.sleep(OUTBOX_POLL_MS);
        const out: Order[] = [];
        for (const o of this.pending.values()) {
          if (out.length >= max) break;
          out.push({ ...o });
        }
        return out;
      },
      markPublished: (ids) => {
        for (const id of ids) {
          const fate = this.fates.get(id);
          if (fate === undefined) throw new Error(`Cannot mark ${id} published: no such order`);
          if (this.pending.delete(id)) fate.publishedAtMs = ctx.now();
        }
      },
    };
  }
}

/** The warehouse: ships orders and records each shipment as an effect. */
export class Warehouse {
  shipments = 0;

  constructor(
    private readonly ledger: EffectLedger,
    private readonly book: OrderBook,
    private readonly shipMs: { min: number; max: number },
    private readonly rng: Rng,
  ) {}

  /** The consumer's view, bound to one consumer process. */
  services(
    ctx: ClientContext,
    consumer: string,
    topic: string,
    onWorkerError: (name: string, error: unknown) => void,
  ): FulfilmentServices {
    return {
      topic,
      ship: async (record) => {
        if (record.value === null)
          throw new Error(`Cannot ship ${record.topic}-${record.partition}@${record.offset}: no order id`);
        const latency = this.shipMs.min + this.rng.int(this.shipMs.max - this.shipMs.min + 1);
        await ctx.sleep(latency);
        // Only reached if the process is still alive: a crash during the call ships nothing.
        this.shipments++;
        this.ledger.apply({
          value: record.value,
          key: record.key,
          topicPartition: `${record.topic}-${record.partition}`,
          offset: record.offset,
          consumer,
        });
        this.book.fates.get(record.value)?.shipped.push({ atMs: ctx.now(), by: consumer });
      },
      sleep: (ms) => ctx.sleep(ms),
      now: () => ctx.now(),
      startWorker: (name, task) => {
        ctx.spawn(name, async () => {
          try {
            await task();
          } catch (e) {
            onWorkerError(name, e);
          }
        });
      },
    };
  }
}
