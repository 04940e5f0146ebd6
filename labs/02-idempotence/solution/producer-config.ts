/**
 * Lab 02, part 1 — reference solution.
 *
 * enable.idempotence=true: the producer asks for a producer id (InitProducerId) and numbers
 * every batch per partition; a resend carries the same numbers, so the leader can recognise it.
 * Idempotence requires acks=all, retries > 0 and at most 5 requests in flight per connection
 * (the broker remembers the last 5 batches of each producer and partition); these values
 * satisfy all three, so setting it explicitly is safe (a conflict would be a ConfigException).
 * It has been Kafka's default since 3.0; the starter had turned it off.
 */
import type { ProducerConfig } from "../../../src/client";

export const shopProducerConfig: ProducerConfig = {
  enableIdempotence: true,
  acks: "all",
  retries: 2147483647,
  maxInFlightRequestsPerConnection: 5,
};
