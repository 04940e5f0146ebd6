/**
 * A classic consumer group as the coordinator keeps it in memory (Kafka's ClassicGroup /
 * GroupMetadata.scala): state, generation, chosen protocol, leader, members (in join order),
 * member ids handed out but not yet used (KIP-394), static members (KIP-345), and the group's
 * committed offsets.
 *
 * Invariants kept (asserted):
 * - state changes only along the table in group-state.ts;
 * - the leader, when set, is a member; a group with members has a leader;
 * - a static member's instance id maps to exactly one member id;
 * - generationId never decreases.
 *
 * Committed offsets live in the group (as in Kafka's GroupMetadata) because they share its
 * lifetime: a group that only commits offsets (a standalone consumer using assign()) is an
 * Empty group with no protocol type.
 */
import type { GroupSubscription } from "../protocol";
import { assertTransition, type GroupState } from "./group-state";
import type { GroupMember, MemberProtocol } from "./member";
import type { OffsetCommitValue } from "./offset-records";

export interface CommittedOffset extends OffsetCommitValue {
  topic: string;
  partition: number;
}

export function offsetKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class ClassicGroup {
  private stateValue: GroupState;
  /** Virtual time of the last state change (KIP-211 expiry base for Empty groups). */
  stateTimestampMs: number;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, GroupMember>();
  /** Member ids returned with MEMBER_ID_REQUIRED that have not joined yet (KIP-394), with their expiry cancel. */
  readonly pendingMembers = new Map<string, () => void>();
  /** group.instance.id → member id (KIP-345). */
  readonly staticMembers = new Map<string, string>();
  /** Members of the current generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  /** A new member joined while the initial delayed join waits (extends the delay). */
  newMemberAdded = false;
  /** The join timer (DelayedJoin or InitialDelayedJoin) of the rebalance in progress. */
  joinTimer: { kind: "initial" | "join"; cancel: () => void } | undefined;
  /** Removes members that never sent SyncGroup, after the rebalance timeout. */
  cancelSyncTimer: (() => void) | undefined;
  readonly offsets = new Map<string, CommittedOffset>();
  /** Offset commits appended but not yet acknowledged (for tests and tracing). */
  pendingOffsetCommits = 0;

  constructor(
    readonly groupId: string,
    initialState: "Empty" | "Stable",
    nowMs: number,
  ) {
    this.stateValue = initialState;
    this.stateTimestampMs = nowMs;
  }

  get state(): GroupState {
    return this.stateValue;
  }

  is(state: GroupState): boolean {
    return this.stateValue === state;
  }

  transitionTo(state: GroupState, nowMs: number): void {
    assertTransition(this.groupId, this.stateValue, state);
    this.stateValue = state;
    this.stateTimestampMs = nowMs;
  }

  /** Eager moves a loader or an unload may make outside the table (Dead from anything). */
  markDead(nowMs: number): void {
    this.stateValue = "Dead";
    this.stateTimestampMs = nowMs;
  }

  /** Stable or CompletingRebalance or Empty: a join may start a rebalance. */
  canRebalance(): boolean {
    return (
      this.stateValue === "Stable" || this.stateValue === "CompletingRebalance" || this.stateValue === "Empty"
    );
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  add(member: GroupMember): void {
    if (this.members.has(member.memberId))
      throw new Error(`Cannot add member ${member.memberId} to group ${this.groupId}: already a member`);
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    if (this.leaderId === null) this.leaderId = member.memberId;
  }

  remove(memberId: string): GroupMember | undefined {
    const member = this.members.get(memberId);
    if (!member) return undefined;
    member.cancelExpiry?.();
    member.cancelExpiry = undefined;
    this.members.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId)
      this.staticMembers.delete(member.groupInstanceId);
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    return member;
  }

  /** Replace a static member's id (KIP-345 rejoin with a new member id), keeping its place and assignment. */
  replaceStaticMember(oldMemberId: string, replacement: GroupMember): void {
    const old = this.members.get(oldMemberId);
    if (!old || old.groupInstanceId === null || old.groupInstanceId !== replacement.groupInstanceId)
      throw new Error(
        `Cannot replace member ${oldMemberId} of group ${this.groupId}: not the same static member`,
      );
    old.cancelExpiry?.();
    replacement.assignment = old.assignment;
    const entries = [...this.members.entries()].map(([id, m]) =>
      id === oldMemberId ? ([replacement.memberId, replacement] as const) : ([id, m] as const),
    );
    this.members.clear();
    for (const [id, m] of entries) this.members.set(id, m);
    this.staticMembers.set(replacement.groupInstanceId!, replacement.memberId);
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(replacement.memberId);
    if (this.leaderId === oldMemberId) this.leaderId = replacement.memberId;
  }

  /** Number of members with a parked JoinGroup. */
  numAwaitingJoin(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.isAwaitingJoin) n++;
    return n;
  }

  /** Every member (and no pending member id) has sent its JoinGroup for this rebalance. */
  hasAllMembersJoined(): boolean {
    return (
      this.members.size > 0 && this.numAwaitingJoin() === this.members.size && this.pendingMembers.size === 0
    );
  }

  /** The largest rebalance timeout among members (the group's DelayedJoin timeout). */
  rebalanceTimeoutMs(): number {
    let t = 0;
    for (const m of this.members.values()) t = Math.max(t, m.rebalanceTimeoutMs);
    return t;
  }

  /**
   * Whether a joining member is compatible: same protocol type as the group (when it has members)
   * and at least one protocol every current member also supports.
   */
  supportsProtocols(protocolType: string, protocols: readonly MemberProtocol[]): boolean {
    if (this.members.size === 0) return protocolType !== "" && protocols.length > 0;
    if (protocolType !== this.protocolType) return false;
    return protocols.some((p) => this.allMembersSupport(p.name));
  }

  private allMembersSupport(name: string): boolean {
    for (const m of this.members.values()) if (!m.protocols.some((p) => p.name === name)) return false;
    return true;
  }

  /**
   * Kafka's selectProtocol: among protocols every member supports, each member votes for the
   * first one in its own preference order; most votes wins, ties go to the candidate listed
   * first by the first member.
   */
  selectProtocol(): string {
    const first = this.members.values().next().value;
    if (first === undefined)
      throw new Error(`Cannot select a protocol for group ${this.groupId}: no members`);
    const candidates = first.protocols.map((p) => p.name).filter((n) => this.allMembersSupport(n));
    if (candidates.length === 0)
      throw new Error(`Cannot select a protocol for group ${this.groupId}: members share none`);
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => votes.has(p.name))!;
      votes.set(choice.name, votes.get(choice.name)! + 1);
    }
    let best = candidates[0]!;
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c;
    return best;
  }

  /** Each member's subscription for the chosen protocol (what the leader receives). */
  memberSubscriptions(): { memberId: string; groupInstanceId: string | null; metadata: GroupSubscription }[] {
    const name = this.protocolName;
    if (name === null) return [];
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadataFor(name),
    }));
  }

  /** Invariants of the file header; throws on a violation (a coordinator bug). */
  checkInvariants(): void {
    if (this.leaderId !== null && !this.members.has(this.leaderId))
      throw new Error(`Group ${this.groupId}: leader ${this.leaderId} is not a member`);
    if (this.members.size > 0 && this.leaderId === null)
      throw new Error(`Group ${this.groupId}: ${this.members.size} members but no leader`);
    for (const [instanceId, memberId] of this.staticMembers) {
      if (this.members.get(memberId)?.groupInstanceId !== instanceId)
        throw new Error(
          `Group ${this.groupId}: static member ${instanceId} maps to unknown member ${memberId}`,
        );
    }
  }
}
