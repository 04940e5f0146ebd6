import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Network, type Endpoint, type NetworkOptions } from "../src/sim/network";
import { Scheduler } from "../src/sim/scheduler";
import { Trace } from "../src/sim/trace";
import { SeededRng } from "../src/sim/rng";
import { copyPlainData, summarizeMessage } from "../src/sim/message";
import type { ConnectionError } from "../src/sim/process";

interface Received {
  t: number;
  from: string;
  message: unknown;
}

class Box implements Endpoint {
  up = true;
  incarnation = 1;
  powered = true;
  readonly got: Received[] = [];
  readonly errors: { t: number; peer: string; error: ConnectionError }[] = [];
  constructor(private readonly s: Scheduler) {}
  receive(from: string, message: unknown): void {
    this.got.push({ t: this.s.now, from, message });
  }
  connectionError(peer: string, error: ConnectionError): void {
    this.errors.push({ t: this.s.now, peer, error });
  }
}

function setup(names: string[], options: NetworkOptions = {}, seed = 1) {
  const s = new Scheduler();
  const trace = new Trace(s);
  const net = new Network(s, new SeededRng(seed).split("network"), trace, options);
  const boxes: Record<string, Box> = {};
  for (const n of names) {
    boxes[n] = new Box(s);
    net.attach(n, boxes[n]);
  }
  return { s, trace, net, boxes };
}

const seqs = (b: Box) => b.got.map((r) => (r.message as { seq: number }).seq);

describe("Network delays", () => {
  it("delivers after base + jitter, within [base, base + jitter)", () => {
    const { s, net, boxes } = setup(["a", "b"], { link: { baseDelayMs: 5, jitterMs: 3, reorder: true } });
    for (let i = 0; i < 500; i++) s.call(i * 10, `send${i}`, () => net.send("a", "b", { seq: i }));
    s.runUntilQuiet();
    expect(boxes.b!.got.length).toBe(500);
    for (const r of boxes.b!.got) {
      const sentAt = (r.message as { seq: number }).seq * 10;
      expect(r.t - sentAt).toBeGreaterThanOrEqual(5);
      expect(r.t - sentAt).toBeLessThan(8);
    }
  });

  it("adds a slow node's extra delay to every link to and from it, until unslowed", () => {
    const { s, net, boxes } = setup(["a", "b", "c"], { link: { baseDelayMs: 1, jitterMs: 0 } });
    net.slow("b", 40);
    net.send("a", "b", { seq: 1 });
    net.send("b", "c", { seq: 2 });
    net.send("a", "c", { seq: 3 });
    s.runUntilQuiet();
    expect(boxes.b!.got[0]!.t).toBe(41);
    expect(boxes.c!.got.map((r) => [(r.message as { seq: number }).seq, r.t])).toEqual([
      [3, 1],
      [2, 41],
    ]);
    net.slow("b", 0);
    net.send("a", "b", { seq: 4 });
    s.runUntilQuiet();
    expect(boxes.b!.got[1]!.t).toBe(42);
  });

  it("setLink changes one direction only", () => {
    const { s, net, boxes } = setup(["a", "b"], { link: { baseDelayMs: 1, jitterMs: 0 } });
    net.setLink("a", "b", { baseDelayMs: 100 });
    net.send("a", "b", { seq: 1 });
    net.send("b", "a", { seq: 2 });
    s.runUntilQuiet();
    expect(boxes.b!.got[0]!.t).toBe(100);
    expect(boxes.a!.got[0]!.t).toBe(1);
  });

  it("rejects bad link options with a clear error", () => {
    const { net } = setup(["a", "b"]);
    expect(() => net.setLink("a", "b", { lossProbability: 2 })).toThrow(
      /lossProbability 2 is not in \[0, 1\]/,
    );
    expect(() => net.setLink("a", "b", { baseDelayMs: -1 })).toThrow(/delays must be ≥ 0/);
    expect(() => net.send("a", "zz", {})).toThrow(/Cannot send from "a" to "zz": no such node/);
  });
});

