/**
 * Partition assignors: the group leader (a consumer) runs one of these in the classic protocol
 * to split the subscribed topics' partitions among the members; the coordinator only relays the
 * result. Names are Kafka's `partition.assignment.strategy` protocol names.
 *
 * - "range" (RangeAssignor): per topic, members subscribed to it sorted by id, the partitions
 *   cut into contiguous ranges; the first (partitions % members) members get one extra.
 *   With several topics the same members get the extra partitions of every topic.
 * - "roundrobin" (RoundRobinAssignor): all subscribed partitions sorted by topic then
 *   partition, dealt one by one to the members in sorted order, skipping members not
 *   subscribed to the topic.
 * - "cooperative-sticky" (CooperativeStickyAssignor, KIP-429): a balanced assignment that keeps
 *   each member's owned partitions where it can; a partition that must move is first only
 *   revoked (assigned to nobody) and given to its new owner in the follow-up rebalance.
 *   Steps: keep valid owned partitions (each claimed once), give every other partition to the
 *   least loaded subscribed member, then move partitions from a member to one with two fewer
 *   (ones the giver did not own first); finally withhold partitions whose previous owner is
 *   still in the group. With identical subscriptions this settles in two rounds (tested);
 *   with mixed subscriptions in a few (tested up to six).
 *
 * Member order: by group.instance.id when set (static members keep stable positions), else by
 * member id, as Kafka's AbstractPartitionAssignor.MemberInfo compares them.
 *
 * Departures: no rack-aware assignment (KIP-881), no userData; the sticky assignor is a
 * simpler algorithm than Kafka's AbstractStickyAssignor (same contract: owned partitions kept
 * when balance allows, moved partitions revoked first, balanced within one partition for
 * identical subscriptions), without its generation-based resolution of conflicting claims
 * (here the first member in id order keeps a partition two members claim).
 */
import type { GroupAssignment, GroupSubscription } from "../protocol/messages";
import type { TopicPartition } from "./consumer-types";

export type RebalanceProtocol = "EAGER" | "COOPERATIVE";

export interface AssignorMember {
  memberId: string;
  groupInstanceId: string | null;
  subscription: GroupSubscription;
}

export interface PartitionAssignor {
  /** The protocol name sent in JoinGroup ("range", "roundrobin", "cooperative-sticky"). */
  readonly name: string;
  /** Rebalance protocols this assignor supports, preferred first. */
  readonly supportedProtocols: readonly RebalanceProtocol[];
  /**
   * The assignment of every member. `partitionsPerTopic` holds each subscribed topic that
   * exists and its partition count; topics missing from it are skipped.
   */
  assign(
    partitionsPerTopic: ReadonlyMap<string, number>,
    members: readonly AssignorMember[],
  ): Map<string, GroupAssignment>;
}

function compareMembers(a: AssignorMember, b: AssignorMember): number {
  const ka = a.groupInstanceId ?? a.memberId;
  const kb = b.groupInstanceId ?? b.memberId;
  if (a.groupInstanceId !== null && b.groupInstanceId === null) return -1;
  if (a.groupInstanceId === null && b.groupInstanceId !== null) return 1;
  return ka < kb ? -1 : ka > kb ? 1 : a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
}

/** Group a flat list of partitions into an assignment (topics and partitions sorted). */
export function toAssignment(partitions: readonly TopicPartition[]): GroupAssignment {
  const byTopic = new Map<string, number[]>();
  for (const tp of partitions) {
    let list = byTopic.get(tp.topic);
    if (!list) byTopic.set(tp.topic, (list = []));
    list.push(tp.partition);
  }
  return {
    assignedPartitions: [...byTopic.keys()].sort().map((topic) => ({
      topic,
      partitions: byTopic.get(topic)!.sort((a, b) => a - b),
    })),
  };
}

/** The flat list of an assignment's partitions. */
export function assignmentPartitions(a: GroupAssignment): TopicPartition[] {
  return a.assignedPartitions.flatMap((t) =>
    t.partitions.map((partition) => ({ topic: t.topic, partition })),
  );
}

export class RangeAssignor implements PartitionAssignor {
  readonly name = "range";
  readonly supportedProtocols: readonly RebalanceProtocol[] = ["EAGER"];

  assign(
    partitionsPerTopic: ReadonlyMap<string, number>,
    members: readonly AssignorMember[],
  ): Map<string, GroupAssignment> {
    const out = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
    const topics = [...new Set(members.flatMap((m) => m.subscription.topics))].sort();
    for (const topic of topics) {
      const n = partitionsPerTopic.get(topic);
      if (n === undefined) continue;
      const consumers = members.filter((m) => m.subscription.topics.includes(topic)).sort(compareMembers);
      const per = Math.floor(n / consumers.length);
      const extra = n % consumers.length;
      consumers.forEach((m, i) => {
        const start = per * i + Math.min(i, extra);
        const length = per + (i < extra ? 1 : 0);
        for (let p = start; p < start + length; p++) out.get(m.memberId)!.push({ topic, partition: p });
      });
    }
    return new Map([...out].map(([id, tps]) => [id, toAssignment(tps)]));
  }
}

export class RoundRobinAssignor implements PartitionAssignor {
  readonly name = "roundrobin";
  readonly supportedProtocols: readonly RebalanceProtocol[] = ["EAGER"];

