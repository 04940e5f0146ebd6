/**
 * Lab 07, part 1: the packers' consumer settings. Three processes, packer-1, packer-2 and
 * packer-3, share the topic `shipments` (6 partitions) in the group `packers`; each calls
 * `packerConfig` with its own stable name when it starts (and again after every restart).
 *
 * Keys are Kafka's consumer configs in camelCase (src/client/consumer-config.ts). You may set
 * maxPollRecords, maxPollIntervalMs, sessionTimeoutMs, groupInstanceId,
 * partitionAssignmentStrategy, enableAutoCommit and autoCommitIntervalMs. The lab sets group.id,
 * heartbeat.interval.ms=500 and auto.offset.reset=earliest.
 *
 * Lab time: shipping a parcel takes 20 ms, and the lab's max.poll.interval.ms of 2000 ms stands
 * for Kafka's default of 5 minutes; the coordinator accepts sessions from 1 s
 * (group.min.session.timeout.ms, 6 s in Kafka). A deploy restarts each packer in about 3-4 s.
 *
 * Exercise files may import only from src/ (types from this lab folder are fine: they vanish at
 * run time).
 */
import type { ConsumerConfig } from "../../../src/client";

export function packerConfig(packer: string): ConsumerConfig {
  void packer; // the packer's stable name: "packer-1", "packer-2" or "packer-3"
  return {
    // TODO(lab-07): a poll may return up to max.poll.records records, and the next poll comes
    // only after all of them are shipped (20 ms each). How long is that, next to
    // max.poll.interval.ms? What does the consumer do when the interval runs out?
    maxPollRecords: 500,
    maxPollIntervalMs: 2000,
    // TODO(lab-07): in a deploy each packer is stopped and started again as a new process. Who
    // is it to the coordinator when it comes back: a new member (a rebalance when it leaves and
    // another when it joins), or the same one? And for how long does the coordinator wait for it?
    sessionTimeoutMs: 45000,
    // TODO(lab-07): with the eager range assignor every rebalance takes every partition from
    // every member, and the whole group waits. Which assignor moves only what must move?
    partitionAssignmentStrategy: ["range"],
    enableAutoCommit: true,
    autoCommitIntervalMs: 5000,
  };
}