describe("Network ordering", () => {
  it("keeps each link FIFO even with large jitter (property over seeds)", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const { s, net, boxes } = setup(["a", "b", "c"], { link: { baseDelayMs: 1, jitterMs: 50 } }, seed);
        for (let i = 0; i < 100; i++) {
          s.call(i, `send${i}`, () => {
            net.send("a", "b", { seq: i });
            net.send("c", "b", { seq: 1000 + i });
          });
        }
        s.runUntilQuiet();
        const fromA = boxes
          .b!.got.filter((r) => r.from === "a")
          .map((r) => (r.message as { seq: number }).seq);
        const fromC = boxes
          .b!.got.filter((r) => r.from === "c")
          .map((r) => (r.message as { seq: number }).seq);
        expect(fromA).toEqual([...fromA].sort((x, y) => x - y));
        expect(fromC).toEqual([...fromC].sort((x, y) => x - y));
        expect(fromA.length + fromC.length).toBe(200);
      }),
      { numRuns: 50 },
    );
  });

  it("lets messages overtake each other when the link enables reorder", () => {
    const { s, net, boxes } = setup(["a", "b"], { link: { baseDelayMs: 1, jitterMs: 50, reorder: true } });
    for (let i = 0; i < 100; i++) s.call(i, `send${i}`, () => net.send("a", "b", { seq: i }));
    s.runUntilQuiet();
    const got = seqs(boxes.b!);
    expect(got.length).toBe(100);
    expect(got).not.toEqual([...got].sort((x, y) => x - y));
  });
});

describe("Network loss", () => {
  it("drops about lossProbability of the messages, and counts and traces each drop", () => {
    const { s, net, boxes, trace } = setup(["a", "b"], { link: { lossProbability: 0.2 } });
    for (let i = 0; i < 5000; i++) net.send("a", "b", { seq: i });
    s.runUntilQuiet();
    const lost = net.stats.dropped.loss;
    expect(lost).toBeGreaterThan(850);
    expect(lost).toBeLessThan(1150);
    expect(boxes.b!.got.length).toBe(5000 - lost);
    expect(trace.events.filter((e) => e.kind === "drop" && e.reason === "loss").length).toBe(lost);
    expect(trace.events.filter((e) => e.kind === "deliver").length).toBe(5000 - lost);
  });
});

describe("Network partitions", () => {
  it("a symmetric partition cuts both directions between the sets and nothing else; heal restores", () => {
    const { s, net, boxes } = setup(["a", "b", "c", "d"], { link: { jitterMs: 0 } });
    net.partition(["a", "b"], ["c"]);
    const all = ["a", "b", "c", "d"];
    for (const from of all) for (const to of all) if (from !== to) net.send(from, to, { seq: 0 });
    s.runUntilQuiet();
    const froms = (n: string) => boxes[n]!.got.map((r) => r.from).sort();
    expect(froms("a")).toEqual(["b", "d"]);
    expect(froms("b")).toEqual(["a", "d"]);
    expect(froms("c")).toEqual(["d"]);
    expect(froms("d")).toEqual(["a", "b", "c"]);
    expect(net.stats.dropped.partition).toBe(4);
    net.heal();
    net.send("a", "c", { seq: 1 });
    s.runUntilQuiet();
    expect(froms("c")).toEqual(["a", "d"]);
  });

  it("a one-way partition cuts a → b only", () => {
    const { s, net, boxes } = setup(["a", "b"]);
    net.partition(["a"], ["b"], { oneWay: true });
    expect(net.isCut("a", "b")).toBe(true);
    expect(net.isCut("b", "a")).toBe(false);
    net.send("a", "b", { seq: 1 });
    net.send("b", "a", { seq: 2 });
    s.runUntilQuiet();
    expect(boxes.b!.got.length).toBe(0);
    expect(seqs(boxes.a!)).toEqual([2]);
  });

  it("isolate cuts a node off from everyone, including nodes attached later, in the chosen direction", () => {
    const { s, net, boxes } = setup(["a", "b"]);
    const both = net.isolate("a");
    const late = new Box(s);
    net.attach("late", late);
    expect(net.isCut("a", "late")).toBe(true);
    expect(net.isCut("late", "a")).toBe(true);
    expect(net.isCut("b", "late")).toBe(false);
    net.removePartition(both);
    expect(net.isCut("a", "late")).toBe(false);
    net.isolate("a", "outgoing");
    expect([net.isCut("a", "b"), net.isCut("b", "a")]).toEqual([true, false]);
    net.heal();
    const inc = net.isolate("a", "incoming");
    expect([net.isCut("a", "b"), net.isCut("b", "a")]).toEqual([false, true]);
    net.removePartition(inc);
    net.send("b", "a", { seq: 9 });
    s.runUntilQuiet();
    expect(seqs(boxes.a!)).toEqual([9]);
  });

  it("removing one of two overlapping partitions keeps the other", () => {
    const { net } = setup(["a", "b", "c"]);
    const p1 = net.partition(["a"], ["b"]);
    net.partition(["a"], ["b", "c"]);
    net.removePartition(p1);
    expect(net.isCut("a", "b")).toBe(true);
  });

  it("drops a message in flight when a partition starts before it arrives", () => {
    const { s, net, boxes } = setup(["a", "b"], { link: { baseDelayMs: 10, jitterMs: 0 } });
    net.send("a", "b", { seq: 1 });
    s.call(5, "cut", () => net.partition(["a"], ["b"]));
    s.call(20, "heal", () => net.heal());
    s.runUntilQuiet();
    expect(boxes.b!.got.length).toBe(0);
    expect(net.stats.dropped.partition).toBe(1);
  });

  it("refuses a node on both sides", () => {
    const { net } = setup(["a", "b"]);
    expect(() => net.partition(["a", "b"], ["b"])).toThrow(/node "b" is on both sides/);
  });
});

