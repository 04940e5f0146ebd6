/**
 * Lab 07, part 2: the packer's loop. Each packer process runs `runPacker` with a connected,
 * not yet subscribed consumer:
 *
 *   await consumer.subscribe({ topics: [topic], fromBeginning: true, listener });
 *   const records = await consumer.poll({ timeoutMs: 200 });   // rebalances happen in here
 *   await ship(record);                                         // the side effect: 20 ms each
 *   await consumer.commitSync([{ topic, partition, offset }]); // offset = NEXT to read
 *   await consumer.disconnect();                                // close: Kafka's consumer.close()
 *   // listener = { onPartitionsRevoked(partitions) {...}, onPartitionsLost(partitions) {...} }:
 *   // called inside poll() (and disconnect()) before partitions are taken away; awaited
 *
 * Shipping is not idempotent: a parcel shipped twice is two parcels on two vans. In this lab no
 * process crashes by itself; a deploy asks each packer to stop (`services.stopping()` turns
 * true, as a SIGTERM would) and kills the process 2 s later if it has not finished by then.
 *
 * Exercise files may import only from src/ (types from this lab folder are fine: they vanish at
 * run time).
 */
import type { Consumer } from "../../../src/client";
import type { PackerServices } from "../services";

export async function runPacker(consumer: Consumer, services: PackerServices): Promise<void> {
  const { topic, ship } = services;
  // TODO(lab-07): nothing here commits what was shipped at the moments partitions change hands:
  // when a rebalance revokes them (a listener in subscribe) and when the packer stops.
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  // TODO(lab-07): this loop never looks at services.stopping(): the deploy kills it after 2 s,
  // with whatever it shipped since the last auto-commit (5 s) uncommitted. Stop between two
  // parcels, commit what you shipped, then close the consumer.
  for (;;) {
    const records = await consumer.poll({ timeoutMs: 200 });
    for (const record of records) await ship(record);
  }
}
