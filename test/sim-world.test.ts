import { describe, expect, it } from "vitest";
import { SETTLE_TURNS_MAX, World } from "../src/sim/world";
import type { ClientContext, NodeContext, NodeId, NodeProcess, TimerId } from "../src/sim/process";
import { EchoProcess, RpcClient } from "./sim-fixtures";

/** Records everything that happens to it, for lifecycle tests. */
class Recorder implements NodeProcess {
  static log: string[] = [];
  ctx!: NodeContext;
  constructor(readonly id: NodeId) {}
  start(ctx: NodeContext): void {
    this.ctx = ctx;
    Recorder.log.push(`${ctx.now()} ${this.id} start`);
  }
  onMessage(from: NodeId, message: unknown): void {
    Recorder.log.push(`${this.ctx.now()} ${this.id} msg ${JSON.stringify(message)} from ${from}`);
  }
  onTimer(tag: string, _id: TimerId): void {
    Recorder.log.push(`${this.ctx.now()} ${this.id} timer ${tag}`);
  }
  stop(): void {
    Recorder.log.push(`${this.ctx.now()} ${this.id} stop`);
  }
}

function newWorld(seed = 1) {
  Recorder.log = [];
  return new World({ seed, network: { link: { baseDelayMs: 1, jitterMs: 0 } } });
}

