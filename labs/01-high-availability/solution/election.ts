/**
 * Lab 01, part 3 — reference solution: Kafka's rule (PartitionChangeBuilder.electAnyLeader in
 * the metadata module; src/controller/election.ts is the same).
 *
 * 1. Keep the current leader if it is alive and still in the ISR (no needless leader changes).
 * 2. Else the first replica, in assignment order, that is in the ISR and alive: every ISR member
 *    has every acknowledged (committed) record, and assignment order makes the choice
 *    deterministic and favours the preferred leader.
 * 3. Else, only if unclean.leader.election.enable, the first live replica: availability bought
 *    with the records it lacks.
 * 4. Else -1: the partition stays offline until an ISR member returns.
 */
import type { LeaderElectionPolicy } from "../../../src/controller";

export const electLeader: LeaderElectionPolicy = ({
  replicas,
  isr,
  liveBrokers,
  uncleanLeaderElectionEnable,
  currentLeader,
}) => {
  const eligible = (id: number): boolean => isr.includes(id) && liveBrokers.has(id);
  if (currentLeader !== -1 && eligible(currentLeader)) return currentLeader;
  for (const id of replicas) if (eligible(id)) return id;
  if (uncleanLeaderElectionEnable) for (const id of replicas) if (liveBrokers.has(id)) return id;
  return -1;
};
