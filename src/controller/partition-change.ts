/**
 * Turns a wanted partition state into the PartitionChangeRecord that reaches it, the way Kafka's
 * PartitionChangeBuilder.build does (without reassignment, ELR or leader recovery state):
 *
 * 1. Start from the target ISR (the fenced broker removed, or the ISR a leader proposed).
 * 2. Run the leader election policy (election.ts) on it. If the leader changes, the record sets
 *    `leader`; applying it bumps leaderEpoch. A leader from outside the ISR means an unclean
 *    election, and the ISR becomes [leader].
 * 3. Otherwise set `isr` if it changed — but never to an empty list: without ELR Kafka keeps the
 *    last ISR member in the ISR (and the partition leaderless) so that it can come back as
 *    leader without data loss.
 * 4. No change at all gives null (Kafka: changeRecordIsNoOp).
 *
 * Every applied change bumps partitionEpoch. Since Kafka 3.6 (KAFKA-15021) an ISR shrink alone no
 * longer bumps leaderEpoch; we follow that.
 */
import type { LeaderElectionPolicy } from "./election";
import type { PartitionRegistration } from "./metadata-image";
import { NO_LEADER, NO_LEADER_CHANGE, type PartitionChangeRecord } from "./metadata-records";

export interface PartitionChangeContext {
  /** Brokers that may lead: registered and unfenced. */
  readonly liveBrokers: ReadonlySet<number>;
  readonly uncleanLeaderElectionEnable: boolean;
  readonly electLeader: LeaderElectionPolicy;
}

export function buildPartitionChange(
  where: { topicId: string; topicName: string; partitionId: number },
  partition: PartitionRegistration,
  targetIsr: readonly number[],
  ctx: PartitionChangeContext,
): PartitionChangeRecord | null {
  const record: PartitionChangeRecord = {
    type: "PartitionChangeRecord",
    topicId: where.topicId,
    partitionId: where.partitionId,
    isr: null,
    leader: NO_LEADER_CHANGE,
  };
  const leader = ctx.electLeader({
    replicas: partition.replicas,
    isr: targetIsr,
    liveBrokers: ctx.liveBrokers,
    uncleanLeaderElectionEnable: ctx.uncleanLeaderElectionEnable,
    currentLeader: partition.leader,
    partition: { topic: where.topicName, partition: where.partitionId },
  });
  if (leader !== NO_LEADER && !partition.replicas.includes(leader)) {
    throw new Error(
      `Leader election policy chose broker ${leader} for ${where.topicName}-${where.partitionId}, which is not one of its replicas [${partition.replicas}]`,
    );
  }
  if (leader !== partition.leader) {
    record.leader = leader;
    // Unclean: the new leader was not in sync. Its log becomes the truth (PartitionChangeBuilder.tryElection).
    if (leader !== NO_LEADER && !targetIsr.includes(leader)) record.isr = [leader];
  }
  if (record.isr === null && targetIsr.length > 0 && !sameMembers(targetIsr, partition.isr))
    record.isr = [...targetIsr];
  if (record.isr === null && record.leader === NO_LEADER_CHANGE) return null;
  return record;
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
