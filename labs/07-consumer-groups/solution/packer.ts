/**
 * Lab 07, part 2 — reference solution: the packer's loop.
 *
 * - Ship in the poll loop and remember, per partition, the next offset to read (last shipped
 *   + 1). Commit those at most once a second (a commit per parcel would cost a round trip each).
 * - onPartitionsRevoked: partitions are about to move (inside poll(), when everything the last
 *   poll returned has been handled); commit what was shipped from them, so the next owner starts
 *   right after it. With the cooperative assignor only the partitions that move are revoked, so
 *   only those are committed and forgotten.
 * - onPartitionsLost: the member was already out of the group (its partitions may belong to
 *   someone else): committing would fail, so forget them.
 * - On stop (SIGTERM): finish the parcel in hand, commit everything shipped, close the
 *   consumer. A static member's close sends no LeaveGroup: its partitions wait for it.
 */
import type { Consumer, OffsetToCommit, TopicPartition } from "../../../src/client";
import type { PackerServices } from "../services";

const COMMIT_INTERVAL_MS = 1000;

export async function runPacker(consumer: Consumer, services: PackerServices): Promise<void> {
  const { topic, ship, stopping, now } = services;
  /** Shipped but not yet committed: partition → next offset to read. */
  const shipped = new Map<number, OffsetToCommit>();
  const commitShipped = async (partitions?: readonly TopicPartition[]): Promise<void> => {
    const offsets = [...shipped.values()].filter(
      (o) => partitions === undefined || partitions.some((p) => p.partition === o.partition),
    );
    if (offsets.length === 0) return;
    for (const o of offsets) shipped.delete(o.partition);
    try {
      await consumer.commitSync(offsets);
    } catch (_) {
      // The group moved on (CommitFailedError): the next owner ships these again. With
      // batches that fit in max.poll.interval.ms and no crash, this does not happen.
    }
  };
  const forget = (partitions: readonly TopicPartition[]): void => {
    for (const p of partitions) shipped.delete(p.partition);
  };
  await consumer.subscribe({
    topics: [topic],
    fromBeginning: true,
    listener: { onPartitionsRevoked: (ps) => commitShipped(ps), onPartitionsLost: (ps) => forget(ps) },
  });
  let lastCommitMs = now();
  while (!stopping()) {
    const records = await consumer.poll({ timeoutMs: 200 });
    for (const record of records) {
      if (stopping()) break;
      await ship(record);
      shipped.set(record.partition, { topic, partition: record.partition, offset: record.offset + 1 });
    }
    if (now() - lastCommitMs >= COMMIT_INTERVAL_MS) {
      lastCommitMs = now();
      await commitShipped();
    }
  }
  await commitShipped();
  await consumer.disconnect();
}
