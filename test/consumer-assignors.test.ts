import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  CooperativeStickyAssignor,
  RangeAssignor,
  RoundRobinAssignor,
  assignmentPartitions,
  builtInAssignor,
  toAssignment,
  type AssignorMember,
  type PartitionAssignor,
} from "../src/client/assignors";
import type { GroupAssignment } from "../src/protocol";

const member = (
  memberId: string,
  topics: string[],
  owned: GroupAssignment["assignedPartitions"] = [],
): AssignorMember => ({
  memberId,
  groupInstanceId: null,
  subscription: { topics, ownedPartitions: owned },
});

const flat = (a: GroupAssignment | undefined) =>
  assignmentPartitions(a!).map((tp) => `${tp.topic}-${tp.partition}`);

describe("RangeAssignor", () => {
  it("cuts each topic into contiguous ranges, the first members taking the extra partitions (Kafka's javadoc example)", () => {
    // Two consumers C0, C1, two topics t0, t1 with 3 partitions each.
    const r = new RangeAssignor().assign(
      new Map([
        ["t0", 3],
        ["t1", 3],
      ]),
      [member("C1", ["t0", "t1"]), member("C0", ["t0", "t1"])],
    );
    expect(flat(r.get("C0"))).toEqual(["t0-0", "t0-1", "t1-0", "t1-1"]);
    expect(flat(r.get("C1"))).toEqual(["t0-2", "t1-2"]);
  });

  it("only members subscribed to a topic share it; unknown topics are skipped", () => {
    const r = new RangeAssignor().assign(new Map([["a", 4]]), [member("m1", ["a"]), member("m2", ["b"])]);
    expect(flat(r.get("m1"))).toEqual(["a-0", "a-1", "a-2", "a-3"]);
    expect(flat(r.get("m2"))).toEqual([]);
  });
});

describe("RoundRobinAssignor", () => {
  it("deals the sorted partitions of all topics in turn (Kafka's javadoc example)", () => {
    const r = new RoundRobinAssignor().assign(
      new Map([
        ["t0", 3],
        ["t1", 3],
      ]),
      [member("C0", ["t0", "t1"]), member("C1", ["t0", "t1"])],
    );
    expect(flat(r.get("C0"))).toEqual(["t0-0", "t0-2", "t1-1"]);
    expect(flat(r.get("C1"))).toEqual(["t0-1", "t1-0", "t1-2"]);
  });

  it("skips members not subscribed to a topic", () => {
    // Kafka's second example: C0 [t0], C1 [t0, t1], C2 [t0, t1, t2]; t0 1 partition, t1 2, t2 3.
    const r = new RoundRobinAssignor().assign(
      new Map([
        ["t0", 1],
        ["t1", 2],
        ["t2", 3],
      ]),
      [member("C0", ["t0"]), member("C1", ["t0", "t1"]), member("C2", ["t0", "t1", "t2"])],
    );
    expect(flat(r.get("C0"))).toEqual(["t0-0"]);
    expect(flat(r.get("C1"))).toEqual(["t1-0"]);
    expect(flat(r.get("C2"))).toEqual(["t1-1", "t2-0", "t2-1", "t2-2"]);
  });
});

describe("CooperativeStickyAssignor", () => {
  const a = new CooperativeStickyAssignor();

  it("keeps owned partitions and only revokes what must move to the new member (first of two rounds)", () => {
    const topics = new Map([["t", 6]]);
    const owned1 = toAssignment([0, 1, 2].map((p) => ({ topic: "t", partition: p }))).assignedPartitions;
    const owned2 = toAssignment([3, 4, 5].map((p) => ({ topic: "t", partition: p }))).assignedPartitions;
    const round1 = a.assign(topics, [
      member("m1", ["t"], owned1),
      member("m2", ["t"], owned2),
      member("m3", ["t"]),
    ]);
    // m1 and m2 each give one partition up; it is assigned to nobody in this round.
    expect(flat(round1.get("m1"))).toHaveLength(2);
    expect(flat(round1.get("m2"))).toHaveLength(2);
    expect(flat(round1.get("m3"))).toEqual([]);
    for (const p of flat(round1.get("m1"))) expect(["t-0", "t-1", "t-2"]).toContain(p);
    // Second round: the members report what they still own; m3 gets the two freed partitions.
    const round2 = a.assign(topics, [
      member("m1", ["t"], round1.get("m1")!.assignedPartitions),
      member("m2", ["t"], round1.get("m2")!.assignedPartitions),
      member("m3", ["t"]),
    ]);
    expect(flat(round2.get("m1"))).toEqual(flat(round1.get("m1")));
    expect(flat(round2.get("m2"))).toEqual(flat(round1.get("m2")));
    expect(flat(round2.get("m3"))).toHaveLength(2);
  });

  it("gives a departed member's partitions away at once", () => {
    const owned = toAssignment([0, 1, 2].map((p) => ({ topic: "t", partition: p }))).assignedPartitions;
    const r = a.assign(new Map([["t", 6]]), [member("m1", ["t"], owned), member("m2", ["t"])]);
    expect(flat(r.get("m1"))).toEqual(["t-0", "t-1", "t-2"]);
    expect(flat(r.get("m2"))).toEqual(["t-3", "t-4", "t-5"]);
  });

  it("supports COOPERATIVE; range and roundrobin are EAGER only", () => {
    expect(a.supportedProtocols).toContain("COOPERATIVE");
    expect(builtInAssignor("range").supportedProtocols).toEqual(["EAGER"]);
    expect(() => builtInAssignor("sticky")).toThrow(/range, roundrobin and cooperative-sticky/);
  });
});