describe("World node lifecycle", () => {
  it("starts a node with a context and delivers messages and timers to it", async () => {
    const w = newWorld();
    w.addNode("n1", (id) => new Recorder(id));
    w.addNode("n2", (id) => new Recorder(id));
    const n1 = w.processOf<Recorder>("n1")!;
    n1.ctx.setTimer(5, "tick");
    n1.ctx.send("n2", { hello: 1 });
    await w.runUntilQuiet();
    expect(Recorder.log).toEqual([
      "0 n1 start",
      "0 n2 start",
      '1 n2 msg {"hello":1} from n1',
      "5 n1 timer tick",
    ]);
    expect(w.nodeInfo("n1")).toEqual({ id: "n1", kind: "server", up: true, incarnation: 1 });
  });

  it("a crash cancels the incarnation's timers: stale timers never fire, even after a restart", async () => {
    const w = newWorld();
    w.addNode("n1", (id) => new Recorder(id));
    const old = w.processOf<Recorder>("n1")!;
    old.ctx.setTimer(100, "old");
    w.at(50, "crash", () => w.crash("n1"));
    w.at(60, "restart", () => {
      w.start("n1");
      w.processOf<Recorder>("n1")!.ctx.setTimer(100, "new");
      // The dead incarnation's context can still be called; nothing it does has an effect.
      old.ctx.setTimer(10, "stale");
      old.ctx.send("n1", "stale message");
    });
    await w.runUntilQuiet();
    expect(Recorder.log).toEqual(["0 n1 start", "60 n1 start", "160 n1 timer new"]);
    expect(w.nodeInfo("n1").incarnation).toBe(2);
    expect(w.processOf("n1")).not.toBe(old);
  });

  it("drops messages in flight to a node that crashed, even if it restarted before they arrived", async () => {
    const w = newWorld();
    w.network.setDefaultLink({ baseDelayMs: 10 });
    w.addNode("a", (id) => new Recorder(id));
    w.addNode("b", (id) => new Recorder(id));
    w.processOf<Recorder>("a")!.ctx.send("b", "in flight");
    w.at(3, "crash b", () => w.crash("b"));
    w.at(5, "start b", () => w.start("b"));
    w.at(6, "send again", () => w.processOf<Recorder>("a")!.ctx.send("b", "after restart"));
    await w.runUntilQuiet();
    expect(Recorder.log.filter((l) => l.includes("msg"))).toEqual(['16 b msg "after restart" from a']);
    expect(w.network.stats.dropped["receiver-restarted"]).toBe(1);
  });

  it("crash keeps the disk's page cache; power loss drops what was not fsynced", async () => {
    const w = newWorld();
    w.addNode("n1", (id) => new Recorder(id));
    const disk = w.disk("n1");
    disk.append("data.log", new Uint8Array([1, 2, 3]));
    disk.fsync("data.log");
    disk.fsyncDir("");
    disk.append("data.log", new Uint8Array([4, 5]));
    w.crash("n1");
    expect(disk.size("data.log")).toBe(5);
    w.start("n1");
    w.powerLoss("n1", "lose");
    expect(w.isUp("n1")).toBe(false);
    expect(disk.size("data.log")).toBe(3);
    w.start("n1");
    expect(w.processOf("n1")!).toBeDefined();
    const kinds = w.trace.events
      .filter((e) => e.cat === "node" || e.cat === "disk")
      .map((e) => `${e.node} ${e.kind}`);
    expect(kinds).toEqual([
      "n1 start",
      "n1 crash",
      "n1 disk.crash",
      "n1 start",
      "n1 power-loss",
      "n1 disk.powerLoss",
      "n1 start",
    ]);
  });

  it("powerLossAll hits every node's disk, also the disks of nodes already down", () => {
    const w = newWorld();
    for (const id of ["a", "b"]) {
      w.addNode(id, (n) => new Recorder(n));
      w.disk(id).append("f", new Uint8Array(10));
    }
    w.crash("b");
    w.powerLossAll("lose");
    expect(w.disk("a").exists("f")).toBe(false);
    expect(w.disk("b").exists("f")).toBe(false);
    expect([w.isUp("a"), w.isUp("b")]).toEqual([false, false]);
  });

  it("stop calls process.stop before the node goes down; restart makes a new incarnation", async () => {
    const w = newWorld();
    w.addNode("n1", (id) => new Recorder(id));
    w.at(10, "stop", () => w.stop("n1"));
    w.at(20, "start", () => w.start("n1"));
    w.at(30, "restart", () => w.restart("n1"));
    await w.runUntilQuiet();
    expect(Recorder.log).toEqual(["0 n1 start", "10 n1 stop", "20 n1 start", "30 n1 start"]);
    expect(w.nodeInfo("n1").incarnation).toBe(3);
    expect(w.crash("n1")).toBe(true);
    expect(w.crash("n1")).toBe(false);
  });

  it("reports a throwing handler with node, handler, message, virtual time and seed", async () => {
    const w = newWorld(77);
    w.addNode("n1", () => ({
      start: () => {},
      onMessage: () => {
        throw new Error("boom");
      },
      onTimer: () => {},
    }));
    w.addNode("n2", (id) => new Recorder(id));
    w.processOf<Recorder>("n2")!.ctx.send("n1", { type: "ping" });
    await expect(w.runUntilQuiet()).rejects.toThrow(
      'Node "n1" (incarnation 1) threw in onMessage(ping from n2) at t=0.001s (seed=77): boom',
    );
    await expect(w.runUntilQuiet()).rejects.toThrow(/boom/); // the world stays failed
  });

  it("rejects duplicate and reserved names, and unknown nodes", () => {
    const w = newWorld();
    w.addNode("n1", (id) => new Recorder(id));
    expect(() => w.addNode("n1", (id) => new Recorder(id))).toThrow(/name is taken/);
    expect(() => w.addNode("nemesis", (id) => new Recorder(id))).toThrow(/reserved/);
    expect(() => w.crash("zz")).toThrow(/No server node "zz"/);
  });

  it("stops a livelock with the event budget", async () => {
    const w = new World({ seed: 1, eventBudget: 500 });
    w.addNode("spin", () => {
      let ctx: NodeContext;
      return {
        start: (c) => {
          ctx = c;
          ctx.setTimer(0, "again");
        },
        onMessage: () => {},
        onTimer: () => void ctx.setTimer(0, "again"),
      };
    });
    await expect(w.runUntilQuiet()).rejects.toThrow(
      /^event budget of 500 exhausted at t=0.000s: likely a livelock; last events:\n {2}t=0.000s timer spin "again" #\d+/,
    );
  });
});

