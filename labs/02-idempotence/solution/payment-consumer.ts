/**
 * Lab 02, part 3 — reference solution: an idempotent consumer. The order id is recorded in the
 * SAME transaction as the charge, so the database holds both or neither: a crash before the
 * commit leaves no charge and no record (the redelivery charges once), a crash after it leaves
 * both (the redelivery finds the record and skips). An id kept in memory dies with the process;
 * an id written in a separate step can be separated from the charge by a crash; committing the
 * offset before charging turns a crash into a lost charge.
 *
 * The order id, not topic-partition-offset, is the key: it is the same for every copy of the
 * order, including a second copy the producer wrote at another offset.
 */
import type { OrderHandler, PaymentServices } from "../payments-db";

export function createOrderHandler(services: PaymentServices): OrderHandler {
  const { db } = services;
  return async (order) => {
    await db.transaction((tx) => {
      const processed = `processed/${order.orderId}`;
      if (tx.get(processed) !== undefined) return; // charged before: a redelivery or a copy
      tx.put(processed, `${order.topic}-${order.partition}@${order.offset}`);
      tx.charge(order.orderId, order.customer, order.amountCents);
    });
  };
}
