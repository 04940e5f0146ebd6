/**
 * Unit tests of src/replication/partition.ts, scripted step by step on a ReplicaSet (no network,
 * no timers): the high watermark rule (including Kafka 3.7's min-ISR freeze), follower progress
 * and caught-up times, ISR shrink and expand through AlterPartition, acks=-1 outcomes and their
 * error codes, epoch checks, divergence and truncation.
 */
import { describe, expect, it } from "vitest";
import { Errors } from "../src/protocol";
import { FollowerState, highWatermarkBeforeKafka37, truncateToHighWatermark } from "../src/replication";
import { batch } from "./log-helpers";
import { ReplicaSet } from "./replication-harness";

describe("Partition high watermark", () => {
  it("is the lowest log end offset in the ISR, learned by followers on their next fetch", () => {
    const s = new ReplicaSet([1, 2, 3]);
    s.elect(1, [1, 2, 3]);
    s.produce(["a", "b"]);
    expect(s.p(1).highWatermark).toBe(0);
    s.fetch(2); // 2 gets a, b
    expect(s.p(1).highWatermark).toBe(0); // 3's LEO is still unknown
    s.fetch(3);
    expect(s.p(2).logEndOffset).toBe(2);
    expect(s.p(1).highWatermark).toBe(0); // the leader knows 2 and 3 have offsets below 0 only
    s.fetch(2); // fetchOffset 2: the leader now knows 2 has both
    expect(s.p(1).highWatermark).toBe(0);
    const third = s.fetch(3);
    expect(s.p(1).highWatermark).toBe(2);
    // The answer carried the HW from before this fetch moved it: the follower learns it next time.
    expect(third.leader.response.highWatermark).toBe(0);
    expect(s.p(3).highWatermark).toBe(0);
    s.fetch(3);
    expect(s.p(3).highWatermark).toBe(2);
  });

  it("never decreases when the leader is told the same state again or a follower truncates", () => {
    const s = new ReplicaSet([1, 2]);
    s.elect(1, [1, 2]);
    s.produce(["a", "b", "c"]);
    s.replicate([2]);
    expect(s.p(1).highWatermark).toBe(3);
    s.tell([1]); // same leader epoch again
    expect(s.p(1).highWatermark).toBe(3);
    s.r(2).log.truncateTo(1, s.now); // follower state goes backwards
    s.fetch(2);
    expect(s.p(1).highWatermark).toBe(3);
  });

  it("does not advance while the ISR is below min.insync.replicas (Kafka 3.7, KAFKA-15583)", () => {
    const s = new ReplicaSet([1, 2, 3], { log: { minInsyncReplicas: 2 } });
    s.elect(1, [1]);
    const r = s.produce(["a"], 1);
    expect(r.result.error).toBe(Errors.NONE);
    expect(s.p(1).highWatermark).toBe(0);
    const old = new ReplicaSet([1, 2, 3], {
      log: { minInsyncReplicas: 2 },
      highWatermarkRule: highWatermarkBeforeKafka37,
    });
    old.elect(1, [1]);
    old.produce(["a"], 1);
    expect(old.p(1).highWatermark).toBe(1);
  });

  it("uses min(min.insync.replicas, replication factor) as the effective minimum", () => {
    const s = new ReplicaSet([1], { log: { minInsyncReplicas: 2 } });
    s.elect(1, [1]);
    expect(s.p(1).effectiveMinIsr).toBe(1);
    expect(s.produce(["a"], -1).result.error).toBe(Errors.NONE);
    expect(s.p(1).highWatermark).toBe(1);
  });
});

describe("FollowerState.isCaughtUp", () => {
  it("follows Replica.scala's lastCaughtUpTimeMs rules", () => {
    const f = new FollowerState(2);
    f.updateFetchState(0, 0, 10, 1000, 0); // behind
    expect(f.lastCaughtUpTimeMs).toBe(Number.NEGATIVE_INFINITY);
    expect(f.isCaughtUp(10, 1000, 500)).toBe(false);
    f.updateFetchState(10, 0, 15, 2000, 0); // reached what the leader had at the previous fetch (10)
    expect(f.lastCaughtUpTimeMs).toBe(1000);
    f.updateFetchState(15, 0, 15, 3000, 0); // reached the leader's LEO now
    expect(f.lastCaughtUpTimeMs).toBe(3000);
    expect(f.isCaughtUp(20, 3400, 500)).toBe(true);
    expect(f.isCaughtUp(20, 3600, 500)).toBe(false);
    expect(f.isCaughtUp(15, 9999, 500)).toBe(true); // equal LEO counts whatever the time
  });
});

