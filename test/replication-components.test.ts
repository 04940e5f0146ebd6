/**
 * Unit tests of the smaller replication pieces: the high-watermark rule as a pure function, the
 * truncation policies (one signature, two rules), the purgatory (completion exactly once, safe
 * re-entry), the ISR state helpers, and the batched replica fetcher.
 */
import { describe, expect, it } from "vitest";
import { Errors, type FetchResponse } from "../src/protocol";
import {
  Purgatory,
  ReplicaFetcher,
  committedIsr,
  highWatermarkBeforeKafka37,
  isInflight,
  kafkaHighWatermark,
  maximalIsr,
  pendingExpand,
  pendingShrink,
  truncateByLeaderEpoch,
  truncateToHighWatermark,
  type DelayedOperation,
  type FollowerLogView,
} from "../src/replication";
import { ReplicaSet } from "./replication-harness";

describe("kafkaHighWatermark", () => {
  const base = { leaderLogEndOffset: 10, currentHighWatermark: 2, isrSize: 3, effectiveMinIsr: 2 };
  it("is the minimum over the leader and followers in the maximal ISR or caught up and eligible", () => {
    const hw = kafkaHighWatermark({
      ...base,
      followers: [
        { brokerId: 2, logEndOffset: 8, inMaximalIsr: true, caughtUpAndEligible: false },
        { brokerId: 3, logEndOffset: 5, inMaximalIsr: false, caughtUpAndEligible: false },
      ],
    });
    expect(hw).toBe(8);
    const waiting = kafkaHighWatermark({
      ...base,
      followers: [
        { brokerId: 2, logEndOffset: 8, inMaximalIsr: true, caughtUpAndEligible: false },
        { brokerId: 3, logEndOffset: 5, inMaximalIsr: false, caughtUpAndEligible: true },
      ],
    });
    expect(waiting).toBe(5);
  });

  it("an unknown follower offset (-1) holds it back; below min ISR it stays (3.7) unless the old rule", () => {
    const followers = [{ brokerId: 2, logEndOffset: -1, inMaximalIsr: true, caughtUpAndEligible: false }];
    expect(kafkaHighWatermark({ ...base, followers })).toBe(-1);
    const alone = { ...base, isrSize: 1, followers: [] };
    expect(kafkaHighWatermark(alone)).toBe(2);
    expect(highWatermarkBeforeKafka37(alone)).toBe(10);
  });
});

describe("truncation policies", () => {
  const view = (o: Partial<FollowerLogView> & { epochs?: [number, number][] }): FollowerLogView => {
    const epochs = o.epochs ?? [];
    const leo = o.logEndOffset ?? 10;
    return {
      logEndOffset: leo,
      highWatermark: o.highWatermark ?? 4,
      logStartOffset: 0,
      latestEpoch: () => epochs[epochs.length - 1]?.[0],
      endOffsetForEpoch: (epoch) => {
        let floor: [number, number] | undefined;
        for (const e of epochs) if (e[0] <= epoch) floor = e;
        if (floor === undefined) return { epoch: -1, endOffset: -1 };
        const next = epochs.find((e) => e[0] > floor![0]);
        return { epoch: floor[0], endOffset: next ? next[1] : leo };
      },
    };
  };

  it("by leader epoch: keeps the log on becoming a follower and cuts exactly at the divergence", () => {
    const v = view({
      epochs: [
        [0, 0],
        [2, 6],
      ],
    });
    expect(
      truncateByLeaderEpoch.truncate(v, { kind: "become-follower", leaderId: 1, leaderEpoch: 3 }),
    ).toBeNull();
    // The leader has epoch 2 ending at 8: keep min(own end of 2 = 10, 8).
    expect(truncateByLeaderEpoch.truncate(v, { kind: "diverging-epoch", epoch: 2, endOffset: 8 })).toBe(8);
    // The leader answers epoch 1, which we never had: cut at our end of epoch 0 (6) and ask again.
    expect(truncateByLeaderEpoch.truncate(v, { kind: "diverging-epoch", epoch: 1, endOffset: 7 })).toBe(6);
    expect(truncateByLeaderEpoch.fetchesWithLastEpoch).toBe(true);
  });

  it("to high watermark: cuts to the HW on becoming a follower and never asks the leader", () => {
    const v = view({ epochs: [[0, 0]], highWatermark: 4 });
    expect(
      truncateToHighWatermark.truncate(v, { kind: "become-follower", leaderId: 1, leaderEpoch: 1 }),
    ).toBe(4);
    expect(truncateToHighWatermark.fetchesWithLastEpoch).toBe(false);
    expect(
      truncateToHighWatermark.truncate(v, {
        kind: "offset-out-of-range",
        leaderHighWatermark: 3,
        leaderLogStartOffset: 0,
      }),
    ).toBe(3);
  });
});

