/**
 * One controller of the metadata quorum, as a component hosted by a NodeProcess (Kafka's
 * QuorumController on top of KafkaRaftClient). It owns the Raft node, its storage, the committed
 * metadata image and — while it is the active controller — the decisions of cluster-control.ts,
 * create-topics.ts and alter-partition.ts. It does I/O only through the NodeContext.
 *
 * Active controller: the Raft leader becomes active once the LeaderChange batch of its epoch is
 * committed and applied (so it has every earlier committed record, KRaft's rule). It then keeps a
 * second image, `latest` = committed + the records it has proposed, decides every request against
 * `latest`, proposes the records, applies them to `latest` at once, and answers the request only
 * when its batch commits (a request that wrote nothing waits for everything proposed before it,
 * so answers never describe uncommitted state). Losing leadership drops `latest` and answers the
 * waiting requests NOT_CONTROLLER; their records may still commit under the next leader, which
 * is why brokers treat retries as idempotent (a repeated CreateTopics gets TOPIC_ALREADY_EXISTS).
 *
 * Hosting: a controller-only node uses createControllerProcess (controller-process.ts). A
 * combined node (process.roles=broker,controller) creates a QuorumController on the same
 * NodeContext as its broker and routes with isControllerMessage(); timers tagged "controller."
 * belong to it. The co-located broker reads committed metadata through `onCommit` /
 * readCommitted() instead of fetching over the network.
 */
import {
  Errors,
  isRequest,
  isResponse,
  type CreateTopicsRequest,
  type RequestEnvelope,
  type ResponseEnvelope,
} from "../protocol";
import type { ConnectionError, NodeContext, NodeId, TimerId } from "../sim/process";
import type { Rng } from "../sim/rng";
import { alterPartition } from "./alter-partition";
import { BrokerHeartbeats, DEFAULT_BROKER_SESSION_TIMEOUT_MS } from "./broker-heartbeats";
import {
  fenceStaleBrokers,
  processHeartbeat,
  registerBroker,
  type ElectionSettings,
} from "./cluster-control";
import type {
  AlterPartitionRequest,
  BrokerHeartbeatRequest,
  BrokerRegistrationRequest,
  EnvelopeRequest,
} from "./controller-apis";
import { createTopics, DEFAULT_TOPIC_DEFAULTS, type TopicDefaults } from "./create-topics";
import { electLeader as defaultElectLeader, type LeaderElectionPolicy } from "./election";
import { applyBatch, applyRecord, EMPTY_IMAGE, type MetadataImage } from "./metadata-image";
import type { MetadataRecord } from "./metadata-records";
import { DEFAULT_RAFT_TIMING, RaftNode, type RaftConfig } from "./raft";
import { METADATA_TOPIC, type CurrentLeader, type RaftBatch } from "./raft-messages";
import { RaftStorage } from "./raft-storage";

export interface QuorumControllerOptions {
  /** This controller's node.id (its voter id). */
  nodeId: number;
  clusterId: string;
  /** controller.quorum.voters: every voter's id and network address. */
  voters: readonly { id: number; address: NodeId }[];
  /** Raft timing overrides (defaults: KRaft's, see DEFAULT_RAFT_TIMING). */
  raft?: Partial<Omit<RaftConfig, "nodeId" | "voters" | "clusterId">>;
  /** broker.session.timeout.ms (9000). */
  brokerSessionTimeoutMs?: number;
  /** num.partitions and default.replication.factor (1 and 1). */
  topicDefaults?: TopicDefaults;
  /** unclean.leader.election.enable cluster default (false). */
  uncleanLeaderElectionEnable?: boolean;
  /** The leader election seam (election.ts); Kafka's policy by default. */
  electLeader?: LeaderElectionPolicy;
  /**
   * KIP-966 Eligible Leader Replicas (Kafka: the eligible.leader.replicas.version feature at level
   * 1; an option in 4.0, on by default for new clusters from 4.1). Default false here.
   */
  eligibleLeaderReplicasEnabled?: boolean;
  /** The controller's min.insync.replicas default (1), for ELR; a topic config overrides it. */
  minInsyncReplicas?: number;
  /**
   * With ELR: elect the last known leader when the ISR and ELR are empty and it is unfenced
   * (Kafka 4.x does, default true; false keeps such a partition offline). See partition-change.ts.
   */
  electLastKnownLeader?: boolean;
  /** How often Raft and the controller check their timers (50 ms of virtual time). */
  tickIntervalMs?: number;
  /** Bound on requests waiting for their batch to commit (4096). */
  maxPendingRequests?: number;
  /** Called after each committed batch is applied (a co-located broker's metadata feed, tests). */
  onCommit?: (batch: RaftBatch<MetadataRecord>, image: MetadataImage) => void;
}

