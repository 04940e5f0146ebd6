import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SimDisk } from "../sim/sim-disk";
import { SeededRng } from "../sim/rng";
import { CorruptCheckpointError, type CheckpointWriter } from "./checkpoint-file";
import { LeaderEpochFileCache, UNDEFINED_EPOCH, type EpochEntry } from "./leader-epoch-cache";

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const cacheOf = (...pairs: [number, number][]): LeaderEpochFileCache =>
  LeaderEpochFileCache.inMemory(pairs.map(([epoch, startOffset]) => ({ epoch, startOffset })));
const pairsOf = (c: LeaderEpochFileCache): [number, number][] =>
  c.entries().map((e) => [e.epoch, e.startOffset]);

describe("LeaderEpochFileCache.assign (Kafka's rules)", () => {
  it("appends increasing epochs", () => {
    const c = cacheOf();
    expect(c.assign(0, 0)).toBe(true);
    expect(c.assign(2, 10)).toBe(true);
    expect(c.assign(5, 12)).toBe(true);
    expect(pairsOf(c)).toEqual([
      [0, 0],
      [2, 10],
      [5, 12],
    ]);
    expect(c.latestEpoch()).toBe(5);
    expect(c.earliestEntry()).toEqual({ epoch: 0, startOffset: 0 });
  });

  it("ignores the same epoch at a later or equal offset (every batch of the epoch calls assign)", () => {
    const c = cacheOf([3, 100]);
    expect(c.assign(3, 100)).toBe(false);
    expect(c.assign(3, 150)).toBe(false);
    expect(pairsOf(c)).toEqual([[3, 100]]);
  });

  it("moves the latest epoch's start back when assigned a smaller offset", () => {
    const c = cacheOf([1, 5], [3, 100]);
    expect(c.assign(3, 50)).toBe(true);
    expect(pairsOf(c)).toEqual([
      [1, 5],
      [3, 50],
    ]);
  });

  it("drops conflicting later entries when a lower epoch or offset arrives", () => {
    const c = cacheOf([0, 0], [2, 10], [4, 20]);
    expect(c.assign(3, 30)).toBe(true); // epoch 4 ≥ 3 goes
    expect(pairsOf(c)).toEqual([
      [0, 0],
      [2, 10],
      [3, 30],
    ]);
    expect(c.assign(5, 10)).toBe(true); // offsets ≥ 10 go
    expect(pairsOf(c)).toEqual([
      [0, 0],
      [5, 10],
    ]);
    expect(c.assign(6, 10)).toBe(true); // an epoch with no records is replaced by the next one
    expect(pairsOf(c)).toEqual([
      [0, 0],
      [6, 10],
    ]);
  });

  it("rejects negative epochs and offsets", () => {
    const c = cacheOf();
    expect(() => c.assign(-1, 0)).toThrow(RangeError);
    expect(() => c.assign(0, -5)).toThrow(RangeError);
    expect(() => c.assign(0.5, 0)).toThrow(RangeError);
  });
});

describe("LeaderEpochFileCache lookups", () => {
  const c = cacheOf([1, 0], [3, 10], [6, 25]);

  it("endOffsetFor: largest epoch ≤ requested, ended by the next epoch's start or the LEO", () => {
    expect(c.endOffsetFor(1, 40)).toEqual({ epoch: 1, endOffset: 10 });
    expect(c.endOffsetFor(2, 40)).toEqual({ epoch: 1, endOffset: 10 });
    expect(c.endOffsetFor(3, 40)).toEqual({ epoch: 3, endOffset: 25 });
    expect(c.endOffsetFor(5, 40)).toEqual({ epoch: 3, endOffset: 25 });
    expect(c.endOffsetFor(6, 40)).toEqual({ epoch: 6, endOffset: 40 });
  });

  it("endOffsetFor: undefined for -1, for epochs above the latest, and on an empty cache", () => {
    const undef = { epoch: UNDEFINED_EPOCH, endOffset: -1 };
    expect(c.endOffsetFor(UNDEFINED_EPOCH, 40)).toEqual(undef);
    expect(c.endOffsetFor(7, 40)).toEqual(undef);
    expect(cacheOf().endOffsetFor(0, 0)).toEqual(undef);
  });

  it("endOffsetFor: below the first epoch answers the requested epoch ending at the first start offset", () => {
    expect(cacheOf([2, 7], [4, 9]).endOffsetFor(0, 30)).toEqual({ epoch: 0, endOffset: 7 });
  });

  it("epochForOffset, previousEpoch, nextEpoch, epochEntry", () => {
    expect(c.epochForOffset(0)).toBe(1);
    expect(c.epochForOffset(9)).toBe(1);
    expect(c.epochForOffset(10)).toBe(3);
    expect(c.epochForOffset(1000)).toBe(6);
    expect(cacheOf([2, 5]).epochForOffset(4)).toBeUndefined();
    expect(c.previousEpoch(6)).toBe(3);
    expect(c.previousEpoch(1)).toBeUndefined();
    expect(c.nextEpoch(3)).toBe(6);
    expect(c.nextEpoch(6)).toBeUndefined();
    expect(c.epochEntry(3)).toEqual({ epoch: 3, startOffset: 10 });
    expect(c.epochEntry(4)).toBeUndefined();
  });
});

