/**
 * Half fixes of lab 07 that the grader must reject (index.ts `wrongFixes`; the integrity test
 * runs each). Each is the reference solution with one part put back the way a hurried fix might
 * leave it. Browser-safe.
 */
import type { Consumer, OffsetToCommit } from "../../src/client";
import type { PackerServices } from "./services";
import type { ConsumerGroupsImpl, PackerConfig } from "./spec";

/** The starter's settings (dynamic members, eager range, auto-commit) with only max.poll.records lowered. */
export function starterSettingsWithSmallBatches(): PackerConfig {
  return () => ({
    maxPollRecords: 50,
    maxPollIntervalMs: 2000,
    sessionTimeoutMs: 45000,
    partitionAssignmentStrategy: ["range"],
    enableAutoCommit: true,
    autoCommitIntervalMs: 5000,
  });
}

/** The starter's loop: poll and ship, forever, relying on auto-commit; deaf to the stop request. */
export async function pollAndShipForever(consumer: Consumer, services: PackerServices): Promise<void> {
  await consumer.subscribe({ topics: [services.topic], fromBeginning: true });
  for (;;) for (const r of await consumer.poll({ timeoutMs: 200 })) await services.ship(r);
}

/** The reference loop with its settings, but the starter's big polls and eager dynamic group. */
export function commitOnRevokeOnly(solution: ConsumerGroupsImpl): ConsumerGroupsImpl {
  return {
    ...solution,
    packerConfig: () => ({
      maxPollRecords: 500,
      maxPollIntervalMs: 2000,
      sessionTimeoutMs: 45000,
      partitionAssignmentStrategy: ["range"],
      enableAutoCommit: false,
    }),
  };
}

/** Static membership, but a session shorter than a restart. */
export function shortStaticSessions(solution: ConsumerGroupsImpl): ConsumerGroupsImpl {
  return {
    ...solution,
    packerConfig: (name) => ({ ...solution.packerConfig(name), sessionTimeoutMs: 2000 }),
  };
}

/** Commits what poll() returned before shipping it, then ships, stopping between parcels. */
export async function commitBeforeShipping(consumer: Consumer, services: PackerServices): Promise<void> {
  const { topic, ship, stopping } = services;
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  while (!stopping()) {
    const records = await consumer.poll({ timeoutMs: 200 });
    if (records.length === 0) continue;
    const next = new Map<number, OffsetToCommit>();
    for (const r of records) next.set(r.partition, { topic, partition: r.partition, offset: r.offset + 1 });
    try {
      await consumer.commitSync([...next.values()]);
    } catch (_) {
      // ship anyway
    }
    for (const r of records) {
      if (stopping()) break;
      await ship(r);
    }
  }
  await consumer.disconnect();
}
