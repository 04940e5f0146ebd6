/**
 * The payment service's database in lab 02: a tiny transactional key-value store with one
 * business operation, `charge`, whose every execution is the side effect the lab judges. It runs
 * beside the simulated cluster (it is not a Kafka component) and outlives consumer crashes, as a
 * real database outlives the processes that use it.
 *
 * What a consumer sees (`PaymentsDb`, through `connect(ctx)`):
 * - `transaction(work)`: one round trip to the database (`latencyMs` of virtual time), then `work`
 *   runs against the committed state and everything it wrote — keys and charges — is applied
 *   atomically: all of it or, if the consumer crashed before the round trip ended, none of it.
 *   `work` is synchronous (a stored procedure, in effect), so transactions never interleave and
 *   behave as serializable.
 * - `get(key)` and `put(key, value)`: single-statement reads and writes outside a transaction,
 *   one round trip each (what "check in one place, act in another" code does).
 *
 * The lab sees the rest: each applied charge goes to the effect ledger (src/check), attributed
 * to the order's message as the consumer last received it (`delivered`), and `onCommitted`
 * lets the scenario crash a consumer right after a transaction commits — the moment between
 * "processed" and "offset committed" that the lab is about. A crashed consumer's connection is
 * dead: its pending transaction never commits, and nothing it calls afterwards takes effect.
 *
 * Bounded: at most `maxKeys` keys and `maxCharges` charges (a runaway handler fails loudly).
 * Browser-safe.
 */
import type { EffectLedger } from "../../src/check";
import type { ClientContext } from "../../src/sim";

/** What `work` can do inside a transaction. */
export interface PaymentsTx {
  /** The committed value of `key` (or what this transaction wrote), undefined if none. */
  get(key: string): string | undefined;
  /** Write `key` (applied when the transaction commits). */
  put(key: string, value: string): void;
  /** Remove `key` (applied when the transaction commits). */
  delete(key: string): void;
  /**
   * Charge `customer` `amountCents` for order `orderId`: the business effect. Each committed
   * call takes the money once more.
   */
  charge(orderId: string, customer: string, amountCents: number): void;
}

/** The database as a consumer's handler uses it. */
export interface PaymentsDb {
  /** Run `work` atomically (see the file header). Resolves with what `work` returned. */
  transaction<T>(work: (tx: PaymentsTx) => T): Promise<T>;
  /** One committed value, read outside any transaction. */
  get(key: string): Promise<string | undefined>;
  /** One write, committed on its own. */
  put(key: string, value: string): Promise<void>;
}

/** One order as the payment consumer's handler receives it (the lab parses the message). */
export interface Order {
  /** The shop's id for the order ("order-0042"): the message value, the same in every copy. */
  orderId: string;
  /** The message key. */
  customer: string;
  /** From the message header "amount-cents". */
  amountCents: number;
  /** Where this copy of the message was read. */
  topic: string;
  partition: number;
  offset: number;
}

/** What a handler gets when its consumer (one process incarnation) starts. */
export interface PaymentServices {
  /** The payments database (it survives crashes; anything else the handler keeps does not). */
  db: PaymentsDb;
  /** This consumer's name ("payments-1"). */
  consumer: string;
  /**
   * Commit the group's offset for the order's partition to `order.offset + 1` (the next message
   * to read) now, and wait for the coordinator's answer (Kafka's commitSync). Without it the
   * consumer auto-commits every auto.commit.interval.ms (5000 ms, Kafka's default).
   */
  commitOffset(order: Order): Promise<void>;
}

/** Processes one order; the consumer moves on when the promise resolves. */
export type OrderHandler = (order: Order) => Promise<void>;

/** Where the consumer received an order's message (for the ledger). */
export interface Delivery {
  topicPartition: string;
  offset: number;
  /** The message's key (the customer). */
  key: string | null;
}

export interface ChargeRecord {
  orderId: string;
  customer: string;
  amountCents: number;
  atMs: number;
  consumer: string;
  delivery: Delivery;
}

export interface CommitInfo {
  consumer: string;
  atMs: number;
  /** Charges this transaction applied. */
  charges: readonly ChargeRecord[];
  keysWritten: number;
}

export interface PaymentsDatabaseOptions {
  /** One round trip to the database, in virtual ms (default 4). */
  latencyMs?: number;
  maxKeys?: number;
  maxCharges?: number;
}

export class PaymentsDatabase {
  readonly latencyMs: number;
  private readonly data = new Map<string, string>();
  private readonly chargeLog: ChargeRecord[] = [];
  /** Per consumer: where it last received each order (set by the lab before the handler runs). */
  private readonly deliveries = new Map<string, Map<string, Delivery>>();
  private readonly maxKeys: number;
  private readonly maxCharges: number;
  /** Transactions (and single puts) applied. */
  transactions = 0;
  /**
   * Called right after a transaction (or a single put) is applied, before the consumer learns
   * it: the scenario may crash the consumer here.
   */
  onCommitted: ((info: CommitInfo) => void) | undefined;
  /** Called when a transaction begins its round trip (the scenario may crash the consumer in it). */
  onBegin: ((consumer: string, atMs: number) => void) | undefined;