describe("Network and crashed nodes", () => {
  it("refuses messages to a down but powered node, and messages in flight to a node that restarted", () => {
    const { s, net, boxes } = setup(["a", "b"], { link: { baseDelayMs: 10, jitterMs: 0 } });
    boxes.b!.up = false;
    net.send("a", "b", { seq: 1 });
    boxes.b!.up = true;
    net.send("a", "b", { seq: 2 });
    s.call(5, "restart b", () => {
      boxes.b!.incarnation++;
    });
    s.call(6, "send again", () => net.send("a", "b", { seq: 3 }));
    s.runUntilQuiet();
    expect(seqs(boxes.b!)).toEqual([3]);
    expect(net.stats.dropped["receiver-restarted"]).toBe(1);
    expect(net.stats.refused).toBe(2);
    // seq 1 bounced one link delay after it was sent; seq 2 when it reached the new incarnation.
    expect(
      boxes.a!.errors.map((e) => [
        e.t,
        e.peer,
        e.error.kind,
        (e.error as { message: { seq: number } }).message.seq,
      ]),
    ).toEqual([
      [10, "b", "refused", 1],
      [20, "b", "refused", 2],
    ]);
  });

  it("drops messages to a powered-off node silently", () => {
    const { s, net, boxes } = setup(["a", "b"], { link: { baseDelayMs: 10, jitterMs: 0 } });
    boxes.b!.up = false;
    boxes.b!.powered = false;
    net.send("a", "b", { seq: 1 });
    s.runUntilQuiet();
    expect(net.stats.dropped["receiver-down"]).toBe(1);
    expect(boxes.a!.errors).toEqual([]);
  });

  it("resets the open connections of a process that ended, after what was already on the wire", () => {
    const { s, net, boxes } = setup(["a", "b", "c", "d"], { link: { baseDelayMs: 10, jitterMs: 0 } });
    net.send("a", "b", { seq: 1 }); // a ↔ b open
    s.call(3, "b answers", () => net.send("b", "a", { seq: 2 }));
    s.call(4, "c talks to b", () => net.send("c", "b", { seq: 3 }));
    s.call(5, "crash b", () => {
      boxes.b!.up = false;
      net.processEnded("b", "reset");
    });
    s.runUntilQuiet();
    // a gets b's answer (on the wire since 3, arrives at 13) before the reset (FIFO on b→a).
    expect(boxes.a!.got.map((r) => [r.t, seqs(boxes.a!)[0]])).toEqual([[13, 2]]);
    expect(boxes.a!.errors).toEqual([{ t: 15, peer: "b", error: { kind: "reset", atMs: 5 } }]);
    expect(boxes.c!.errors).toEqual([{ t: 15, peer: "b", error: { kind: "reset", atMs: 5 } }]);
    expect(boxes.d!.errors).toEqual([]); // d never talked to b
    expect(net.stats.resets).toBe(2);
  });

  it("sends no reset for a power loss, nor across a partition", () => {
    const { s, net, boxes } = setup(["a", "b", "c"], { link: { baseDelayMs: 10, jitterMs: 0 } });
    net.send("a", "b", { seq: 1 });
    net.send("a", "c", { seq: 2 });
    s.call(20, "cut a from c, power off b, crash c", () => {
      net.partition(["a"], ["c"]);
      boxes.b!.up = false;
      boxes.b!.powered = false;
      net.processEnded("b", "silent");
      boxes.c!.up = false;
      net.processEnded("c", "reset");
    });
    s.runUntilQuiet();
    expect(boxes.a!.errors).toEqual([]);
    expect(net.stats.resets).toBe(0);
  });

  it("does not reset a peer that restarted meanwhile (its connections are gone too)", () => {
    const { s, net, boxes } = setup(["a", "b"], { link: { baseDelayMs: 10, jitterMs: 0 } });
    net.send("a", "b", { seq: 1 });
    s.call(20, "crash b", () => {
      boxes.b!.up = false;
      net.processEnded("b", "reset");
    });
    s.call(25, "a restarts", () => {
      boxes.a!.incarnation++;
    });
    s.runUntilQuiet();
    expect(boxes.a!.errors).toEqual([]);
  });

  it("still delivers a message whose sender crashed after sending (it was on the wire)", () => {
    const { s, net, boxes } = setup(["a", "b"], { link: { baseDelayMs: 10, jitterMs: 0 } });
    net.send("a", "b", { seq: 1 });
    boxes.a!.up = false;
    s.runUntilQuiet();
    expect(seqs(boxes.b!)).toEqual([1]);
  });
});

