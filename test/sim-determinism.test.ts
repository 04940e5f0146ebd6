import { describe, expect, it } from "vitest";
import { World, formatTimeline, installNemesis } from "../src/sim";
import { EchoProcess, RpcClient } from "./sim-fixtures";

const NODES = ["b1", "b2", "b3"];

/**
 * A non-trivial run: three echo nodes that ping each other on random periods and answer after a
 * random think time, lossy jittery links, two async clients doing request/response with timeouts
 * and random think time, a scripted partition, crash/restart and slow node, and a nemesis.
 */
async function scenario(seed: number, copy: "structured" | "fast" = "structured"): Promise<World> {
  const w = new World({
    seed,
    network: { link: { baseDelayMs: 1, jitterMs: 4, lossProbability: 0.02 }, copy },
  });
  for (const id of NODES) {
    w.addNode(
      id,
      () =>
        new EchoProcess(
          NODES.filter((n) => n !== id),
          { thinkMaxMs: 3, pingEveryMs: 20 },
        ),
    );
  }
  for (const name of ["client-a", "client-b"]) {
    w.spawn(name, async (ctx) => {
      const rpc = new RpcClient(ctx);
      for (let i = 0; i < 40; i++) {
        const to = ctx.rng.pick(NODES);
        ctx.trace("ping-invoke", { to, i });
        const pong = await rpc.ping(to, 30);
        ctx.trace(pong === undefined ? "ping-info" : "ping-ok", { to, i });
        await ctx.sleep(ctx.rng.range(1, 10));
      }
    });
  }
  w.at(200, "isolate b2", () => w.network.isolate("b2"));
  w.at(350, "heal", () => w.network.heal());
  w.at(400, "crash b3", () => w.crash("b3"));
  w.at(450, "restart b3", () => w.start("b3"));
  w.at(500, "slow b1", () => w.network.slow("b1", 15));
  w.at(700, "unslow b1", () => w.network.slow("b1", 0));
  installNemesis(w, {
    startMs: 800,
    faultPhaseEndMs: 2500,
    meanIntervalMs: 200,
    durationMs: { min: 50, max: 300 },
    leader: () => NODES.find((n) => w.isUp(n)),
  });
  await w.runUntil(3000);
  return w;
}

describe("Simulation determinism", () => {
  it("the same seed gives the same trace, byte for byte", async () => {
    const a = await scenario(42);
    const b = await scenario(42);
    const json = a.trace.toJson();
    expect(b.trace.toJson()).toBe(json);
    // The run is non-trivial: every kind of fault and client operation shows up.
    const kinds = new Set(a.trace.events.map((e) => `${e.cat}:${e.kind}`));
    for (const k of [
      "net:deliver",
      "net:drop",
      "timer:timer",
      "timer:sleep",
      "node:crash",
      "node:start",
      "fault:isolate",
      "fault:slow",
      "nemesis:schedule",
      "app:ping-ok",
      "app:ping-info",
      "task:task-done",
    ]) {
      expect(kinds, k).toContain(k);
    }
    const reasons = new Set(a.trace.events.filter((e) => e.kind === "drop").map((e) => e.reason));
    expect([...reasons].sort()).toEqual(expect.arrayContaining(["loss", "partition"]));
    expect(a.tasks().every((t) => t.state === "done")).toBe(true);
    expect(a.trace.events.length).toBeGreaterThan(1000);
  });

  it("a different seed gives a different trace", async () => {
    const a = await scenario(42);
    const c = await scenario(43);
    expect(c.trace.toJson()).not.toBe(a.trace.toJson());
  });

  it("the fast copier gives the same trace as structuredClone", async () => {
    const a = await scenario(7, "structured");
    const b = await scenario(7, "fast");
    expect(b.trace.toJson()).toBe(a.trace.toJson());
  });

  it("the trace is JSON and the timeline shows faults with times in seconds", async () => {
    const a = await scenario(42);
    const parsed = JSON.parse(a.trace.toJson()) as { omitted: number; events: unknown[] };
    expect(parsed.events.length).toBe(a.trace.events.length);
    const timeline = formatTimeline(a.trace.events, { categories: ["node", "fault"] });
    expect(timeline).toMatch(/^t=0\.200s +b2 +isolate +id=\d+ direction=both$/m);
    expect(timeline).toMatch(/^t=0\.400s +b3 +crash +incarnation=1$/m);
  });
});
