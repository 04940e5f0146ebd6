/**
 * The mutable state of the ReplicaManager (replica-manager.ts), shared by its paths: leadership
 * changes (replica-leadership.ts), produce (replica-produce.ts), fetch and other reads
 * (replica-reads.ts) and follower fetching (replica-fetcher-manager.ts). Kafka keeps these as
 * fields of ReplicaManager; here the class holds one ReplicaManagerState and hands it to those
 * functions. Not exported from the layer's index.
 *
 * Also here: the answer for a partition this broker does not lead (NOT_LEADER_OR_FOLLOWER with
 * the current leader, or UNKNOWN_TOPIC_OR_PARTITION), and completing the delayed operations
 * watching a partition after it changed.
 *
 * Invariant: every Partition in `partitions` has a log; every delayed operation is watched under
 * the key `topic-partition` of the partitions it waits on.
 */
import { Errors } from "../protocol";
import type { Partition, Purgatory, ReplicaFetcher } from "../replication";
import type { DelayedFetch, DelayedProduce } from "./delayed-operations";
import type { ReplicaManagerHost } from "./replica-manager";
import type { LeaderAppendResult, LeadershipListener } from "./services";

export interface ReplicaManagerState {
  readonly host: ReplicaManagerHost;
  /** Hosted partitions by `topic-partition`. */
  readonly partitions: Map<string, Partition>;
  /** One fetcher per leader broker id. */
  readonly fetchers: Map<number, ReplicaFetcher>;
  readonly producePurgatory: Purgatory<DelayedProduce>;
  readonly fetchPurgatory: Purgatory<DelayedFetch>;
  readonly listeners: LeadershipListener[];
  fetcherPollScheduled: boolean;
  stopped: boolean;
}

export function notLeader(s: ReplicaManagerState, topic: string, partition: number): LeaderAppendResult {
  const known = s.host.metadata.partition(topic, partition);
  const error = known === undefined ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.NOT_LEADER_OR_FOLLOWER;
  const r: LeaderAppendResult = {
    error,
    errorMessage:
      known === undefined
        ? `This server does not host ${topic}-${partition}`
        : `Broker ${s.host.brokerId} is not the leader of ${topic}-${partition}`,
    baseOffset: -1,
    lastOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: -1,
  };
  if (known !== undefined) r.currentLeader = { leaderId: known.leader, leaderEpoch: known.leaderEpoch };
  return r;
}

export function afterPartitionChange(s: ReplicaManagerState, key: string): void {
  s.producePurgatory.checkAndComplete(key);
  s.fetchPurgatory.checkAndComplete(key);
}

export function keyOf(p: Partition): string {
  return `${p.topic}-${p.partition}`;
}
