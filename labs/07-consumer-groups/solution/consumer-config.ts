/**
 * Lab 07, part 1 — reference solution: the packers' consumer settings.
 *
 * - max.poll.records=50: a poll is at most 50 × 20 ms = 1 s of shipping, well inside
 *   max.poll.interval.ms (2 s here, Kafka's 5 minutes scaled down). A packer that polls in time
 *   stays in the group; one that does not is removed, its batch is shipped again by the next
 *   owner, and with big batches every member is removed in turn: a rebalance storm.
 * - group.instance.id = the packer's stable name (static membership, KIP-345): a restarted
 *   packer is the same member to the coordinator, gets its partitions back, and nobody else's
 *   partitions move. A static member sends no LeaveGroup when it closes.
 * - session.timeout.ms=10000: longer than a restart (3-4 s), so the coordinator waits for the
 *   packer to come back instead of expiring it (which would rebalance twice: when it expires and
 *   when it returns). The price: a packer that never comes back holds its partitions 10 s.
 * - cooperative-sticky (KIP-429): a rebalance revokes only the partitions that move; members
 *   keep shipping the others while the group rebalances.
 * - enable.auto.commit=false: packer.ts commits what it shipped itself.
 */
import type { ConsumerConfig } from "../../../src/client";

export function packerConfig(packer: string): ConsumerConfig {
  return {
    maxPollRecords: 50,
    maxPollIntervalMs: 2000,
    groupInstanceId: packer,
    sessionTimeoutMs: 10000,
    partitionAssignmentStrategy: ["cooperative-sticky"],
    enableAutoCommit: false,
  };
}
