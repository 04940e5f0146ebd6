/**
 * Producer-id allocation for InitProducerId (API 22), unique across the cluster and across
 * broker restarts without any new request or record.
 *
 * Kafka (KRaft, KIP-730): a broker asks the active controller for a block of 1000 ids
 * (AllocateProducerIds, API 67); the controller writes a ProducerIdsRecord to the metadata log
 * and hands out consecutive blocks, so ids are unique and durable.
 *
 * Departure: no AllocateProducerIds. A broker incarnation already holds a cluster-unique,
 * never-reused number: its broker epoch, which is the offset of its RegisterBrokerRecord in
 * __cluster_metadata (src/controller/cluster-control.ts). Ids are derived from it:
 *
 *   producerId = brokerEpoch × 2^20 + n,   n = 0, 1, 2, ... within the incarnation
 *
 * Two incarnations (of the same or different brokers) have different epochs, hence disjoint
 * ranges; 2^20 ids per incarnation is far beyond what a course scenario uses (the manager
 * answers COORDINATOR_LOAD_IN_PROGRESS past it rather than reuse an id), and broker epochs
 * below 2^33 keep every id an exact JS integer. Before the broker is registered (epoch -1) it
 * answers COORDINATOR_LOAD_IN_PROGRESS, as Kafka does while it has no id block; clients retry.
 */
import { Errors, type ErrorInfo } from "../protocol";
import type { BrokerComponent, BrokerServices } from "./services";

export const PRODUCER_ID_MANAGER = "producer-id-manager";
/** Ids per broker incarnation (2^20). */
export const PRODUCER_IDS_PER_INCARNATION = 1 << 20;
const MAX_BROKER_EPOCH = 2 ** 33;

/** A new producer id (error NONE), or why there is none (producerId -1). */
export interface ProducerIdResult {
  error: ErrorInfo;
  producerId: number;
  message?: string;
}

export class ProducerIdManager implements BrokerComponent {
  readonly name = PRODUCER_ID_MANAGER;
  private next = 0;
  private epoch = -1;

  constructor(private readonly broker: Pick<BrokerServices, "brokerEpoch">) {}

  /** The next producer id of this incarnation. */
  generateProducerId(): ProducerIdResult {
    const brokerEpoch = this.broker.brokerEpoch;
    if (brokerEpoch < 0)
      return {
        error: Errors.COORDINATOR_LOAD_IN_PROGRESS,
        producerId: -1,
        message: "Cannot allocate a producer id: the broker is not registered yet (no broker epoch)",
      };
    if (brokerEpoch >= MAX_BROKER_EPOCH)
      return {
        error: Errors.UNKNOWN_SERVER_ERROR,
        producerId: -1,
        message: `Cannot allocate a producer id: broker epoch ${brokerEpoch} is too large for the id scheme`,
      };
    if (brokerEpoch !== this.epoch) {
      // Re-registered (a new epoch): a fresh, disjoint range.
      this.epoch = brokerEpoch;
      this.next = 0;
    }
    if (this.next >= PRODUCER_IDS_PER_INCARNATION)
      return {
        error: Errors.COORDINATOR_LOAD_IN_PROGRESS,
        producerId: -1,
        message: `Cannot allocate a producer id: this broker incarnation used all ${PRODUCER_IDS_PER_INCARNATION} of its ids`,
      };
    return { error: Errors.NONE, producerId: brokerEpoch * PRODUCER_IDS_PER_INCARNATION + this.next++ };
  }
}

/** The broker's manager, registered on first use (one per broker incarnation). */
export function producerIdManager(broker: BrokerServices): ProducerIdManager {
  let m = broker.component<ProducerIdManager>(PRODUCER_ID_MANAGER);
  if (m === undefined) {
    m = new ProducerIdManager(broker);
    broker.registerComponent(m);
  }
  return m;
}