describe("LeaderEpochFileCache truncation", () => {
  it("truncateFromEnd removes entries starting at or after the new end", () => {
    const c = cacheOf([1, 0], [3, 10], [6, 25]);
    expect(c.truncateFromEnd(30)).toEqual([]);
    expect(c.truncateFromEnd(25)).toEqual([{ epoch: 6, startOffset: 25 }]);
    expect(c.truncateFromEnd(11)).toEqual([]); // epoch 3 still has offset 10
    expect(c.truncateFromEnd(-1)).toEqual([]);
    expect(c.truncateFromEnd(0)).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 10 },
    ]);
    expect(c.size).toBe(0);
  });

  it("truncateFromStart rewrites the epoch holding the new start offset", () => {
    const c = cacheOf([1, 0], [3, 10], [6, 25]);
    expect(c.truncateFromStart(0)).toEqual([{ epoch: 1, startOffset: 0 }]);
    expect(pairsOf(c)).toEqual([
      [1, 0],
      [3, 10],
      [6, 25],
    ]);
    c.truncateFromStart(12);
    expect(pairsOf(c)).toEqual([
      [3, 12],
      [6, 25],
    ]);
    c.truncateFromStart(25);
    expect(pairsOf(c)).toEqual([[6, 25]]);
    c.truncateFromStart(90);
    expect(pairsOf(c)).toEqual([[6, 90]]);
    expect(cacheOf([4, 10]).truncateFromStart(5)).toEqual([]);
  });
});

describe("KIP-101 scenarios as cache cases", () => {
  it("loss on restart: the follower asks the leader instead of truncating to its HW, and keeps m2", () => {
    // Leader B, epoch 0, wrote m1 (offset 0) and m2 (offset 1): LEO 2. Follower A fetched both but
    // its high watermark is still 1 when it restarts.
    const leaderB = cacheOf([0, 0]);
    const followerA = cacheOf([0, 0]);
    const followerLeo = 2;
    const followerHw = 1;
    const answer = leaderB.endOffsetFor(followerA.latestEpoch()!, 2);
    expect(answer).toEqual({ epoch: 0, endOffset: 2 });
    const truncateTo = Math.min(answer.endOffset, followerLeo);
    expect(truncateTo).toBe(2); // with HW truncation it would be 1: m2 lost once B dies
    expect(truncateTo).toBeGreaterThan(followerHw);
    followerA.truncateFromEnd(truncateTo);
    // B dies; A becomes leader in epoch 1 at its LEO.
    followerA.assign(1, followerLeo);
    expect(pairsOf(followerA)).toEqual([
      [0, 0],
      [1, 2],
    ]);
  });

  it("divergence: the old leader truncates the record the new leader never had", () => {
    // Leader A (epoch 0) has m1@0 and m2@1; follower B has only m1. Both lose power; B comes back
    // first, leads epoch 1 and writes m3 at offset 1.
    const a = cacheOf([0, 0]);
    const b = cacheOf([0, 0]);
    b.assign(1, 1);
    const bLeo = 2;
    const aLeo = 2;
    const answer = b.endOffsetFor(a.latestEpoch()!, bLeo);
    expect(answer).toEqual({ epoch: 0, endOffset: 1 });
    const truncateTo = Math.min(answer.endOffset, aLeo);
    expect(truncateTo).toBe(1); // m2 goes; with HW (2) A would keep m2 where B has m3
    a.truncateFromEnd(truncateTo);
    // A then fetches m3 (a batch stamped with epoch 1) and records the epoch.
    a.assign(1, 1);
    expect(a.entries()).toEqual(b.entries());
  });
});

