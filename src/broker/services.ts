/**
 * BrokerServices: the one facade request handlers (src/broker/handlers/*) and broker
 * components (the group coordinator, producer-id manager, ...) see of a broker. It is an
 * interface so that a handler can be unit-tested against a small fake, and so that a component
 * never reaches into the broker's internals.
 *
 * What it offers:
 * - identity and time: brokerId, nodeName (this node's network name: what Metadata advertises
 *   as `host`), clusterId, now(), rng, trace();
 * - config: Kafka-named broker configs (config.ts);
 * - metadata: the MetadataCache (committed __cluster_metadata, src/controller);
 * - replicaManager: leader appends with acks 0/1/all (acks=all completes later, from
 *   purgatory), reads bounded by the high watermark, partition state, the local logs, and
 *   leadership-change listeners;
 * - createTopics / ensureTopic: forward CreateTopics to the active controller (KIP-590), used by
 *   Metadata auto-creation and for internal topics such as __consumer_offsets;
 * - schedule(): one-shot virtual-time timers that die with the broker process;
 * - registerComponent / component(): plug in a component with tick, leadership and metadata
 *   hooks, and find it again from a handler (`broker.component<GroupCoordinator>("group-coordinator")`).
 *
 * Threading model: none. Everything runs inside the broker's NodeProcess handlers, to
 * completion; callbacks (append completion, createTopics results, timers) run later from
 * other handler invocations, never re-entrantly inside the call that registered them, except
 * where a method says "may complete synchronously".
 */
import type {
  CreateTopicsRequest,
  CreateTopicsResponse,
  ErrorInfo,
  FetchRequest,
  FetchResponse,
  IsolationLevel,
} from "../protocol";
import type { MetadataCache, MetadataDelta } from "../controller";
import type { PartitionLog } from "../log";
import type { NodeId } from "../sim/process";
import type { Rng } from "../sim/rng";
import type { BrokerConfig } from "./config";

/** Cancels a scheduled callback; calling it after the callback ran does nothing. */
export type Cancel = () => void;

/** Role of this broker for one partition. */
export type ReplicaRole = "leader" | "follower";

/** What this broker knows of one partition it hosts a replica of. */
export interface LocalPartitionInfo {
  topic: string;
  partition: number;
  role: ReplicaRole;
  /** The leader's broker id (-1: none known). */
  leaderId: number;
  leaderEpoch: number;
  /** Exclusive end of committed data on this replica. */
  highWatermark: number;
  /** Exclusive end of this replica's log. */
  logEndOffset: number;
  /** First readable offset (inclusive). */
  logStartOffset: number;
  /** The ISR as this replica knows it (a leader: its maximal ISR while an AlterPartition is in flight). */
  isr: readonly number[];
  replicas: readonly number[];
}

/** Who appends: a client's Produce, or a coordinator writing its own records (__consumer_offsets). */
export type AppendOrigin = "client" | "coordinator";

export interface LeaderAppendRequest {
  topic: string;
  partition: number;
  /** One or more whole RecordBatch v2 batches. */
  records: Uint8Array;
  /** 0: no wait, 1: leader's log, -1 (all): the whole ISR (HW passes the batch). */
  acks: -1 | 0 | 1;
  /** How long acks=-1 may wait in purgatory before REQUEST_TIMED_OUT. */
  timeoutMs: number;
  origin: AppendOrigin;
}

/** The outcome of a leader append, shaped like a Produce partition response. */
export interface LeaderAppendResult {
  error: ErrorInfo;
  errorMessage: string | null;
  /** First offset of the append (-1 on error). */
  baseOffset: number;
  /** Last offset of the append, inclusive (-1 on error). */
  lastOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  /** On NOT_LEADER_OR_FOLLOWER / FENCED_LEADER_EPOCH: the leader this broker knows of. */
  currentLeader?: { leaderId: number; leaderEpoch: number };
}

/** How far a read may go. */
export type ReadBound =
  /** Consumers: below the high watermark (read_uncommitted). */
  | "high-watermark"
  /** Followers and the leader's own tooling: everything in the log. */
  | "log-end";

export interface LocalReadRequest {
  topic: string;
  partition: number;
  fetchOffset: number;
  maxBytes: number;
  bound: ReadBound;
  /** Only read if this broker leads the partition (default true). */
  requireLeader?: boolean;
  /** The reader's leader epoch (-1: do not check). Mismatch: FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH. */
  currentLeaderEpoch?: number;
}

export interface LocalReadResult {
  error: ErrorInfo;
  errorMessage: string | null;
  /** Whole batches (the first holds fetchOffset); empty when nothing is readable. */
  records: Uint8Array;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
  currentLeader?: { leaderId: number; leaderEpoch: number };
}

/** This broker became, or stopped being, the leader of a partition. */
export interface LeadershipChange {
  topic: string;
  partition: number;
  /** True: this broker now leads the partition at `leaderEpoch`; false: it no longer does. */
  isLeader: boolean;
  leaderEpoch: number;
}

export type LeadershipListener = (change: LeadershipChange) => void;

