/**
 * Lab 03, part 2: the fulfilment consumer. Three processes run this in the consumer group
 * `fulfilment`; each ships the orders of the `orders` partitions the group assigns it:
 *
 *   await consumer.subscribe({ topics: [topic], fromBeginning: true, listener });
 *   const records = await consumer.poll({ timeoutMs: 200 });   // rebalances happen in here
 *   await ship(record);                                         // the side effect, 20–40 ms
 *   await consumer.commitSync([{ topic, partition, offset }]); // offset = NEXT to read
 *   // listener = { onPartitionsRevoked(partitions) { ... } }: called inside poll() before a
 *   // rebalance takes partitions away (awaited; commit there what you have finished)
 *
 * In this lab consumers crash during flash sales (a restarted process runs `consumeOrders`
 * again, with a new consumer that resumes from the group's committed offsets), and the group
 * rebalances when a member dies and when it comes back.
 *
 * Keys are Kafka's consumer configs in camelCase (src/client/consumer-config.ts). The lab sets
 * group.id, auto.offset.reset=earliest and the session timeout; you may set enableAutoCommit,
 * autoCommitIntervalMs and maxPollRecords.
 *
 * Exercise files may import only from src/ (types from this lab folder are fine: they vanish at
 * run time).
 */
import type { Consumer, ConsumerConfig, ConsumerRecord } from "../../../src/client";
import type { FulfilmentServices } from "../services";

export const fulfilmentConsumerConfig: ConsumerConfig = {
  // TODO(lab-03): auto-commit commits, inside poll(), the position after the last record poll()
  // RETURNED, not the last one you SHIPPED. (reliability page, "Auto-commit, manual commit and
  // the in-memory queue")
  enableAutoCommit: true,
  autoCommitIntervalMs: 1000,
};

export async function consumeOrders(consumer: Consumer, services: FulfilmentServices): Promise<void> {
  const { topic, ship } = services;
  // TODO(lab-03): records wait in memory here after their offsets may already be committed; a
  // crash loses them. Ship first, then commit what was shipped (offset + 1), and commit what
  // you shipped when a rebalance revokes your partitions (a `listener` in subscribe).
  const queue: ConsumerRecord[] = [];
  services.startWorker("shipper", async () => {
    for (;;) {
      const record = queue.shift();
      if (record === undefined) await services.sleep(10);
      else await ship(record);
    }
  });
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  for (;;) {
    const records = await consumer.poll({ timeoutMs: 200 });
    queue.push(...records); // poll again at once, so that slow shipping never blocks the group
  }
}