export const CONTROLLER_TIMER_TAG = "controller.tick";

const CONTROLLER_REQUEST_APIS = new Set([
  "Vote",
  "BeginQuorumEpoch",
  "EndQuorumEpoch",
  "BrokerRegistration",
  "BrokerHeartbeat",
  "AlterPartition",
  "Envelope",
]);
const RAFT_RESPONSE_APIS = new Set(["Vote", "BeginQuorumEpoch", "EndQuorumEpoch"]);

/** Routing for combined nodes: true for messages the controller component must get. */
export function isControllerMessage(message: unknown): boolean {
  if (isRequest(message))
    return CONTROLLER_REQUEST_APIS.has(message.api) || isMetadataFetch(message.api, message.body);
  if (isResponse(message))
    return RAFT_RESPONSE_APIS.has(message.api) || isMetadataFetch(message.api, message.body);
  return false;
}

function isMetadataFetch(api: string, body: unknown): boolean {
  return (
    api === "Fetch" &&
    typeof body === "object" &&
    body !== null &&
    (body as { topic?: unknown }).topic === METADATA_TOPIC
  );
}

interface ActiveState {
  epoch: number;
  latest: MetadataImage;
  heartbeats: BrokerHeartbeats;
  /** Requests waiting for their batch (or everything proposed before them) to commit, by offset. */
  pending: { offset: number; succeed: () => void; fail: (errorCode: number) => void }[];
}

export class QuorumController {
  private ctx!: NodeContext;
  private raft!: RaftNode<MetadataRecord>;
  private storage!: RaftStorage<MetadataRecord>;
  private placementRng!: Rng;
  private committed: MetadataImage = EMPTY_IMAGE;
  private active: ActiveState | null = null;
  private timer: TimerId | null = null;
  private lastRole = "";
  private readonly election: ElectionSettings;
  private readonly tickIntervalMs: number;
  private readonly maxPending: number;

  constructor(private readonly options: QuorumControllerOptions) {
    this.election = {
      electLeader: options.electLeader ?? defaultElectLeader,
      uncleanLeaderElectionEnable: options.uncleanLeaderElectionEnable ?? false,
      eligibleLeaderReplicasEnabled: options.eligibleLeaderReplicasEnabled ?? false,
      minInsyncReplicas: options.minInsyncReplicas ?? 1,
      electLastKnownLeader: options.electLastKnownLeader ?? true,
    };
    this.tickIntervalMs = options.tickIntervalMs ?? 50;
    this.maxPending = options.maxPendingRequests ?? 4096;
  }

  // --- Queries --------------------------------------------------------------------------------

