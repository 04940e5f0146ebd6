import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  Nemesis,
  World,
  installNemesis,
  type NemesisOptions,
  type NemesisStep,
  type NodeProcess,
} from "../src/sim";

const idle = (): NodeProcess => ({ start: () => {}, onMessage: () => {}, onTimer: () => {} });

function world(seed: number, n = 5): World {
  const w = new World({ seed });
  for (let i = 1; i <= n; i++) w.addNode(`b${i}`, idle);
  return w;
}

const ALL_FAULTS: NemesisOptions["mix"] = {
  crash: 1,
  "crash-leader": 1,
  "power-loss": 1,
  isolate: 1,
  "isolate-one-way": 1,
  slow: 1,
};

/** Largest number of node-impairing fault windows that overlap at any instant of the plan. */
function maxOverlap(steps: readonly NemesisStep[]): number {
  const faults = steps.filter((s) => s.untilMs !== undefined && s.action !== "slow");
  let max = 0;
  for (const f of faults) {
    const at = f.atMs;
    const overlapping = faults.filter((g) => g.atMs <= at && g.untilMs! > at);
    const weight = overlapping.reduce((sum, g) => sum + (g.action === "power-loss-all" ? 5 : 1), 0);
    max = Math.max(max, weight);
  }
  return max;
}

