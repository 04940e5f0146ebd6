/**
 * The group coordinator of one broker (Kafka's GroupCoordinatorService + the classic-group part
 * of GroupMetadataManager/OffsetMetadataManager): the groups and committed offsets of every
 * __consumer_offsets partition this broker leads.
 *
 * - Which broker coordinates a group: the leader of __consumer_offsets partition
 *   `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions` (partition-for.ts).
 * - When this broker becomes leader of such a partition it replays the partition's log
 *   (group-loader.ts) in chunks of offsets.load.buffer.size, answering
 *   COORDINATOR_LOAD_IN_PROGRESS meanwhile; when it stops leading it drops those groups and
 *   answers NOT_COORDINATOR (parked joins and syncs included).
 * - Every state change that must survive a failover is a record appended to that partition
 *   through the replica manager with acks=all (offsets.commit.timeout.ms): offset commits
 *   (OffsetCommitKey/Value), group generations and assignments (GroupMetadataKey/Value), and
 *   tombstones for expired offsets and dead groups. A commit is acknowledged only once the
 *   record is replicated to the whole ISR; the in-memory cache is updated at that moment.
 * - Offsets of groups that stay Empty expire after offsets.retention.minutes (KIP-211; checked
 *   every offsets.retention.check.interval.ms); offsets of a standalone consumer (no group
 *   protocol) expire that long after their commit.
 *
 * Append errors reach clients as Kafka maps them (GroupCoordinatorService.normalizeException):
 * NOT_ENOUGH_REPLICAS(_AFTER_APPEND), REQUEST_TIMED_OUT, UNKNOWN_TOPIC_OR_PARTITION →
 * COORDINATOR_NOT_AVAILABLE; NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR → NOT_COORDINATOR;
 * a batch too large → INVALID_COMMIT_OFFSET_SIZE for commits.
 *
 * Departures: no transactional offset commits, no KIP-848 consumer groups, no KIP-496 expiry
 * of offsets for topics a live group no longer subscribes to; requireStable is ignored (there
 * are no pending transactional offsets to wait for).
 */
import {
  Errors,
  type ErrorInfo,
  type GroupAssignment,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupRequest,
  type LeaveGroupResponse,
  type OffsetCommitRequest,
  type OffsetCommitResponse,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
  type SyncGroupRequest,
  type SyncGroupResponse,
} from "../protocol";
import { ClassicGroup, offsetKey, type CommittedOffset } from "./classic-group";
import { groupCoordinatorConfig, type GroupCoordinatorConfig } from "./config";
import { encodeAssignment, encodeSubscription } from "./consumer-protocol";
import { GroupLoadState } from "./group-loader";
import type { GroupState } from "./group-state";
import type { CoordinatorHost } from "./host";
import { GroupMembership, joinError, syncError } from "./membership";
import {
  buildCoordinatorBatch,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  parseCoordinatorRecords,
  type CoordinatorRecord,
} from "./offset-records";
import { expiredOffsets } from "./offset-expiration";
import { groupPartitionFor } from "./partition-for";

export const OFFSETS_TOPIC_NAME = "__consumer_offsets";
export const GROUP_COORDINATOR_COMPONENT = "group-coordinator";
/** Delay before retrying a load step whose read failed. */
const LOAD_RETRY_MS = 100;

interface Shard {
  partition: number;
  leaderEpoch: number;
  status: "loading" | "active";
  groups: Map<string, ClassicGroup>;
  load: GroupLoadState | undefined;
  nextLoadOffset: number;
  cancelLoadStep: (() => void) | undefined;
}

/** A snapshot of one group, for tests, labs and tools. */
export interface GroupSummary {
  groupId: string;
  state: GroupState;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  members: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    assignment: GroupAssignment;
  }[];
  offsets: CommittedOffset[];
}

