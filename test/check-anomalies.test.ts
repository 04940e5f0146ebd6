// One synthetic history per anomaly: each exhibits exactly that anomaly, and the checker finds it
// with the right witness. Valid histories (uncertain sends, offset gaps, reassignments, seeks,
// crashes, overlapping polls) produce nothing.
import { describe, expect, it } from "vitest";
import { analyzeHistory, EffectLedger } from "../src/check";
import { found, range, Script } from "./check-util";

function ackAll(s: Script, from: number, to: number, tp = "orders-0", process = "p1"): number[] {
  const ids: number[] = [];
  for (let o = from; o <= to; o++) ids.push(s.send(process, tp, `v${o}`, { offset: o }));
  return ids;
}

describe("analyzeHistory: one anomaly per history", () => {
  it("lost-write: acknowledged at offset 2, polls read up to 4, nobody returned it", () => {
    const s = new Script();
    const sends = ackAll(s, 0, 4);
    s.poll("c1", { "orders-0": range(0, 1) });
    const top = s.poll("c2", { "orders-0": range(3, 4) });
    const a = analyzeHistory(s.history());
    expect(found(a)).toEqual(["lost-write"]);
    const [c] = a.anomalies["lost-write"];
    expect(c).toMatchObject({ topicPartition: "orders-0", offset: 2, value: "v2", highestOffsetRead: 4 });
    expect(c!.events.map((e) => [e.id, e.role])).toEqual([
      [sends[2], "acknowledged send"],
      [top, "poll that read the highest offset, 4"],
    ]);
    expect(c!.events[0]).toMatchObject({ process: "p1", invokeMs: 20, completeMs: 25, outcome: "ok" });
  });

  it("unseen: acknowledged above the highest offset the final drain read", () => {
    const s = new Script();
    ackAll(s, 0, 2);
    s.poll("c1", { "orders-0": range(0, 1) });
    const a = analyzeHistory(s.history());
    expect(found(a)).toEqual(["unseen"]);
    expect(a.anomalies.unseen[0]).toMatchObject({ offset: 2, value: "v2", highestOffsetRead: 1 });
  });

  it("unseen is judged for every topic unless the scenario names the drained ones", () => {
    const s = new Script();
    s.send("p1", "audit-0", "a0", { offset: 0 });
    ackAll(s, 0, 1);
    s.poll("c1", { "orders-0": range(0, 1) });
    expect(analyzeHistory(s.history()).anomalies.unseen.map((c) => c.value)).toEqual(["a0"]);
    expect(found(analyzeHistory(s.history(), { unseenTopics: ["orders"] }))).toEqual([]);
  });

  it("a consumer that never polls does not pass by reading nothing", () => {
    const s = new Script();
    ackAll(s, 0, 2);
    const ledger = new EffectLedger();
    const a = analyzeHistory(s.history(), { ledger });
    expect(found(a)).toEqual(["unseen", "effect-lost"]);
    expect(a.anomalies.unseen).toHaveLength(3);
    expect(a.anomalies["effect-lost"]).toHaveLength(3);
  });

  it("duplicate: one value at two offsets", () => {
    const s = new Script();
    ackAll(s, 0, 1);
    const p = s.poll("c1", { "orders-0": [...range(0, 1), [2, "v1"]] });
    const a = analyzeHistory(s.history());
    expect(found(a)).toEqual(["duplicate"]);
    expect(a.anomalies.duplicate[0]).toMatchObject({ value: "v1", offsets: [1, 2] });
    expect(a.anomalies.duplicate[0]!.events.map((e) => e.offset)).toEqual([1, 2]);
    expect(a.anomalies.duplicate[0]!.events[1]!.id).toBe(p);
  });

  it("inconsistent-offsets: offset 1 is v1 to one consumer and x to another", () => {
    const s = new Script();
    ackAll(s, 0, 1);
    s.send("p2", "orders-0", "x", { outcome: "info" });
    s.poll("c1", { "orders-0": range(0, 1) });
    const other = s.poll("c2", {
      "orders-0": [
        [0, "v0"],
        [1, "x"],
      ],
    });
    const a = analyzeHistory(s.history());
    expect(found(a)).toEqual(["inconsistent-offsets"]);
    const [c] = a.anomalies["inconsistent-offsets"];
    expect(c).toMatchObject({ topicPartition: "orders-0", offset: 1 });
    expect(c!.events.map((e) => e.value)).toEqual(["v1", "x"]);
    expect(c!.events[1]!.id).toBe(other);
  });

  it("nonmonotonic-send: the producer's second send landed below its first", () => {
    const s = new Script();
    const first = s.send("p1", "orders-0", "a", { offset: 5 });
    const second = s.send("p1", "orders-0", "b", { offset: 3 });
    s.poll("c1", {
      "orders-0": [
        [3, "b"],
        [5, "a"],
      ],
    });
    const a = analyzeHistory(s.history());
    expect(found(a)).toEqual(["nonmonotonic-send"]);
    expect(a.anomalies["nonmonotonic-send"][0]!.events.map((e) => [e.id, e.offset])).toEqual([
      [first, 5],
      [second, 3],
    ]);
  });

  it("nonmonotonic-send: an uncertain send placed by a poll counts too", () => {
    const s = new Script();
    s.send("p1", "orders-0", "a", { outcome: "info" });
    s.send("p1", "orders-0", "b", { offset: 0 });
    s.poll("c1", {
      "orders-0": [
        [0, "b"],
        [1, "a"],
      ],
    });
    expect(found(analyzeHistory(s.history()))).toEqual(["nonmonotonic-send"]);
  });

  it("int-nonmonotonic-send: one batch written in reverse", () => {
    const s = new Script();
    const op = s.sendBatch(
      "p1",
      [
        { topic: "orders", partition: 0, value: "a" },
        { topic: "orders", partition: 0, value: "b" },
      ],
      [1, 0],
    );
    s.poll("c1", {
      "orders-0": [
        [0, "b"],
        [1, "a"],
      ],
    });
    const a = analyzeHistory(s.history());
    expect(found(a)).toEqual(["int-nonmonotonic-send"]);
    expect(a.anomalies["int-nonmonotonic-send"][0]!.events.every((e) => e.id === op)).toBe(true);
  });

  it("int-send-skip: another producer's message landed inside one batch", () => {
    const s = new Script();
    s.sendBatch(
      "p1",
      [
        { topic: "orders", partition: 0, value: "a" },
        { topic: "orders", partition: 0, value: "b" },
      ],
      [0, 2],
    );
    s.send("p2", "orders-0", "c", { offset: 1 });
    s.poll("c1", {
      "orders-0": [
        [0, "a"],
        [1, "c"],
        [2, "b"],
      ],
    });
    const a = analyzeHistory(s.history());
    expect(found(a)).toEqual(["int-send-skip"]);
    expect(a.anomalies["int-send-skip"][0]).toMatchObject({ offset: 2, offsets: [1] });
  });

  it("poll-skip: consecutive polls jumped over offset 2", () => {
    const s = new Script();
    ackAll(s, 0, 3);
    const before = s.poll("c1", { "orders-0": range(0, 1) });
    const after = s.poll("c1", { "orders-0": range(3, 3) });
    s.poll("c2", { "orders-0": range(0, 3) });
    const a = analyzeHistory(s.history());
    expect(found(a)).toEqual(["poll-skip"]);
    const [c] = a.anomalies["poll-skip"];
    expect(c).toMatchObject({ topicPartition: "orders-0", offset: 3, offsets: [2] });
    expect(c!.events.slice(0, 2).map((e) => [e.id, e.process, e.offset])).toEqual([
      [before, "c1", 1],
      [after, "c1", 3],
    ]);
    expect(c!.events[2]).toMatchObject({ offset: 2, role: "shows offset 2 exists" });
  });

  it("poll-skip inside one poll", () => {
    const s = new Script();
    ackAll(s, 0, 2);
    s.poll("c1", {
      "orders-0": [
        [0, "v0"],
        [2, "v2"],
      ],
    });
    s.poll("c2", { "orders-0": range(0, 2) });
    expect(found(analyzeHistory(s.history()))).toEqual(["poll-skip"]);
  });

  it("nonmonotonic-poll: the consumer read offset 1 again without a reassignment", () => {
    const s = new Script();
    ackAll(s, 0, 2);
    s.poll("c1", { "orders-0": range(0, 1) });
    s.poll("c1", { "orders-0": range(1, 2) });
    const a = analyzeHistory(s.history());
    expect(found(a)).toEqual(["nonmonotonic-poll"]);
    expect(a.anomalies["nonmonotonic-poll"][0]).toMatchObject({
      offsets: [1, 1],
      topicPartition: "orders-0",
    });
  });

  it("aborted-read: a poll returned a value whose send definitely failed", () => {
    const s = new Script();
    const send = s.send("p1", "orders-0", "v0", { outcome: "fail" });
    const poll = s.poll("c1", { "orders-0": range(0, 0) });
    const a = analyzeHistory(s.history());
    expect(found(a)).toEqual(["aborted-read"]);
    expect(a.anomalies["aborted-read"][0]!.events.map((e) => [e.id, e.outcome])).toEqual([
      [send, "fail"],
      [poll, "ok"],
    ]);
  });
});

