// HistoryRecorder and history validation: events are ordered, misuse is refused with a clear
// error, a crash ends the process's pending calls as indeterminate.
import { describe, expect, it } from "vitest";
import type { History, Operation } from "../src/check";
import {
  analyzeHistory,
  EffectLedger,
  HistoryRecorder,
  parseTopicPartition,
  topicPartitionName,
  validateHistory,
} from "../src/check";

describe("HistoryRecorder", () => {
  it("records invoke and completion with times, node, and one event counter", () => {
    let now = 100;
    const rec = new HistoryRecorder(() => now);
    const send = rec.invoke(
      "send",
      "p1",
      { messages: [{ topic: "orders", key: "k1", value: "v1" }] },
      { node: "broker-1" },
    );
    now = 105;
    const poll = rec.invoke("poll", "c1", {});
    now = 130;
    rec.ok(send, { positions: [{ partition: 2, offset: 41 }] }, { node: "broker-2" });
    rec.ok(poll, { records: { "orders-2": [[41, "k1", "v1"]] } }, { atMs: 131 });
    const [s, p] = rec.history() as [Operation, Operation];
    expect(s).toEqual({
      id: 0,
      type: "send",
      process: "p1",
      node: "broker-2",
      invokeMs: 100,
      invokeIndex: 0,
      completeMs: 130,
      completeIndex: 2,
      outcome: "ok",
      messages: [{ topic: "orders", key: "k1", value: "v1" }],
      positions: [{ partition: 2, offset: 41 }],
    });
    expect(p).toMatchObject({ id: 1, invokeIndex: 1, completeIndex: 3, completeMs: 131, outcome: "ok" });
    expect(validateHistory(rec.history())).toEqual([]);
  });

  it("fail and info carry the reason; pending operations have no outcome", () => {
    const rec = new HistoryRecorder(() => 0);
    const a = rec.invoke("send", "p1", { messages: [{ topic: "t", key: null, value: "a" }] });
    const b = rec.invoke("send", "p1", { messages: [{ topic: "t", key: null, value: "b" }] });
    rec.invoke("send", "p1", { messages: [{ topic: "t", key: null, value: "c" }] });
    rec.fail(a, "NOT_LEADER_OR_FOLLOWER");
    rec.info(b, "timed out after 30000 ms");
    const h = rec.history();
    expect(h.map((op) => [op.outcome, op.error])).toEqual([
      ["fail", "NOT_LEADER_OR_FOLLOWER"],
      ["info", "timed out after 30000 ms"],
      [undefined, undefined],
    ]);
  });

  it("a crash ends the process's pending calls as info and ignores their late completion", () => {
    let now = 0;
    const rec = new HistoryRecorder(() => now);
    const send = rec.invoke("send", "p1", { messages: [{ topic: "t", key: null, value: "a" }] });
    const other = rec.invoke("poll", "c1", {});
    now = 50;
    rec.record("crash", "p1", {});
    rec.ok(send, { positions: [{ partition: 0, offset: 0 }] });
    const h = rec.history();
    expect(h[0]).toMatchObject({ outcome: "info", error: "client crashed", completeMs: 50 });
    expect(h[0]).not.toHaveProperty("positions");
    expect(h[1]!.outcome).toBeUndefined();
    rec.ok(other, { records: {} });
    expect(validateHistory(rec.history())).toEqual([]);
  });

  it("refuses misuse with errors that say what and why", () => {
    const rec = new HistoryRecorder(() => 10);
    const h = rec.invoke("send", "p1", { messages: [{ topic: "t", key: null, value: "a" }] });
    expect(() => rec.ok(h, { positions: [] })).toThrow(
      "Cannot acknowledge send op 0: it has 1 messages but 0 positions",
    );
    rec.ok(h, { positions: [{ partition: 0, offset: 0 }] });
    expect(() => rec.info(h, "late")).toThrow(
      "Cannot complete send op 0 as info: it already completed as ok",
    );
    expect(() => rec.invoke("send", "p1", { messages: [] })).toThrow("it has no messages");
    expect(() => new HistoryRecorder().invoke("poll", "c1", {})).toThrow("no time given");
    const h2 = rec.invoke("poll", "c1", {}, { atMs: 20 });
    expect(() => rec.ok(h2, { records: {} }, { atMs: 19 })).toThrow("it was invoked later, at 20 ms");
    const small = new HistoryRecorder(() => 0, { maxOps: 1 });
    small.record("crash", "c1", {});
    expect(() => small.record("crash", "c1", {})).toThrow("maxOps=1");
  });

  it("records assign, subscribe, seek and commit", () => {
    const rec = new HistoryRecorder(() => 0);
    const sub = rec.invoke("subscribe", "c1", { topics: ["orders"] });
    rec.ok(sub, { partitions: ["orders-0", "orders-1"] });
    rec.record("assign", "c1", { partitions: ["orders-1"] });
    rec.record("seek", "c1", { topicPartition: "orders-1", offset: 7 });
    rec.record("commit", "c1", { offsets: { "orders-1": 8 } });
    expect(rec.history().map((op) => op.type)).toEqual(["subscribe", "assign", "seek", "commit"]);
    expect(rec.history()[0]).toMatchObject({ topics: ["orders"], partitions: ["orders-0", "orders-1"] });
    expect(rec.history()[3]).toMatchObject({
      offsets: { "orders-1": 8 },
      completeIndex: rec.history()[3]!.invokeIndex,
    });
  });
});

