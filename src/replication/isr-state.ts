/**
 * The leader's view of its ISR while AlterPartition requests are in flight (Kafka's
 * PartitionState: CommittedPartitionState, PendingExpandIsr, PendingShrinkIsr). The leader may
 * not change the ISR itself: it proposes a new ISR to the controller and keeps the *maximal*
 * ISR meanwhile, the larger of the committed and the proposed one, because either may be in
 * force at the controller until the answer arrives:
 *
 * | state          | isr (committed) | maximalIsr            | used for                          |
 * |----------------|-----------------|-----------------------|-----------------------------------|
 * | committed      | I               | I                     |                                   |
 * | pending-expand | I               | I ∪ {new member}      | HW waits for the new member too   |
 * | pending-shrink | I               | I (members still in)  | HW still waits for the laggards   |
 *
 * The committed ISR decides min.insync.replicas checks (NOT_ENOUGH_REPLICAS) and the 3.7 HW
 * freeze; the maximal ISR decides the high watermark and acks=all completion. No new proposal
 * is made while one is in flight (Partition.canAddReplicaToIsr / getOutOfSyncReplicas).
 * Invariant (asserted by the partition): the ISR contains the leader.
 */

export type IsrState =
  | { readonly kind: "committed"; readonly isr: readonly number[] }
  | {
      readonly kind: "pending-expand";
      readonly isr: readonly number[];
      readonly newInSyncReplicaId: number;
      readonly proposedIsr: readonly number[];
    }
  | {
      readonly kind: "pending-shrink";
      readonly isr: readonly number[];
      readonly outOfSyncReplicaIds: readonly number[];
      readonly proposedIsr: readonly number[];
    };

export function committedIsr(isr: readonly number[]): IsrState {
  return { kind: "committed", isr: [...isr] };
}

export function maximalIsr(state: IsrState): readonly number[] {
  return state.kind === "pending-expand" ? [...state.isr, state.newInSyncReplicaId] : state.isr;
}

export function isInflight(state: IsrState): boolean {
  return state.kind !== "committed";
}

export function proposedIsr(state: IsrState): readonly number[] | undefined {
  return state.kind === "committed" ? undefined : state.proposedIsr;
}

export function pendingExpand(state: IsrState, newMember: number): IsrState {
  return {
    kind: "pending-expand",
    isr: state.isr,
    newInSyncReplicaId: newMember,
    proposedIsr: [...state.isr, newMember],
  };
}

export function pendingShrink(state: IsrState, outOfSync: readonly number[]): IsrState {
  return {
    kind: "pending-shrink",
    isr: state.isr,
    outOfSyncReplicaIds: [...outOfSync],
    proposedIsr: state.isr.filter((id) => !outOfSync.includes(id)),
  };
}
