/**
 * Turns a wanted partition state into the PartitionChangeRecord that reaches it, the way Kafka's
 * PartitionChangeBuilder.build does (metadata/src/main/java/org/apache/kafka/controller/
 * PartitionChangeBuilder.java; without reassignment, directories or leader recovery state):
 *
 * 1. Start from the target ISR (the fenced broker removed, or the ISR a leader proposed).
 * 2. With Eligible Leader Replicas (KIP-966) on, compute the target ELR (maybePopulateTargetElr):
 *    if the target ISR has at least the effective min ISR (min(min.insync.replicas, replication
 *    factor)) the ELR empties; otherwise every member of the current ISR or ELR that is not in the
 *    target ISR is (or stays) eligible, except replicas that restarted after an unclean shutdown.
 *    Why that is safe: while the ISR is below min ISR the high watermark does not move (Kafka
 *    3.7, high-watermark.ts), so a replica that leaves the ISR then holds every committed record.
 * 3. Run the leader election policy (election.ts) on the candidates: the target ISR, or, when it
 *    is empty and ELR is on, the ELR (Kafka's isValidNewLeader). If the leader changes, the
 *    record sets `leader`; applying it bumps leaderEpoch. A leader taken from the ELR is a clean
 *    election: ISR = [leader], and it leaves the ELR. A leader from outside the candidates means
 *    an unclean election, and the ISR becomes [leader].
 * 4. ELR on and no candidate alive: Kafka 4.x elects the *last known leader* (lastKnownElr holds
 *    it once the partition went leaderless with ISR and ELR empty) when it is unfenced, before
 *    any unclean election, and marks it unclean (ISR = [leader]). Kafka's 4.0/4.1 docs list this
 *    third step ("a similar behavior prior to 4.0 when all the replicas are offline"); it is
 *    `electLastKnownLeader` here (default true, as in Kafka, where the builder's
 *    useLastKnownLeaderInBalancedRecovery is always true). Note what it means: a last leader
 *    that came back without its unflushed tail is elected again, exactly as without ELR.
 * 5. The record's ELR: emptied on an unclean election or with ELR off; set if it changed.
 * 6. Set `isr` if it changed — never to an empty list without ELR (Kafka keeps the last ISR member
 *    in the ISR, and the partition leaderless, so that it can come back as leader); with ELR the
 *    ISR may empty.
 * 7. lastKnownElr (maybeUpdateLastKnownLeader, as simplified in Kafka PR #20629): when the
 *    partition loses its leader and has no last known ELR, it becomes [old leader]; it is cleared
 *    once the partition has a leader again.
 * 8. No change at all gives null (Kafka: changeRecordIsNoOp).
 *
 * Every applied change bumps partitionEpoch. Since Kafka 3.6 (KAFKA-15021) an ISR shrink alone no
 * longer bumps leaderEpoch; we follow that. With ELR off nothing of steps 2, 4, 5 and 7 runs and
 * the records are exactly those of a controller without KIP-966.
 *
 * Departure: Kafka's lastKnownElr, with useLastKnownLeaderInBalancedRecovery off, would track
 * every former ELR member for the unclean recovery of KIP-966 part 2 (not in Kafka 4.1 either);
 * we only keep the last known leader.
 */
import type { LeaderElectionPolicy } from "./election";
import { elrOf, lastKnownElrOf, type PartitionRegistration } from "./metadata-image";
import { NO_LEADER, NO_LEADER_CHANGE, type PartitionChangeRecord } from "./metadata-records";

export interface PartitionChangeContext {
  /** Brokers that may lead: registered and unfenced. */
  readonly liveBrokers: ReadonlySet<number>;
  readonly uncleanLeaderElectionEnable: boolean;
  readonly electLeader: LeaderElectionPolicy;
  /** KIP-966 on (Kafka: eligible.leader.replicas.version ≥ 1). Default false. */
  readonly eligibleLeaderReplicasEnabled?: boolean;
  /** The topic's effective min ISR, min(min.insync.replicas, replication factor); needed with ELR. */
  readonly minIsr?: number;
  /** Brokers that restarted after an unclean shutdown: dropped from the ELR (Kafka: uncleanShutdownReplicas). */
  readonly uncleanShutdownReplicas?: readonly number[];
  /** With ELR: elect the last known leader when ISR and ELR are empty (Kafka's behaviour; default true). */
  readonly electLastKnownLeader?: boolean;
}

