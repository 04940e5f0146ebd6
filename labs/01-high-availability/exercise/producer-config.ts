/**
 * Lab 01, part 2: the orders service's producer — the settings this lab lets you choose, under
 * Kafka's config names in camelCase (acks → acks, enable.idempotence → enableIdempotence).
 * Timeouts and retries are fixed by the scenario (request.timeout.ms 2000, delivery.timeout.ms
 * 20000, linger.ms 5).
 *
 * acks: "all" (or -1) waits for every in-sync replica; 1 waits for the leader's own write only;
 * 0 waits for nothing.
 */
import type { AcksConfig } from "../../../src/client";

export const ordersProducerConfig: { acks: AcksConfig; enableIdempotence?: boolean } = {
  // TODO(lab-01): when the leader answers with acks=1, how many brokers have the order? What
  // happens to it if that leader dies a millisecond later?
  acks: 1,
};
