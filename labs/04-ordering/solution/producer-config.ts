/**
 * Lab 04, part 1 — reference solution.
 *
 * enable.idempotence=true: every batch carries a producer id and per-partition sequence
 * numbers, and the leader appends a batch only if its first sequence follows the last one it
 * wrote (OUT_OF_ORDER_SEQUENCE_NUMBER otherwise). A batch retried after a timeout is either
 * recognised as a duplicate or written before any later batch is accepted, so with up to 5
 * requests in flight the log keeps send order (KAFKA-5494, Kafka 1.0). Idempotence requires
 * acks=all, retries > 0 and max.in.flight.requests.per.connection ≤ 5; these values satisfy
 * all three. It has been Kafka's default since 3.0; the starter had turned it off.
 *
 * maxInFlightRequestsPerConnection: 1 with idempotence off also keeps order (one request at a
 * time), at the price of throughput, and a retry after a lost answer still writes a duplicate.
 */
import type { ProducerConfig } from "../../../src/client";

export const orderProducerConfig: ProducerConfig = {
  enableIdempotence: true,
  acks: "all",
  retries: 2147483647,
  maxInFlightRequestsPerConnection: 5,
};
