/**
 * Half fixes of lab 03 that the grader must reject (index.ts `wrongFixes`; the integrity test
 * runs each). Each is the reference solution with one part put back the way a hurried fix
 * might leave it. Browser-safe.
 */
import type { Consumer, ConsumerRecord, OffsetToCommit } from "../../src/client";
import type { FulfilmentServices, RelayServices } from "./services";

/** The relay still fires and forgets (whatever the producer settings): orders leave the outbox at send(). */
export async function fireAndForgetRelay({ outbox, producer, topic }: RelayServices): Promise<void> {
  for (;;) {
    const orders = await outbox.nextOrders(100);
    for (const order of orders)
      producer.send({ topic, messages: [{ key: order.customer, value: order.orderId }] }).catch(() => {
        // logged and forgotten
      });
    outbox.markPublished(orders.map((o) => o.orderId));
  }
}

/** A relay that never sends: nothing can be lost if nothing is published. */
export async function idleRelay({ sleep }: RelayServices): Promise<void> {
  for (;;) await sleep(1000);
}

/** Manual commits, but of what was read, before shipping it. */
export async function commitBeforeShipping(consumer: Consumer, services: FulfilmentServices): Promise<void> {
  const { topic, ship } = services;
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  for (;;) {
    const records = await consumer.poll({ timeoutMs: 200 });
    if (records.length === 0) continue;
    const next = new Map<number, OffsetToCommit>();
    for (const r of records) next.set(r.partition, { topic, partition: r.partition, offset: r.offset + 1 });
    await consumer.commitSync([...next.values()]);
    for (const r of records) await ship(r);
  }
}

/** Ships in the poll loop and never commits (auto-commit off): nothing lost, everything redone after a restart. */
export async function neverCommit(consumer: Consumer, services: FulfilmentServices): Promise<void> {
  const { topic, ship } = services;
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  for (;;) for (const r of await consumer.poll({ timeoutMs: 200 })) await ship(r);
}

/** The starter's consumer loop: an in-memory queue in front of a worker (run with auto-commit on). */
export async function queueAndAutoCommit(consumer: Consumer, services: FulfilmentServices): Promise<void> {
  const queue: ConsumerRecord[] = [];
  services.startWorker("shipper", async () => {
    for (;;) {
      const record = queue.shift();
      if (record === undefined) await services.sleep(10);
      else await services.ship(record);
    }
  });
  await consumer.subscribe({ topics: [services.topic], fromBeginning: true });
  for (;;) queue.push(...(await consumer.poll({ timeoutMs: 200 })));
}
