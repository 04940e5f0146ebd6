/**
 * Lab 03, part 2 — reference solution: the fulfilment consumer.
 *
 * - enable.auto.commit=false: nothing is committed behind our back. (Auto-commit would be
 *   at-least-once too if every record of a poll were shipped before the next poll; the
 *   in-memory queue broke exactly that.)
 * - Ship in the poll loop, then remember the NEXT offset of each partition (last shipped + 1)
 *   and commit those at most once a second (a commit per poll would cost a round trip each).
 * - onPartitionsRevoked: a rebalance takes partitions away inside poll(), when everything the
 *   last poll returned has been shipped; commit it there, so that the next owner starts right
 *   after it instead of at the last periodic commit (fewer orders shipped twice).
 *
 * Still at-least-once: a crash between shipping and committing ships those orders again after
 * the restart. Losing none is what this lab asks; shipping none twice needs an idempotent
 * effect (lab 02).
 */
import type { Consumer, ConsumerConfig, OffsetToCommit } from "../../../src/client";
import type { FulfilmentServices } from "../services";

export const fulfilmentConsumerConfig: ConsumerConfig = {
  enableAutoCommit: false,
};

const COMMIT_INTERVAL_MS = 1000;

export async function consumeOrders(consumer: Consumer, services: FulfilmentServices): Promise<void> {
  const { topic, ship, now } = services;
  /** Shipped but not yet committed: partition → next offset to read. */
  const shipped = new Map<number, OffsetToCommit>();
  const commitShipped = async (): Promise<void> => {
    if (shipped.size === 0) return;
    const offsets = [...shipped.values()];
    shipped.clear();
    try {
      await consumer.commitSync(offsets);
    } catch (_) {
      // The group moved on (CommitFailedError) or the coordinator is unreachable: those orders
      // will be delivered again, to us or to the partitions' next owner. Nothing is lost.
    }
  };
  await consumer.subscribe({
    topics: [topic],
    fromBeginning: true,
    listener: { onPartitionsRevoked: () => commitShipped() },
  });
  let lastCommitMs = now();
  for (;;) {
    const records = await consumer.poll({ timeoutMs: 200 });
    for (const record of records) {
      await ship(record);
      shipped.set(record.partition, { topic, partition: record.partition, offset: record.offset + 1 });
    }
    if (now() - lastCommitMs >= COMMIT_INTERVAL_MS) {
      lastCommitMs = now();
      await commitShipped();
    }
  }
}