describe("LeaderEpochFileCache persistence", () => {
  it("writes leader-epoch-checkpoint (version 0, `epoch startOffset`) on every change and loads it", () => {
    const d = new SimDisk();
    d.mkdirs("data/t-0");
    const c = LeaderEpochFileCache.load(d, "data/t-0");
    expect(c.size).toBe(0);
    expect(d.exists("data/t-0/leader-epoch-checkpoint")).toBe(false);
    c.assign(0, 0);
    c.assign(0, 7); // no change, no write
    c.assign(3, 42);
    expect(text(d.readAll("data/t-0/leader-epoch-checkpoint"))).toBe("0\n2\n0 0\n3 42\n");
    c.truncateFromEnd(42);
    expect(text(d.readAll("data/t-0/leader-epoch-checkpoint"))).toBe("0\n1\n0 0\n");
    c.assign(5, 50);
    c.truncateFromStart(10);
    expect(pairsOf(LeaderEpochFileCache.load(d, "data/t-0"))).toEqual([
      [0, 10],
      [5, 50],
    ]);
    c.clear();
    expect(text(d.readAll("data/t-0/leader-epoch-checkpoint"))).toBe("0\n0\n");
  });

  it("survives a power loss right after assign (atomic write)", () => {
    const d = new SimDisk();
    d.mkdirs("t-0");
    d.fsyncDir("");
    const c = LeaderEpochFileCache.load(d, "t-0");
    c.assign(0, 0);
    c.assign(1, 17);
    d.powerLoss(new SeededRng(11));
    expect(pairsOf(LeaderEpochFileCache.load(d, "t-0"))).toEqual([
      [0, 0],
      [1, 17],
    ]);
  });

  it("uses the CheckpointWriter seam", () => {
    const d = new SimDisk();
    const written: string[] = [];
    const writer: CheckpointWriter = (disk, path, content) => {
      written.push(`${path}: ${text(content)}`);
      disk.append(path, content);
    };
    const c = LeaderEpochFileCache.load(d, "", writer);
    c.assign(2, 3);
    expect(written).toEqual(["leader-epoch-checkpoint: 0\n1\n2 3\n"]);
  });

  it("a corrupt file fails with CorruptCheckpointError so the caller can rebuild", () => {
    const d = new SimDisk();
    for (const content of ["0\n1\n3\n", "0\n1\n-1 5\n", "0\n2\n1 5\n", "1\n0\n", "0\n1\n1 x\n"]) {
      d.create("leader-epoch-checkpoint");
      d.truncate("leader-epoch-checkpoint", 0);
      d.append("leader-epoch-checkpoint", new TextEncoder().encode(content));
      expect(() => LeaderEpochFileCache.load(d, ""), content).toThrow(CorruptCheckpointError);
    }
  });

  it("loading non-monotonic entries applies assign's rules, as Kafka's constructor does", () => {
    const d = new SimDisk();
    d.append("leader-epoch-checkpoint", new TextEncoder().encode("0\n3\n0 0\n4 20\n2 10\n"));
    expect(pairsOf(LeaderEpochFileCache.load(d, ""))).toEqual([
      [0, 0],
      [2, 10],
    ]);
  });
});

describe("LeaderEpochFileCache property", () => {
  type Op = { kind: "assign"; epoch: number; offset: number } | { kind: "end" | "start"; offset: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({ kind: fc.constant("assign" as const), epoch: fc.nat(12), offset: fc.nat(60) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constantFrom("end" as const, "start" as const), offset: fc.nat(60) }),
    },
  );

  it("keeps entries strictly increasing and answers endOffsetFor like a brute-force scan", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.integer({ min: -1, max: 14 }), (ops, requested) => {
        const c = cacheOf();
        for (const o of ops) {
          if (o.kind === "assign") c.assign(o.epoch, o.offset);
          else if (o.kind === "end") c.truncateFromEnd(o.offset);
          else c.truncateFromStart(o.offset);
        }
        const es: EpochEntry[] = c.entries();
        for (let i = 1; i < es.length; i++) {
          expect(es[i]!.epoch).toBeGreaterThan(es[i - 1]!.epoch);
          expect(es[i]!.startOffset).toBeGreaterThan(es[i - 1]!.startOffset);
        }
        const leo = 100;
        const got = c.endOffsetFor(requested, leo);
        // Brute force from the definition.
        const atOrBelow = es.filter((e) => e.epoch <= requested);
        const above = es.filter((e) => e.epoch > requested);
        let want: { epoch: number; endOffset: number };
        if (requested < 0 || es.length === 0 || requested > es[es.length - 1]!.epoch)
          want = { epoch: -1, endOffset: -1 };
        else if (requested === es[es.length - 1]!.epoch) want = { epoch: requested, endOffset: leo };
        else if (atOrBelow.length === 0) want = { epoch: requested, endOffset: above[0]!.startOffset };
        else want = { epoch: atOrBelow[atOrBelow.length - 1]!.epoch, endOffset: above[0]!.startOffset };
        expect(got).toEqual(want);
        // epochForOffset agrees with the entries.
        for (let off = 0; off < 62; off += 7) {
          const owner = es.filter((e) => e.startOffset <= off).pop();
          expect(c.epochForOffset(off)).toBe(owner?.epoch);
        }
      }),
      { numRuns: 400 },
    );
  });
});
