/**
 * Lab 02, part 1: the shop's producer configuration. Keys are Kafka's producer configs in
 * camelCase (src/client/producer-config.ts): enable.idempotence → enableIdempotence,
 * max.in.flight.requests.per.connection → maxInFlightRequestsPerConnection.
 *
 * The shop sends one message per order to the `orders` topic and keeps several sends in
 * flight. In this lab the network loses some of the brokers' answers, so the producer often
 * resends a batch that the leader has already written.
 *
 * The lab sets the timings itself (request.timeout.ms 1500, delivery.timeout.ms 30000,
 * linger.ms 5) so that retries happen within a run; the keys you may set here are acks,
 * enableIdempotence, retries and maxInFlightRequestsPerConnection.
 */
import type { ProducerConfig } from "../../../src/client";

export const shopProducerConfig: ProducerConfig = {
  // TODO(lab-02): a resent batch is written a second time: the same order lands at two offsets.
  // Which producer setting makes a resend recognisable to the broker, and what does it require
  // of the other three settings? (idempotence page, "The idempotent producer")
  enableIdempotence: false,
  acks: "all",
  retries: 2147483647,
  maxInFlightRequestsPerConnection: 5,
};