function consumed(s: Script, ledger: EffectLedger, count: number): void {
  ackAll(s, 0, count - 1);
  s.poll("c1", { "orders-0": range(0, count - 1) });
  for (let o = 0; o < count; o++)
    ledger.apply({
      value: `v${o}`,
      key: "k",
      topicPartition: "orders-0",
      offset: o,
      consumer: "c1",
      atMs: 1000 + o,
    });
}

describe("analyzeHistory: effect anomalies", () => {
  it("a correct consumer's ledger has no anomaly", () => {
    const s = new Script();
    const ledger = new EffectLedger();
    consumed(s, ledger, 5);
    expect(found(analyzeHistory(s.history(), { ledger }))).toEqual([]);
  });

  it("effect-duplicated: one message charged twice", () => {
    const s = new Script();
    const ledger = new EffectLedger();
    consumed(s, ledger, 3);
    ledger.apply({
      value: "v1",
      key: "k",
      topicPartition: "orders-0",
      offset: 1,
      consumer: "c2",
      atMs: 2000,
    });
    const a = analyzeHistory(s.history(), { ledger });
    expect(found(a)).toEqual(["effect-duplicated"]);
    expect(a.anomalies["effect-duplicated"][0]!.events.map((e) => [e.kind, e.process, e.atMs])).toEqual([
      ["effect", "c1", 1001],
      ["effect", "c2", 2000],
    ]);
  });

  it("effect-lost: an acknowledged, consumed message never applied", () => {
    const s = new Script();
    const ledger = new EffectLedger();
    ackAll(s, 0, 2);
    s.poll("c1", { "orders-0": range(0, 2) });
    ledger.apply({ value: "v0", key: "k", topicPartition: "orders-0", offset: 0, consumer: "c1", atMs: 100 });
    ledger.apply({ value: "v2", key: "k", topicPartition: "orders-0", offset: 2, consumer: "c1", atMs: 101 });
    const a = analyzeHistory(s.history(), { ledger });
    expect(found(a)).toEqual(["effect-lost"]);
    expect(a.anomalies["effect-lost"][0]).toMatchObject({ value: "v1", offset: 1 });
  });

  it("effect-lost: explicit expectations for messages outside the history", () => {
    const ledger = new EffectLedger();
    ledger.expect({ value: "preloaded-1", topicPartition: "orders-0", offset: 0 });
    const a = analyzeHistory([], { ledger });
    expect(a.anomalies["effect-lost"].map((c) => c.value)).toEqual(["preloaded-1"]);
  });

  it("effect-reordered: offset 2 applied before offset 1 for the same key", () => {
    const s = new Script();
    const ledger = new EffectLedger();
    ackAll(s, 0, 2);
    s.poll("c1", { "orders-0": range(0, 2) });
    ledger.apply({ value: "v0", key: "k", topicPartition: "orders-0", offset: 0, consumer: "c1", atMs: 100 });
    ledger.apply({ value: "v2", key: "k", topicPartition: "orders-0", offset: 2, consumer: "w2", atMs: 101 });
    ledger.apply({ value: "v1", key: "k", topicPartition: "orders-0", offset: 1, consumer: "w1", atMs: 102 });
    const a = analyzeHistory(s.history(), { ledger });
    expect(found(a)).toEqual(["effect-reordered"]);
    expect(a.anomalies["effect-reordered"][0]!.events.map((e) => [e.process, e.offset])).toEqual([
      ["w2", 2],
      ["w1", 1],
    ]);
  });

  it("effects for different keys may interleave in any order; null keys carry no order", () => {
    const s = new Script();
    const ledger = new EffectLedger();
    ackAll(s, 0, 2);
    s.poll("c1", { "orders-0": range(0, 2) });
    ledger.apply({ value: "v2", key: "b", topicPartition: "orders-0", offset: 2, consumer: "w", atMs: 100 });
    ledger.apply({ value: "v1", key: null, topicPartition: "orders-0", offset: 1, consumer: "w", atMs: 101 });
    ledger.apply({ value: "v0", key: "a", topicPartition: "orders-0", offset: 0, consumer: "w", atMs: 102 });
    expect(found(analyzeHistory(s.history(), { ledger }))).toEqual([]);
  });
});

