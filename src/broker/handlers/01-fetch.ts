/**
 * Fetch (API 1), for consumers (replicaId -1) and followers (replicaId = their broker id).
 * Everything is delegated to the replica manager (Kafka: KafkaApis.handleFetchRequest →
 * ReplicaManager.fetchMessages), which reads each partition, records follower progress,
 * answers `divergingEpoch` when a follower's lastFetchedEpoch does not match the leader's
 * epoch history (KIP-320, IBP 2.7+), and holds the request in purgatory up to maxWaitMs until
 * minBytes are available.
 *
 * Errors per partition: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER (+ currentLeader),
 * FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH (currentLeaderEpoch older / newer than ours),
 * OFFSET_OUT_OF_RANGE. Consumers read below the high watermark only.
 *
 * Departures: no fetch sessions (KIP-227: every request lists its partitions), no
 * read_committed (isolation level 1 reads like read_uncommitted: there are no transactions),
 * no follower fetching for consumers (KIP-392), no topic ids.
 */
import type { FetchRequest, FetchResponse } from "../../protocol";
import type { Handler } from "./handler";

export const handleFetch: Handler<FetchRequest, FetchResponse> = (broker, request, respond) => {
  broker.replicaManager.fetchMessages(request.body, respond);
};
