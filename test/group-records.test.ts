import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  GROUP_STATES,
  VALID_PREVIOUS_STATES,
  assertTransition,
  buildCoordinatorBatch,
  decodeAssignment,
  decodeGroupMetadataValue,
  decodeKey,
  decodeOffsetCommitValue,
  decodeSubscription,
  encodeAssignment,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  encodeSubscription,
  GroupLoadState,
  groupPartitionFor,
  javaStringHashCode,
  kafkaAbs,
  parseCoordinatorRecords,
} from "../src/group";
import { CorruptRecordError } from "../src/protocol";

describe("groupPartitionFor (Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions)", () => {
  it("reproduces Java's String.hashCode", () => {
    // Values of java.lang.String.hashCode().
    expect(javaStringHashCode("")).toBe(0);
    expect(javaStringHashCode("a")).toBe(97);
    expect(javaStringHashCode("abc")).toBe(96354);
    expect(javaStringHashCode("hello")).toBe(99162322);
    expect(javaStringHashCode("polygenelubricants")).toBe(-2147483648);
  });
  it("maps Integer.MIN_VALUE to partition 0 (Utils.abs, not Math.abs)", () => {
    expect(kafkaAbs(-2147483648)).toBe(0);
    expect(kafkaAbs(-5)).toBe(5);
    expect(groupPartitionFor("polygenelubricants", 50)).toBe(0);
    expect(groupPartitionFor("hello", 50)).toBe(22);
    expect(groupPartitionFor("abc", 50)).toBe(4);
  });
  it("always lands in [0, partitions)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.integer({ min: 1, max: 200 }), (g, n) => {
        const p = groupPartitionFor(g, n);
        return Number.isInteger(p) && p >= 0 && p < n;
      }),
    );
  });
  it("refuses a partition count below 1", () => {
    expect(() => groupPartitionFor("g", 0)).toThrow(/offsets.topic.num.partitions/);
  });
});

describe("group state transition table", () => {
  it("allows exactly the listed moves", () => {
    for (const to of GROUP_STATES)
      for (const from of GROUP_STATES) {
        const allowed = VALID_PREVIOUS_STATES[to].includes(from);
        if (allowed) expect(() => assertTransition("g", from, to)).not.toThrow();
        else expect(() => assertTransition("g", from, to)).toThrow(/cannot move/);
      }
    expect(() => assertTransition("g", "Empty", "Stable")).toThrow(
      /Stable may only be entered from CompletingRebalance/,
    );
  });
});

const name = fc.string({ unit: "grapheme", maxLength: 20 });
const tps = fc.array(
  fc.record({ topic: name, partitions: fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 5 }) }),
  { maxLength: 4 },
);

describe("__consumer_offsets records", () => {
  it("round-trip offset commit keys and values", () => {
    fc.assert(
      fc.property(
        name,
        name,
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: -1, max: 2 ** 40 }),
        fc.integer({ min: -1, max: 1000 }),
        name,
        (g, t, p, offset, epoch, meta) => {
          expect(decodeKey(encodeOffsetCommitKey(g, t, p))).toEqual({
            type: "offset",
            group: g,
            topic: t,
            partition: p,
          });
          const v = { offset, leaderEpoch: epoch, metadata: meta, commitTimestamp: 1234 };
          expect(decodeOffsetCommitValue(encodeOffsetCommitValue(v))).toEqual(v);
        },
      ),
    );
  });

  it("round-trip group metadata with members, subscriptions and assignments", () => {
    fc.assert(
      fc.property(
        name,
        fc.array(fc.tuple(name, fc.array(name, { maxLength: 3 }), tps, tps), { maxLength: 4 }),
        (g, members) => {
          const value = {
            protocolType: "consumer",
            generation: 7,
            protocol: "range",
            leader: members[0]?.[0] ?? null,
            currentStateTimestamp: 99,
            members: members.map(([id, topics, owned, assigned]) => ({
              memberId: id,
              groupInstanceId: null,
              clientId: "c",
              clientHost: "h",
              rebalanceTimeoutMs: 300000,
              sessionTimeoutMs: 45000,
              subscription: encodeSubscription({ topics, ownedPartitions: owned }),
              assignment: encodeAssignment({ assignedPartitions: assigned }),
            })),
          };
          expect(decodeKey(encodeGroupMetadataKey(g))).toEqual({ type: "group", group: g });
          const back = decodeGroupMetadataValue(encodeGroupMetadataValue(value));
          expect(back).toEqual(value);
          back.members.forEach((m, i) => {
            expect(decodeSubscription(m.subscription)).toEqual({
              topics: members[i]![1],
              ownedPartitions: members[i]![2],
            });
            expect(decodeAssignment(m.assignment)).toEqual({ assignedPartitions: members[i]![3] });
          });
        },
      ),
    );
  });

  it("rejects truncated values with CorruptRecordError", () => {
    const bytes = encodeOffsetCommitValue({ offset: 5, leaderEpoch: 1, metadata: "m", commitTimestamp: 1 });
    for (let n = 0; n < bytes.length; n++)
      expect(() => decodeOffsetCommitValue(bytes.subarray(0, n))).toThrow(CorruptRecordError);
  });

  it("the loader keeps the latest value per key, applies tombstones, and skips bad records", () => {
    const k = (p: number) => encodeOffsetCommitKey("g", "t", p);
    const v = (o: number) =>
      encodeOffsetCommitValue({ offset: o, leaderEpoch: -1, metadata: "", commitTimestamp: 0 });
    const batch = buildCoordinatorBatch(
      [
        { key: k(0), value: v(1) },
        { key: k(1), value: v(2) },
        { key: k(0), value: v(3) },
        { key: k(1), value: null },
        { key: k(2), value: new Uint8Array([0, 3, 1]) }, // corrupt value
        { key: new Uint8Array([0, 9]), value: v(4) }, // a record type this coordinator does not own
      ],
      10,
    );
    const { records, nextOffset } = parseCoordinatorRecords(batch);
    expect(nextOffset).toBe(6);
    const load = new GroupLoadState();
    for (const r of records) load.apply(r);
    expect(load.recordsSkipped).toBe(2);
    expect(load.problems[0]).toMatch(/offset 4/);
    const [group] = load.build(0);
    expect(group!.state).toBe("Empty");
    expect([...group!.offsets.values()].map((c) => [c.partition, c.offset])).toEqual([[0, 3]]);
  });
});
