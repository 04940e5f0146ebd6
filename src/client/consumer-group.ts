/**
 * The consumer's side of the classic group protocol (Kafka's AbstractCoordinator +
 * ConsumerCoordinator): find the coordinator, join, let the leader assign, sync, heartbeat in a
 * background task, leave.
 *
 * Member states (MemberState in Kafka): UNJOINED → PREPARING_REBALANCE (JoinGroup sent) →
 * COMPLETING_REBALANCE (SyncGroup sent) → STABLE. A rebalance is needed when the member has no
 * generation, when a heartbeat or commit answers REBALANCE_IN_PROGRESS, when the coordinator
 * forgot the member (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION), or after a cooperative round that
 * revoked partitions. The rebalance runs inside poll(); poll never blocks past its timeout for
 * it (the join keeps running and the next poll picks it up), as in Java.
 *
 * Rebalance listeners are awaited at the points Kafka calls them:
 * - before the first JoinGroup of a rebalance (onJoinPrepare): with the EAGER protocol every
 *   owned partition is revoked (auto-commit first commits the consumed positions, with the old
 *   generation, which the coordinator still accepts while it is PreparingRebalance); if the
 *   member had already lost its generation, the partitions are "lost" instead;
 * - after SyncGroup (onJoinComplete): newly assigned partitions; with the COOPERATIVE protocol
 *   (every configured assignor supports it, KIP-429) only partitions that moved away are
 *   revoked, after which the member rejoins at once for the second round.
 *
 * The leader (JoinGroup's leader is its own member id) runs the assignor over every member's
 * subscription and sends the result in SyncGroup; followers send none. A static leader that
 * restarted into a Stable group gets skipAssignment (KIP-814): it is still the leader but sends
 * SyncGroup with no assignments and keeps what the coordinator hands back, as Kafka's
 * ConsumerCoordinator.onLeaderElected does. Either way the leader remembers the partition counts
 * of the topics the whole group subscribes to (the assignment snapshot) and requests a rejoin
 * when its metadata shows a different count, so partitions added to a topic get assigned.
 *
 * The heartbeat task sends Heartbeat every heartbeat.interval.ms while the member is STABLE or
 * COMPLETING_REBALANCE. If poll() was not called for max.poll.interval.ms it leaves the group
 * (LeaveGroup; a static member only forgets its generation), so that a stuck consumer's
 * partitions move to live members; the next poll() rejoins.
 */
