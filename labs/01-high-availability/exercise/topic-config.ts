/**
 * Lab 01, part 1: how the `orders` topic is created — what you would pass to
 *
 *   kafka-topics.sh --create --topic orders --partitions 3 \
 *     --replication-factor <replicationFactor> --config <key>=<value> ...
 *
 * The cluster has three brokers. The team's requirements for `orders`:
 * - an order the producer was told is safe (acknowledged) is never lost, whichever broker
 *   crashes or loses power, and even when all three fail one after the other;
 * - an acknowledged order is on at least two brokers when the producer is told;
 * - while at most one of the three brokers is down, orders keep being accepted: each is
 *   acknowledged within 8 seconds.
 *
 * The configs you may set here are min.insync.replicas and unclean.leader.election.enable
 * (values are strings, as in Kafka). The partition count is fixed at 3.
 */
export const ordersTopic = {
  // TODO(lab-01): one copy of each partition, and a topic that lets any surviving replica lead.
  // How many copies does "any broker may fail" need? How many in-sync copies must exist before
  // a write counts (min.insync.replicas)? What does unclean election trade away?
  // (High availability page: "When every replica is down"; Reliability page, acks and min ISR.)
  replicationFactor: 1,
  configs: {
    "min.insync.replicas": "1",
    "unclean.leader.election.enable": "true",
  },
};
