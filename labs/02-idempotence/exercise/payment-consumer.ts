/**
 * Lab 02, part 3: the payment service. Two consumers in the group `payments` read `orders`; for
 * each order your handler charges the customer in the payments database (payments-db.ts): a
 * transactional key-value store that survives crashes, with one business operation, charge.
 *
 *   await db.transaction((tx) => {            // one atomic, synchronous block
 *     tx.get("some-key");                     // committed value (or this transaction's write)
 *     tx.put("some-key", "some value");       // applied at commit, with everything else
 *     tx.charge(order.orderId, order.customer, order.amountCents);   // takes the money
 *   });
 *
 * The consumer runs your handler for one order at a time and auto-commits its offsets every
 * 5 seconds (Kafka's default auto.commit.interval.ms). In this lab consumers crash — sometimes
 * right after a charge, before the offset is committed; sometimes in the middle of a
 * transaction — and restart with a fresh process: `createOrderHandler` runs again, and only what
 * is in the database remains. The same order can also arrive twice when the shop's producer
 * wrote it twice.
 *
 * Exercise files may import only from src/ (types from this lab folder are fine: they vanish at
 * run time).
 */
import type { OrderHandler, PaymentServices } from "../payments-db";

/** Called when a consumer process starts (again, after every crash). */
export function createOrderHandler(services: PaymentServices): OrderHandler {
  const { db } = services;
  return async (order) => {
    // TODO(lab-02): after a crash the group re-delivers every order since the last committed
    // offset, and this charges them all again. Make the charge idempotent: the order id is the
    // same in every copy and redelivery. Where must the "already charged" fact live, and when
    // must it be written, so that no crash can separate it from the charge?
    await db.transaction((tx) => {
      tx.charge(order.orderId, order.customer, order.amountCents);
    });
  };
}