/** Kafka's normalizeException for coordinator writes. */
export function coordinatorWriteError(error: ErrorInfo, forOffsetCommit: boolean): ErrorInfo {
  switch (error) {
    case Errors.NONE:
      return Errors.NONE;
    case Errors.UNKNOWN_TOPIC_OR_PARTITION:
    case Errors.NOT_ENOUGH_REPLICAS:
    case Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case Errors.REQUEST_TIMED_OUT:
      return Errors.COORDINATOR_NOT_AVAILABLE;
    case Errors.NOT_LEADER_OR_FOLLOWER:
    case Errors.KAFKA_STORAGE_ERROR:
      return Errors.NOT_COORDINATOR;
    case Errors.MESSAGE_TOO_LARGE:
    case Errors.RECORD_LIST_TOO_LARGE:
      return forOffsetCommit ? Errors.INVALID_COMMIT_OFFSET_SIZE : Errors.UNKNOWN_SERVER_ERROR;
    default:
      return Errors.UNKNOWN_SERVER_ERROR;
  }
}

export class GroupCoordinator {
  readonly name = GROUP_COORDINATOR_COMPONENT;
  readonly config: GroupCoordinatorConfig;
  private readonly shards = new Map<number, Shard>();
  private readonly membership: GroupMembership;
  private nextExpirationCheckMs: number;
  private stopped = false;

  constructor(
    private readonly host: CoordinatorHost,
    config: Partial<GroupCoordinatorConfig> = {},
  ) {
    this.config = groupCoordinatorConfig(config);
    this.membership = new GroupMembership({
      config: this.config,
      host,
      storeGroup: (group, assignments, done) => this.storeGroup(group, assignments, done),
    });
    this.nextExpirationCheckMs = host.now() + this.config.offsetsRetentionCheckIntervalMs;
  }

  /** The __consumer_offsets partition of `groupId`. */
  partitionFor(groupId: string): number {
    return groupPartitionFor(groupId, this.config.offsetsTopicNumPartitions);
  }

  // ---- Leadership and loading ------------------------------------------------------------------

  /** Start loading every offsets partition this broker leads now (for a coordinator created late). */
  syncLeadership(): void {
    for (let p = 0; p < this.config.offsetsTopicNumPartitions; p++) {
      const info = this.host.replicaManager.partitionInfo(OFFSETS_TOPIC_NAME, p);
      const leads = info?.role === "leader" && this.host.replicaManager.isLeader(OFFSETS_TOPIC_NAME, p);
      if (leads && !this.shards.has(p)) this.startLoad(p, info.leaderEpoch);
      else if (!leads && this.shards.has(p)) this.unload(p);
    }
  }

  /** BrokerComponent hook: this broker gained or lost leadership of a partition. */
  onLeadershipChange(change: {
    topic: string;
    partition: number;
    isLeader: boolean;
    leaderEpoch: number;
  }): void {
    if (change.topic !== OFFSETS_TOPIC_NAME || this.stopped) return;
    const existing = this.shards.get(change.partition);
    if (change.isLeader) {
      if (existing && existing.leaderEpoch === change.leaderEpoch) return;
      if (existing) this.unload(change.partition);
      this.startLoad(change.partition, change.leaderEpoch);
    } else if (existing) {
      this.unload(change.partition);
    }
  }

  private startLoad(partition: number, leaderEpoch: number): void {
    const info = this.host.replicaManager.partitionInfo(OFFSETS_TOPIC_NAME, partition);
    const shard: Shard = {
      partition,
      leaderEpoch,
      status: "loading",
      groups: new Map(),
      load: new GroupLoadState(),
      nextLoadOffset: info?.logStartOffset ?? 0,
      cancelLoadStep: undefined,
    };
    this.shards.set(partition, shard);
    this.host.trace("group.loadStart", { partition, leaderEpoch, logEndOffset: info?.logEndOffset ?? -1 });
    this.scheduleLoadStep(shard, 0);
  }