describe("World async clients", () => {
  it("sleeps resume at their virtual times, interleaved deterministically with other tasks", async () => {
    const w = newWorld();
    const log: string[] = [];
    for (const [name, step] of [
      ["fast", 3],
      ["slow", 5],
    ] as const) {
      w.spawn(name, async (ctx) => {
        for (let i = 0; i < 4; i++) {
          await ctx.sleep(step);
          log.push(`${ctx.now()} ${name}`);
        }
      });
    }
    const r = await w.runUntilTasksDone();
    expect(r.reason).toBe("condition");
    expect(log).toEqual(["3 fast", "5 slow", "6 fast", "9 fast", "10 slow", "12 fast", "15 slow", "20 slow"]);
    expect(w.tasks().map((t) => t.state)).toEqual(["done", "done"]);
  });

  it("request/response with timeouts: responses and timers interleave at the right virtual times", async () => {
    const w = newWorld();
    w.network.setDefaultLink({ baseDelayMs: 2 });
    w.addNode("echo", () => new EchoProcess());
    const log: string[] = [];
    w.spawn("client", async (ctx) => {
      const rpc = new RpcClient(ctx);
      const p1 = await rpc.ping("echo", 100);
      log.push(`${ctx.now()} got ${p1?.seq}`);
      await ctx.sleep(10);
      log.push(`${ctx.now()} slept`);
      w.network.isolate("echo");
      const p2 = await rpc.ping("echo", 50);
      log.push(`${ctx.now()} got ${p2?.seq ?? "timeout"}`);
      w.network.heal();
      const p3 = await rpc.ping("echo", 50);
      log.push(`${ctx.now()} got ${p3?.seq}`);
    });
    await w.runUntilTasksDone();
    expect(log).toEqual(["4 got 1", "14 slept", "64 got timeout", "68 got 3"]);
  });

  function deepChainWorld(microtaskIdleTurns?: number) {
    // A node ticks every 0.5 ms, so a continuation that slipped past the next event would read a later now().
    const w = new World({ seed: 1, microtaskIdleTurns });
    w.addNode("ticker", () => {
      let ctx: NodeContext;
      return {
        start: (c) => void (ctx = c).setTimer(0.5, "tick"),
        onMessage: () => {},
        onTimer: () => void ctx.setTimer(0.5, "tick"),
      };
    });
    const seen: number[] = [];
    async function nested(ctx: ClientContext, depth: number): Promise<number> {
      if (depth === 0) {
        await ctx.sleep(7.25);
        return 0;
      }
      const r = await nested(ctx, depth - 1);
      await Promise.resolve();
      return r + 1;
    }
    w.spawn("deep", async (ctx) => {
      for (let i = 0; i < 3; i++) {
        await nested(ctx, 25);
        seen.push(ctx.now());
      }
    });
    return { w, seen };
  }

  it("a deep chain of awaits still resumes at the virtual time of the event that woke it", async () => {
    const { w, seen } = deepChainWorld();
    await w.runUntil(100);
    expect(seen).toEqual([7.25, 14.5, 21.75]);
  });

  it("with too few idle turns the same chain resumes late (at a later drain), but deterministically", async () => {
    const runs: number[][] = [];
    for (let i = 0; i < 2; i++) {
      const { w, seen } = deepChainWorld(2);
      await w.runUntil(100);
      runs.push(seen);
    }
    expect(runs[0]).not.toEqual([7.25, 14.5, 21.75]);
    expect(runs[1]).toEqual(runs[0]);
  });

  it("a failing task fails the run with its name, virtual time and seed (no unhandled rejection)", async () => {
    const w = new World({ seed: 5 });
    w.spawn("bad", async (ctx) => {
      await ctx.sleep(1500);
      throw new Error("acknowledged write lost");
    });
    await expect(w.runUntilQuiet()).rejects.toThrow(
      'Client "bad": task "bad" failed at t=1.500s (seed=5): acknowledged write lost',
    );
    expect(w.tasks()[0]!.state).toBe("failed");
    expect(w.trace.events.some((e) => e.kind === "task-failed")).toBe(true);
  });

  it("a task that busy-waits on the virtual clock instead of sleeping is stopped with a clear error", async () => {
    const w = new World({ seed: 1 });
    w.spawn("spinner", async (ctx) => {
      // Polling now() never lets virtual time advance: the classic busy-wait bug.
      while (ctx.now() < 10) await null;
    });
    await expect(w.runUntilQuiet()).rejects.toThrow(
      `Client tasks kept running for ${SETTLE_TURNS_MAX} microtask turns at t=0.000s (seed=1)`,
    );
  });

  it("crashing a client kills its tasks and timers; a new spawn under the name is a new incarnation", async () => {
    const w = newWorld();
    w.addNode("n1", (id) => new Recorder(id));
    const log: string[] = [];
    let firstCtx: ClientContext | undefined;
    const first = w.spawn("c", async (ctx) => {
      firstCtx = ctx;
      ctx.spawn("background", async (c) => {
        await c.sleep(100);
        log.push("background woke");
      });
      await ctx.sleep(30);
      log.push("first woke");
    });
    w.at(10, "crash c", () => w.crash("c"));
    w.at(20, "respawn c", () => {
      w.spawn("c", async (ctx) => {
        ctx.send("n1", "from incarnation 2");
        log.push(`second started, alive=${ctx.alive}, old alive=${firstCtx!.alive}`);
        firstCtx!.send("n1", "from a dead incarnation");
      });
    });
    await w.runUntilQuiet();
    expect(log).toEqual(["second started, alive=true, old alive=false"]);
    expect(first.state).toBe("killed");
    expect(w.tasks().map((t) => `${t.name}:${t.state}`)).toEqual([
      "c:killed",
      "c/background:killed",
      "c:done",
    ]);
    expect(Recorder.log.filter((l) => l.includes("msg"))).toEqual(['21 n1 msg "from incarnation 2" from c']);
    expect(w.nodeInfo("c")).toEqual({ id: "c", kind: "client", up: true, incarnation: 2 });
  });

  it("messages to a client without a handler are traced as unhandled, not lost silently", async () => {
    const w = newWorld();
    w.addNode("n1", (id) => new Recorder(id));
    w.spawn("quiet", async (ctx) => {
      await ctx.sleep(50);
    });
    w.at(1, "send", () => w.processOf<Recorder>("n1")!.ctx.send("quiet", { type: "hello" }));
    await w.runUntilQuiet();
    expect(w.trace.events.find((e) => e.kind === "unhandled")).toMatchObject({
      node: "quiet",
      from: "n1",
      msg: "hello",
    });
  });

  it("runUntil a predicate with limitMs stops at whichever comes first", async () => {
    const w = newWorld();
    const t = w.spawn("sleeper", async (ctx) => {
      await ctx.sleep(500);
    });
    expect(await w.runUntilTasksDone({ limitMs: 100 })).toMatchObject({ reason: "time-limit", nowMs: 100 });
    expect(t.state).toBe("running");
    expect(await w.runUntilTasksDone({ limitMs: 1000 })).toMatchObject({ reason: "condition", nowMs: 500 });
  });

  it("refuses a second run call while one is in progress", async () => {
    const w = newWorld();
    w.spawn("sleeper", async (ctx) => {
      await ctx.sleep(10);
    });
    const first = w.runUntilQuiet();
    await expect(w.runUntilQuiet()).rejects.toThrow(/a previous run call has not finished/);
    await first;
  });

  it("runUntil a time limit leaves the clock at the limit with client sleeps still pending", async () => {
    const w = newWorld();
    let woke = false;
    w.spawn("sleeper", async (ctx) => {
      await ctx.sleep(1000);
      woke = true;
    });
    const r = await w.runUntil(999);
    expect(r).toMatchObject({ reason: "time-limit", nowMs: 999 });
    expect(woke).toBe(false);
    await w.runFor(1);
    expect(woke).toBe(true);
  });
});
