import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CallbackEvent, EventBudgetError, Scheduler, formatTimeS, roundTimeMs } from "../src/sim/scheduler";

describe("Scheduler ordering", () => {
  it("runs events by time, and events at the same time in scheduling order", () => {
    const s = new Scheduler();
    const order: string[] = [];
    for (const [t, name] of [
      [5, "a"],
      [1, "b"],
      [5, "c"],
      [3, "d"],
      [1, "e"],
      [0, "f"],
    ] as const) {
      s.call(t, name, () => order.push(name));
    }
    s.runUntilQuiet();
    expect(order).toEqual(["f", "b", "e", "d", "a", "c"]);
  });

  it("orders any schedule like a stable sort by time (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }), (times) => {
        const s = new Scheduler();
        const ran: number[] = [];
        times.forEach((t, i) => s.call(t, `e${i}`, () => ran.push(i)));
        s.runUntilQuiet();
        const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i);
        expect(ran).toEqual(expected.map((e) => e.i));
      }),
    );
  });

  it("keeps the order when events are scheduled from inside events (property, with cancels)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean(), fc.integer({ min: 0, max: 5 })), {
          maxLength: 200,
        }),
        (specs) => {
          // A reference model: a sorted list of (time, seq) with cancelled entries removed.
          const s = new Scheduler();
          const model: { t: number; seq: number; name: string; cancelled: boolean }[] = [];
          const ran: string[] = [];
          let seq = 0;
          const events: CallbackEvent[] = [];
          specs.forEach(([t, cancel, child], i) => {
            const name = `e${i}`;
            const entry = { t, seq: seq++, name, cancelled: false };
            model.push(entry);
            const ev = s.call(t, name, () => {
              ran.push(name);
              if (child > 0) s.call(s.now + child, `${name}.child`, () => ran.push(`${name}.child`));
            });
            events.push(ev);
            if (cancel) {
              s.cancel(ev);
              entry.cancelled = true;
            }
          });
          s.runUntilQuiet();
          // Children run after every parent at an earlier or equal time that was scheduled before them.
          const parents = ran.filter((n) => !n.endsWith(".child"));
          const expectedParents = model
            .filter((e) => !e.cancelled)
            .sort((a, b) => a.t - b.t || a.seq - b.seq)
            .map((e) => e.name);
          expect(parents).toEqual(expectedParents);
          expect(ran.length).toBe(
            expectedParents.length + expectedParents.filter((n) => specs[Number(n.slice(1))]![2] > 0).length,
          );
          let last = -1;
          for (const n of ran) {
            const base = Number(n.replace(".child", "").slice(1));
            const t = n.endsWith(".child") ? specs[base]![0] + specs[base]![2] : specs[base]![0];
            expect(t).toBeGreaterThanOrEqual(last);
            last = t;
          }
        },
      ),
    );
  });
});

describe("Scheduler clock", () => {
  it("sets now to each event's time and never moves back", () => {
    const s = new Scheduler();
    const seen: number[] = [];
    s.call(10, "x", () => seen.push(s.now));
    s.call(2.5, "y", () => seen.push(s.now));
    s.runUntilQuiet();
    expect(seen).toEqual([2.5, 10]);
    expect(s.now).toBe(10);
    expect(() => s.call(9, "past", () => {})).toThrow(
      /Cannot schedule "past" at t=0.009s: it is before now \(t=0.010s\)/,
    );
  });

  it("rounds times to 1 µs so that sums of delays stay clean", () => {
    expect(roundTimeMs(0.1 + 0.2)).toBe(0.3);
    const s = new Scheduler();
    let t = 0;
    for (let i = 0; i < 10; i++) t = roundTimeMs(t + 0.1);
    s.call(t, "x", () => {});
    s.runUntilQuiet();
    expect(s.now).toBe(1);
    expect(formatTimeS(1500)).toBe("t=1.500s");
    expect(formatTimeS(1500.25)).toBe("t=1.500250s");
  });

  it("runUntil a time limit runs events at the limit, leaves later ones and ends the clock at the limit", () => {
    const s = new Scheduler();
    const ran: number[] = [];
    for (const t of [1, 5, 10, 11]) s.call(t, `t${t}`, () => ran.push(t));
    const r = s.runUntil(10);
    expect(ran).toEqual([1, 5, 10]);
    expect(r).toEqual({ reason: "time-limit", events: 3, nowMs: 10 });
    const r2 = s.runUntil(100);
    expect(ran).toEqual([1, 5, 10, 11]);
    expect(r2).toEqual({ reason: "quiet", events: 1, nowMs: 11 });
  });

  it("runUntil a predicate stops as soon as it holds", () => {
    const s = new Scheduler();
    let count = 0;
    for (let i = 1; i <= 10; i++) s.call(i, `e${i}`, () => count++);
    const r = s.runUntil(() => count === 4);
    expect(r.reason).toBe("condition");
    expect(s.now).toBe(4);
    expect(s.pending).toBe(6);
  });

  it("cancel is idempotent and cancelling after the run does nothing", () => {
    const s = new Scheduler();
    let ran = 0;
    const a = s.call(1, "a", () => ran++);
    const b = s.call(2, "b", () => ran++);
    s.cancel(b);
    s.cancel(b);
    expect(s.pending).toBe(1);
    s.runUntilQuiet();
    s.cancel(a);
    expect(ran).toBe(1);
    expect(s.pending).toBe(0);
  });

  it("compacts many cancelled events without losing live ones", () => {
    const s = new Scheduler();
    const ran: number[] = [];
    const evs = Array.from({ length: 5000 }, (_, i) => s.call(i, `e${i}`, () => ran.push(i)));
    for (let i = 0; i < 5000; i++) if (i % 10 !== 0) s.cancel(evs[i]!);
    expect(s.pending).toBe(500);
    s.runUntilQuiet();
    expect(ran).toEqual(Array.from({ length: 500 }, (_, i) => i * 10));
  });

  it("refuses to schedule the same event object twice", () => {
    const s = new Scheduler();
    const ev = s.call(1, "once", () => {});
    expect(() => s.scheduleAt(2, ev)).toThrow(/already scheduled once/);
  });
});

describe("Scheduler event budget", () => {
  it("throws a clear livelock error naming the last events instead of hanging", () => {
    const s = new Scheduler();
    const spin = () => {
      s.call(s.now, "spin: reschedules itself at the same time", spin);
    };
    s.call(7, "start", spin);
    let err: unknown;
    try {
      s.runUntilQuiet(1000);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EventBudgetError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^event budget of 1000 exhausted at t=0.007s: likely a livelock; last events:/);
    expect(msg).toContain("t=0.007s spin: reschedules itself at the same time");
  });
});
