/**
 * The classic group membership protocol on the coordinator: JoinGroup, SyncGroup, Heartbeat and
 * LeaveGroup, session expiry, the delayed join and the rebalance timeout. Kafka: the classic
 * group part of GroupMetadataManager.java (4.x) and GroupCoordinator.scala (≤3.x).
 *
 * A rebalance, step by step:
 * 1. A join from a new member (or a changed subscription, or a member leaving or expiring) moves
 *    the group to PreparingRebalance. Joins are parked (their responses wait).
 * 2. The join phase ends when every known member has rejoined, or after the rebalance timeout
 *    (the largest rebalance.timeout.ms = max.poll.interval.ms among members); members that did
 *    not rejoin are removed (static members are kept, KIP-345). From Empty the wait is the
 *    InitialDelayedJoin: group.initial.rebalance.delay.ms, extended by the same delay while new
 *    members keep arriving in the group's first generation, never past the rebalance timeout.
 * 3. The generation id is incremented, a protocol (assignor) every member supports is chosen by
 *    vote, and every parked join is answered; only the leader gets the members' subscriptions.
 *    The group is now CompletingRebalance.
 * 4. The leader computes the assignment (client side) and sends it in SyncGroup. The coordinator
 *    writes the group metadata record (acks=all) and then answers every parked SyncGroup with
 *    that member's partitions: Stable. Members that never send SyncGroup within the rebalance
 *    timeout are removed and the group rebalances again.
 * Heartbeats answer REBALANCE_IN_PROGRESS while a rebalance runs, which tells members to rejoin.
 *
 * Errors, as Kafka answers them: UNKNOWN_MEMBER_ID (member not in the group), ILLEGAL_GENERATION
 * (stale generation), REBALANCE_IN_PROGRESS, INCONSISTENT_GROUP_PROTOCOL, MEMBER_ID_REQUIRED
 * (KIP-394: a new dynamic member first gets its id, then joins with it), FENCED_INSTANCE_ID
 * (KIP-345: a static member's old incarnation), COORDINATOR_NOT_AVAILABLE (group Dead).
 *
 * Static members (KIP-345): a restarted instance joins with no member id and takes its old
 * place under a new member id. In a Stable group whose selected protocol would not change, the
 * group keeps its generation and assignment (no rebalance); if that member was the leader, its
 * JoinGroup says leader = its new id with the members' subscriptions and skipAssignment = true
 * (KIP-814, Kafka 3.2): it stays the leader but must not run the assignor.
 *
 * Departures: no group.max.size; JoinGroup reasons are only traced; every client is taken to
 * speak JoinGroup v9+, so skipAssignment is always available (Kafka answers older clients with
 * the old leader id instead).
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
  type SyncGroupRequest,
  type SyncGroupResponse,
} from "../protocol";
import type { ClassicGroup } from "./classic-group";
import type { GroupCoordinatorConfig } from "./config";
import type { CoordinatorHost } from "./host";
import { EMPTY_ASSIGNMENT, GroupMember } from "./member";

export interface MembershipDeps {
  readonly config: GroupCoordinatorConfig;
  readonly host: CoordinatorHost;
  /**
   * Write the group's metadata record (members and `assignments`, acks=all); `done` gets NONE or
   * the error to hand to members (already mapped for clients).
   */
  storeGroup(
    group: ClassicGroup,
    assignments: ReadonlyMap<string, GroupAssignment>,
    done: (error: ErrorInfo) => void,
  ): void;
}

export function joinError(error: ErrorInfo, memberId: string): JoinGroupResponse {
  return {
    errorCode: error.code,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: "",
    memberId,
    members: [],
    skipAssignment: false,
  };
}

export function syncError(error: ErrorInfo): SyncGroupResponse {
  return { errorCode: error.code, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT };
}

export class GroupMembership {
  constructor(private readonly deps: MembershipDeps) {}

  private get now(): number {
    return this.deps.host.now();
  }

  private trace(kind: string, group: ClassicGroup, detail: Record<string, unknown> = {}): void {
    this.deps.host.trace(`group.${kind}`, {
      group: group.groupId,
      state: group.state,
      generation: group.generationId,
      ...detail,
    });
  }

  // ---- JoinGroup ------------------------------------------------------------------------------