  /** The committed metadata image. */
  get image(): MetadataImage {
    return this.committed;
  }
  /** True while this controller is the active one (Raft leader with its epoch's LeaderChange applied). */
  get isActive(): boolean {
    return this.active !== null;
  }
  /** The quorum leader as this node knows it, -1 if unknown. */
  get currentLeader(): CurrentLeader {
    return { leaderId: this.raft.currentLeaderId, leaderEpoch: this.raft.currentEpoch };
  }
  get raftRole(): string {
    return this.raft.role;
  }
  get highWatermark(): number {
    return this.raft.highWatermark;
  }
  /** End of the metadata log (exclusive): above the high watermark while a change awaits its commit. */
  get logEndOffset(): number {
    return this.raft.logEndOffset;
  }
  /** Committed batches from `fromOffset` (a co-located broker catching up). */
  readCommitted(fromOffset: number, maxBytes = 1024 * 1024): RaftBatch<MetadataRecord>[] {
    return this.raft.readCommitted(fromOffset, maxBytes);
  }

  // --- NodeProcess-like hooks ------------------------------------------------------------------

  start(ctx: NodeContext): void {
    this.ctx = ctx;
    const { storage, state, recovery } = RaftStorage.open<MetadataRecord>(ctx.disk);
    this.storage = storage;
    if (recovery.truncatedBytes > 0) ctx.trace("controller.logRecovery", { ...recovery });
    const config: RaftConfig = {
      ...DEFAULT_RAFT_TIMING,
      ...this.options.raft,
      nodeId: this.options.nodeId,
      voters: this.options.voters,
      clusterId: this.options.clusterId,
    };
    this.raft = new RaftNode<MetadataRecord>(config, ctx.rng.split("raft"), state, ctx.now());
    this.placementRng = ctx.rng.split("placement");
    this.afterInput();
    this.timer = ctx.setTimer(this.tickIntervalMs, CONTROLLER_TIMER_TAG);
  }

  /** Returns false for a timer that is not the controller's (combined nodes). */
  onTimer(tag: string, id: TimerId): boolean {
    if (tag !== CONTROLLER_TIMER_TAG || id !== this.timer) return false;
    const now = this.ctx.now();
    this.raft.tick(now);
    this.afterInput();
    if (this.active) {
      const records = fenceStaleBrokers(this.active.latest, this.active.heartbeats, now, this.election);
      if (records.length > 0) {
        this.ctx.trace("controller.fenceStale", {
          brokers: records.filter((r) => r.type === "FenceBrokerRecord").map((r) => (r as { id: number }).id),
        });
        this.proposeAndThen(records, null);
        this.afterInput();
      }
    }
    this.timer = this.ctx.setTimer(this.tickIntervalMs, CONTROLLER_TIMER_TAG);
    return true;
  }

  onMessage(from: NodeId, message: unknown): void {
    if (isResponse(message)) {
      if (isControllerMessage(message)) this.raft.step(from, message, this.ctx.now());
    } else if (isRequest(message)) {
      this.onRequest(from, message);
    }
    this.afterInput();
  }

  /** The connection to `peer` failed (reset or refused): Raft forgets what it took. */
  onConnectionError(peer: NodeId, error: ConnectionError): void {
    this.raft.onConnectionError(peer, error, this.ctx.now());
    this.afterInput();
  }

  /** Orderly shutdown: a leader hands over at once (EndQuorumEpoch) instead of timing out. */
  stop(): void {
    this.raft.resign();
    this.afterInput();
    if (this.timer !== null) this.ctx.cancelTimer(this.timer);
    this.timer = null;
  }

  // --- Requests -------------------------------------------------------------------------------

