/**
 * Partition leader election: the SEAM a lab swaps (lab 01). The controller calls the policy
 * whenever a partition's leader may have to change — its leader was fenced, it had no leader and
 * a broker came back, an ISR change removed the leader — and writes the result through Raft.
 *
 * The default is Kafka's (PartitionChangeBuilder.electAnyLeader, metadata module):
 * 1. keep the current leader if it is still in the ISR and alive;
 * 2. else the first replica, in assignment order, that is in the ISR and alive (clean election);
 * 3. else, only if unclean.leader.election.enable (false by default since 0.11.0.0), the first
 *    live replica even though it is outside the ISR (unclean election: the controller then sets
 *    ISR = [leader], and records the old leader had acknowledged may be lost);
 * 4. else -1 (NO_LEADER): the partition is offline until an ISR member returns.
 *
 * "Alive" means registered and unfenced (Kafka: ClusterControlManager.isActive, and not shutting
 * down). Whatever a policy returns must be -1 or one of the replicas; the controller checks that.
 */
import { NO_LEADER } from "./metadata-records";

export interface LeaderElectionInput {
  /** The partition's replicas in assignment order (replicas[0] is the preferred leader). */
  readonly replicas: readonly number[];
  /** The ISR the partition will have (the fenced broker already removed). */
  readonly isr: readonly number[];
  /** Brokers that may lead: registered and unfenced. */
  readonly liveBrokers: ReadonlySet<number>;
  /** unclean.leader.election.enable for this topic. */
  readonly uncleanLeaderElectionEnable: boolean;
  /** The current leader, or -1. Kafka keeps a leader that is still eligible. */
  readonly currentLeader: number;
  /**
   * Which partition this is (for logs and labs' narration; the rule itself never needs it).
   * Set by the controller; absent when a policy is called directly.
   */
  readonly partition?: { readonly topic: string; readonly partition: number };
}

/** Returns the new leader's broker id, or -1 for no leader. */
export type LeaderElectionPolicy = (input: LeaderElectionInput) => number;

// #region elect-leader
export const electLeader: LeaderElectionPolicy = ({
  replicas,
  isr,
  liveBrokers,
  uncleanLeaderElectionEnable,
  currentLeader,
}) => {
  const eligible = (id: number): boolean => isr.includes(id) && liveBrokers.has(id);
  if (currentLeader !== NO_LEADER && eligible(currentLeader)) return currentLeader;
  const clean = replicas.find(eligible);
  if (clean !== undefined) return clean;
  if (uncleanLeaderElectionEnable) {
    const unclean = replicas.find((id) => liveBrokers.has(id));
    if (unclean !== undefined) return unclean;
  }
  return NO_LEADER;
};
// #endregion elect-leader