  join(
    group: ClassicGroup,
    req: JoinGroupRequest,
    clientId: string,
    respond: (r: JoinGroupResponse) => void,
  ): void {
    if (group.is("Dead")) return respond(joinError(Errors.COORDINATOR_NOT_AVAILABLE, req.memberId));
    if (!group.supportsProtocols(req.protocolType, req.protocols))
      return respond(joinError(Errors.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
    if (req.memberId === "") this.joinUnknownMember(group, req, clientId, respond);
    else this.joinKnownMember(group, req, clientId, respond);
    group.checkInvariants();
  }

  private newMemberId(prefix: string): string {
    const rng = this.deps.host.rng;
    const hex = (n: number): string => {
      let s = "";
      for (let i = 0; i < n; i++) s += rng.int(16).toString(16);
      return s;
    };
    return `${prefix}-${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
  }

  private joinUnknownMember(
    group: ClassicGroup,
    req: JoinGroupRequest,
    clientId: string,
    respond: (r: JoinGroupResponse) => void,
  ): void {
    const instanceId = req.groupInstanceId;
    if (instanceId !== null) {
      const newId = this.newMemberId(instanceId);
      const oldId = group.staticMembers.get(instanceId);
      if (oldId !== undefined) return this.rejoinStaticMember(group, oldId, newId, req, clientId, respond);
      return this.addMemberAndRebalance(group, newId, req, clientId, respond);
    }
    // KIP-394: hand out a member id first; the member joins again with it.
    const memberId = this.newMemberId(clientId);
    const cancel = this.deps.host.schedule(req.sessionTimeoutMs, () =>
      this.expirePendingMember(group, memberId),
    );
    group.pendingMembers.set(memberId, cancel);
    this.trace("pendingMember", group, { member: memberId });
    respond(joinError(Errors.MEMBER_ID_REQUIRED, memberId));
  }

  private joinKnownMember(
    group: ClassicGroup,
    req: JoinGroupRequest,
    clientId: string,
    respond: (r: JoinGroupResponse) => void,
  ): void {
    const memberId = req.memberId;
    const pendingCancel = group.pendingMembers.get(memberId);
    if (pendingCancel !== undefined) {
      pendingCancel();
      group.pendingMembers.delete(memberId);
      return this.addMemberAndRebalance(group, memberId, req, clientId, respond);
    }
    const invalid = this.validateMember(group, memberId, req.groupInstanceId);
    if (invalid) return respond(joinError(invalid, memberId));
    const member = group.members.get(memberId)!;
    switch (group.state) {
      case "PreparingRebalance":
        return this.updateMemberAndRebalance(group, member, req, respond);
      case "CompletingRebalance":
        // The member missed our join response (e.g. its request timed out): answer it again.
        if (member.matches(req.protocols)) return respond(this.joinResponse(group, member));
        return this.updateMemberAndRebalance(group, member, req, respond);
      case "Stable":
        if (group.isLeader(memberId) || !member.matches(req.protocols))
          return this.updateMemberAndRebalance(group, member, req, respond);
        return respond(this.joinResponse(group, member));
      case "Empty":
      case "Dead":
        return respond(joinError(Errors.UNKNOWN_MEMBER_ID, memberId));
    }
  }

  private rejoinStaticMember(
    group: ClassicGroup,
    oldMemberId: string,
    newMemberId: string,
    req: JoinGroupRequest,
    clientId: string,
    respond: (r: JoinGroupResponse) => void,
  ): void {
    const old = group.members.get(oldMemberId)!;
    // The old incarnation is fenced: answer what it still waits for.
    old.completeJoin(joinError(Errors.FENCED_INSTANCE_ID, oldMemberId));
    old.completeSync(syncError(Errors.FENCED_INSTANCE_ID));
    const member = this.newMember(newMemberId, req, clientId);
    group.replaceStaticMember(oldMemberId, member);
    this.trace("staticMemberReplaced", group, { old: oldMemberId, member: newMemberId });
    // Kafka (updateStaticMemberThenRebalanceOrCompleteJoin) rebalances a Stable group only if the
    // new incarnation's protocols change the protocol the group would select; its metadata may
    // differ (a cooperative member's ownedPartitions is empty after a restart). This holds for the
    // leader too (KIP-814): replaceStaticMember made the new id the leader, and the join response
    // tells it to skip the assignment, since a Stable group would ignore a new one anyway.
    if (group.is("Stable") && group.protocolName === group.selectProtocol()) {
      this.heartbeatReceived(group, member);
      // Persist the new member id so that a failover keeps it; answer after the write.
      const assignments = new Map(
        [...group.members.values()].map((m) => [m.memberId, m.assignment] as const),
      );
      const generation = group.generationId;
      this.deps.storeGroup(group, assignments, (error) => {
        if (error !== Errors.NONE) return respond(joinError(error, newMemberId));
        if (group.generationId !== generation || group.members.get(newMemberId) !== member)
          return respond(joinError(Errors.REBALANCE_IN_PROGRESS, newMemberId));
        const skipAssignment = group.isLeader(newMemberId);
        if (skipAssignment) this.trace("staticLeaderSkipsAssignment", group, { member: newMemberId });
        respond(this.joinResponse(group, member, skipAssignment));
      });
      return;
    }
    this.heartbeatReceived(group, member);
    this.updateMemberAndRebalance(group, member, req, respond);
  }

  private newMember(memberId: string, req: JoinGroupRequest, clientId: string): GroupMember {
    return new GroupMember(
      memberId,
      req.groupInstanceId,
      clientId,
      clientId,
      req.rebalanceTimeoutMs,
      req.sessionTimeoutMs,
      req.protocolType,
      req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
      this.now,
    );
  }

  private addMemberAndRebalance(
    group: ClassicGroup,
    memberId: string,
    req: JoinGroupRequest,
    clientId: string,
    respond: (r: JoinGroupResponse) => void,
  ): void {
    const member = this.newMember(memberId, req, clientId);
    member.isNew = true;
    member.awaitingJoin = respond;
    // Only the group's very first rebalance is stretched by newly arriving members (Kafka).
    if (group.is("PreparingRebalance") && group.generationId === 0) group.newMemberAdded = true;
    group.add(member);
    this.scheduleExpiry(group, member, this.deps.config.newMemberJoinTimeoutMs);
    this.trace("memberAdded", group, { member: memberId, reason: req.reason ?? null });
    this.maybePrepareRebalance(group, `member ${memberId} joined`);
  }

  private updateMemberAndRebalance(
    group: ClassicGroup,
    member: GroupMember,
    req: JoinGroupRequest,
    respond: (r: JoinGroupResponse) => void,
  ): void {
    member.protocols = req.protocols.map((p) => ({ name: p.name, metadata: p.metadata }));
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.awaitingJoin = respond; // a superseded parked join is dropped, as Kafka does
    this.maybePrepareRebalance(group, `member ${member.memberId} rejoined`);
  }

  private joinResponse(group: ClassicGroup, member: GroupMember, skipAssignment = false): JoinGroupResponse {
    const isLeader = group.isLeader(member.memberId);
    return {
      errorCode: Errors.NONE.code,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? "",
      memberId: member.memberId,
      members: isLeader ? group.memberSubscriptions() : [],
      skipAssignment,
    };
  }

  // ---- Rebalance ------------------------------------------------------------------------------

  maybePrepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.canRebalance()) this.prepareRebalance(group, reason);
    else if (group.is("PreparingRebalance")) this.maybeCompleteJoin(group);
  }

  private prepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.is("CompletingRebalance"))
      this.resetAndPropagateAssignmentError(group, Errors.REBALANCE_IN_PROGRESS);
    group.cancelSyncTimer?.();
    group.cancelSyncTimer = undefined;
    const fromEmpty = group.is("Empty");
    group.transitionTo("PreparingRebalance", this.now);
    this.trace("prepareRebalance", group, { reason });
    if (fromEmpty) {
      const delay = this.deps.config.groupInitialRebalanceDelayMs;
      this.scheduleInitialJoin(group, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0));
    } else {
      const cancel = this.deps.host.schedule(group.rebalanceTimeoutMs(), () => {
        group.joinTimer = undefined;
        this.completeJoin(group);
      });
      group.joinTimer = { kind: "join", cancel };
      this.maybeCompleteJoin(group);
    }
  }

  /** Kafka's InitialDelayedJoin: wait `delayMs`; extend while new members arrive, up to `remainingMs` more. */
  private scheduleInitialJoin(group: ClassicGroup, delayMs: number, remainingMs: number): void {
    const cancel = this.deps.host.schedule(delayMs, () => {
      group.joinTimer = undefined;
      if (!group.is("PreparingRebalance")) return;
      if (group.newMemberAdded && remainingMs > 0) {
        group.newMemberAdded = false;
        const next = Math.min(this.deps.config.groupInitialRebalanceDelayMs, remainingMs);
        this.scheduleInitialJoin(group, next, Math.max(remainingMs - next, 0));
      } else {
        this.completeJoin(group);
      }
    });
    group.joinTimer = { kind: "initial", cancel };
  }

  /** Complete the join phase now if every member has rejoined (DelayedJoin.tryComplete). */
  maybeCompleteJoin(group: ClassicGroup): void {
    if (!group.is("PreparingRebalance") || group.joinTimer?.kind !== "join") return;
    if (group.numAwaitingJoin() === group.members.size && group.pendingMembers.size === 0) {
      group.joinTimer.cancel();
      group.joinTimer = undefined;
      this.completeJoin(group);
    }
  }

  /** The join phase ends (Kafka's onCompleteJoin): next generation, join responses. */
  private completeJoin(group: ClassicGroup): void {
    if (!group.is("PreparingRebalance")) return;
    group.joinTimer?.cancel();
    group.joinTimer = undefined;
    for (const m of [...group.members.values()]) {
      if (!m.isAwaitingJoin && m.groupInstanceId === null) {
        group.remove(m.memberId);
        this.trace("memberRemoved", group, { member: m.memberId, reason: "did not rejoin in time" });
      }
    }
    group.newMemberAdded = false;
    group.generationId++;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.transitionTo("Empty", this.now);
      this.trace("empty", group);
      this.deps.storeGroup(group, new Map(), () => {});
      return;
    }
    group.protocolName = group.selectProtocol();
    // A static leader that has not rejoined cannot compute the assignment: pick a joined member.
    if (!group.members.get(group.leaderId!)?.isAwaitingJoin) {
      const joined = [...group.members.values()].find((m) => m.isAwaitingJoin);
      if (joined) group.leaderId = joined.memberId;
    }
    group.transitionTo("CompletingRebalance", this.now);
    group.pendingSyncMembers.clear();
    for (const id of group.members.keys()) group.pendingSyncMembers.add(id);
    this.trace("completeJoin", group, {
      protocol: group.protocolName,
      leader: group.leaderId,
      members: [...group.members.keys()],
    });
    for (const m of group.members.values()) {
      if (m.completeJoin(this.joinResponse(group, m))) {
        m.isNew = false;
        this.heartbeatReceived(group, m);
      }
    }
    const generation = group.generationId;
    group.cancelSyncTimer = this.deps.host.schedule(group.rebalanceTimeoutMs(), () => {
      group.cancelSyncTimer = undefined;
      this.expirePendingSync(group, generation);
    });
    group.checkInvariants();
  }

  /** Members that never sent SyncGroup for `generation` are removed, and the group rebalances. */
  private expirePendingSync(group: ClassicGroup, generation: number): void {
    if (group.generationId !== generation) return;
    if (!group.is("CompletingRebalance") && !group.is("Stable")) return;
    if (group.pendingSyncMembers.size === 0) return;
    for (const id of [...group.pendingSyncMembers]) {
      group.remove(id);
      this.trace("memberRemoved", group, { member: id, reason: "no SyncGroup within the rebalance timeout" });
    }
    this.maybePrepareRebalance(group, "members did not sync");
  }

  private resetAndPropagateAssignmentError(group: ClassicGroup, error: ErrorInfo): void {
    for (const m of group.members.values()) {
      m.assignment = EMPTY_ASSIGNMENT;
      m.completeSync(syncError(error));
    }
  }

  // ---- SyncGroup ------------------------------------------------------------------------------

  sync(group: ClassicGroup, req: SyncGroupRequest, respond: (r: SyncGroupResponse) => void): void {
    if (group.is("Dead")) return respond(syncError(Errors.COORDINATOR_NOT_AVAILABLE));
    const invalid = this.validateMember(group, req.memberId, req.groupInstanceId);
    if (invalid) return respond(syncError(invalid));
    const member = group.members.get(req.memberId)!;
    if (req.generationId !== group.generationId) return respond(syncError(Errors.ILLEGAL_GENERATION));
    if (
      (req.protocolType !== null && req.protocolType !== group.protocolType) ||
      (req.protocolName !== null && req.protocolName !== group.protocolName)
    )
      return respond(syncError(Errors.INCONSISTENT_GROUP_PROTOCOL));
    switch (group.state) {
      case "Empty":
      case "Dead":
        return respond(syncError(Errors.UNKNOWN_MEMBER_ID));
      case "PreparingRebalance":
        return respond(syncError(Errors.REBALANCE_IN_PROGRESS));
      case "Stable":
        group.pendingSyncMembers.delete(member.memberId);
        this.heartbeatReceived(group, member);
        return respond(this.syncResponse(group, member));
      case "CompletingRebalance":
        group.pendingSyncMembers.delete(member.memberId);
        member.awaitingSync = respond;
        this.heartbeatReceived(group, member);
        if (group.isLeader(member.memberId)) this.storeAssignment(group, req);
        return;
    }
  }

  private syncResponse(group: ClassicGroup, member: GroupMember): SyncGroupResponse {
    return {
      errorCode: Errors.NONE.code,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      assignment: member.assignment,
    };
  }

  private storeAssignment(group: ClassicGroup, req: SyncGroupRequest): void {
    const assignments = new Map<string, GroupAssignment>();
    for (const a of req.assignments)
      if (group.members.has(a.memberId)) assignments.set(a.memberId, a.assignment);
    for (const id of group.members.keys()) if (!assignments.has(id)) assignments.set(id, EMPTY_ASSIGNMENT);
    const generation = group.generationId;
    this.deps.storeGroup(group, assignments, (error) => {
      if (!group.is("CompletingRebalance") || group.generationId !== generation) return;
      if (error !== Errors.NONE) {
        this.trace("storeGroupFailed", group, { error: error.name });
        this.resetAndPropagateAssignmentError(group, error);
        this.maybePrepareRebalance(group, `storing the assignment failed with ${error.name}`);
        return;
      }
      for (const m of group.members.values()) {
        m.assignment = assignments.get(m.memberId) ?? EMPTY_ASSIGNMENT;
        if (m.completeSync(this.syncResponse(group, m))) this.heartbeatReceived(group, m);
      }
      group.transitionTo("Stable", this.now);
      this.trace("stable", group, { assignment: Object.fromEntries(assignments) });
    });
  }

  // ---- Heartbeat ------------------------------------------------------------------------------

  heartbeat(group: ClassicGroup, req: HeartbeatRequest): HeartbeatResponse {
    if (group.is("Dead")) return { errorCode: Errors.COORDINATOR_NOT_AVAILABLE.code };
    const invalid = this.validateMember(group, req.memberId, req.groupInstanceId);
    if (invalid) return { errorCode: invalid.code };
    const member = group.members.get(req.memberId)!;
    if (req.generationId !== group.generationId) return { errorCode: Errors.ILLEGAL_GENERATION.code };
    switch (group.state) {
      case "Empty":
      case "Dead":
        return { errorCode: Errors.UNKNOWN_MEMBER_ID.code };
      case "PreparingRebalance":
        this.heartbeatReceived(group, member);
        return { errorCode: Errors.REBALANCE_IN_PROGRESS.code };
      case "CompletingRebalance":
      case "Stable":
        this.heartbeatReceived(group, member);
        return { errorCode: Errors.NONE.code };
    }
  }

  // ---- LeaveGroup -----------------------------------------------------------------------------

  leave(group: ClassicGroup | undefined, req: LeaveGroupRequest): LeaveGroupResponse {
    if (group?.is("Dead")) return { errorCode: Errors.COORDINATOR_NOT_AVAILABLE.code, members: [] };
    const members = req.members.map((m) => {
      const code = group
        ? this.leaveOne(group, m.memberId, m.groupInstanceId, m.reason).code
        : Errors.UNKNOWN_MEMBER_ID.code;
      return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: code };
    });
    return { errorCode: Errors.NONE.code, members };
  }

  private leaveOne(
    group: ClassicGroup,
    memberIdIn: string,
    instanceId: string | null,
    reason: string | null,
  ): ErrorInfo {
    let memberId = memberIdIn;
    if (memberId === "" && instanceId !== null) {
      const registered = group.staticMembers.get(instanceId);
      if (registered === undefined) return Errors.UNKNOWN_MEMBER_ID;
      memberId = registered;
    }
    const pending = group.pendingMembers.get(memberId);
    if (pending !== undefined) {
      pending();
      group.pendingMembers.delete(memberId);
      this.maybeCompleteJoin(group);
      return Errors.NONE;
    }
    const invalid = this.validateMember(group, memberId, instanceId);
    if (invalid) return invalid;
    const member = group.members.get(memberId)!;
    this.removeMemberAndUpdateGroup(group, member, `left the group${reason ? ` (${reason})` : ""}`);
    return Errors.NONE;
  }

  // ---- Liveness -------------------------------------------------------------------------------

  /** A heartbeat (or a join/sync/commit that counts as one): push the session deadline. */
  heartbeatReceived(group: ClassicGroup, member: GroupMember): void {
    member.lastHeartbeatMs = this.now;
    this.scheduleExpiry(group, member, member.sessionTimeoutMs);
  }

  scheduleExpiry(group: ClassicGroup, member: GroupMember, timeoutMs: number): void {
    member.cancelExpiry?.();
    const deadline = this.now + timeoutMs;
    member.cancelExpiry = this.deps.host.schedule(timeoutMs, () => {
      member.cancelExpiry = undefined;
      if (group.members.get(member.memberId) !== member) return;
      if (member.shouldKeepAlive(deadline, this.deps.config.newMemberJoinTimeoutMs)) {
        this.scheduleExpiry(group, member, member.sessionTimeoutMs);
        return;
      }
      this.removeMemberAndUpdateGroup(group, member, "session timeout expired");
    });
  }

  private expirePendingMember(group: ClassicGroup, memberId: string): void {
    if (!group.pendingMembers.delete(memberId)) return;
    this.trace("pendingMemberExpired", group, { member: memberId });
    this.maybeCompleteJoin(group);
  }

  removeMemberAndUpdateGroup(group: ClassicGroup, member: GroupMember, reason: string): void {
    member.completeJoin(joinError(Errors.UNKNOWN_MEMBER_ID, member.memberId));
    member.completeSync(syncError(Errors.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    this.trace("memberRemoved", group, { member: member.memberId, reason });
    switch (group.state) {
      case "Stable":
      case "CompletingRebalance":
        this.maybePrepareRebalance(group, `member ${member.memberId} ${reason}`);
        break;
      case "PreparingRebalance":
        this.maybeCompleteJoin(group);
        break;
      case "Empty":
      case "Dead":
        break;
    }
    group.checkInvariants();
  }

  /**
   * Kafka's validateCurrentMember: a static member's instance id must map to this member id
   * (else FENCED_INSTANCE_ID, or UNKNOWN_MEMBER_ID if the instance is unknown); the member must
   * exist (else UNKNOWN_MEMBER_ID). Undefined when the member is valid.
   */
  validateMember(group: ClassicGroup, memberId: string, instanceId: string | null): ErrorInfo | undefined {
    if (instanceId !== null) {
      const registered = group.staticMembers.get(instanceId);
      if (registered === undefined) return Errors.UNKNOWN_MEMBER_ID;
      if (registered !== memberId) return Errors.FENCED_INSTANCE_ID;
    }
    return group.members.has(memberId) ? undefined : Errors.UNKNOWN_MEMBER_ID;
  }

  /** The coordinator lost the group (unload): answer parked requests, stop timers. */
  unload(group: ClassicGroup): void {
    group.joinTimer?.cancel();
    group.joinTimer = undefined;
    group.cancelSyncTimer?.();
    group.cancelSyncTimer = undefined;
    for (const cancel of group.pendingMembers.values()) cancel();
    group.pendingMembers.clear();
    for (const m of group.members.values()) {
      m.cancelExpiry?.();
      m.cancelExpiry = undefined;
      m.completeJoin(joinError(Errors.NOT_COORDINATOR, m.memberId));
      m.completeSync(syncError(Errors.NOT_COORDINATOR));
    }
    group.markDead(this.now);
  }
}