  private scheduleLoadStep(shard: Shard, delayMs: number): void {
    shard.cancelLoadStep = this.host.schedule(delayMs, () => {
      shard.cancelLoadStep = undefined;
      if (this.shards.get(shard.partition) === shard) this.loadStep(shard);
    });
  }

  private loadStep(shard: Shard): void {
    const rm = this.host.replicaManager;
    const info = rm.partitionInfo(OFFSETS_TOPIC_NAME, shard.partition);
    if (!info || info.role !== "leader") return; // the leadership change will unload us
    if (shard.nextLoadOffset < info.logStartOffset) shard.nextLoadOffset = info.logStartOffset;
    if (shard.nextLoadOffset >= info.logEndOffset) return this.finishLoad(shard);
    const read = rm.read({
      topic: OFFSETS_TOPIC_NAME,
      partition: shard.partition,
      fetchOffset: shard.nextLoadOffset,
      maxBytes: this.config.offsetsLoadBufferSize,
      bound: "log-end",
      requireLeader: true,
    });
    if (read.error !== Errors.NONE) {
      this.host.trace("group.loadRetry", { partition: shard.partition, error: read.error.name });
      return this.scheduleLoadStep(shard, LOAD_RETRY_MS);
    }
    let parsed: ReturnType<typeof parseCoordinatorRecords>;
    try {
      parsed = parseCoordinatorRecords(read.records);
    } catch (e) {
      // A corrupt batch cannot be stepped over safely: load what precedes it and say so.
      shard.load!.problems.push(`corrupt batch at offset ${shard.nextLoadOffset}: ${String(e)}`);
      return this.finishLoad(shard);
    }
    if (parsed.nextOffset <= shard.nextLoadOffset) return this.finishLoad(shard);
    for (const r of parsed.records) if (r.offset >= shard.nextLoadOffset) shard.load!.apply(r);
    shard.nextLoadOffset = parsed.nextOffset;
    this.scheduleLoadStep(shard, 0);
  }

  private finishLoad(shard: Shard): void {
    const load = shard.load!;
    const now = this.host.now();
    for (const group of load.build(now)) {
      shard.groups.set(group.groupId, group);
      for (const m of group.members.values()) this.membership.scheduleExpiry(group, m, m.sessionTimeoutMs);
    }
    shard.load = undefined;
    shard.status = "active";
    this.host.trace("group.loaded", {
      partition: shard.partition,
      leaderEpoch: shard.leaderEpoch,
      groups: shard.groups.size,
      records: load.recordsApplied,
      skipped: load.recordsSkipped,
      problems: load.problems,
    });
  }

  private unload(partition: number): void {
    const shard = this.shards.get(partition);
    if (!shard) return;
    shard.cancelLoadStep?.();
    for (const group of shard.groups.values()) this.membership.unload(group);
    this.shards.delete(partition);
    this.host.trace("group.unloaded", { partition, groups: shard.groups.size });
  }

  /** BrokerComponent hook: orderly shutdown answers parked requests with NOT_COORDINATOR. */
  stop(): void {
    for (const p of [...this.shards.keys()]) this.unload(p);
    this.stopped = true;
  }

  /** BrokerComponent hook: periodic offset expiration. */
  onTick(nowMs: number): void {
    if (this.stopped || nowMs < this.nextExpirationCheckMs) return;
    this.nextExpirationCheckMs = nowMs + this.config.offsetsRetentionCheckIntervalMs;
    for (const shard of this.shards.values()) if (shard.status === "active") this.expireShard(shard, nowMs);
  }

  // ---- Routing --------------------------------------------------------------------------------

  private route(groupId: string): Shard | ErrorInfo {
    const shard = this.shards.get(this.partitionFor(groupId));
    if (!shard) return Errors.NOT_COORDINATOR;
    if (shard.status === "loading") return Errors.COORDINATOR_LOAD_IN_PROGRESS;
    return shard;
  }

  // ---- Membership API (handlers 11–14) ---------------------------------------------------------

