/**
 * CreateTopics (API 19): forwarded to the active controller in an Envelope (KIP-590), which
 * validates names, partition counts, replication factors and configs, places replicas the way
 * Kafka's StripedReplicaPlacer does, and answers once the records are committed. Error codes per
 * topic are the controller's (INVALID_TOPIC_EXCEPTION, TOPIC_ALREADY_EXISTS,
 * INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_CONFIG, ...); if no controller answers
 * within the broker's request timeout every topic gets REQUEST_TIMED_OUT.
 *
 * Departures: validateOnly is passed through to the controller as is; the request's timeoutMs
 * does not make the broker wait for the new leaders to appear in its own metadata (Kafka
 * doesn't either since KRaft).
 */
import type { CreateTopicsRequest, CreateTopicsResponse } from "../../protocol";
import type { Handler } from "./handler";

export const handleCreateTopics: Handler<CreateTopicsRequest, CreateTopicsResponse> = (
  broker,
  request,
  respond,
) => {
  broker.createTopics(request.body, respond);
};