describe("topic-partition names", () => {
  it("round-trip, including topics with dashes", () => {
    expect(topicPartitionName("orders", 0)).toBe("orders-0");
    expect(parseTopicPartition("my-orders-12")).toEqual({ topic: "my-orders", partition: 12 });
    expect(() => parseTopicPartition("orders")).toThrow('Cannot parse topic-partition "orders"');
    expect(() => parseTopicPartition("orders-x")).toThrow("Cannot parse");
  });
});

describe("validateHistory", () => {
  it("explains what is malformed, and the checker refuses it", () => {
    const bad = [
      {
        id: 0,
        type: "send",
        process: "p1",
        invokeMs: 0,
        invokeIndex: 0,
        completeMs: 5,
        completeIndex: 1,
        outcome: "ok",
        messages: [{ topic: "t", key: null, value: "a" }],
      },
      {
        id: 5,
        type: "poll",
        process: "c1",
        invokeMs: 10,
        invokeIndex: 2,
        completeMs: 4,
        completeIndex: 3,
        outcome: "ok",
        records: { "t-0": [[0, null]] },
      },
    ] as unknown as History;
    const problems = validateHistory(bad);
    expect(problems).toEqual([
      "op 0: ok send has 1 messages but 0 positions",
      "op at position 1 has id 5; ids must equal positions",
      "op 1: completes at 4 ms, before its invoke at 10 ms",
      "op 1: record [0,null] of t-0 is not [offset, key, value]",
    ]);
    expect(() => analyzeHistory(bad)).toThrow(
      /^Cannot check history: it is malformed \(4 problems\): op 0: ok send has 1 messages/,
    );
  });
});

describe("EffectLedger", () => {
  it("records entries in order, needs a time, round-trips through JSON", () => {
    let now = 7;
    const ledger = new EffectLedger(() => now);
    ledger.apply({ value: "a", key: "k", topicPartition: "t-0", offset: 0, consumer: "c1" });
    now = 9;
    ledger.apply({ value: "b", key: "k", topicPartition: "t-0", offset: 1, consumer: "c1", atMs: 8 });
    ledger.expect({ value: "z" });
    expect(ledger.entries().map((e) => [e.seq, e.atMs])).toEqual([
      [0, 7],
      [1, 8],
    ]);
    const copy = EffectLedger.fromJSON(
      JSON.parse(JSON.stringify(ledger)) as ReturnType<EffectLedger["toJSON"]>,
    );
    expect(copy.toJSON()).toEqual(ledger.toJSON());
    expect(() =>
      new EffectLedger().apply({ value: "a", key: null, topicPartition: "t-0", offset: 0, consumer: "c" }),
    ).toThrow("no time given");
    expect(() =>
      ledger.apply({ value: "a", key: null, topicPartition: "t-0", offset: -1, consumer: "c" }),
    ).toThrow("offset -1 is not an integer >= 0");
  });
});
