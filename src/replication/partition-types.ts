/**
 * The inputs and outputs of Partition (partition.ts): its context (what the broker provides),
 * the metadata state it is driven with, ISR proposals to the controller and their answers,
 * and the outcomes of leader appends and reads. Types only; re-exported by partition.ts.
 */
import type { FetchPartitionResponse } from "../protocol";
import type { AppendResult } from "../log";
import type { HighWatermarkRule } from "./high-watermark";
import type { TruncationPolicy } from "./truncation";

export interface PartitionContext {
  readonly localBrokerId: number;
  readonly replicaLagTimeMaxMs: number;
  readonly truncation: TruncationPolicy;
  readonly highWatermarkRule: HighWatermarkRule;
  /**
   * May `brokerId` join the ISR? Registered and unfenced, and (KIP-903) the broker epoch it
   * fetched with is its registered one (`fetchBrokerEpoch` undefined: not checked).
   */
  isReplicaIsrEligible(brokerId: number, fetchBrokerEpoch: number | undefined): boolean;
}

/** The partition's registration in the metadata (src/controller PartitionRegistration). */
export interface PartitionStateInput {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly isr: readonly number[];
  readonly replicas: readonly number[];
}

/** An ISR change the leader asks the controller for (AlterPartition, one partition). */
export interface AlterIsrProposal {
  readonly topic: string;
  readonly partition: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly newIsrWithEpochs: readonly { brokerId: number; brokerEpoch: number }[];
  readonly kind: "expand" | "shrink";
}

/** What the controller answered for a proposal. */
export type AlterIsrAnswer =
  | { ok: true; leaderEpoch: number; isr: readonly number[]; partitionEpoch: number }
  | { ok: false; errorCode: number };

export interface LeaderAppendOutcome {
  result: AppendResult;
  highWatermarkChanged: boolean;
}

export interface FollowerFetchInput {
  replicaId: number;
  replicaEpoch: number;
  fetchOffset: number;
  lastFetchedEpoch: number;
  currentLeaderEpoch: number;
  logStartOffset: number;
  maxBytes: number;
  /** Return the first batch whole even if larger than maxBytes (KIP-74; the first partition of a response). */
  minOneMessage: boolean;
  nowMs: number;
}

export interface LeaderReadOutcome {
  response: FetchPartitionResponse;
  /** Bytes returned (0 when none). */
  bytes: number;
  highWatermarkChanged: boolean;
  proposal: AlterIsrProposal | null;
}
