import { describe, expect, it } from "vitest";
import { Trace, formatTimeline, formatVerbose } from "../src/sim/trace";

function newTrace(options?: ConstructorParameters<typeof Trace>[1]) {
  const clock = { now: 0 };
  return { clock, trace: new Trace(clock, options) };
}

describe("Trace", () => {
  it("records flat events at the clock's time and keeps reserved keys from being overwritten", () => {
    const { clock, trace } = newTrace();
    clock.now = 1500;
    trace.record("app", "send-ok", "p1", { offset: 3, kind: "shadow", node: "x" });
    expect(trace.events).toEqual([
      { t: 1500, cat: "app", kind: "send-ok", node: "p1", offset: 3, _kind: "shadow", _node: "x" },
    ]);
  });

  it("serialises bigints, byte arrays, maps and sets to JSON", () => {
    const { trace } = newTrace();
    trace.record("app", "x", "n", {
      big: 2n ** 64n,
      bytes: new Uint8Array(5),
      m: new Map([["a", 1]]),
      s: new Set([2]),
    });
    const parsed = JSON.parse(trace.toJson()) as { events: Record<string, unknown>[] };
    expect(parsed.events[0]).toMatchObject({
      big: "18446744073709551616",
      bytes: "<5 bytes>",
      m: [["a", 1]],
      s: [2],
    });
  });

  it("is bounded: events past maxEvents are counted, not stored", () => {
    const { trace } = newTrace({ maxEvents: 3 });
    for (let i = 0; i < 10; i++) trace.record("app", "e", "n", { i });
    expect(trace.events.length).toBe(3);
    expect(trace.omitted).toBe(7);
    expect(JSON.parse(trace.toJson())).toMatchObject({ omitted: 7 });
  });

  it("the compact timeline shows key categories with times in seconds; verbose shows everything", () => {
    const { clock, trace } = newTrace();
    trace.record("node", "start", "b1", { incarnation: 1 });
    clock.now = 1;
    trace.record("net", "deliver", "b2", { from: "b1", msg: "Fetch request #1" });
    clock.now = 1500;
    trace.record("node", "crash", "b1", { incarnation: 1 });
    trace.record("app", "note", "b2", { text: "has spaces", list: Array.from({ length: 40 }, (_, i) => i) });
    const compact = formatTimeline(trace.events).split("\n");
    expect(compact).toHaveLength(3);
    expect(compact[0]).toMatch(/^t=0\.000s +b1 +start +incarnation=1$/);
    expect(compact[1]).toMatch(/^t=1\.500s +b1 +crash +incarnation=1$/);
    expect(compact[2]).toMatch(/text="has spaces" list=\[0,1,2,.*…$/);
    const verbose = formatVerbose(trace.events).split("\n");
    expect(verbose).toHaveLength(4);
    expect(verbose[1]).toMatch(/^t=0\.001s +b2 +net:deliver +from=b1 msg="Fetch request #1"$/);
    expect(verbose[3]).toContain("39]");
    expect(formatTimeline(trace.events, { maxLines: 1 }).split("\n")).toEqual([
      compact[0],
      "… 2 more events",
    ]);
  });
});
