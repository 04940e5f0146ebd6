/**
 * OffsetForLeaderEpoch (API 23, Kafka's OffsetsForLeaderEpoch; KIP-101, KIP-279, KIP-320): for
 * each partition, the leader answers the largest epoch ≤ the requested `leaderEpoch` that it
 * has, and that epoch's exclusive end offset (the start offset of the next higher epoch, or its
 * log end offset if the requested epoch is its current one). A follower that (re)starts truncates
 * to min(endOffset, its own log end offset); a consumer uses it to detect log truncation.
 *
 * Errors: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH /
 * UNKNOWN_LEADER_EPOCH for a currentLeaderEpoch older / newer than the leader's (-1 skips the
 * check). Undefined answers are epoch -1, end offset -1.
 *
 * Departure: followers of this broker use the divergingEpoch of Fetch (IBP 2.7+) in the steady
 * state; this API is still served for the truncation seam, labs and consumers.
 */
import { Errors, type OffsetForLeaderEpochRequest, type OffsetForLeaderEpochResponse } from "../../protocol";
import type { Handler } from "./handler";

export const handleOffsetForLeaderEpoch: Handler<
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse
> = (broker, request, respond) => {
  const topics = (request.body.topics ?? []).map((t) => ({
    topic: t.topic,
    partitions: (t.partitions ?? []).map((p) => {
      const r = broker.replicaManager.lastOffsetForLeaderEpoch(
        t.topic,
        p.partition,
        p.currentLeaderEpoch,
        p.leaderEpoch,
      );
      return {
        errorCode: r.error.code,
        partition: p.partition,
        leaderEpoch: r.error === Errors.NONE ? r.leaderEpoch : -1,
        endOffset: r.error === Errors.NONE ? r.endOffset : -1,
      };
    }),
  }));
  respond({ topics });
};