  assign(
    partitionsPerTopic: ReadonlyMap<string, number>,
    members: readonly AssignorMember[],
  ): Map<string, GroupAssignment> {
    const out = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
    const sorted = [...members].sort(compareMembers);
    const topics = [...new Set(members.flatMap((m) => m.subscription.topics))].sort();
    let next = 0;
    for (const topic of topics) {
      const n = partitionsPerTopic.get(topic);
      if (n === undefined) continue;
      for (let p = 0; p < n; p++) {
        // Advance the circular iterator to the next member subscribed to this topic.
        for (let tries = 0; tries < sorted.length; tries++) {
          const m = sorted[next % sorted.length]!;
          next++;
          if (m.subscription.topics.includes(topic)) {
            out.get(m.memberId)!.push({ topic, partition: p });
            break;
          }
        }
      }
    }
    return new Map([...out].map(([id, tps]) => [id, toAssignment(tps)]));
  }
}

export class CooperativeStickyAssignor implements PartitionAssignor {
  readonly name = "cooperative-sticky";
  readonly supportedProtocols: readonly RebalanceProtocol[] = ["COOPERATIVE", "EAGER"];

  assign(
    partitionsPerTopic: ReadonlyMap<string, number>,
    members: readonly AssignorMember[],
  ): Map<string, GroupAssignment> {
    const sorted = [...members].sort(compareMembers);
    const key = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;
    // Every partition some member subscribes to.
    const all: TopicPartition[] = [];
    for (const topic of [...new Set(members.flatMap((m) => m.subscription.topics))].sort()) {
      const n = partitionsPerTopic.get(topic);
      for (let p = 0; p < (n ?? 0); p++) all.push({ topic, partition: p });
    }
    const exists = new Set(all.map(key));
    // Keep owned partitions that still exist, are still subscribed, and are claimed only once.
    const owner = new Map<string, string>();
    const target = new Map<string, TopicPartition[]>(sorted.map((m) => [m.memberId, []]));
    for (const m of sorted) {
      for (const tp of assignmentPartitions({ assignedPartitions: m.subscription.ownedPartitions })) {
        const k = key(tp);
        if (!exists.has(k) || owner.has(k) || !m.subscription.topics.includes(tp.topic)) continue;
        owner.set(k, m.memberId);
        target.get(m.memberId)!.push(tp);
      }
    }
    // Partitions nobody keeps go, in order, to the least loaded member subscribed to them.
    const pool = all.filter((tp) => !owner.has(key(tp)));
    for (const tp of pool) {
      const candidates = sorted.filter((m) => m.subscription.topics.includes(tp.topic));
      if (candidates.length === 0) continue;
      let best = candidates[0]!;
      for (const c of candidates)
        if (target.get(c.memberId)!.length < target.get(best.memberId)!.length) best = c;
      target.get(best.memberId)!.push(tp);
      owner.set(key(tp), best.memberId);
    }
    // Then even out members that are two or more apart (can happen with mixed subscriptions),
    // moving partitions the giver did not own before first (they need no revocation).
    const ownedBy = new Map<string, Set<string>>(
      sorted.map((m) => [
        m.memberId,
        new Set(assignmentPartitions({ assignedPartitions: m.subscription.ownedPartitions }).map(key)),
      ]),
    );
    for (let round = 0; round < all.length; round++) {
      let moved = false;
      for (const from of sorted) {
        const fromList = target.get(from.memberId)!;
        for (const to of sorted) {
          const toList = target.get(to.memberId)!;
          if (fromList.length - toList.length < 2) continue;
          const eligible = (tp: TopicPartition): boolean => to.subscription.topics.includes(tp.topic);
          let i = fromList.findIndex((tp) => eligible(tp) && !ownedBy.get(from.memberId)!.has(key(tp)));
          if (i < 0) i = fromList.findIndex(eligible);
          if (i < 0) continue;
          toList.push(fromList.splice(i, 1)[0]!);
          moved = true;
        }
      }
      if (!moved) break;
    }
    // KIP-429: a partition moving away from its previous owner is first only revoked.
    const previousOwner = new Map<string, string>();
    for (const m of members)
      for (const tp of assignmentPartitions({ assignedPartitions: m.subscription.ownedPartitions }))
        if (!previousOwner.has(key(tp))) previousOwner.set(key(tp), m.memberId);
    const out = new Map<string, GroupAssignment>();
    for (const m of sorted) {
      const keep = target.get(m.memberId)!.filter((tp) => {
        const prev = previousOwner.get(key(tp));
        return prev === undefined || prev === m.memberId || !members.some((x) => x.memberId === prev);
      });
      out.set(m.memberId, toAssignment(keep));
    }
    return out;
  }
}

/** The built-in assignors by protocol name. */
export function builtInAssignor(name: string): PartitionAssignor {
  switch (name) {
    case "range":
      return new RangeAssignor();
    case "roundrobin":
      return new RoundRobinAssignor();
    case "cooperative-sticky":
      return new CooperativeStickyAssignor();
    default:
      throw new Error(
        `Unknown partition.assignment.strategy "${name}": this course implements range, roundrobin and cooperative-sticky`,
      );
  }
}