export interface ReplicaManagerApi {
  /** True if this broker currently leads the partition. */
  isLeader(topic: string, partition: number): boolean;
  /** The local replica's state, undefined if this broker hosts no replica of it. */
  partitionInfo(topic: string, partition: number): LocalPartitionInfo | undefined;
  /**
   * Append as the leader. `done` is called exactly once: at once for acks 0/1 and for errors,
   * later for acks=-1 (when the high watermark passes the batch, the ISR shrinks below
   * min.insync.replicas, leadership is lost, or `timeoutMs` passes). May complete synchronously.
   * For acks=0 the caller sends no response, but `done` still reports what happened.
   */
  appendToLeader(request: LeaderAppendRequest, done: (result: LeaderAppendResult) => void): void;
  /** Read from the local log now (no long poll). */
  read(request: LocalReadRequest): LocalReadResult;
  /**
   * A whole Fetch request (consumer, replicaId -1, or follower, replicaId = broker id), as
   * Kafka's ReplicaManager.fetchMessages: reads every partition, updates follower progress
   * (and so the high watermark and ISR expansion), answers divergingEpoch, and long-polls up to
   * maxWaitMs until minBytes are available or a high watermark moves. `done` is called once.
   */
  fetchMessages(request: FetchRequest, done: (response: FetchResponse) => void): void;
  /**
   * ListOffsets for one partition on the leader: timestamp -2 earliest, -1 latest (the high
   * watermark for read_uncommitted consumers), else the first offset with timestamp ≥ it.
   */
  listOffset(
    topic: string,
    partition: number,
    timestamp: number,
    options: { currentLeaderEpoch: number; isolationLevel: IsolationLevel; fromConsumer: boolean },
  ): { error: ErrorInfo; timestamp: number; offset: number; leaderEpoch: number };
  /**
   * OffsetsForLeaderEpoch on the leader (LeaderEpochFileCache.endOffsetFor): the largest epoch
   * ≤ `leaderEpoch` and its exclusive end offset; FENCED/UNKNOWN_LEADER_EPOCH on a
   * currentLeaderEpoch mismatch, NOT_LEADER_OR_FOLLOWER if not the leader.
   */
  lastOffsetForLeaderEpoch(
    topic: string,
    partition: number,
    currentLeaderEpoch: number,
    leaderEpoch: number,
  ): { error: ErrorInfo; leaderEpoch: number; endOffset: number };
  /** The local log of a partition (a coordinator loading its state), or undefined. Do not write to it. */
  localLog(topic: string, partition: number): PartitionLog | undefined;
  /** Listen to leadership changes of this broker; returns an unsubscribe function. */
  onLeadershipChange(listener: LeadershipListener): () => void;
}

/**
 * A component hosted by the broker. Every hook is optional and runs inside the broker process.
 * Components are created per broker incarnation (a restart builds new ones).
 */
export interface BrokerComponent {
  /** Unique name, e.g. "group-coordinator". */
  readonly name: string;
  /** Every config.componentTickMs of virtual time while the broker runs. */
  onTick?(nowMs: number): void;
  /** After the replica manager applied a leadership change (also delivered to onLeadershipChange listeners). */
  onLeadershipChange?(change: LeadershipChange): void;
  /** After committed metadata was applied (topics created, ISR/leader changes, brokers). */
  onMetadataUpdate?(delta: MetadataDelta): void;
  /** Orderly broker shutdown (not called on a crash). */
  stop?(): void;
}

/** A topic this broker wants to exist (internal topics, auto-creation). */
export interface TopicSpec {
  name: string;
  numPartitions: number;
  /** -1: default.replication.factor. */
  replicationFactor: number;
  configs?: Record<string, string>;
}

export interface BrokerServices {
  /** node.id / broker.id. */
  readonly brokerId: number;
  /** This node's network name: the `host` Metadata advertises, where clients send requests. */
  readonly nodeName: NodeId;
  readonly clusterId: string;
  readonly config: BrokerConfig;
  readonly metadata: MetadataCache;
  readonly replicaManager: ReplicaManagerApi;
  /** This broker incarnation's random stream. */
  readonly rng: Rng;
  /** The broker epoch from the controller (-1 until registered). */
  readonly brokerEpoch: number;
  now(): number;
  trace(kind: string, detail: Record<string, unknown>): void;
  /** Run `callback` after `delayMs` of virtual time (never if the broker stops or crashes first). */
  schedule(delayMs: number, callback: () => void): Cancel;
  /** Forward a CreateTopics request to the active controller; `done` gets its response (or a timeout error per topic). */
  createTopics(request: CreateTopicsRequest, done: (response: CreateTopicsResponse) => void): void;
  /**
   * Make sure `spec.name` exists: no-op if the metadata already has it or a creation is in
   * flight; else CreateTopics to the controller. `done` (optional) gets the error code
   * (NONE or TOPIC_ALREADY_EXISTS mean it exists or will).
   */
  ensureTopic(spec: TopicSpec, done?: (errorCode: number) => void): void;
  /** The spec of __consumer_offsets from offsets.topic.* (RF = min(offsets.topic.replication.factor, brokers)). */
  offsetsTopicSpec(): TopicSpec;
  registerComponent(component: BrokerComponent): void;
  component<T extends BrokerComponent>(name: string): T | undefined;
}