  private onRequest(from: NodeId, req: RequestEnvelope): void {
    const now = this.ctx.now();
    switch (req.api) {
      case "Vote":
      case "BeginQuorumEpoch":
      case "EndQuorumEpoch":
        return this.raft.step(from, req, now);
      case "Fetch":
        if (isMetadataFetch(req.api, req.body)) this.raft.step(from, req, now);
        return;
      case "BrokerRegistration":
      case "BrokerHeartbeat":
      case "AlterPartition":
      case "CreateTopics":
        return this.handleControllerApi(req, (body) => this.reply(from, req, body));
      case "Envelope": {
        const inner = (req.body as EnvelopeRequest).request;
        if (!isRequest(inner) || inner.api !== "CreateTopics")
          return this.reply(from, req, { errorCode: Errors.INVALID_REQUEST.code, response: null });
        return this.handleControllerApi(inner, (body, errorCode = Errors.NONE.code) =>
          this.reply(from, req, {
            errorCode,
            response:
              errorCode === Errors.NONE.code
                ? ({
                    kind: "response",
                    api: inner.api,
                    correlationId: inner.correlationId,
                    body,
                  } satisfies ResponseEnvelope)
                : null,
            ...(errorCode === Errors.NONE.code ? {} : { currentLeader: this.currentLeader }),
          }),
        );
      }
      default:
        this.ctx.trace("controller.unsupportedRequest", { api: req.api, from });
    }
  }

  /** Decide against `latest`, propose, and answer once committed; NOT_CONTROLLER when not active. */
  private handleControllerApi(
    req: RequestEnvelope,
    respond: (body: unknown, envelopeError?: number) => void,
  ): void {
    const active = this.active;
    // Through an Envelope, only NOT_CONTROLLER fails the envelope itself (the broker retries
    // elsewhere); other errors travel in the inner CreateTopics response.
    const fail = (code: number): void =>
      respond(this.errorBody(req, code), code === Errors.NOT_CONTROLLER.code ? code : undefined);
    if (!active) return fail(Errors.NOT_CONTROLLER.code);
    if (active.pending.length >= this.maxPending) return fail(Errors.REQUEST_TIMED_OUT.code);
    const now = this.ctx.now();
    let result: { records: MetadataRecord[]; response: unknown };
    switch (req.api) {
      case "BrokerRegistration":
        result = registerBroker(active.latest, req.body as BrokerRegistrationRequest, {
          clusterId: this.options.clusterId,
          newBrokerEpoch: this.raft.logEndOffset,
          heartbeats: active.heartbeats,
          nowMs: now,
          election: this.election,
        });
        break;
      case "BrokerHeartbeat":
        result = processHeartbeat(active.latest, req.body as BrokerHeartbeatRequest, {
          heartbeats: active.heartbeats,
          nowMs: now,
          election: this.election,
        });
        break;
      case "AlterPartition":
        result = alterPartition(active.latest, req.body as AlterPartitionRequest, this.election);
        break;
      default:
        result = createTopics(
          active.latest,
          req.body as CreateTopicsRequest,
          this.options.topicDefaults ?? DEFAULT_TOPIC_DEFAULTS,
          this.placementRng,
        );
    }
    this.proposeAndThen(result.records, {
      succeed: () => respond(result.response),
      fail,
    });
  }

  /**
   * Propose `records` (if any); `then.succeed` runs once everything proposed so far is committed,
   * `then.fail` if leadership is lost first (NOT_CONTROLLER) or Raft refuses the batch
   * (REQUEST_TIMED_OUT when too many batches wait to commit, MESSAGE_TOO_LARGE for a batch over
   * the fetch size bound; both leave nothing decided).
   */
  private proposeAndThen(
    records: MetadataRecord[],
    then: { succeed: () => void; fail: (errorCode: number) => void } | null,
  ): void {
    const active = this.active!;
    let offset = this.raft.logEndOffset - 1;
    if (records.length > 0) {
      const proposed = this.raft.propose(records);
      if (!proposed.ok) {
        this.ctx.trace("controller.proposeFailed", { reason: proposed.reason });
        then?.fail(
          proposed.errorCode === Errors.NOT_LEADER_OR_FOLLOWER.code
            ? Errors.NOT_CONTROLLER.code
            : proposed.errorCode,
        );
        return;
      }
      offset = proposed.offset;
      let latest = active.latest;
      for (const r of records) latest = applyRecord(latest, r);
      active.latest = { ...latest, offset };
    }
    if (then) active.pending.push({ offset, ...then });
  }