import type { ApiName } from "../protocol/api";
import { Errors, KafkaError, errorForCode, type ErrorInfo } from "../protocol/errors";
import type {
  FindCoordinatorResponse,
  GroupAssignment,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from "../protocol/messages";
import type { ClientContext, NodeId, TimerId } from "../sim/process";
import { assignmentPartitions, toAssignment, type AssignorMember, type RebalanceProtocol } from "./assignors";
import type { ClientMetadata } from "./client-metadata";
import type { ResolvedConsumerConfig } from "./consumer-config";
import type { SubscriptionState } from "./consumer-subscription";
import { tpKey, type TopicPartition } from "./consumer-types";
import { failureReason, isRequestFailure, type NetworkClient } from "./network-client";

export type MemberState = "UNJOINED" | "PREPARING_REBALANCE" | "COMPLETING_REBALANCE" | "STABLE";

export interface Generation {
  readonly generationId: number;
  readonly memberId: string;
  readonly protocolName: string | null;
}

export const NO_GENERATION: Generation = Object.freeze({
  generationId: -1,
  memberId: "",
  protocolName: null,
});

/** JoinGroup may wait for the whole rebalance: Kafka's JOIN_GROUP_TIMEOUT_LAPSE on top of it. */
const JOIN_GROUP_TIMEOUT_LAPSE_MS = 5000;

/** What the group membership needs from the consumer around a rebalance. */
export interface RebalanceHooks {
  /** Before the first JoinGroup of a rebalance. `lost`: the member had no valid generation. */
  onJoinPrepare(protocol: RebalanceProtocol, lost: boolean): Promise<void>;
  /** After SyncGroup with the new assignment; returns whether partitions were revoked (cooperative). */
  onJoinComplete(
    protocol: RebalanceProtocol,
    assigned: TopicPartition[],
    generation: Generation,
  ): Promise<void>;
}

export class ConsumerGroup {
  state: MemberState = "UNJOINED";
  generation: Generation = NO_GENERATION;
  coordinator: NodeId | undefined;
  /** Set when the member must (re)join before it can consume. */
  rejoinNeeded = true;
  lastPollMs: number;
  readonly protocol: RebalanceProtocol;
  private joinPrepared = false;
  private joining: Promise<void> | undefined;
  private lookup: Promise<void> | undefined;
  private heartbeatStarted = false;
  private closed = false;
  private nextLookupNode = 0;
  /** A fatal error (fenced, inconsistent protocol...) thrown by the next poll. */
  fatal: Error | undefined;
  rebalances = 0;
  /** This member is the group's leader for the current generation (Kafka's isLeader). */
  isLeader = false;
  /**
   * The leader's view of the group's topics when it assigned (or skipped assigning): partition
   * count by topic, 0 for a topic that did not exist. Undefined for followers.
   */
  private assignmentSnapshot: ReadonlyMap<string, number> | undefined;

  constructor(
    private readonly ctx: ClientContext,
    private readonly net: NetworkClient,
    private readonly metadata: ClientMetadata,
    private readonly subscriptions: SubscriptionState,
    private readonly config: ResolvedConsumerConfig,
    private readonly groupId: string,
    private readonly hooks: RebalanceHooks,
  ) {
    this.lastPollMs = ctx.now();
    // Kafka: COOPERATIVE only if every configured assignor supports it.
    this.protocol = config.assignors.every((a) => a.supportedProtocols.includes("COOPERATIVE"))
      ? "COOPERATIVE"
      : "EAGER";
  }

  private trace(kind: string, detail: Record<string, unknown> = {}): void {
    this.ctx.trace(`consumer.${kind}`, {
      group: this.groupId,
      generation: this.generation.generationId,
      ...detail,
    });
  }

  // ---- Coordinator discovery -------------------------------------------------------------------

  markCoordinatorUnknown(reason: string): void {
    if (this.coordinator === undefined) return;
    this.trace("coordinatorUnknown", { coordinator: this.coordinator, reason });
    this.coordinator = undefined;
  }

  /**
   * One request to the group coordinator. A request timeout forgets the coordinator ("<api> timed
   * out") and yields undefined, so the caller retries after a new lookup; other errors propagate.
   */
  async requestCoordinator<Res>(
    coordinator: NodeId,
    api: ApiName,
    body: unknown,
    timeoutMs: number = this.config.requestTimeoutMs,
  ): Promise<Res | undefined> {
    try {
      return await this.net.request<Res>(coordinator, api, body, { timeoutMs });
    } catch (e) {
      if (!isRequestFailure(e)) throw e;
      this.markCoordinatorUnknown(`${api} ${failureReason(e)}`);
      return undefined;
    }
  }

  /** FindCoordinator to the known brokers in turn (one lookup at a time). */
  ensureCoordinator(): Promise<void> {
    if (this.coordinator !== undefined) return Promise.resolve();
    if (!this.lookup) this.lookup = this.lookupCoordinator().finally(() => (this.lookup = undefined));
    return this.lookup;
  }

  private async lookupCoordinator(): Promise<void> {
    const nodes = this.metadata.knownNodes();
    const node = nodes[this.nextLookupNode++ % nodes.length]!;
    try {
      const res = await this.net.request<FindCoordinatorResponse>(
        node,
        "FindCoordinator",
        { key: this.groupId, keyType: 0 },
        { timeoutMs: this.config.requestTimeoutMs },
      );
      if (res.errorCode === Errors.NONE.code) {
        this.coordinator = res.host;
        this.trace("coordinatorFound", { coordinator: res.host });
        return;
      }
    } catch (e) {
      if (!isRequestFailure(e)) throw e;
    }
    this.metadata.invalidate();
    await this.ctx.sleep(this.config.retryBackoffMs);
  }

  // ---- Joining ---------------------------------------------------------------------------------

  requestRejoin(reason: string): void {
    if (!this.rejoinNeeded) this.trace("rejoinRequested", { reason });
    this.rejoinNeeded = true;
  }

  /** Forget the generation (and the member id, when the coordinator no longer knows it). */
  resetGeneration(reason: string, keepMemberId: boolean): void {
    this.trace("resetGeneration", { reason, keepMemberId });
    this.generation = keepMemberId ? { ...NO_GENERATION, memberId: this.generation.memberId } : NO_GENERATION;
    this.state = "UNJOINED";
    this.rejoinNeeded = true;
    this.isLeader = false;
    this.assignmentSnapshot = undefined;
  }

  /**
   * Leader only: request a rejoin if the cached metadata gives a topic of the group's subscription
   * a partition count other than the assignment snapshot's (Kafka's rejoinNeededOrPending
   * comparing assignmentSnapshot with metadataSnapshot). Topics whose metadata carries a
   * transient error are not compared. Returns whether a rejoin is needed.
   */
  checkMetadataForRejoin(): boolean {
    const snapshot = this.assignmentSnapshot;
    if (!this.isLeader || snapshot === undefined || this.state !== "STABLE") return this.rejoinNeeded;
    for (const [topic, count] of snapshot) {
      const now = this.partitionCount(topic);
      if (now === undefined || now === count) continue;
      this.assignmentSnapshot = undefined; // one rejoin per change; the next assignment snapshots again
      this.requestRejoin(`the partition count of ${topic} changed from ${count} to ${now}`);
      break;
    }
    return this.rejoinNeeded;
  }

  /** Cached partition count; 0 if the topic does not exist, undefined if unknown right now. */
  private partitionCount(topic: string): number | undefined {
    const info = this.metadata.cached(topic);
    if (info === undefined) return undefined;
    if (info.errorCode === Errors.UNKNOWN_TOPIC_OR_PARTITION.code) return 0;
    return info.errorCode === Errors.NONE.code ? info.partitions.length : undefined;
  }

  /** A JoinGroup or SyncGroup is in progress (Kafka's rebalanceInProgress()). */
  get rebalanceInProgress(): boolean {
    return this.state === "PREPARING_REBALANCE" || this.state === "COMPLETING_REBALANCE";
  }

  /** The join in progress, or a new one if a rebalance is needed. Never rejects. */
  ensureActiveGroup(): Promise<void> {
    if (!this.rejoinNeeded && this.state === "STABLE") return Promise.resolve();
    if (!this.joining)
      this.joining = this.joinLoop()
        .catch((e: unknown) => {
          this.fatal ??= e instanceof Error ? e : new Error(String(e));
        })
        .finally(() => (this.joining = undefined));
    this.startHeartbeat();
    return this.joining;
  }

  private async joinLoop(): Promise<void> {
    while (this.rejoinNeeded && !this.closed && this.fatal === undefined) {
      await this.ensureCoordinator();
      const coordinator = this.coordinator;
      if (coordinator === undefined) continue;
      if (!this.joinPrepared) {
        const lost = this.generation.generationId < 0 || this.generation.memberId === "";
        await this.hooks.onJoinPrepare(this.protocol, lost);
        this.joinPrepared = true;
      }
      this.state = "PREPARING_REBALANCE";
      const joined = await this.sendJoin(coordinator);
      if (joined === undefined) continue;
      this.state = "COMPLETING_REBALANCE";
      this.generation = {
        generationId: joined.generationId,
        memberId: joined.memberId,
        protocolName: joined.protocolName,
      };
      this.isLeader = joined.leader === joined.memberId;
      this.assignmentSnapshot = undefined;
      const assignments = this.isLeader ? await this.onLeaderElected(joined) : [];
      const assignment = await this.sendSync(coordinator, assignments);
      if (assignment === undefined) continue;
      this.state = "STABLE";
      this.rejoinNeeded = false;
      this.joinPrepared = false;
      this.rebalances++;
      const assigned = assignmentPartitions(assignment);
      this.trace("joined", {
        member: this.generation.memberId,
        protocol: this.generation.protocolName,
        assigned: assigned.map((tp) => tpKey(tp.topic, tp.partition)),
      });
      this.lastPollMs = Math.max(this.lastPollMs, this.ctx.now());
      await this.hooks.onJoinComplete(this.protocol, assigned, this.generation);
    }
  }

  private protocols(): JoinGroupRequest["protocols"] {
    const owned =
      this.protocol === "COOPERATIVE" ? toAssignment(this.subscriptions.assigned()).assignedPartitions : [];
    const topics = this.subscriptions.subscribedTopics();
    return this.config.assignors
      .filter((a) => a.supportedProtocols.includes(this.protocol))
      .map((a) => ({ name: a.name, metadata: { topics, ownedPartitions: owned } }));
  }

  /** One JoinGroup; undefined means "try again" (state already adjusted). */
  private async sendJoin(coordinator: NodeId): Promise<JoinGroupResponse | undefined> {
    const request: JoinGroupRequest = {
      groupId: this.groupId,
      sessionTimeoutMs: this.config.sessionTimeoutMs,
      rebalanceTimeoutMs: this.config.maxPollIntervalMs,
      memberId: this.generation.memberId,
      groupInstanceId: this.config.groupInstanceId,
      protocolType: "consumer",
      protocols: this.protocols(),
      reason: null,
    };
    const res = await this.requestCoordinator<JoinGroupResponse>(
      coordinator,
      "JoinGroup",
      request,
      Math.max(this.config.requestTimeoutMs, this.config.maxPollIntervalMs + JOIN_GROUP_TIMEOUT_LAPSE_MS),
    );
    if (res === undefined) return undefined;
    const error = errorForCode(res.errorCode);
    if (error === Errors.NONE) return res;
    this.trace("joinError", { error: error.name });
    switch (error) {
      case Errors.MEMBER_ID_REQUIRED:
        this.generation = { ...NO_GENERATION, memberId: res.memberId };
        return undefined;
      case Errors.UNKNOWN_MEMBER_ID:
        this.generation = NO_GENERATION;
        return undefined;
      case Errors.ILLEGAL_GENERATION:
        this.generation = { ...NO_GENERATION, memberId: this.generation.memberId };
        return undefined;
      case Errors.NOT_COORDINATOR:
      case Errors.COORDINATOR_NOT_AVAILABLE:
        this.markCoordinatorUnknown(error.name);
        await this.ctx.sleep(this.config.retryBackoffMs);
        return undefined;
      case Errors.COORDINATOR_LOAD_IN_PROGRESS:
      case Errors.REBALANCE_IN_PROGRESS:
        await this.ctx.sleep(this.config.retryBackoffMs);
        return undefined;
      default:
        throw new KafkaError(error, `Cannot join group ${this.groupId}: ${error.message}`);
    }
  }

  /**
   * The leader's part of the join (Kafka's ConsumerCoordinator.onLeaderElected): learn every
   * topic the group subscribes to, snapshot their partition counts, then run the assignor, or
   * skip it when the coordinator says so (KIP-814) and send no assignments.
   */
  private async onLeaderElected(joined: JoinGroupResponse): Promise<SyncGroupRequest["assignments"]> {
    const assignor = this.config.assignors.find((a) => a.name === joined.protocolName);
    if (!assignor)
      throw new KafkaError(
        Errors.INCONSISTENT_GROUP_PROTOCOL,
        `The coordinator chose assignor ${joined.protocolName}, which this consumer does not have`,
      );
    const members: AssignorMember[] = joined.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      subscription: m.metadata,
    }));
    const partitionsPerTopic = new Map<string, number>();
    const snapshot = new Map<string, number>();
    for (const topic of new Set(members.flatMap((m) => m.subscription.topics))) {
      const info = await this.metadata.topic(topic);
      const count = info && info.errorCode === 0 ? info.partitions.length : 0;
      snapshot.set(topic, count);
      if (count > 0) partitionsPerTopic.set(topic, count);
    }
    this.assignmentSnapshot = snapshot;
    if (joined.skipAssignment) {
      this.trace("skippedAssignment", { member: joined.memberId, members: members.length });
      return [];
    }
    const result = assignor.assign(partitionsPerTopic, members);
    this.trace("assigned", {
      assignor: assignor.name,
      members: members.length,
      assignment: Object.fromEntries(
        [...result].map(([id, a]) => [
          id,
          assignmentPartitions(a).map((tp) => tpKey(tp.topic, tp.partition)),
        ]),
      ),
    });
    return [...result].map(([memberId, assignment]) => ({ memberId, assignment }));
  }

  private async sendSync(
    coordinator: NodeId,
    assignments: SyncGroupRequest["assignments"],
  ): Promise<GroupAssignment | undefined> {
    const generation = this.generation;
    const res = await this.requestCoordinator<SyncGroupResponse>(coordinator, "SyncGroup", {
      groupId: this.groupId,
      generationId: generation.generationId,
      memberId: generation.memberId,
      groupInstanceId: this.config.groupInstanceId,
      protocolType: "consumer",
      protocolName: generation.protocolName,
      assignments,
    } satisfies SyncGroupRequest);
    if (res === undefined) return undefined;
    const error = errorForCode(res.errorCode);
    if (error === Errors.NONE) return res.assignment;
    this.trace("syncError", { error: error.name });
    switch (error) {
      case Errors.REBALANCE_IN_PROGRESS:
        return undefined;
      case Errors.UNKNOWN_MEMBER_ID:
        this.generation = NO_GENERATION;
        return undefined;
      case Errors.ILLEGAL_GENERATION:
        this.generation = { ...NO_GENERATION, memberId: generation.memberId };
        return undefined;
      case Errors.NOT_COORDINATOR:
      case Errors.COORDINATOR_NOT_AVAILABLE:
        this.markCoordinatorUnknown(error.name);
        await this.ctx.sleep(this.config.retryBackoffMs);
        return undefined;
      case Errors.COORDINATOR_LOAD_IN_PROGRESS:
        await this.ctx.sleep(this.config.retryBackoffMs);
        return undefined;
      default:
        throw new KafkaError(error, `Cannot sync with group ${this.groupId}: ${error.message}`);
    }
  }

  // ---- Heartbeats ------------------------------------------------------------------------------

  private startHeartbeat(): void {
    if (this.heartbeatStarted) return;
    this.heartbeatStarted = true;
    this.ctx.spawn(`heartbeat-${this.groupId}`, async () => {
      while (!this.closed && this.ctx.alive) {
        await this.ctx.sleep(this.config.heartbeatIntervalMs);
        if (this.closed) break;
        try {
          await this.heartbeatOnce();
        } catch (e) {
          this.fatal ??= e instanceof Error ? e : new Error(String(e));
        }
      }
    });
  }

  private async heartbeatOnce(): Promise<void> {
    if (this.state !== "STABLE" && this.state !== "COMPLETING_REBALANCE") return;
    if (this.ctx.now() - this.lastPollMs > this.config.maxPollIntervalMs) {
      await this.maybeLeaveGroup(
        `consumer poll timeout has expired: no poll() for more than max.poll.interval.ms=${this.config.maxPollIntervalMs}`,
      );
      return;
    }
    if (this.coordinator === undefined) {
      await this.ensureCoordinator();
      return;
    }
    const generation = this.generation;
    const coordinator = this.coordinator;
    const res = await this.requestCoordinator<HeartbeatResponse>(coordinator, "Heartbeat", {
      groupId: this.groupId,
      generationId: generation.generationId,
      memberId: generation.memberId,
      groupInstanceId: this.config.groupInstanceId,
    });
    if (res === undefined) return;
    if (this.generation !== generation) return; // a rebalance happened meanwhile: stale answer
    this.onHeartbeatError(errorForCode(res.errorCode));
  }

  private onHeartbeatError(error: ErrorInfo): void {
    switch (error) {
      case Errors.NONE:
      case Errors.COORDINATOR_LOAD_IN_PROGRESS:
        return;
      case Errors.REBALANCE_IN_PROGRESS:
        if (this.state === "STABLE") this.requestRejoin("the coordinator started a rebalance");
        return;
      case Errors.ILLEGAL_GENERATION:
        this.resetGeneration("Heartbeat: ILLEGAL_GENERATION", true);
        return;
      case Errors.UNKNOWN_MEMBER_ID:
        this.resetGeneration("Heartbeat: UNKNOWN_MEMBER_ID", false);
        return;
      case Errors.NOT_COORDINATOR:
      case Errors.COORDINATOR_NOT_AVAILABLE:
        this.markCoordinatorUnknown(`Heartbeat: ${error.name}`);
        return;
      case Errors.FENCED_INSTANCE_ID:
        throw new KafkaError(
          error,
          `group.instance.id ${this.config.groupInstanceId} was taken by a newer instance`,
        );
      default:
        this.trace("heartbeatError", { error: error.name });
    }
  }

  // ---- Leaving ---------------------------------------------------------------------------------

  /** LeaveGroup (dynamic members only), then forget the generation; the next poll rejoins. */
  async maybeLeaveGroup(reason: string): Promise<void> {
    const generation = this.generation;
    const coordinator = this.coordinator;
    this.trace("leaveGroup", { reason, member: generation.memberId });
    this.resetGeneration(reason, false);
    if (this.config.groupInstanceId !== null || generation.memberId === "" || coordinator === undefined)
      return;
    try {
      await this.net.request<LeaveGroupResponse>(
        coordinator,
        "LeaveGroup",
        {
          groupId: this.groupId,
          members: [{ memberId: generation.memberId, groupInstanceId: null, reason }],
        },
        { timeoutMs: this.config.requestTimeoutMs },
      );
    } catch (e) {
      if (!isRequestFailure(e)) throw e;
    }
  }

  close(): void {
    this.closed = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

/** Race `p` against `timeoutMs` of virtual time; resolves true if `p` settled first. */
export function settlesWithin(ctx: ClientContext, p: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let timer: TimerId | undefined;
    let done = false;
    const finish = (v: boolean): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) ctx.cancelTimer(timer);
      resolve(v);
    };
    p.then(
      () => finish(true),
      () => finish(true),
    );
    if (!done) timer = ctx.setTimer(Math.max(0, timeoutMs), () => finish(false));
  });
}
