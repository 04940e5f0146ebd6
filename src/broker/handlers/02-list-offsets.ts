/**
 * ListOffsets (API 2): per partition, on the leader, timestamp -2 (EARLIEST_TIMESTAMP) → the
 * log start offset, -1 (LATEST_TIMESTAMP) → for consumers the high watermark (Kafka:
 * read_uncommitted consumers get the HW, never the log end offset), else the first offset whose
 * batch's max timestamp is ≥ the timestamp (UnifiedLog.fetchOffsetByTimestamp).
 *
 * Errors: INVALID_TOPIC_EXCEPTION, UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER,
 * FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH; a timestamp lookup landing at or above the high
 * watermark answers offset -1 for consumers, as Kafka does.
 *
 * Departures: MAX_TIMESTAMP (-3) and EARLIEST_LOCAL_TIMESTAMP (-4) are answered by the log
 * layer as it implements them; read_committed is treated as read_uncommitted (no transactions).
 */
import {
  CONSUMER_REPLICA_ID,
  Errors,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
} from "../../protocol";
import { topicNameProblem } from "../../log";
import type { Handler } from "./handler";

export const handleListOffsets: Handler<ListOffsetsRequest, ListOffsetsResponse> = (
  broker,
  request,
  respond,
) => {
  const req = request.body;
  const topics: ListOffsetsResponse["topics"] = (req.topics ?? []).map((t) => {
    const bad = topicNameProblem(t.name) !== undefined;
    return {
      name: t.name,
      partitions: (t.partitions ?? []).map((p) => {
        if (bad)
          return {
            partitionIndex: p.partitionIndex,
            errorCode: Errors.INVALID_TOPIC_EXCEPTION.code,
            timestamp: -1,
            offset: -1,
            leaderEpoch: -1,
          };
        const r = broker.replicaManager.listOffset(t.name, p.partitionIndex, p.timestamp, {
          currentLeaderEpoch: p.currentLeaderEpoch,
          isolationLevel: req.isolationLevel,
          fromConsumer: req.replicaId === CONSUMER_REPLICA_ID,
        });
        return {
          partitionIndex: p.partitionIndex,
          errorCode: r.error.code,
          timestamp: r.timestamp,
          offset: r.offset,
          leaderEpoch: r.leaderEpoch,
        };
      }),
    };
  });
  respond({ topics });
};
