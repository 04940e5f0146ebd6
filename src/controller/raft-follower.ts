/**
 * Follower fetch in the Raft state machine (raft.ts), as the follower side of KRaft's
 * KafkaRaftClient (KIP-595): a follower sends Fetch(fetchOffset = log end offset,
 * lastFetchedEpoch) to its leader, appends what comes back, or truncates to the divergence
 * point the leader names, and learns the high watermark. A follower that hears nothing from its
 * leader for fetchTimeoutMs starts an election (raft.ts tick).
 *
 * Invariants: committed batches (below the high watermark) are never truncated (asserted);
 * fetched batches must start at the log end offset and carry no epoch above the node's; a
 * response naming another leader of the current epoch is a safety violation (thrown).
 *
 * Departure from KRaft: a follower re-sends a lost Fetch before its fetch timeout
 * (fetchResendAfterMs), because the simulated network may drop a message silently where KRaft
 * would see the TCP connection close.
 */
import { Errors } from "../protocol";
import * as M from "./raft-messages";
import { appendLocal, raiseHighWatermark, send, truncateLocal, type RaftState } from "./raft-state";

/** Fetch from the leader at the log end offset, with the epoch of the last batch. */
export function sendFetch<T>(s: RaftState<T>): void {
  const body: M.RaftFetchRequest = {
    clusterId: s.config.clusterId,
    topic: M.METADATA_TOPIC,
    replicaId: s.config.nodeId,
    currentLeaderEpoch: s.epoch,
    fetchOffset: s.log.endOffset,
    lastFetchedEpoch: s.log.epochAt(s.log.endOffset - 1),
    maxWaitMs: s.config.fetchMaxWaitMs,
    maxBytes: s.config.fetchMaxBytes,
  };
  const correlationId = send(s, s.leaderId, "Fetch", body);
  s.fetchInFlight = { correlationId, sentAtMs: s.nowMs };
}

/**
 * How long a follower waits for a Fetch answer before sending it again: the request timeout,
 * but at most half the fetch timeout. Departure: KRaft relies on TCP, where a lost request
 * surfaces as a disconnect; the simulated network may drop a message silently, and one lost
 * Fetch must not cost an election.
 */
export function fetchResendAfterMs<T>(s: RaftState<T>): number {
  return Math.min(s.config.requestTimeoutMs, Math.floor(s.config.fetchTimeoutMs / 2));
}

/** Apply the leader's answer: truncate to the divergence point, or append and learn the high watermark. */
export function onFetchResponse<T>(
  s: RaftState<T>,
  correlationId: number,
  res: M.RaftFetchResponse<T>,
): void {
  if (s.fetchInFlight?.correlationId !== correlationId || s.role !== "follower") return;
  s.fetchInFlight = null;
  if (
    res.currentLeader.leaderEpoch === s.epoch &&
    res.currentLeader.leaderId >= 0 &&
    res.currentLeader.leaderId !== s.leaderId
  ) {
    throw new Error(
      `Raft safety violated: epoch ${s.epoch} has leaders ${s.leaderId} and ${res.currentLeader.leaderId}`,
    );
  }
  if (res.errorCode !== Errors.NONE.code) {
    s.fetchRetryAtMs = s.nowMs + s.config.retryBackoffMs;
    return;
  }
  s.fetchDeadlineMs = s.nowMs + s.config.fetchTimeoutMs;
  if (res.divergingEpoch) {
    const own = s.log.endOffsetForEpoch(res.divergingEpoch.epoch);
    const truncateTo = Math.min(res.divergingEpoch.endOffset, own.endOffset);
    if (truncateTo < s.highWatermark) {
      throw new Error(
        `Cannot truncate metadata log to ${truncateTo}: batches below the high watermark ${s.highWatermark} are committed`,
      );
    }
    truncateLocal(s, truncateTo);
  } else {
    if (res.batches.length > 0 && res.batches[0]!.offset !== s.log.endOffset) {
      throw new Error(
        `Cannot append fetched batches: first offset ${res.batches[0]!.offset} is not the log end offset ${s.log.endOffset}`,
      );
    }
    for (const b of res.batches) {
      if (b.epoch > s.epoch)
        throw new Error(
          `Cannot append batch ${b.offset}: its epoch ${b.epoch} is above the current epoch ${s.epoch}`,
        );
    }
    appendLocal(s, res.batches);
    raiseHighWatermark(s, Math.min(res.highWatermark, s.log.endOffset));
  }
  sendFetch(s);
}
