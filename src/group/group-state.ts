/**
 * The classic group state machine as a transition table (Kafka's ClassicGroupState, formerly
 * GroupState in GroupMetadata.scala). Each state lists the states it may be entered from; any
 * other move is a coordinator bug and throws.
 *
 * | state               | meaning                                                          | entered from |
 * |---------------------|------------------------------------------------------------------|--------------|
 * | Empty               | no members; offsets may remain (standalone or idle consumers)     | PreparingRebalance |
 * | PreparingRebalance  | collecting JoinGroup requests for the next generation             | Empty, Stable, CompletingRebalance |
 * | CompletingRebalance | generation chosen; waiting for the leader's SyncGroup assignment  | PreparingRebalance |
 * | Stable              | assignment handed out; members heartbeat                          | CompletingRebalance |
 * | Dead                | group removed (coordinator moved away, or expired with no offsets) | every state |
 *
 * A group loaded from __consumer_offsets starts directly in Empty or Stable (as Kafka's loader
 * does); that is construction, not a transition.
 */

export type GroupState = "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable" | "Dead";

export const GROUP_STATES: readonly GroupState[] = [
  "Empty",
  "PreparingRebalance",
  "CompletingRebalance",
  "Stable",
  "Dead",
];

/** state → the states it may be entered from. */
export const VALID_PREVIOUS_STATES: Readonly<Record<GroupState, readonly GroupState[]>> = Object.freeze({
  Empty: ["PreparingRebalance"],
  PreparingRebalance: ["Empty", "Stable", "CompletingRebalance"],
  CompletingRebalance: ["PreparingRebalance"],
  Stable: ["CompletingRebalance"],
  Dead: ["Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"],
});

export function canTransition(from: GroupState, to: GroupState): boolean {
  return VALID_PREVIOUS_STATES[to].includes(from);
}

/** Throws unless `from → to` is in the table. */
export function assertTransition(groupId: string, from: GroupState, to: GroupState): void {
  if (!canTransition(from, to))
    throw new Error(
      `Group "${groupId}" cannot move from ${from} to ${to}: ${to} may only be entered from ${VALID_PREVIOUS_STATES[to].join(", ")}`,
    );
}