describe("Partition ISR changes", () => {
  it("shrinks out a follower that stopped fetching, keeping the maximal ISR until committed", () => {
    const s = new ReplicaSet([1, 2, 3], { replicaLagTimeMaxMs: 1000, log: { minInsyncReplicas: 2 } });
    s.elect(1, [1, 2, 3]);
    s.produce(["a"]);
    s.fetch(2);
    s.fetch(2);
    s.advance(1500);
    expect(s.p(1).maybeShrinkIsr(s.now - 1000)).toBeNull(); // not yet lagging at that time
    const proposal = s.p(1).maybeShrinkIsr(s.now)!;
    expect(proposal.newIsrWithEpochs.map((b) => b.brokerId)).toEqual([1, 2]);
    expect(s.p(1).maybeShrinkIsr(s.now)).toBeNull(); // one change in flight at a time
    expect(s.p(1).maximalIsr).toEqual([1, 2, 3]);
    expect(s.p(1).highWatermark).toBe(0); // still waits for 3
    const r = s
      .p(1)
      .onAlterIsrAnswer(proposal, { ok: true, leaderEpoch: 0, isr: [1, 2], partitionEpoch: 1 }, s.now);
    expect(r.highWatermarkChanged).toBe(true);
    expect(s.p(1).isr).toEqual([1, 2]);
    expect(s.p(1).highWatermark).toBe(1);
  });

  it("expands the ISR when a follower reaches the HW and the epoch's start offset", () => {
    const s = new ReplicaSet([1, 2, 3]);
    s.elect(1, [1, 2]);
    s.produce(["a", "b"]);
    s.replicate([2]);
    expect(s.p(1).highWatermark).toBe(2);
    const first = s.fetch(3); // fetchOffset 0: below HW
    expect(first.leader.proposal).toBeNull();
    const second = s.fetch(3); // fetchOffset 2 ≥ HW 2 and ≥ epoch start 0
    const proposal = second.leader.proposal!;
    expect(proposal.kind).toBe("expand");
    expect(proposal.newIsrWithEpochs.map((b) => b.brokerId)).toEqual([1, 2, 3]);
    expect(s.p(1).maximalIsr).toEqual([1, 2, 3]);
    expect(s.p(1).isr).toEqual([1, 2]);
    // While pending, the HW waits for the joining member too.
    s.produce(["c"]);
    s.fetch(2);
    s.fetch(2);
    expect(s.p(1).highWatermark).toBe(2);
    s.fetch(3);
    s.fetch(3);
    expect(s.p(1).highWatermark).toBe(3);
    s.p(1).onAlterIsrAnswer(proposal, { ok: true, leaderEpoch: 0, isr: [1, 2, 3], partitionEpoch: 1 }, s.now);
    expect(s.p(1).isr).toEqual([1, 2, 3]);
  });

  it("does not propose an ineligible follower (fenced, or a stale broker epoch: KIP-903)", () => {
    const s = new ReplicaSet([1, 2], { eligible: (_id, epoch) => epoch === 7 });
    s.elect(1, [1]);
    s.fetch(2, { brokerEpoch: 3 });
    expect(s.fetch(2, { brokerEpoch: 3 }).leader.proposal).toBeNull();
    expect(s.fetch(2, { brokerEpoch: 7 }).leader.proposal?.newIsrWithEpochs).toEqual([
      { brokerId: 1, brokerEpoch: -1 },
      { brokerId: 2, brokerEpoch: 7 },
    ]);
  });

  it("reverts a pending change on INELIGIBLE_REPLICA and keeps it until metadata on INVALID_UPDATE_VERSION", () => {
    const s = new ReplicaSet([1, 2], { replicaLagTimeMaxMs: 100 });
    s.elect(1, [1, 2]);
    s.advance(200);
    const p1 = s.p(1).maybeShrinkIsr(s.now)!;
    expect(
      s.p(1).onAlterIsrAnswer(p1, { ok: false, errorCode: Errors.INVALID_UPDATE_VERSION.code }, s.now).retry,
    ).toBe(false);
    expect(s.p(1).isrChangeInFlight).toBe(true);
    s.state = { ...s.state, isr: [1], partitionEpoch: s.state.partitionEpoch + 1 };
    s.tell([1]); // the metadata brings the controller's answer
    expect(s.p(1).isrChangeInFlight).toBe(false);
    expect(s.p(1).isr).toEqual([1]);
    const s2 = new ReplicaSet([1, 2]);
    s2.elect(1, [1]);
    const p2 = s2.fetch(2).leader.proposal!;
    expect(p2.kind).toBe("expand");
    s2.p(1).onAlterIsrAnswer(p2, { ok: false, errorCode: Errors.INELIGIBLE_REPLICA.code }, s2.now);
    expect(s2.p(1).isrChangeInFlight).toBe(false);
    expect(s2.p(1).maximalIsr).toEqual([1]);
  });
});