describe("analyzeHistory: valid histories pass", () => {
  it("uncertain sends (read or not), failed sends never read, and offset gaps", () => {
    const s = new Script();
    s.send("p1", "orders-0", "a", { offset: 0 });
    s.send("p1", "orders-0", "b", { outcome: "info" }); // written at 3 (a gap before it)
    s.send("p1", "orders-0", "c", { outcome: "info" }); // never written
    s.send("p1", "orders-0", "d", { outcome: "fail" });
    s.send("p1", "orders-0", "e", { offset: 7 });
    s.send("p1", "orders-0", "f", { outcome: "pending" });
    s.poll("c1", {
      "orders-0": [
        [0, "a"],
        [3, "b"],
      ],
    });
    s.poll("c1", { "orders-0": [[7, "e"]] });
    expect(found(analyzeHistory(s.history()))).toEqual([]);
  });

  it("reassignment, seek and crash allow re-reading and jumping", () => {
    const s = new Script();
    ackAll(s, 0, 5);
    s.poll("c1", { "orders-0": range(0, 3) });
    s.assign("c1", ["orders-0"]);
    s.poll("c1", { "orders-0": range(2, 3) }); // resumed from the committed offset
    s.seek("c1", "orders-0", 5);
    s.poll("c1", { "orders-0": range(5, 5) });
    s.crash("c1");
    s.poll("c1", { "orders-0": range(4, 5) });
    expect(found(analyzeHistory(s.history()))).toEqual([]);
  });

  it("two consumers polling the same partitions concurrently, across partitions", () => {
    const s = new Script();
    ackAll(s, 0, 3, "orders-0");
    for (let o = 0; o <= 3; o++) s.send("p2", "orders-1", `w${o}`, { offset: o });
    const h1 = s.rec.invoke("poll", "c1", {}, { atMs: 500 });
    const h2 = s.rec.invoke("poll", "c2", {}, { atMs: 501 });
    s.rec.ok(
      h2,
      {
        records: {
          "orders-0": [
            [0, "k", "v0"],
            [1, "k", "v1"],
          ],
          "orders-1": [[0, "k", "w0"]],
        },
      },
      { atMs: 510 },
    );
    s.rec.ok(h1, { records: { "orders-0": [[0, "k", "v0"]] } }, { atMs: 520 });
    s.t = 600;
    s.poll("c1", { "orders-0": range(1, 3), "orders-1": range(0, 3, "w") });
    s.poll("c2", { "orders-0": range(2, 3), "orders-1": range(1, 3, "w") });
    expect(found(analyzeHistory(s.history()))).toEqual([]);
  });

  it("the same value in two partitions is a duplicate", () => {
    const s = new Script();
    s.send("p1", "orders-0", "v0", { offset: 0 });
    s.poll("c1", { "orders-0": range(0, 0), "orders-1": range(0, 0) });
    expect(found(analyzeHistory(s.history()))).toEqual(["duplicate"]);
  });

  it("a producer restarted after a crash starts a new order", () => {
    const s = new Script();
    s.send("p1", "orders-0", "a", { offset: 4 });
    s.crash("p1");
    s.send("p1", "orders-0", "b", { offset: 2 });
    s.poll("c1", {
      "orders-0": [
        [2, "b"],
        [4, "a"],
      ],
    });
    expect(found(analyzeHistory(s.history()))).toEqual([]);
  });

  it("a send still in flight when its producer crashed may land after the restarted producer's sends", () => {
    const s = new Script();
    s.send("p1", "orders-0", "a", { outcome: "pending" });
    s.crash("p1");
    s.send("p1", "orders-0", "b", { offset: 0 });
    s.poll("c1", {
      "orders-0": [
        [0, "b"],
        [1, "a"],
      ],
    });
    expect(s.history()[0]).toMatchObject({ outcome: "info", error: "client crashed" });
    expect(found(analyzeHistory(s.history()))).toEqual([]);
  });

  it("an application retry with the same value is one message, not a reordering", () => {
    const s = new Script();
    s.send("p1", "orders-0", "a", { outcome: "info" });
    s.send("p1", "orders-0", "a", { offset: 0 });
    s.send("p1", "orders-0", "b", { offset: 1 });
    s.poll("c1", {
      "orders-0": [
        [0, "a"],
        [1, "b"],
      ],
    });
    expect(found(analyzeHistory(s.history()))).toEqual([]);
  });
});
