/**
 * Lab 01, part 3: the controller's leader election policy — the seam in
 * src/controller/election.ts that the KRaft controller calls whenever a partition's leader may
 * have to change: its leader was fenced (stopped heartbeating), the partition had no leader and
 * a broker came back, or an ISR change removed the leader.
 *
 * Input (all read-only):
 * - replicas: the partition's replicas in assignment order (replicas[0] is the preferred leader);
 * - isr: the in-sync replicas the partition will have (a fenced broker already removed);
 * - liveBrokers: brokers that may lead now (registered and not fenced);
 * - uncleanLeaderElectionEnable: the topic's unclean.leader.election.enable;
 * - currentLeader: the leader now, or -1.
 *
 * Return the broker id of the new leader (one of `replicas`), or -1 for no leader: the
 * partition then stays offline until the controller asks again (when a broker comes back).
 * The controller writes your answer to the metadata log; every leader change bumps the
 * partition's leader epoch, and the other replicas truncate their logs to match the new leader.
 */
import type { LeaderElectionPolicy } from "../../../src/controller";

export const electLeader: LeaderElectionPolicy = ({ replicas, liveBrokers, currentLeader }) => {
  // TODO(lab-01): any live replica will do? A replica that was down or cut off when orders were
  // acknowledged does not have them — and the others truncate to whatever the new leader has.
  // Which replicas are guaranteed to hold every acknowledged order? In what order does Kafka
  // try them, and what does it do when none is alive?
  if (currentLeader !== -1 && liveBrokers.has(currentLeader)) return currentLeader;
  for (const id of replicas) if (liveBrokers.has(id)) return id;
  return -1;
};