  private reply(to: NodeId, req: RequestEnvelope, body: unknown): void {
    this.ctx.send(to, {
      kind: "response",
      api: req.api,
      correlationId: req.correlationId,
      body,
    } satisfies ResponseEnvelope);
  }

  private errorBody(req: RequestEnvelope, errorCode: number): unknown {
    const currentLeader = this.currentLeader;
    switch (req.api) {
      case "BrokerRegistration":
        return { errorCode, brokerEpoch: -1, currentLeader };
      case "BrokerHeartbeat":
        return { errorCode, isCaughtUp: false, isFenced: true, shouldShutDown: false, currentLeader };
      case "AlterPartition":
        return { errorCode, topics: [], currentLeader };
      default: {
        const topics = (req.body as CreateTopicsRequest).topics ?? [];
        const message =
          errorCode === Errors.NOT_CONTROLLER.code
            ? "This is not the active controller."
            : errorCode === Errors.MESSAGE_TOO_LARGE.code
              ? "The request's metadata records exceed the bound on one metadata batch."
              : "Too many metadata changes are waiting to commit; retry later.";
        return {
          topics: topics.map((t) => ({
            name: t.name,
            topicId: null,
            errorCode,
            errorMessage: message,
            numPartitions: -1,
            replicationFactor: -1,
          })),
          currentLeader,
        };
      }
    }
  }

  // --- Raft output and activity ---------------------------------------------------------------

  /** Persist, send and apply what Raft produced; then update the active state and answer committed requests. */
  private afterInput(): void {
    let guard = 0;
    while (this.raft.hasReady()) {
      if (++guard > 10_000) throw new Error("Controller Ready loop did not settle");
      const rd = this.raft.ready();
      this.storage.save(rd);
      for (const m of rd.messages) this.ctx.send(m.to, m.message);
      for (const batch of rd.committed) {
        this.committed = applyBatch(this.committed, batch);
        this.options.onCommit?.(batch, this.committed);
      }
      this.raft.advance(rd);
    }
    this.updateActivity();
    this.completeCommitted();
  }

  private updateActivity(): void {
    const role = `${this.raft.role}/${this.raft.currentEpoch}/${this.raft.currentLeaderId}`;
    if (role !== this.lastRole) {
      this.lastRole = role;
      this.ctx.trace("controller.raftRole", {
        role: this.raft.role,
        epoch: this.raft.currentEpoch,
        leaderId: this.raft.currentLeaderId,
      });
    }
    const active = this.active;
    if (active && (this.raft.role !== "leader" || this.raft.currentEpoch !== active.epoch)) {
      this.active = null;
      this.ctx.trace("controller.inactive", { epoch: active.epoch, pending: active.pending.length });
      // The requesters retry against the new active controller (their records may still commit).
      for (const p of active.pending) p.fail(Errors.NOT_CONTROLLER.code);
    }
    const hw = this.raft.highWatermark;
    if (
      !this.active &&
      this.raft.role === "leader" &&
      hw > this.raft.epochStartOffset &&
      this.committed.offset === hw - 1
    ) {
      const heartbeats = new BrokerHeartbeats(
        this.options.brokerSessionTimeoutMs ?? DEFAULT_BROKER_SESSION_TIMEOUT_MS,
      );
      heartbeats.resetAll(this.committed, this.ctx.now());
      this.active = { epoch: this.raft.currentEpoch, latest: this.committed, heartbeats, pending: [] };
      this.ctx.trace("controller.active", { epoch: this.raft.currentEpoch, offset: this.committed.offset });
    }
  }

  private completeCommitted(): void {
    const active = this.active;
    if (!active) return;
    const hw = this.raft.highWatermark;
    while (active.pending.length > 0 && active.pending[0]!.offset < hw) active.pending.shift()!.succeed();
  }
}
