/**
 * Lab 01, part 2 — reference solution.
 *
 * acks=all: the leader answers once every in-sync replica (at least min.insync.replicas of them)
 * has the order, so a leader crash right after the answer cannot take it away. Kafka's default
 * since 3.0 (KIP-679); it also keeps idempotence on (the default), so retries after a failover
 * do not write an order twice.
 */
import type { AcksConfig } from "../../../src/client";

export const ordersProducerConfig: { acks: AcksConfig; enableIdempotence?: boolean } = {
  acks: "all",
};
