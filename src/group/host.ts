/**
 * What the group coordinator needs from the broker that hosts it: time, timers, randomness (for
 * member ids), a trace, and the replica manager's leader append / local read / partition state.
 *
 * The coordinator may not import src/broker (layer rule: group ← protocol, log), so this port is
 * declared here as a structural subset of the broker's BrokerServices facade
 * (src/broker/services.ts): the broker passes its BrokerServices as is, and a unit test passes a
 * small fake. Every callback runs later, inside the broker process, never re-entrantly, unless
 * the broker's append completes synchronously (acks=all with a single-replica ISR may).
 */
import type { ErrorInfo } from "../protocol";
import type { Rng } from "../sim/rng";

export interface HostAppendRequest {
  topic: string;
  partition: number;
  records: Uint8Array;
  acks: -1 | 0 | 1;
  timeoutMs: number;
  origin: "coordinator";
}

export interface HostAppendResult {
  error: ErrorInfo;
  errorMessage: string | null;
  baseOffset: number;
  lastOffset: number;
}

export interface HostReadRequest {
  topic: string;
  partition: number;
  fetchOffset: number;
  maxBytes: number;
  /** The coordinator loads everything its log holds, committed or not (as Kafka's loader does). */
  bound: "log-end";
  requireLeader?: boolean;
}

export interface HostReadResult {
  error: ErrorInfo;
  errorMessage: string | null;
  records: Uint8Array;
  logStartOffset: number;
  logEndOffset: number;
}

export interface HostPartitionInfo {
  role: "leader" | "follower";
  leaderEpoch: number;
  logStartOffset: number;
  logEndOffset: number;
}

export interface CoordinatorHost {
  readonly brokerId: number;
  readonly rng: Rng;
  now(): number;
  trace(kind: string, detail: Record<string, unknown>): void;
  /** Run `callback` after `delayMs`; returns a cancel function (a no-op after it ran). */
  schedule(delayMs: number, callback: () => void): () => void;
  readonly replicaManager: {
    isLeader(topic: string, partition: number): boolean;
    partitionInfo(topic: string, partition: number): HostPartitionInfo | undefined;
    appendToLeader(request: HostAppendRequest, done: (result: HostAppendResult) => void): void;
    read(request: HostReadRequest): HostReadResult;
  };
}
