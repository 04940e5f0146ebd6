/**
 * Produce (API 0), latest version shape. Serves acks 0, 1 and -1 (all) for any number of
 * topics and partitions in one request.
 *
 * Per partition, in Kafka's order (KafkaApis.handleProduceRequest, ReplicaManager.appendRecords):
 * - illegal topic name → INVALID_TOPIC_EXCEPTION; unknown topic or partition →
 *   UNKNOWN_TOPIC_OR_PARTITION; this broker not the leader → NOT_LEADER_OR_FOLLOWER with a
 *   `currentLeader` hint (KIP-951);
 * - acks=-1 and ISR < min.insync.replicas → NOT_ENOUGH_REPLICAS, nothing written;
 * - bad batches → CORRUPT_MESSAGE / INVALID_RECORD / MESSAGE_TOO_LARGE / RECORD_LIST_TOO_LARGE /
 *   INVALID_TIMESTAMP from the log's validation, nothing written;
 * - acks=-1 waits in purgatory until the high watermark passes the batch
 *   (NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR shrank below min.insync.replicas meanwhile,
 *   REQUEST_TIMED_OUT after timeoutMs; the data stays in the log in both cases).
 * The response is sent once every partition has its answer; with acks=0 none is sent, as in
 * Kafka (the client never learns the outcome).
 *
 * Departures: acks other than -1/0/1 fail every partition with INVALID_REQUIRED_ACKS (Kafka
 * answers the whole request so); transactional produce is not supported (transactionalId is
 * ignored); no quotas (throttleTimeMs is 0).
 */
import {
  Errors,
  type ProducePartitionResponse,
  type ProduceRequest,
  type ProduceResponse,
} from "../../protocol";
import { topicNameProblem } from "../../log";
import type { Handler } from "./handler";

export const handleProduce: Handler<ProduceRequest, ProduceResponse> = (broker, request, respond) => {
  const req = request.body;
  const acks = req.acks;
  const validAcks = acks === -1 || acks === 0 || acks === 1;
  const responses: ProduceResponse["responses"] = [];
  let waiting = 0;
  let allIssued = false;
  const finish = (): void => {
    if (allIssued && waiting === 0 && acks !== 0) respond({ responses, throttleTimeMs: 0 });
  };
  for (const topic of req.topicData ?? []) {
    const partitionResponses: ProducePartitionResponse[] = [];
    responses.push({ name: topic.name, partitionResponses });
    const nameProblem = topicNameProblem(topic.name);
    for (const p of topic.partitionData ?? []) {
      const slot: ProducePartitionResponse = failed(p.index, Errors.UNKNOWN_SERVER_ERROR.code, null);
      partitionResponses.push(slot);
      if (!validAcks) {
        Object.assign(
          slot,
          failed(p.index, Errors.INVALID_REQUIRED_ACKS.code, `acks=${String(acks)} is not -1, 0 or 1`),
        );
        continue;
      }
      if (nameProblem !== undefined) {
        Object.assign(slot, failed(p.index, Errors.INVALID_TOPIC_EXCEPTION.code, nameProblem));
        continue;
      }
      waiting++;
      broker.replicaManager.appendToLeader(
        {
          topic: topic.name,
          partition: p.index,
          records: p.records,
          acks: validAcks ? acks : -1,
          timeoutMs: req.timeoutMs,
          origin: "client",
        },
        (r) => {
          slot.errorCode = r.error.code;
          slot.errorMessage = r.errorMessage;
          slot.baseOffset =
            r.error === Errors.NONE || r.error === Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND
              ? r.baseOffset
              : -1;
          slot.logAppendTimeMs = r.logAppendTimeMs;
          slot.logStartOffset = r.logStartOffset;
          if (r.currentLeader) slot.currentLeader = r.currentLeader;
          waiting--;
          finish();
        },
      );
    }
  }
  allIssued = true;
  finish();
};

function failed(index: number, errorCode: number, errorMessage: string | null): ProducePartitionResponse {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage };
}