describe("Network copies messages", () => {
  for (const copy of ["structured", "fast"] as const) {
    it(`delivers a copy taken at send time (${copy})`, () => {
      const { s, net, boxes } = setup(["a", "b"], { copy });
      const msg = { seq: 1, bytes: new Uint8Array([1, 2, 3]), nested: { list: [1, 2] } };
      net.send("a", "b", msg);
      msg.seq = 99;
      msg.bytes[0] = 42;
      msg.nested.list.push(3);
      s.runUntilQuiet();
      const got = boxes.b!.got[0]!.message as typeof msg;
      expect(got).not.toBe(msg);
      expect(got.seq).toBe(1);
      expect([...got.bytes]).toEqual([1, 2, 3]);
      expect(got.nested.list).toEqual([1, 2]);
    });
  }

  it("copyPlainData agrees with structuredClone on JSON-like data and byte arrays (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.uint8Array({ maxLength: 20 }), (json, bytes) => {
        const v = { json, bytes, n: 10n, m: new Map([["k", [1]]]), s: new Set([1, 2]) };
        expect(copyPlainData(v)).toEqual(structuredClone(v));
      }),
    );
  });

  it("regression (property run above): an own __proto__ key is copied as a key, not as the prototype", () => {
    const v = JSON.parse('{"__proto__": false, "a": {"__proto__": {"x": 1}}}') as unknown;
    const copied = copyPlainData(v) as Record<string, unknown>;
    expect(copied).toEqual(structuredClone(v));
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect(Object.keys(copied)).toEqual(["__proto__", "a"]);
  });

  it("copyPlainData turns class instances into plain objects and rejects functions and cycles", () => {
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
    }
    const copied = copyPlainData(new Point(1, 2));
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect(copied).toEqual({ x: 1, y: 2 });
    expect(() => copyPlainData({ f: () => 1 })).toThrow(/holding a function/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => copyPlainData(cyclic)).toThrow(/nested deeper than 64 levels/);
  });

  it("summarizes protocol envelopes and typed messages for the trace", () => {
    expect(
      summarizeMessage({ kind: "request", api: "Produce", correlationId: 3, clientId: "p", body: {} }),
    ).toBe("Produce request #3");
    expect(summarizeMessage({ type: "ping" })).toBe("ping");
    expect(summarizeMessage("x".repeat(50))).toBe(`${"x".repeat(37)}...`);
    expect(summarizeMessage(7)).toBe("7");
  });
});
