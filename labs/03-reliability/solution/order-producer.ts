/**
 * Lab 03, part 1 — reference solution: the outbox relay.
 *
 * - acks=all: the leader answers only once every in-sync replica has the order, and with the
 *   topic's min.insync.replicas=2 that is at least two brokers; a leader crash cannot take the
 *   only copy of an acknowledged order. (Idempotence, on by default with acks=all, keeps the
 *   producer's own retries from writing an order twice.)
 * - retries (Kafka's default, effectively unlimited) bounded by delivery.timeout.ms: a send keeps
 *   retrying through a leader election (a few seconds here) instead of failing at the first
 *   NOT_LEADER_OR_FOLLOWER or timeout.
 * - Handling failures: an order leaves the outbox only after Kafka acknowledged it. A send that
 *   still fails (delivery timeout, a non-retriable error) leaves its order in the outbox, and the
 *   next round sends it again; so does a restart of the relay for the orders the producer held
 *   in memory. The price is at-least-once: an order whose acknowledgement was lost is written
 *   again (a duplicate the consumers must tolerate), and a re-sent order may land after later
 *   orders of the same customer.
 */
import type { ProducerConfig } from "../../../src/client";
import type { RelayServices } from "../services";

export const relayProducerConfig: ProducerConfig = {
  acks: "all",
  retries: 2147483647,
  deliveryTimeoutMs: 30_000,
  enableIdempotence: true,
};

/** Pause before sending again after a failed round (the outbox still holds the orders). */
const RETRY_PAUSE_MS = 500;

export async function relayOrders({ outbox, producer, topic, sleep }: RelayServices): Promise<void> {
  for (;;) {
    const orders = await outbox.nextOrders(100);
    // Every order of the round in flight at once (the producer batches them), then wait for all.
    const results = await Promise.allSettled(
      orders.map((order) =>
        producer.send({ topic, messages: [{ key: order.customer, value: order.orderId }] }),
      ),
    );
    const published = orders.filter((_, i) => results[i]!.status === "fulfilled");
    outbox.markPublished(published.map((o) => o.orderId));
    if (published.length < orders.length) await sleep(RETRY_PAUSE_MS);
  }
}