describe("Purgatory", () => {
  class Op implements DelayedOperation {
    ready = false;
    completions = 0;
    onDone: () => void = () => {};
    canComplete(): boolean {
      return this.ready;
    }
    onComplete(): void {
      this.completions++;
      this.onDone();
    }
  }

  it("completes an operation once, under any of its keys, and forgets it everywhere", () => {
    const p = new Purgatory<Op>("test");
    const op = new Op();
    expect(p.tryCompleteElseWatch(op, ["a", "b"])).toBe(false);
    expect(p.checkAndComplete("a")).toBe(0);
    op.ready = true;
    expect(p.checkAndComplete("b")).toBe(1);
    expect(p.checkAndComplete("a")).toBe(0);
    p.forceComplete(op);
    expect(op.completions).toBe(1);
    expect(p.size).toBe(0);
  });

  it("lets a completion re-enter the purgatory without completing twice", () => {
    const p = new Purgatory<Op>("test");
    const first = new Op();
    const second = new Op();
    p.tryCompleteElseWatch(first, ["k"]);
    p.tryCompleteElseWatch(second, ["k"]);
    first.ready = second.ready = true;
    first.onDone = () => p.checkAndComplete("k"); // a delayed fetch moving the HW again
    p.checkAndComplete("k");
    expect([first.completions, second.completions]).toEqual([1, 1]);
  });

  it("is bounded", () => {
    const p = new Purgatory<Op>("small", 2);
    p.tryCompleteElseWatch(new Op(), ["a"]);
    p.tryCompleteElseWatch(new Op(), ["a"]);
    expect(() => p.tryCompleteElseWatch(new Op(), ["a"])).toThrow(/already wait/);
  });
});

describe("ISR state", () => {
  it("keeps the maximal ISR while a change is in flight", () => {
    const c = committedIsr([1, 2]);
    expect(isInflight(c)).toBe(false);
    expect(maximalIsr(pendingExpand(c, 3))).toEqual([1, 2, 3]);
    const s = pendingShrink(committedIsr([1, 2, 3]), [3]);
    expect(maximalIsr(s)).toEqual([1, 2, 3]);
    expect(s.kind === "pending-shrink" && s.proposedIsr).toEqual([1, 2]);
  });
});

describe("ReplicaFetcher", () => {
  it("fetches every partition of one leader in one request, one at a time, and backs off a failing partition", () => {
    const s = new ReplicaSet([1, 2]);
    s.elect(1, [1, 2]);
    const f = new ReplicaFetcher(1, {
      replicaId: 2,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 1 << 20,
      partitionMaxBytes: 1 << 20,
      backoffMs: 1000,
    });
    f.add("t-0", s.p(2));
    const built = f.buildRequest(s.now, 7)!;
    expect(built.body.replicaEpoch).toBe(7);
    expect(built.body.topics).toEqual([
      {
        topic: "t",
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: 0,
            fetchOffset: 0,
            lastFetchedEpoch: -1,
            logStartOffset: 0,
            partitionMaxBytes: 1 << 20,
          },
        ],
      },
    ]);
    f.markInflight(1, s.now, built.offsets);
    expect(f.buildRequest(s.now, 7)).toBeNull(); // one in flight
    const answer: FetchResponse = {
      errorCode: 0,
      responses: [
        {
          topic: "t",
          partitions: [
            {
              partitionIndex: 0,
              errorCode: Errors.NOT_LEADER_OR_FOLLOWER.code,
              highWatermark: -1,
              lastStableOffset: -1,
              logStartOffset: -1,
              records: null,
            },
          ],
        },
      ],
    };
    const out = f.onResponse(1, answer, s.now);
    expect(out[0]).toMatchObject({ action: "error", error: Errors.NOT_LEADER_OR_FOLLOWER });
    expect(f.buildRequest(s.now + 500, 7)).toBeNull(); // backing off
    expect(f.nextReadyMs(s.now + 500)).toBe(s.now + 1000);
    expect(f.buildRequest(s.now + 1000, 7)).not.toBeNull();
  });
});