/** Random groups: members with random subscriptions over up to 4 topics, random owned partitions. */
const groupArb = fc
  .record({
    counts: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 4 }),
    members: fc.array(
      fc.tuple(
        fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 1000 }),
      ),
      {
        minLength: 1,
        maxLength: 6,
      },
    ),
  })
  .map(({ counts, members }) => {
    const topics = new Map<string, number>(counts.map((n, i) => [`t${i}`, n]));
    const ms = members.map(([subs, seed], i) => {
      const names = subs.filter((s) => s < counts.length).map((s) => `t${s}`);
      const topicsOf = names.length > 0 ? names : ["t0"];
      // Owned partitions: a deterministic pseudo-random subset of the subscribed ones.
      const owned = topicsOf.flatMap((t) =>
        Array.from({ length: topics.get(t)! }, (_, p) => p)
          .filter((p) => (seed + p * 7 + t.length) % 3 === 0)
          .map((p) => ({ topic: t, partition: p })),
      );
      return member(`member-${i}`, topicsOf, toAssignment(owned).assignedPartitions);
    });
    return { topics, members: ms };
  });

function checkValid(
  assignor: PartitionAssignor,
  topics: Map<string, number>,
  members: AssignorMember[],
  complete: boolean,
) {
  const result = assignor.assign(topics, members);
  const seen = new Set<string>();
  for (const m of members) {
    for (const tp of assignmentPartitions(result.get(m.memberId)!)) {
      const k = `${tp.topic}-${tp.partition}`;
      expect(seen.has(k), `${k} assigned twice`).toBe(false);
      seen.add(k);
      expect(m.subscription.topics).toContain(tp.topic);
      expect(tp.partition).toBeLessThan(topics.get(tp.topic)!);
    }
  }
  if (complete) {
    const subscribed = new Set(members.flatMap((m) => m.subscription.topics));
    const total = [...subscribed].reduce((n, t) => n + (topics.get(t) ?? 0), 0);
    expect(seen.size).toBe(total);
  }
  return result;
}

describe("assignor properties", () => {
  it("range and roundrobin assign every subscribed partition exactly once, to a subscriber", () => {
    fc.assert(
      fc.property(groupArb, ({ topics, members }) => {
        checkValid(new RangeAssignor(), topics, members, true);
        checkValid(new RoundRobinAssignor(), topics, members, true);
      }),
    );
  });

  it("roundrobin and cooperative-sticky are balanced within one partition when all subscribe to the same topics", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 7 }), (n, k) => {
        const topics = new Map([["t", n]]);
        const members = Array.from({ length: k }, (_, i) => member(`m${i}`, ["t"]));
        for (const a of [new RoundRobinAssignor(), new CooperativeStickyAssignor()]) {
          const sizes = [...a.assign(topics, members).values()].map((x) => assignmentPartitions(x).length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          expect(sizes.reduce((s, x) => s + x, 0)).toBe(n);
        }
      }),
    );
  });

  it("cooperative-sticky: valid every round, no partition handed over without a revocation first, converges", () => {
    fc.assert(
      fc.property(groupArb, fc.boolean(), ({ topics, members }, sameTopics) => {
        const a = new CooperativeStickyAssignor();
        // Owned sets must be disjoint to be a state a real group can be in.
        const claimed = new Set<string>();
        let current = members.map((m) => {
          const subs = sameTopics ? [...topics.keys()] : m.subscription.topics;
          const own = assignmentPartitions({ assignedPartitions: m.subscription.ownedPartitions }).filter(
            (tp) => {
              const k = `${tp.topic}-${tp.partition}`;
              if (claimed.has(k) || !subs.includes(tp.topic)) return false;
              claimed.add(k);
              return true;
            },
          );
          return member(m.memberId, subs, toAssignment(own).assignedPartitions);
        });
        // Identical subscriptions converge in two rounds (KIP-429); mixed ones within a few.
        const maxRounds = sameTopics ? 2 : 6;
        for (let round = 1; ; round++) {
          const result = checkValid(a, topics, current, false);
          let revoked = false;
          for (const m of current) {
            const mine = new Set(
              assignmentPartitions(result.get(m.memberId)!).map((tp) => `${tp.topic}-${tp.partition}`),
            );
            for (const tp of assignmentPartitions({ assignedPartitions: m.subscription.ownedPartitions }))
              if (!mine.has(`${tp.topic}-${tp.partition}`)) revoked = true;
            // Nothing owned by another member is handed to this one in the same round.
            for (const o of current)
              if (o !== m)
                for (const tp of assignmentPartitions({ assignedPartitions: o.subscription.ownedPartitions }))
                  expect(mine.has(`${tp.topic}-${tp.partition}`)).toBe(false);
          }
          const next = current.map((m) =>
            member(m.memberId, m.subscription.topics, result.get(m.memberId)!.assignedPartitions),
          );
          if (!revoked) {
            checkValid(a, topics, next, true);
            expect(round).toBeLessThanOrEqual(maxRounds);
            return;
          }
          expect(round).toBeLessThan(maxRounds);
          current = next;
        }
      }),
      { numRuns: 300 },
    );
  });
});
