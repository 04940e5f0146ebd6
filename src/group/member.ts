/**
 * One member of a classic group (Kafka's ClassicGroupMember / MemberMetadata.scala): its ids,
 * timeouts, the protocols it supports with its subscription for each, its current assignment,
 * and the JoinGroup / SyncGroup responses the coordinator still owes it.
 *
 * Liveness rule (Kafka's shouldKeepAlive): a member with a JoinGroup parked in the coordinator
 * is alive while the rebalance runs (a member that existed before is kept; a brand-new member
 * only for newMemberJoinTimeoutMs, KIP-394); a member with a SyncGroup parked is alive; any
 * other member must heartbeat within its session timeout.
 */
import type { GroupAssignment, GroupSubscription, JoinGroupResponse, SyncGroupResponse } from "../protocol";

export interface MemberProtocol {
  name: string;
  metadata: GroupSubscription;
}

export const EMPTY_ASSIGNMENT: GroupAssignment = Object.freeze({ assignedPartitions: [] }) as GroupAssignment;

export class GroupMember {
  /** Response owed to a parked JoinGroup, if any. */
  awaitingJoin: ((response: JoinGroupResponse) => void) | undefined;
  /** Response owed to a parked SyncGroup, if any. */
  awaitingSync: ((response: SyncGroupResponse) => void) | undefined;
  assignment: GroupAssignment = EMPTY_ASSIGNMENT;
  /** Joined during the rebalance in progress (no generation yet). */
  isNew = false;
  /** Virtual time of the last heartbeat (or join/sync/commit that counts as one). */
  lastHeartbeatMs: number;
  /** Cancels the pending session-expiry check. */
  cancelExpiry: (() => void) | undefined;

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    public protocolType: string,
    public protocols: MemberProtocol[],
    nowMs: number,
  ) {
    this.lastHeartbeatMs = nowMs;
  }

  get isAwaitingJoin(): boolean {
    return this.awaitingJoin !== undefined;
  }

  get isAwaitingSync(): boolean {
    return this.awaitingSync !== undefined;
  }

  /** The member's subscription for `protocolName`; throws if it does not support it (a bug). */
  metadataFor(protocolName: string): GroupSubscription {
    const p = this.protocols.find((x) => x.name === protocolName);
    if (!p) throw new Error(`Member ${this.memberId} does not support protocol ${protocolName}`);
    return p.metadata;
  }

  /** Same protocol names, in the same order, with equal subscriptions (no rebalance needed). */
  matches(protocols: readonly MemberProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    for (let i = 0; i < protocols.length; i++) {
      const a = protocols[i]!;
      const b = this.protocols[i]!;
      if (a.name !== b.name || !sameSubscription(a.metadata, b.metadata)) return false;
    }
    return true;
  }

  /** Kafka's shouldKeepAlive at `deadlineMs` (see the file header). */
  shouldKeepAlive(deadlineMs: number, newMemberJoinTimeoutMs: number): boolean {
    if (this.awaitingJoin !== undefined)
      return !this.isNew || this.lastHeartbeatMs + newMemberJoinTimeoutMs > deadlineMs;
    if (this.awaitingSync !== undefined) return true;
    return this.lastHeartbeatMs + this.sessionTimeoutMs > deadlineMs;
  }

  /** Answer and clear the parked JoinGroup, if any. Returns whether there was one. */
  completeJoin(response: JoinGroupResponse): boolean {
    const cb = this.awaitingJoin;
    if (cb === undefined) return false;
    this.awaitingJoin = undefined;
    cb(response);
    return true;
  }

  /** Answer and clear the parked SyncGroup, if any. Returns whether there was one. */
  completeSync(response: SyncGroupResponse): boolean {
    const cb = this.awaitingSync;
    if (cb === undefined) return false;
    this.awaitingSync = undefined;
    cb(response);
    return true;
  }
}

function sameSubscription(a: GroupSubscription, b: GroupSubscription): boolean {
  if (a.topics.length !== b.topics.length) return false;
  for (let i = 0; i < a.topics.length; i++) if (a.topics[i] !== b.topics[i]) return false;
  if (a.ownedPartitions.length !== b.ownedPartitions.length) return false;
  for (let i = 0; i < a.ownedPartitions.length; i++) {
    const x = a.ownedPartitions[i]!;
    const y = b.ownedPartitions[i]!;
    if (x.topic !== y.topic || x.partitions.length !== y.partitions.length) return false;
    for (let j = 0; j < x.partitions.length; j++) if (x.partitions[j] !== y.partitions[j]) return false;
  }
  return true;
}
