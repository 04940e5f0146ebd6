/**
 * Metadata (API 3): live brokers (their `host` is the node name clients send to), the cluster
 * id, and per topic its partitions' leader, leader epoch, replicas, ISR and offline replicas,
 * from the broker's MetadataCache (committed __cluster_metadata; Kafka's KRaftMetadataCache).
 *
 * Unknown topics (KafkaApis.getTopicMetadata + AutoTopicCreationManager):
 * - illegal name → INVALID_TOPIC_EXCEPTION;
 * - allowAutoTopicCreation in the request and auto.create.topics.enable (default true) → the
 *   broker forwards CreateTopics to the controller (num.partitions 1, default.replication.factor
 *   1; __consumer_offsets gets offsets.topic.* settings) and answers LEADER_NOT_AVAILABLE until
 *   the topic appears in its metadata;
 * - otherwise UNKNOWN_TOPIC_OR_PARTITION.
 * Partitions without a leader carry LEADER_NOT_AVAILABLE (from the cache).
 *
 * Departures: `controllerId` is the lowest live broker id (KRaft answers a random alive broker,
 * since clients never talk to the controller); no topic ids, racks or authorized operations.
 */
import { Errors, type MetadataRequest, type MetadataResponse, type MetadataTopic } from "../../protocol";
import { topicNameProblem } from "../../log";
import type { Handler } from "./handler";

export const OFFSETS_TOPIC = "__consumer_offsets";

export const handleMetadata: Handler<MetadataRequest, MetadataResponse> = (broker, request, respond) => {
  const req = request.body;
  const cache = broker.metadata;
  const names = req.topics === null || req.topics === undefined ? null : req.topics.map((t) => t.name);
  const topics: MetadataTopic[] = cache.metadataTopics(names).map((t) => {
    if (t.errorCode !== Errors.UNKNOWN_TOPIC_OR_PARTITION.code) return t;
    const problem = topicNameProblem(t.name);
    if (problem !== undefined) return { ...t, errorCode: Errors.INVALID_TOPIC_EXCEPTION.code };
    if (!(req.allowAutoTopicCreation && broker.config.autoCreateTopicsEnable)) return t;
    const spec =
      t.name === OFFSETS_TOPIC
        ? broker.offsetsTopicSpec()
        : {
            name: t.name,
            numPartitions: broker.config.numPartitions,
            replicationFactor: broker.config.defaultReplicationFactor,
          };
    broker.ensureTopic(spec);
    return { ...t, errorCode: Errors.LEADER_NOT_AVAILABLE.code };
  });
  const brokers = cache.metadataBrokers();
  respond({
    brokers,
    clusterId: broker.clusterId,
    controllerId: brokers[0]?.nodeId ?? -1,
    topics,
  });
};
