/**
 * Lab 01, part 1 — reference solution.
 *
 * - replicationFactor 3: a copy of every partition on each of the three brokers, so any one
 *   broker can fail and two copies remain.
 * - min.insync.replicas=2: with acks=all the leader answers only once at least two in-sync
 *   replicas have the order (the high watermark does not advance while the ISR is smaller,
 *   Kafka 3.7+), and refuses writes with NOT_ENOUGH_REPLICAS when its ISR has shrunk to itself.
 *   With one broker down, two are in sync and writes go on. (3 would stop writes whenever any
 *   broker is down; 1 lets a lone leader acknowledge orders nobody else has.)
 * - unclean.leader.election.enable=false (Kafka's default since 0.11.0.0): when every ISR member
 *   is down, the partition waits for one of them instead of handing leadership to a replica
 *   that missed acknowledged orders.
 */
export const ordersTopic = {
  replicationFactor: 3,
  configs: {
    "min.insync.replicas": "2",
    "unclean.leader.election.enable": "false",
  },
};
