/**
 * The produce path of the ReplicaManager (replica-manager.ts), as Kafka's
 * ReplicaManager.appendRecords with DelayedProduce: append on the leader (Partition
 * appendAsLeader, which refuses acks=-1 below min.insync.replicas), wake fetches waiting for
 * data, and for acks=-1 wait in the produce purgatory until checkEnoughReplicasReachOffset says
 * done, or answer REQUEST_TIMED_OUT after timeoutMs.
 *
 * Invariant: `done` is called exactly once per request.
 *
 * Departures from Kafka: one partition per call (the Produce handler loops); no quotas.
 */
import { Errors } from "../protocol";
import { topicPartitionKey } from "../log";
import { DelayedProduce } from "./delayed-operations";
import { notLeader, type ReplicaManagerState } from "./replica-manager-state";
import type { LeaderAppendRequest, LeaderAppendResult } from "./services";

export function appendToLeader(
  s: ReplicaManagerState,
  req: LeaderAppendRequest,
  done: (result: LeaderAppendResult) => void,
): void {
  const now = s.host.now();
  const key = topicPartitionKey({ topic: req.topic, partition: req.partition });
  const p = s.partitions.get(key);
  if (p === undefined || !p.isLeader) return done(notLeader(s, req.topic, req.partition));
  const { result, highWatermarkChanged } = p.appendAsLeader(req.records, {
    acks: req.acks,
    origin: req.origin,
    nowMs: now,
  });
  const base: LeaderAppendResult = {
    error: result.error,
    errorMessage: result.errorMessage ?? null,
    baseOffset: result.firstOffset,
    lastOffset: result.lastOffset,
    logAppendTimeMs: result.logAppendTime,
    logStartOffset: result.logStartOffset,
  };
  if (result.error !== Errors.NONE) return done(base);
  // Followers and consumers waiting on this partition may now have data.
  s.fetchPurgatory.checkAndComplete(key);
  if (highWatermarkChanged) s.producePurgatory.checkAndComplete(key);
  if (req.acks !== -1 || result.lastOffset < 0) return done(base);
  const op = new DelayedProduce(p, result.lastOffset + 1, base, done);
  if (!s.producePurgatory.tryCompleteElseWatch(op, [key])) {
    op.cancelTimer = s.host.schedule(req.timeoutMs, () => s.producePurgatory.forceComplete(op));
  }
}
