/**
 * What lab 07's packers run against: the depot, where shipping a parcel is the consumer's side
 * effect, and the signal a deploy sends to ask a packer to stop.
 *
 * The learner sees only `PackerServices` and `RunPacker`; the scenario owns `Depot`. Shipments
 * live outside the packer processes (the carrier's records): a packer that is killed loses its
 * memory, never a parcel already handed to the carrier. Shipping is not idempotent: a parcel
 * shipped twice is two parcels on two vans.
 */
import type { EffectLedger } from "../../src/check";
import type { Consumer, ConsumerRecord } from "../../src/client";
import type { ClientContext } from "../../src/sim";

/** What a packer's loop gets (a fresh set for every process). */
export interface PackerServices {
  /** "shipments". */
  topic: string;
  /** This packer's stable name: "packer-2" (the same after a restart). */
  name: string;
  /** Pack and ship the order in this record (a call to the carrier: 20 ms). Resolves once shipped. */
  ship(record: ConsumerRecord): Promise<void>;
  /**
   * True once the deploy asked this process to stop (SIGTERM). The process is killed (SIGKILL)
   * 2 s later if `runPacker` has not returned by then.
   */
  stopping(): boolean;
  sleep(ms: number): Promise<void>;
  now(): number;
}

/**
 * exercise/packer.ts: runs for the life of a packer process; `consumer` is connected, not
 * subscribed. Return (after closing the consumer) once `stopping()` is true.
 */
export type RunPacker = (consumer: Consumer, services: PackerServices) => Promise<void>;

/** One parcel shipped (for the narration). */
export interface Shipment {
  atMs: number;
  by: string;
  topicPartition: string;
  offset: number;
}

/** The carrier: ships parcels and records each shipment as an effect. */
export class Depot {
  readonly shipments = new Map<string, Shipment[]>();
  count = 0;

  constructor(
    private readonly ledger: EffectLedger,
    private readonly shipMs: number,
  ) {}

  ship(ctx: ClientContext, packer: string) {
    return async (record: ConsumerRecord): Promise<void> => {
      if (record.value === null)
        throw new Error(`Cannot ship ${record.topic}-${record.partition}@${record.offset}: no order id`);
      await ctx.sleep(this.shipMs);
      // Only reached if the process is still alive: a packer killed during the call ships nothing.
      this.count++;
      const topicPartition = `${record.topic}-${record.partition}`;
      this.ledger.apply({
        value: record.value,
        key: record.key,
        topicPartition,
        offset: record.offset,
        consumer: packer,
      });
      const s: Shipment = { atMs: ctx.now(), by: packer, topicPartition, offset: record.offset };
      const list = this.shipments.get(record.value);
      if (list === undefined) this.shipments.set(record.value, [s]);
      else list.push(s);
    };
  }
}
