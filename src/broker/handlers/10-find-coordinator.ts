/**
 * FindCoordinator (API 10): which broker coordinates a group — the leader of __consumer_offsets
 * partition abs(groupId.hashCode()) % offsets.topic.num.partitions (src/group/partition-for.ts),
 * as this broker's committed metadata knows it.
 *
 * - __consumer_offsets does not exist yet: ask the controller to create it (offsets.topic.*
 *   settings) and answer COORDINATOR_NOT_AVAILABLE, as Kafka does on the first group request.
 * - The partition has no leader, or its leader is not a live broker: COORDINATOR_NOT_AVAILABLE.
 * - keyType 1 (transactional id): there is no transaction coordinator in this course →
 *   COORDINATOR_NOT_AVAILABLE with a message saying so. An empty key: INVALID_REQUEST.
 *
 * Departure: one key per request (v4's batched coordinatorKeys are not modelled).
 */
import { Errors, type FindCoordinatorRequest, type FindCoordinatorResponse } from "../../protocol";
import { groupPartitionFor, OFFSETS_TOPIC_NAME } from "../../group";
import type { Handler } from "./handler";

export const handleFindCoordinator: Handler<FindCoordinatorRequest, FindCoordinatorResponse> = (
  broker,
  request,
  respond,
) => {
  const req = request.body;
  const fail = (error: { code: number; message: string }, message?: string): void =>
    respond({
      errorCode: error.code,
      errorMessage: message ?? error.message,
      nodeId: -1,
      host: "",
      port: -1,
    });
  if (req.keyType === 1)
    return fail(Errors.COORDINATOR_NOT_AVAILABLE, "Transactions are not supported by this broker");
  if (typeof req.key !== "string" || req.key === "")
    return fail(Errors.INVALID_REQUEST, "The group id is empty");
  if (broker.metadata.topic(OFFSETS_TOPIC_NAME) === undefined) {
    broker.ensureTopic(broker.offsetsTopicSpec());
    return fail(Errors.COORDINATOR_NOT_AVAILABLE, `${OFFSETS_TOPIC_NAME} is being created`);
  }
  const partition = groupPartitionFor(req.key, broker.config.offsetsTopicNumPartitions);
  const leader = broker.metadata.leaderFor(OFFSETS_TOPIC_NAME, partition);
  const endpoint =
    leader && leader.leaderId >= 0
      ? broker.metadata.metadataBrokers().find((b) => b.nodeId === leader.leaderId)
      : undefined;
  if (!endpoint)
    return fail(Errors.COORDINATOR_NOT_AVAILABLE, `${OFFSETS_TOPIC_NAME}-${partition} has no live leader`);
  respond({
    errorCode: Errors.NONE.code,
    errorMessage: null,
    nodeId: endpoint.nodeId,
    host: endpoint.host,
    port: endpoint.port,
  });
};
