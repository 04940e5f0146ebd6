/**
 * The mutable state of one Partition (partition.ts), shared by its leader-side code
 * (partition-leader.ts: appends, reads, epoch checks; partition-isr.ts: high watermark and
 * ISR changes). Kafka keeps these as fields of Partition.scala; here the class holds one
 * PartitionReplicaState and hands it to those functions. Not exported from the layer's index.
 *
 * Invariants (asserted where they are changed): HW ≤ LEO; the leader's HW never decreases
 * during a leadership; the ISR (committed and proposed) contains the leader.
 */
import type { PartitionLog } from "../log";
import type { FollowerState } from "./follower-state";
import type { IsrState } from "./isr-state";
import type { AlterIsrProposal, PartitionContext } from "./partition-types";

export interface PartitionReplicaState {
  readonly topic: string;
  readonly partition: number;
  readonly log: PartitionLog;
  readonly ctx: PartitionContext;
  role: "leader" | "follower" | "none";
  leaderId: number;
  leaderEpoch: number;
  partitionEpoch: number;
  replicas: readonly number[];
  isrState: IsrState;
  /** What the leader knows of each follower (empty unless leader). */
  readonly followers: Map<number, FollowerState>;
  /** The log end offset when this leader epoch began (KIP-101), -1 unless leader. */
  leaderEpochStartOffset: number;
  /** The AlterPartition proposal in flight, if any (one at a time). */
  inflight: AlterIsrProposal | null;
}

/** min(min.insync.replicas, replication factor). */
export function effectiveMinIsr(s: PartitionReplicaState): number {
  return Math.min(s.log.config.minInsyncReplicas, Math.max(1, s.replicas.length));
}

/** "topic-partition", for messages. */
export function partitionName(s: PartitionReplicaState): string {
  return `${s.topic}-${s.partition}`;
}

/** An invariant: its violation is a bug in the replication code, never bad input. */
export function assertInvariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`Replication invariant violated: ${message}`);
}