describe("Partition acks=-1", () => {
  it("refuses with NOT_ENOUGH_REPLICAS before appending when the ISR is below min.insync.replicas", () => {
    const s = new ReplicaSet([1, 2, 3], { log: { minInsyncReplicas: 2 } });
    s.elect(1, [1]);
    const r = s.produce(["a"], -1);
    expect(r.result.error).toBe(Errors.NOT_ENOUGH_REPLICAS);
    expect(s.p(1).logEndOffset).toBe(0);
    expect(s.produce(["b"], 1).result.error).toBe(Errors.NONE); // acks=1 is not checked
  });

  it("completes once the HW passes the batch, with NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR shrank meanwhile", () => {
    const s = new ReplicaSet([1, 2, 3], { log: { minInsyncReplicas: 2 }, replicaLagTimeMaxMs: 1000 });
    s.elect(1, [1, 2, 3]);
    const r = s.produce(["a"], -1);
    const required = r.result.lastOffset + 1;
    expect(s.p(1).checkEnoughReplicasReachOffset(required)).toEqual({ done: false, error: Errors.NONE });
    s.fetch(2);
    s.fetch(2);
    s.advance(2000);
    const shrink = s.p(1).maybeShrinkIsr(s.now)!;
    s.p(1).onAlterIsrAnswer(shrink, { ok: true, leaderEpoch: 0, isr: [1], partitionEpoch: 1 }, s.now);
    // ISR [1] is below min.insync.replicas: the 3.7 rule freezes the HW, so it stays not done...
    expect(s.p(1).checkEnoughReplicasReachOffset(required).done).toBe(false);
    // ...with the pre-3.7 rule the HW moves and the answer is NOT_ENOUGH_REPLICAS_AFTER_APPEND.
    const old = new ReplicaSet([1, 2], {
      log: { minInsyncReplicas: 2 },
      highWatermarkRule: highWatermarkBeforeKafka37,
      replicaLagTimeMaxMs: 1000,
    });
    old.elect(1, [1, 2]);
    const r2 = old.produce(["a"], -1);
    old.advance(2000);
    const p = old.p(1).maybeShrinkIsr(old.now)!;
    old.p(1).onAlterIsrAnswer(p, { ok: true, leaderEpoch: 0, isr: [1], partitionEpoch: 1 }, old.now);
    expect(old.p(1).checkEnoughReplicasReachOffset(r2.result.lastOffset + 1)).toEqual({
      done: true,
      error: Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
    });
    expect(old.p(1).logEndOffset).toBe(1); // the data is in the log
  });

  it("answers NOT_LEADER_OR_FOLLOWER to waiting requests once leadership moves", () => {
    const s = new ReplicaSet([1, 2]);
    s.elect(1, [1, 2]);
    const r = s.produce(["a"], -1);
    s.elect(2, [2]);
    expect(s.p(1).checkEnoughReplicasReachOffset(r.result.lastOffset + 1)).toEqual({
      done: true,
      error: Errors.NOT_LEADER_OR_FOLLOWER,
    });
    expect(
      s.p(1).appendAsLeader(batch(["x"]), { acks: 1, origin: "client", nowMs: s.now }).result.error,
    ).toBe(Errors.NOT_LEADER_OR_FOLLOWER);
  });

  it("stamps batches with the leader epoch and records the epoch's start offset", () => {
    const s = new ReplicaSet([1, 2]);
    s.elect(1, [1, 2]);
    s.produce(["a", "b"]);
    s.replicate([2]);
    s.elect(2, [1, 2]);
    s.produce(["c"]);
    s.replicate([1]);
    expect(
      s
        .r(1)
        .records()
        .map((r) => [r.value, r.leaderEpoch]),
    ).toEqual([
      ["a", 0],
      ["b", 0],
      ["c", 1],
    ]);
    expect(s.r(1).log.leaderEpochCache.entries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 1, startOffset: 2 },
    ]);
  });
});