  joinGroup(req: JoinGroupRequest, clientId: string, respond: (r: JoinGroupResponse) => void): void {
    if (!req.groupId) return respond(joinError(Errors.INVALID_GROUP_ID, req.memberId));
    const route = this.route(req.groupId);
    if (!isShard(route)) return respond(joinError(route, req.memberId));
    if (
      !Number.isInteger(req.sessionTimeoutMs) ||
      req.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs ||
      req.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs
    )
      return respond(joinError(Errors.INVALID_SESSION_TIMEOUT, req.memberId));
    if (!req.protocolType || !req.protocols || req.protocols.length === 0)
      return respond(joinError(Errors.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
    let group = route.groups.get(req.groupId);
    if (!group) {
      if (req.memberId !== "") return respond(joinError(Errors.UNKNOWN_MEMBER_ID, req.memberId));
      group = new ClassicGroup(req.groupId, "Empty", this.host.now());
      route.groups.set(req.groupId, group);
    }
    this.membership.join(group, req, clientId, respond);
  }

  syncGroup(req: SyncGroupRequest, respond: (r: SyncGroupResponse) => void): void {
    if (!req.groupId) return respond(syncError(Errors.INVALID_GROUP_ID));
    const route = this.route(req.groupId);
    if (!isShard(route)) return respond(syncError(route));
    const group = route.groups.get(req.groupId);
    if (!group) return respond(syncError(Errors.UNKNOWN_MEMBER_ID));
    this.membership.sync(group, req, respond);
  }

  heartbeat(req: HeartbeatRequest, respond: (r: HeartbeatResponse) => void): void {
    if (!req.groupId) return respond({ errorCode: Errors.INVALID_GROUP_ID.code });
    const route = this.route(req.groupId);
    if (!isShard(route)) return respond({ errorCode: route.code });
    const group = route.groups.get(req.groupId);
    if (!group) return respond({ errorCode: Errors.UNKNOWN_MEMBER_ID.code });
    respond(this.membership.heartbeat(group, req));
  }

  leaveGroup(req: LeaveGroupRequest, respond: (r: LeaveGroupResponse) => void): void {
    if (!req.groupId) return respond({ errorCode: Errors.INVALID_GROUP_ID.code, members: [] });
    const route = this.route(req.groupId);
    if (!isShard(route)) return respond({ errorCode: route.code, members: [] });
    respond(this.membership.leave(route.groups.get(req.groupId), req));
  }

  // ---- Offsets API (handlers 08, 09) -----------------------------------------------------------

  commitOffsets(req: OffsetCommitRequest, respond: (r: OffsetCommitResponse) => void): void {
    const all = (error: ErrorInfo): OffsetCommitResponse => ({
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: error.code })),
      })),
    });
    if (!req.groupId) return respond(all(Errors.INVALID_GROUP_ID));
    const route = this.route(req.groupId);
    if (!isShard(route)) return respond(all(route));
    let group = route.groups.get(req.groupId);
    const refusal = this.validateCommit(group, req);
    if (refusal) return respond(all(refusal));
    const now = this.host.now();
    const response: OffsetCommitResponse = { topics: [] };
    const accepted: { slot: { errorCode: number }; value: CommittedOffset }[] = [];
    for (const t of req.topics) {
      const partitions: { partitionIndex: number; errorCode: number }[] = [];
      response.topics.push({ name: t.name, partitions });
      for (const p of t.partitions) {
        const slot = { partitionIndex: p.partitionIndex, errorCode: Errors.NONE.code };
        partitions.push(slot);
        const metadata = p.committedMetadata ?? "";
        if (metadata.length > this.config.offsetMetadataMaxBytes) {
          slot.errorCode = Errors.OFFSET_METADATA_TOO_LARGE.code;
          continue;
        }
        if (!Number.isSafeInteger(p.committedOffset) || !t.name || p.partitionIndex < 0) {
          slot.errorCode = Errors.INVALID_COMMIT_OFFSET_SIZE.code;
          continue;
        }
        accepted.push({
          slot,
          value: {
            topic: t.name,
            partition: p.partitionIndex,
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch ?? -1,
            metadata,
            commitTimestamp: Math.floor(now), // virtual time may be fractional; Kafka stores ms
          },
        });
      }
    }
    if (accepted.length === 0) return respond(response);
    if (!group) {
      // A standalone consumer (assign(), generation -1) stores its offsets in an Empty group.
      group = new ClassicGroup(req.groupId, "Empty", now);
      route.groups.set(req.groupId, group);
    }
    const member = group.members.get(req.memberId);
    if (member && req.generationIdOrMemberEpoch >= 0) this.membership.heartbeatReceived(group, member);
    const records: CoordinatorRecord[] = accepted.map(({ value: v }) => ({
      key: encodeOffsetCommitKey(req.groupId, v.topic, v.partition),
      value: encodeOffsetCommitValue(v),
    }));
    const target = group;
    target.pendingOffsetCommits++;
    this.append(route, records, (raw) => {
      target.pendingOffsetCommits--;
      const error = coordinatorWriteError(raw, true);
      if (error === Errors.NONE)
        for (const a of accepted) target.offsets.set(offsetKey(a.value.topic, a.value.partition), a.value);
      for (const a of accepted) a.slot.errorCode = error.code;
      this.host.trace("group.offsetCommit", {
        group: req.groupId,
        generation: req.generationIdOrMemberEpoch,
        member: req.memberId,
        offsets: accepted.map((a) => `${a.value.topic}-${a.value.partition}@${a.value.offset}`),
        error: error.name,
      });
      respond(response);
    });
  }

  /** Kafka's validateOffsetCommit for classic groups; undefined means the commit may proceed. */
  private validateCommit(group: ClassicGroup | undefined, req: OffsetCommitRequest): ErrorInfo | undefined {
    const generation = req.generationIdOrMemberEpoch;
    if (!group) return generation < 0 ? undefined : Errors.ILLEGAL_GENERATION;
    if (group.is("Dead")) return Errors.COORDINATOR_NOT_AVAILABLE;
    if (generation < 0 && group.is("Empty")) return undefined;
    const invalid = this.membership.validateMember(group, req.memberId, req.groupInstanceId);
    if (invalid) return invalid;
    if (generation !== group.generationId) return Errors.ILLEGAL_GENERATION;
    if (group.is("CompletingRebalance")) return Errors.REBALANCE_IN_PROGRESS;
    return undefined; // Stable or PreparingRebalance: a member of the current generation may commit
  }

  fetchOffsets(req: OffsetFetchRequest, respond: (r: OffsetFetchResponse) => void): void {
    if (!req.groupId) return respond({ errorCode: Errors.INVALID_GROUP_ID.code, topics: [] });
    const route = this.route(req.groupId);
    if (!isShard(route)) return respond({ errorCode: route.code, topics: [] });
    const group = route.groups.get(req.groupId);
    const byTopic = new Map<string, OffsetFetchResponse["topics"][number]["partitions"]>();
    const entry = (c: CommittedOffset | undefined, topic: string, partition: number) => ({
      partitionIndex: partition,
      committedOffset: c?.offset ?? -1,
      committedLeaderEpoch: c?.leaderEpoch ?? -1,
      metadata: c?.metadata ?? "",
      errorCode: Errors.NONE.code,
      topic,
    });
    const push = (topic: string, e: ReturnType<typeof entry>): void => {
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, (list = []));
      const { topic: _t, ...rest } = e;
      list.push(rest);
    };
    if (req.topics === null) {
      const all = group ? [...group.offsets.values()] : [];
      all.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
      for (const c of all) push(c.topic, entry(c, c.topic, c.partition));
    } else {
      for (const t of req.topics) {
        if (!byTopic.has(t.name)) byTopic.set(t.name, []);
        for (const p of t.partitionIndexes)
          push(t.name, entry(group?.offsets.get(offsetKey(t.name, p)), t.name, p));
      }
    }
    respond({
      errorCode: Errors.NONE.code,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    });
  }

  // ---- Writes ---------------------------------------------------------------------------------

  private append(shard: Shard, records: CoordinatorRecord[], done: (error: ErrorInfo) => void): void {
    if (this.shards.get(shard.partition) !== shard) return done(Errors.NOT_LEADER_OR_FOLLOWER);
    this.host.replicaManager.appendToLeader(
      {
        topic: OFFSETS_TOPIC_NAME,
        partition: shard.partition,
        records: buildCoordinatorBatch(records, Math.floor(this.host.now())),
        acks: -1,
        timeoutMs: this.config.offsetsCommitTimeoutMs,
        origin: "coordinator",
      },
      (r) => done(r.error),
    );
  }

  private storeGroup(
    group: ClassicGroup,
    assignments: ReadonlyMap<string, GroupAssignment>,
    done: (error: ErrorInfo) => void,
  ): void {
    const shard = this.shards.get(this.partitionFor(group.groupId));
    if (!shard || shard.groups.get(group.groupId) !== group) return done(Errors.NOT_COORDINATOR);
    const protocol = group.protocolName;
    const value = encodeGroupMetadataValue({
      protocolType: group.protocolType ?? "",
      generation: group.generationId,
      protocol,
      leader: group.leaderId,
      currentStateTimestamp: Math.floor(group.stateTimestampMs),
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.sessionTimeoutMs,
        subscription: encodeSubscription(
          protocol === null ? { topics: [], ownedPartitions: [] } : m.metadataFor(protocol),
        ),
        assignment: encodeAssignment(assignments.get(m.memberId) ?? m.assignment),
      })),
    });
    this.append(shard, [{ key: encodeGroupMetadataKey(group.groupId), value }], (raw) =>
      done(coordinatorWriteError(raw, false)),
    );
  }

  private expireShard(shard: Shard, nowMs: number): void {
    const retentionMs = this.config.offsetsRetentionMinutes * 60_000;
    const tombstones: CoordinatorRecord[] = [];
    for (const group of [...shard.groups.values()]) {
      const expired = expiredOffsets(group, nowMs, retentionMs);
      for (const c of expired) {
        group.offsets.delete(offsetKey(c.topic, c.partition));
        tombstones.push({ key: encodeOffsetCommitKey(group.groupId, c.topic, c.partition), value: null });
      }
      if (group.is("Empty") && group.offsets.size === 0 && group.pendingOffsetCommits === 0) {
        group.transitionTo("Dead", nowMs);
        shard.groups.delete(group.groupId);
        tombstones.push({ key: encodeGroupMetadataKey(group.groupId), value: null });
      }
      if (expired.length > 0)
        this.host.trace("group.offsetsExpired", {
          group: group.groupId,
          offsets: expired.length,
          dead: group.is("Dead"),
        });
    }
    if (tombstones.length > 0) this.append(shard, tombstones, () => {});
  }

  // ---- Introspection --------------------------------------------------------------------------

  /** The group as this coordinator sees it, if it owns and has loaded it. */
  describeGroup(groupId: string): GroupSummary | undefined {
    const route = this.route(groupId);
    if (!isShard(route)) return undefined;
    const g = route.groups.get(groupId);
    if (!g) return undefined;
    return {
      groupId,
      state: g.state,
      generationId: g.generationId,
      protocolType: g.protocolType,
      protocolName: g.protocolName,
      leaderId: g.leaderId,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        assignment: m.assignment,
      })),
      offsets: [...g.offsets.values()],
    };
  }

  /** "loading", "active", or undefined when this broker does not coordinate the partition. */
  partitionStatus(partition: number): "loading" | "active" | undefined {
    return this.shards.get(partition)?.status;
  }
}

function isShard(x: Shard | ErrorInfo): x is Shard {
  return (x as Shard).groups !== undefined;
}
