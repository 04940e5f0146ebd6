/**
 * The two KIP-101 scenarios (kafka-facts.md B6) as scripted, deterministic regression tests on
 * two replicas with min.insync.replicas=1, played step by step on the pure replication layer
 * (the controller's decisions are scripted, as the ZooKeeper-era controller of the KIP made
 * them). Each runs twice: with the pre-0.11 rule (truncate to the high watermark) the history
 * checker finds the anomaly the KIP describes; with leader epochs it does not.
 *
 * Histories: sends are acknowledged when the high watermark passes them (acks=all); at the end a
 * consumer reads each replica up to that replica's high watermark (what a consumer of that
 * broker would see as leader, or with follower fetching, KIP-392).
 */
import { describe, expect, it } from "vitest";
import { HistoryRecorder, checkHistory } from "../src/check";
import { truncateByLeaderEpoch, truncateToHighWatermark, type TruncationPolicy } from "../src/replication";
import { values } from "./log-helpers";
import { ReplicaSet, TOPIC } from "./replication-harness";

const TP = `${TOPIC}-0`;

/**
 * Send `value` (acks=all). The returned function acknowledges it (the leader's HW has passed
 * it), or, with `lost`, records that the producer never got an answer (outcome unknown).
 */
function send(s: ReplicaSet, rec: HistoryRecorder, value: string): (lost?: "no answer") => void {
  const h = rec.invoke(
    "send",
    "producer",
    { messages: [{ topic: TOPIC, partition: 0, key: null, value }] },
    { atMs: s.now },
  );
  const out = s.produce([value], -1);
  const offset = out.result.firstOffset;
  const leader = s.p(s.state.leader);
  return (lost) => {
    if (lost) return rec.info(h, "the request was cut by a power loss before the answer", { atMs: s.now });
    expect(leader.checkEnoughReplicasReachOffset(offset + 1).done).toBe(true);
    rec.ok(h, { positions: [{ partition: 0, offset }] }, { atMs: s.now });
  };
}

/** A consumer reads replica `id` from its log start to its high watermark. */
function readReplica(s: ReplicaSet, rec: HistoryRecorder, id: number): void {
  const log = s.r(id).log;
  const records = values(log.read(log.logStartOffset, 1 << 20, log.highWatermark).records);
  const h = rec.invoke("poll", `consumer-of-${id}`, {}, { atMs: s.now });
  rec.ok(
    h,
    { records: { [TP]: records.map((r) => [r.offset, null, r.value] as [number, null, string]) } },
    { atMs: s.now },
  );
}

function verdict(rec: HistoryRecorder) {
  return checkHistory(rec.history(), { forbid: ["lost-write", "inconsistent-offsets"] });
}

/**
 * Scenario 1 (loss). B (2) leads, A (1) follows. A fetches m2 but the answer that would raise its
 * HW to 2 is lost; A restarts and — under the old rule — truncates to its HW 1, dropping m2. B
 * dies, A becomes leader, and m2, which B acknowledged, is gone.
 */
function scenarioLoss(policy: TruncationPolicy): HistoryRecorder {
  const s = new ReplicaSet([1, 2], { truncation: policy });
  const rec = new HistoryRecorder();
  s.elect(2, [1, 2]);
  const ack1 = send(s, rec, "m1");
  s.fetch(1);
  s.fetch(1);
  ack1();
  s.advance(10);
  const ack2 = send(s, rec, "m2");
  s.fetch(1); // A gets m2 (LEO 2) and HW 1
  s.fetch(1, { deliver: false }); // B's HW moves to 2; the answer with HW 2 never reaches A
  ack2();
  expect(s.p(1).highWatermark).toBe(1);
  s.r(1).checkpointHighWatermark();
  s.advance(10);
  s.r(1).restart(s.now); // A restarts (crash: page cache kept), HW 1 from its checkpoint
  s.tell([1]); // and becomes a follower of B again
  s.advance(10);
  s.elect(1, [1], [1]); // B dies; A, in the ISR, is elected
  const ack3 = send(s, rec, "m3");
  ack3();
  readReplica(s, rec, 1);
  return rec;
}

/**
 * Scenario 2 (divergence). A (1) leads with m1, m2; B (2) has m1 durable and m2 only in its page
 * cache. Both lose power before the producer hears about m2 (its outcome is unknown). B comes
 * back first and leads epoch 1, writing m3 at offset 1. A returns as a follower with HW 2: under
 * the old rule it keeps m2, and offset 1 holds m2 on A and m3 on B for ever.
 */
function scenarioDivergence(policy: TruncationPolicy): HistoryRecorder {
  const s = new ReplicaSet([1, 2], { truncation: policy });
  const rec = new HistoryRecorder();
  s.elect(1, [1, 2]);
  const ack1 = send(s, rec, "m1");
  s.fetch(2);
  s.fetch(2);
  ack1();
  s.r(2).log.flush(s.now); // m1 is durable on B
  const ack2 = send(s, rec, "m2");
  s.fetch(2);
  s.fetch(2);
  expect(s.p(1).highWatermark).toBe(2);
  s.r(1).log.flush(s.now); // everything is durable on A
  s.r(1).checkpointHighWatermark(); // A's HW 2
  s.r(2).checkpointHighWatermark();
  // Both lose power; B's unsynced m2 is gone.
  s.r(1).powerLossRestart(s.now);
  s.r(2).powerLossRestart(s.now);
  ack2("no answer");
  expect(s.r(2).contents()).toEqual(["m1"]);
  // B is back first and is elected (epoch 1); A is still down.
  s.elect(2, [2], [2]);
  const ack3 = send(s, rec, "m3");
  ack3();
  // A returns as a follower of B.
  s.advance(100);
  s.tell([1]);
  s.replicate([1]);
  readReplica(s, rec, 1);
  readReplica(s, rec, 2);
  return rec;
}

describe("KIP-101 scenario 1: a restarted follower truncating to its high watermark loses acknowledged data", () => {
  it("with truncateToHighWatermark the checker finds lost-write", () => {
    const v = verdict(scenarioLoss(truncateToHighWatermark));
    expect(v.ok).toBe(false);
    expect(v.anomalies.find((a) => a.name === "lost-write")?.count).toBe(1);
  });

  it("with truncateByLeaderEpoch nothing is lost", () => {
    const v = verdict(scenarioLoss(truncateByLeaderEpoch));
    expect(v.ok).toBe(true);
    expect(v.anomalies).toEqual([]);
  });
});

describe("KIP-101 scenario 2: replicas that lost power together diverge under the high-watermark rule", () => {
  it("with truncateToHighWatermark the checker finds inconsistent-offsets", () => {
    const v = verdict(scenarioDivergence(truncateToHighWatermark));
    expect(v.ok).toBe(false);
    expect(v.anomalies.find((a) => a.name === "inconsistent-offsets")?.count).toBe(1);
    // Offset 1 is m2 on A and m3 on B: the producer's later m3 also "landed before" m2.
    expect(v.anomalies.find((a) => a.name === "lost-write")).toBeUndefined();
  });

  it("with truncateByLeaderEpoch the follower truncates m2 and the replicas agree", () => {
    const v = verdict(scenarioDivergence(truncateByLeaderEpoch));
    expect(v.ok).toBe(true);
    expect(v.anomalies).toEqual([]);
  });
});