export function buildPartitionChange(
  where: { topicId: string; topicName: string; partitionId: number },
  partition: PartitionRegistration,
  targetIsrIn: readonly number[],
  ctx: PartitionChangeContext,
): PartitionChangeRecord | null {
  const record: PartitionChangeRecord = {
    type: "PartitionChangeRecord",
    topicId: where.topicId,
    partitionId: where.partitionId,
    isr: null,
    leader: NO_LEADER_CHANGE,
  };
  const elrOn = ctx.eligibleLeaderReplicasEnabled ?? false;
  let targetIsr: readonly number[] = targetIsrIn;
  let targetElr: readonly number[] = elrOf(partition);
  if (elrOn) targetElr = populateTargetElr(partition, targetIsr, ctx);

  // Step 3: the policy chooses among the ISR, or among the ELR when the ISR is empty.
  const candidates = elrOn && targetIsr.length === 0 ? targetElr : targetIsr;
  let leader = ctx.electLeader({
    replicas: partition.replicas,
    isr: candidates,
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
  // Step 4: Kafka tries the last known leader before any unclean election.
  if (!candidates.includes(leader) && canElectLastKnownLeader(partition, targetIsr, targetElr, ctx))
    leader = lastKnownElrOf(partition)[0]!;
  if (leader !== partition.leader) {
    record.leader = leader;
    if (leader !== NO_LEADER && targetElr.includes(leader) && !targetIsr.includes(leader)) {
      // A clean election from the ELR (PartitionChangeBuilder.tryElection).
      targetIsr = [leader];
      targetElr = targetElr.filter((id) => id !== leader);
    } else if (leader !== NO_LEADER && !targetIsr.includes(leader)) {
      // Unclean: the new leader was not in sync. Its log becomes the truth.
      record.isr = [leader];
    }
  }
  // Step 5 (maybeUpdateRecordElr).
  if (record.isr !== null || !elrOn) targetElr = [];
  if (!sameMembers(targetElr, elrOf(partition))) record.eligibleLeaderReplicas = [...targetElr];
  // Step 6.
  if (record.isr === null && (targetIsr.length > 0 || elrOn) && !sameMembers(targetIsr, partition.isr))
    record.isr = [...targetIsr];
  // Step 7 (maybeUpdateLastKnownLeader).
  if (elrOn) {
    const known = lastKnownElrOf(partition);
    if (record.leader === NO_LEADER && known.length === 0) record.lastKnownElr = [partition.leader];
    else if (
      known.length > 0 &&
      (record.leader >= 0 || (partition.leader !== NO_LEADER && record.leader !== NO_LEADER))
    )
      record.lastKnownElr = [];
  }
  if (
    record.isr === null &&
    record.leader === NO_LEADER_CHANGE &&
    record.eligibleLeaderReplicas === undefined &&
    record.lastKnownElr === undefined
  )
    return null;
  return record;
}

/** Kafka's maybePopulateTargetElr; ctx.minIsr is required here. */
function populateTargetElr(
  partition: PartitionRegistration,
  targetIsr: readonly number[],
  ctx: PartitionChangeContext,
): readonly number[] {
  const minIsr = ctx.minIsr;
  if (minIsr === undefined || !Number.isInteger(minIsr) || minIsr < 1)
    throw new Error(`Cannot track eligible leader replicas without a valid min ISR (got ${minIsr})`);
  if (targetIsr.length >= minIsr) return [];
  const unclean = ctx.uncleanShutdownReplicas ?? [];
  const out: number[] = [];
  // Current ELR first, then the current ISR members leaving it (deterministic order).
  for (const id of [...elrOf(partition), ...partition.isr])
    if (!targetIsr.includes(id) && !unclean.includes(id) && !out.includes(id)) out.push(id);
  return out;
}

function canElectLastKnownLeader(
  partition: PartitionRegistration,
  targetIsr: readonly number[],
  targetElr: readonly number[],
  ctx: PartitionChangeContext,
): boolean {
  if (!(ctx.eligibleLeaderReplicasEnabled ?? false) || !(ctx.electLastKnownLeader ?? true)) return false;
  if (targetIsr.length > 0 || targetElr.length > 0) return false;
  const known = lastKnownElrOf(partition);
  return known.length === 1 && ctx.liveBrokers.has(known[0]!);
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
