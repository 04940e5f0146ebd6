/**
 * Lab 04, part 1: the order service's producer configuration. Keys are Kafka's producer configs
 * in camelCase (src/client/producer-config.ts): enable.idempotence → enableIdempotence,
 * max.in.flight.requests.per.connection → maxInFlightRequestsPerConnection.
 *
 * The order service sends each order's events (created, then paid, then shipped) as they
 * happen, without waiting for the previous send's acknowledgement, so several Produce requests
 * are in flight to a leader at once. In this lab the network loses some of the brokers' answers
 * and partition leaders crash, so the producer retries requests.
 *
 * The lab sets the timings itself (request.timeout.ms 1000, delivery.timeout.ms 30000,
 * linger.ms 5); the keys you may set here are acks, enableIdempotence, retries and
 * maxInFlightRequestsPerConnection.
 */
import type { ProducerConfig } from "../../../src/client";

export const orderProducerConfig: ProducerConfig = {
  // TODO(lab-04): a request that timed out is retried after later requests to the same
  // partition have succeeded, so "order-7:paid" can land at a lower offset than
  // "order-7:created". Which setting lets the leader keep send order across retries with up
  // to 5 requests in flight? (ordering page, "Retries, in-flight requests and idempotence")
  enableIdempotence: false,
  acks: "all",
  retries: 2147483647,
  maxInFlightRequestsPerConnection: 5,
};
