/**
 * Lab 03, part 1: the outbox relay. The checkout writes every order into the shop's database in
 * the same transaction as the order itself (the "outbox"); the customer is told "order placed"
 * at that moment. This relay's job is to get every order from the outbox into the Kafka topic
 * `orders` (key = customer, value = order id), from where the fulfilment consumers ship it.
 * An order that leaves the outbox but never reaches Kafka is never shipped.
 *
 *   const orders = await outbox.nextOrders(100);   // oldest first; waits a little if empty
 *   outbox.markPublished(["order-0042"]);           // removes them: they will never be sent again
 *   await producer.send({ topic, messages: [{ key, value }] });   // resolves once acknowledged
 *                                                  // per acks; rejects when delivery fails
 *
 * In this lab the leader of an `orders` partition crashes (twice), and the relay process itself
 * is killed once while the producer still holds unacknowledged orders in memory; it restarts
 * and `relayOrders` runs again from the top with a new producer.
 *
 * Keys are Kafka's producer configs in camelCase (src/client/producer-config.ts). The lab sets
 * request.timeout.ms=1500, linger.ms=5 and the retry backoff; you may set acks, retries,
 * deliveryTimeoutMs (at least 1505), enableIdempotence and maxInFlightRequestsPerConnection.
 *
 * Exercise files may import only from src/ (types from this lab folder are fine: they vanish at
 * run time).
 */
import type { ProducerConfig } from "../../../src/client";
import type { RelayServices } from "../services";

export const relayProducerConfig: ProducerConfig = {
  // TODO(lab-03): the leader answers as soon as IT has the order. What happens to an order that
  // only the leader had when it crashes? And how long does the producer keep trying when the
  // leader is gone? (reliability page, "acks and the produce path", "The settings")
  acks: 1,
  retries: 0,
  deliveryTimeoutMs: 2000,
};

export async function relayOrders({ outbox, producer, topic }: RelayServices): Promise<void> {
  for (;;) {
    const orders = await outbox.nextOrders(100);
    for (const order of orders) {
      // TODO(lab-03): fire and forget. Nobody looks at what send() returns, so a send that fails
      // (or is still in the producer's memory when the process dies) loses the order, which is
      // already gone from the outbox. Only remove an order once Kafka has acknowledged it, and
      // leave failed ones in the outbox to be sent again.
      void producer.send({ topic, messages: [{ key: order.customer, value: order.orderId }] });
    }
    outbox.markPublished(orders.map((o) => o.orderId));
  }
}