  constructor(
    private readonly ledger: EffectLedger,
    options: PaymentsDatabaseOptions = {},
  ) {
    this.latencyMs = options.latencyMs ?? 4;
    this.maxKeys = options.maxKeys ?? 1_000_000;
    this.maxCharges = options.maxCharges ?? 1_000_000;
  }

  /** Every charge applied, in order. */
  get charges(): readonly ChargeRecord[] {
    return this.chargeLog;
  }

  get keyCount(): number {
    return this.data.size;
  }

  /** The lab records where `consumer` received `orderId` before handing it to the handler. */
  delivered(consumer: string, orderId: string, delivery: Delivery): void {
    let m = this.deliveries.get(consumer);
    if (m === undefined) this.deliveries.set(consumer, (m = new Map()));
    m.set(orderId, delivery);
  }

  /** A connection for one consumer incarnation (`ctx.alive` turns false when it crashes). */
  connect(ctx: ClientContext, consumer: string): PaymentsDb {
    const roundTrip = async (): Promise<void> => {
      await ctx.sleep(this.latencyMs);
      // A crashed client's sleeps never end, so reaching here means the consumer is alive.
    };
    return {
      transaction: async <T>(work: (tx: PaymentsTx) => T): Promise<T> => {
        if (typeof work !== "function")
          throw new TypeError("Cannot run a transaction: db.transaction needs a function (tx) => ...");
        this.onBegin?.(consumer, ctx.now());
        await roundTrip();
        if (!ctx.alive) return new Promise<T>(() => {});
        return this.runTransaction(ctx, consumer, work);
      },
      get: async (key: string): Promise<string | undefined> => {
        await roundTrip();
        return this.data.get(key);
      },
      put: async (key: string, value: string): Promise<void> => {
        await roundTrip();
        if (!ctx.alive) return new Promise<void>(() => {});
        this.runTransaction(ctx, consumer, (tx) => tx.put(key, value));
      },
    };
  }

  private runTransaction<T>(ctx: ClientContext, consumer: string, work: (tx: PaymentsTx) => T): T {
    this.transactions++;
    const writes = new Map<string, string | undefined>();
    const charges: { orderId: string; customer: string; amountCents: number }[] = [];
    let open = true;
    const usable = (what: string): void => {
      if (!open)
        throw new Error(
          `Cannot ${what}: the transaction already ended (keep every tx call inside the function given to db.transaction, and do not await inside it)`,
        );
    };
    const tx: PaymentsTx = {
      get: (key) => {
        usable(`read ${key}`);
        return writes.has(key) ? writes.get(key) : this.data.get(key);
      },
      put: (key, value) => {
        usable(`write ${key}`);
        if (typeof key !== "string" || typeof value !== "string")
          throw new TypeError(`Cannot write ${String(key)}: keys and values are strings`);
        writes.set(key, value);
      },
      delete: (key) => {
        usable(`delete ${key}`);
        writes.set(key, undefined);
      },
      charge: (orderId, customer, amountCents) => {
        usable(`charge ${orderId}`);
        if (!Number.isSafeInteger(amountCents) || amountCents <= 0)
          throw new RangeError(
            `Cannot charge ${orderId}: amountCents must be a positive integer, got ${amountCents}`,
          );
        charges.push({ orderId, customer, amountCents });
      },
    };
    let result: T;
    try {
      result = work(tx);
    } finally {
      open = false;
    }
    if (result instanceof Promise)
      throw new Error(
        "Cannot commit: the function given to db.transaction returned a promise. A transaction here is one synchronous block (like a stored procedure): do the reads and writes with tx.get/tx.put/tx.charge without await",
      );
    // Apply everything at once: all of the transaction, at one virtual instant.
    const now = ctx.now();
    for (const [k, v] of writes) {
      if (v === undefined) this.data.delete(k);
      else this.data.set(k, v);
    }
    if (this.data.size > this.maxKeys)
      throw new Error(`Cannot commit: the payments database is limited to ${this.maxKeys} keys`);
    const applied: ChargeRecord[] = [];
    for (const c of charges) {
      const delivery = this.deliveries.get(consumer)?.get(c.orderId);
      if (delivery === undefined)
        throw new Error(
          `Cannot charge order ${JSON.stringify(c.orderId)}: ${consumer} never received a message with that order id (pass the order's id to tx.charge)`,
        );
      if (this.chargeLog.length >= this.maxCharges)
        throw new Error(`Cannot charge ${c.orderId}: the lab allows at most ${this.maxCharges} charges`);
      const rec: ChargeRecord = { ...c, atMs: now, consumer, delivery };
      this.chargeLog.push(rec);
      applied.push(rec);
      this.ledger.apply({
        value: c.orderId,
        key: delivery.key,
        topicPartition: delivery.topicPartition,
        offset: delivery.offset,
        consumer,
        atMs: now,
      });
    }
    this.onCommitted?.({ consumer, atMs: now, charges: applied, keysWritten: writes.size });
    return result;
  }
}