describe("Nemesis plan", () => {
  it("is a function of the seed, stays in the fault phase and ends with the quiet phase", () => {
    const a = new Nemesis(world(9), { faultPhaseEndMs: 60_000, mix: ALL_FAULTS, leader: () => "b1" });
    const b = new Nemesis(world(9), { faultPhaseEndMs: 60_000, mix: ALL_FAULTS, leader: () => "b1" });
    const c = new Nemesis(world(10), { faultPhaseEndMs: 60_000, mix: ALL_FAULTS, leader: () => "b1" });
    expect(b.steps).toEqual(a.steps);
    expect(c.steps).not.toEqual(a.steps);
    expect(a.steps.length).toBeGreaterThan(10);
    const last = a.steps[a.steps.length - 1]!;
    expect(last).toMatchObject({ action: "quiet", atMs: 60_000 });
    for (const s of a.steps) {
      expect(s.atMs).toBeGreaterThanOrEqual(1000);
      expect(s.atMs).toBeLessThanOrEqual(60_000);
    }
    const used = new Set(a.steps.map((s) => s.action));
    for (const k of [
      "crash",
      "crash-leader",
      "power-loss",
      "isolate",
      "isolate-one-way",
      "slow",
      "recover",
    ]) {
      expect(used).toContain(k);
    }
  });

  it("never plans more than maxNodesDown impaired nodes at once (property)", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 3 }), (seed, maxNodesDown) => {
        const n = new Nemesis(world(seed), {
          faultPhaseEndMs: 30_000,
          meanIntervalMs: 500,
          mix: ALL_FAULTS,
          leader: () => "b1",
          maxNodesDown,
        });
        expect(maxOverlap(n.steps)).toBeLessThanOrEqual(maxNodesDown);
        // Every fault has exactly one recover step at its untilMs.
        for (const s of n.steps.filter((x) => x.untilMs !== undefined)) {
          const r = n.steps.filter((x) => x.recovers === s.id);
          expect(r).toEqual([expect.objectContaining({ atMs: s.untilMs })]);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("prints as a readable schedule", () => {
    const n = new Nemesis(world(1, 3), { faultPhaseEndMs: 10_000, mix: ALL_FAULTS, leader: () => "b1" });
    const text = n.format();
    expect(text.split("\n")[0]).toBe(
      "nemesis (seed=1): faults t=1.000s–t=10.000s, at most 1 of 3 nodes down, then quiet",
    );
    expect(text).toMatch(
      /^ {2}t=\d+\.\d{3}s {2}#\d+ (crash|crash-leader|power-loss|isolate|isolate-one-way|slow) /m,
    );
    expect(text.trimEnd().split("\n").pop()).toBe(
      "  t=10.000s  quiet: heal partitions, restore slow nodes, restart down nodes",
    );
  });

  it("rejects impossible options with clear errors", () => {
    expect(() => new Nemesis(world(1, 3), { faultPhaseEndMs: 10_000, mix: { "crash-leader": 1 } })).toThrow(
      /options.leader is missing/,
    );
    expect(() => new Nemesis(world(1, 3), { faultPhaseEndMs: 10_000, mix: { "power-loss-all": 1 } })).toThrow(
      /maxNodesDown is 1, below the 3 nodes/,
    );
    expect(() => new Nemesis(world(1, 3), { startMs: 5000, faultPhaseEndMs: 1000 })).toThrow(
      /before startMs/,
    );
  });
});

describe("Nemesis at run time", () => {
  it("keeps at most maxNodesDown nodes down, and after the quiet phase everything is up and healed", async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const w = world(seed);
      installNemesis(w, {
        faultPhaseEndMs: 20_000,
        meanIntervalMs: 300,
        mix: ALL_FAULTS,
        leader: () => "b2",
        maxNodesDown: 2,
      });
      let worst = 0;
      const probe = () => {
        worst = Math.max(worst, w.serverIds().filter((id) => !w.isUp(id)).length);
        if (w.now() < 25_000) w.after(5, "probe", probe);
      };
      w.after(0, "probe", probe);
      await w.runUntil(25_000);
      expect(worst).toBeLessThanOrEqual(2);
      expect(worst).toBeGreaterThan(0);
      for (const a of w.serverIds()) {
        expect(w.isUp(a)).toBe(true);
        expect(w.network.slownessOf(a)).toBe(0);
        for (const b of w.serverIds()) expect(w.network.isCut(a, b)).toBe(false);
      }
      const after = w.trace.events.filter((e) => e.t > 20_000 && (e.cat === "node" || e.cat === "fault"));
      expect(after).toEqual([]);
    }
  });

  it("crash-leader crashes the node the scenario's callback names when the step fires", async () => {
    const w = world(3, 3);
    let leader = "b3";
    w.at(5000, "leader moves", () => (leader = "b2"));
    const n = installNemesis(w, {
      faultPhaseEndMs: 20_000,
      mix: { "crash-leader": 1 },
      leader: () => leader,
      durationMs: { min: 100, max: 200 },
    });
    await w.runUntil(21_000);
    const crashes = w.trace.events.filter((e) => e.cat === "node" && e.kind === "crash");
    const planned = n.steps.filter((s) => s.action === "crash-leader");
    expect(crashes.length).toBe(planned.length);
    for (const c of crashes) expect(c.node).toBe(c.t < 5000 ? "b3" : "b2");
  });

  it("skips a step whose target is already down, and traces the skip", async () => {
    const w = world(3, 3);
    w.crash("b1");
    installNemesis(w, {
      nodes: ["b1", "b2", "b3"],
      faultPhaseEndMs: 10_000,
      mix: { "crash-leader": 1 },
      leader: () => "b1",
      maxNodesDown: 2,
    });
    await w.runUntil(9_999);
    const skips = w.trace.events.filter((e) => e.kind === "skip");
    expect(skips.length).toBeGreaterThan(0);
    expect(skips[0]).toMatchObject({ cat: "nemesis", reason: "b1 is already down or isolated" });
    await w.runUntil(10_000);
    expect(w.isUp("b1")).toBe(true); // the quiet phase restarts it
  });

  it("power-loss-all takes every node down at once and brings them back", async () => {
    const w = world(11, 3);
    for (const id of w.serverIds()) w.disk(id).append("unsynced", new Uint8Array(8));
    const n = installNemesis(w, {
      faultPhaseEndMs: 5_000,
      mix: { "power-loss-all": 1 },
      maxNodesDown: 3,
      durationMs: { min: 200, max: 200 },
    });
    const first = n.steps.find((s) => s.action === "power-loss-all")!;
    await w.runUntil(first.atMs);
    expect(w.serverIds().map((id) => w.isUp(id))).toEqual([false, false, false]);
    expect(w.serverIds().map((id) => w.disk(id).exists("unsynced"))).toEqual([false, false, false]);
    await w.runUntil(first.untilMs!);
    expect(w.serverIds().map((id) => w.isUp(id))).toEqual([true, true, true]);
  });

  it("records its schedule in the trace", async () => {
    const w = world(2, 3);
    const n = installNemesis(w, { faultPhaseEndMs: 10_000 });
    const ev = w.trace.events.find((e) => e.cat === "nemesis" && e.kind === "schedule")!;
    expect(ev.steps).toEqual(n.steps);
    expect(() => n.install()).toThrow(/twice/);
  });
});