describe("Partition epoch checks and fetch errors", () => {
  it("answers FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH / OFFSET_OUT_OF_RANGE", () => {
    const s = new ReplicaSet([1, 2]);
    s.elect(1, [1, 2]);
    s.elect(1, [1, 2]); // epoch 1
    const read = (currentLeaderEpoch: number, fetchOffset = 0) =>
      s.p(1).readAsLeaderForFollower({
        replicaId: 2,
        replicaEpoch: 0,
        fetchOffset,
        lastFetchedEpoch: -1,
        currentLeaderEpoch,
        logStartOffset: 0,
        maxBytes: 1000,
        minOneMessage: true,
        nowMs: s.now,
      }).response.errorCode;
    expect(read(0)).toBe(Errors.FENCED_LEADER_EPOCH.code);
    expect(read(2)).toBe(Errors.UNKNOWN_LEADER_EPOCH.code);
    expect(read(1)).toBe(Errors.NONE.code);
    expect(read(-1, 5)).toBe(Errors.OFFSET_OUT_OF_RANGE.code);
    expect(s.p(2).readAsLeaderForConsumer(0, -1, 1000).response.errorCode).toBe(
      Errors.NOT_LEADER_OR_FOLLOWER.code,
    );
  });

  it("reads for consumers only below the high watermark", () => {
    const s = new ReplicaSet([1, 2]);
    s.elect(1, [1, 2]);
    s.produce(["a"]);
    expect(s.p(1).readAsLeaderForConsumer(0, -1, 1000).bytes).toBe(0);
    s.replicate([2]);
    expect(s.p(1).readAsLeaderForConsumer(0, -1, 1000).bytes).toBeGreaterThan(0);
  });
});

describe("Partition divergence and truncation", () => {
  it("answers divergingEpoch and the follower truncates exactly the diverging suffix", () => {
    const s = new ReplicaSet([1, 2]);
    s.elect(1, [1, 2]);
    s.produce(["a"]);
    s.replicate([2]);
    s.produce(["b", "c"]); // only on 1
    s.elect(2, [2], [2]); // 2 leads epoch 1 without 1 knowing
    s.produce(["x"]);
    s.tell([1]);
    const out = s.fetch(1);
    expect(out.leader.response.divergingEpoch).toEqual({ epoch: 0, endOffset: 1 });
    expect(out.follower).toMatchObject({ action: "truncated", truncatedTo: 1 });
    s.replicate([1]);
    expect(s.r(1).contents()).toEqual(["a", "x"]);
    expect(s.r(2).contents()).toEqual(["a", "x"]);
  });

  it("truncates in steps when the follower has epochs the leader never had", () => {
    const s = new ReplicaSet([1, 2, 3]);
    s.elect(1, [1, 2, 3]);
    s.produce(["a"]);
    s.replicate([2, 3]);
    s.elect(2, [2], [2]); // epoch 1 on 2 only
    s.produce(["b"]);
    s.state = { ...s.state, leader: 3, leaderEpoch: 2, partitionEpoch: s.state.partitionEpoch + 1, isr: [3] };
    s.tell([3]); // epoch 2 on 3, which never saw epoch 1
    s.produce(["c"]);
    s.tell([1, 2]);
    s.replicate([1, 2]);
    for (const id of [1, 2, 3]) expect(s.r(id).contents()).toEqual(["a", "c"]);
  });

  it("with the pre-0.11 policy truncates to the high watermark on becoming a follower", () => {
    const s = new ReplicaSet([1, 2], { truncation: truncateToHighWatermark });
    s.elect(1, [1, 2]);
    s.produce(["a"]);
    s.replicate([2]);
    s.produce(["b"]);
    s.fetch(2); // 2 has b, its HW is still 1
    expect(s.p(2).logEndOffset).toBe(2);
    expect(s.p(2).highWatermark).toBe(1);
    s.elect(1, [1, 2]); // a new epoch: 2 becomes follower again and truncates to its HW
    expect(s.r(2).contents()).toEqual(["a"]);
    expect(s.p(2).fetchPosition().lastFetchedEpoch).toBe(-1);
  });
});
