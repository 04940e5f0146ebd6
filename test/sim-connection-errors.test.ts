/**
 * Connection-level errors end to end: the network's resets and refusals (src/sim/network.ts)
 * reach the request layers (NetworkClient, the broker's OutboundRequests, Raft) as Kafka's
 * DisconnectException does, while power loss and partitions stay silent (timeouts only).
 */
import { describe, expect, it } from "vitest";
import { World } from "../src/sim/world";
import type { ConnectionError, NodeContext, NodeId, NodeProcess, TimerId } from "../src/sim/process";
import { DisconnectError, NetworkClient, RequestTimeoutError } from "../src/client/network-client";
import { OutboundRequests } from "../src/broker/outbound";
import { electionBackoffMs } from "../src/controller/raft-election";
import { isRequest, type RequestEnvelope } from "../src/protocol/api";

/** Answers every request after `holdMs` (so requests stay in flight long enough to be reset). */
class SlowServer implements NodeProcess {
  private ctx!: NodeContext;
  private readonly held = new Map<TimerId, { from: NodeId; req: RequestEnvelope }>();
  constructor(private readonly holdMs: number) {}
  start(ctx: NodeContext): void {
    this.ctx = ctx;
  }
  onMessage(from: NodeId, message: unknown): void {
    if (!isRequest(message)) return;
    this.held.set(this.ctx.setTimer(this.holdMs, "answer"), { from, req: message });
  }
  onTimer(_tag: string, id: TimerId): void {
    const h = this.held.get(id);
    if (h === undefined) return;
    this.held.delete(id);
    this.ctx.send(h.from, {
      kind: "response",
      api: h.req.api,
      correlationId: h.req.correlationId,
      body: "ok",
    });
  }
}

function world(): World {
  return new World({ seed: 11, network: { link: { baseDelayMs: 2, jitterMs: 0 } } });
}

/** Run one request from a client at `atMs`; resolve with [outcome, virtual time it settled]. */
function requestAt(
  w: World,
  atMs: number,
  node: NodeId,
  timeoutMs = 30_000,
): { result: () => [string, number] | undefined } {
  let out: [string, number] | undefined;
  w.at(atMs, "request", () => {
    w.spawn(`client-${atMs}`, async (ctx) => {
      const net = new NetworkClient(ctx, { clientId: "c" });
      try {
        await net.request(node, "Metadata", {}, { timeoutMs });
        out = ["ok", ctx.now()];
      } catch (e) {
        out = [
          e instanceof DisconnectError
            ? "disconnect"
            : e instanceof RequestTimeoutError
              ? "timeout"
              : "other",
          ctx.now(),
        ];
      }
    });
  });
  return { result: () => out };
}

describe("connection errors reach the client at once when a process dies", () => {
  it("crash (process dies, machine up): the request in flight fails with a disconnect one link delay later", async () => {
    const w = world();
    w.addNode("b1", () => new SlowServer(1000));
    const r = requestAt(w, 0, "b1");
    w.at(100, "crash b1", () => w.crash("b1"));
    await w.runUntil(40_000);
    expect(r.result()).toEqual(["disconnect", 102]);
    expect(w.network.stats.resets).toBe(1);
    expect(w.trace.events.some((e) => e.kind === "conn-reset" && e.node === "client-0")).toBe(true);
  });

  it("a request to a crashed node is refused at once; a restarted node answers", async () => {
    const w = world();
    w.addNode("b1", () => new SlowServer(10));
    w.at(1, "crash b1", () => w.crash("b1"));
    const refused = requestAt(w, 50, "b1");
    w.at(200, "start b1", () => w.start("b1"));
    const later = requestAt(w, 300, "b1");
    await w.runUntil(40_000);
    expect(refused.result()).toEqual(["disconnect", 52]);
    expect(later.result()).toEqual(["ok", 314]);
    expect(w.network.stats.refused).toBe(1);
  });

  it("restart (crash + start at once): the old incarnation's requests fail, the new one serves", async () => {
    const w = world();
    w.addNode("b1", () => new SlowServer(1000));
    const r = requestAt(w, 0, "b1");
    w.at(100, "restart b1", () => w.restart("b1"));
    await w.runUntil(40_000);
    expect(r.result()).toEqual(["disconnect", 102]);
  });

  it("orderly stop closes connections too", async () => {
    const w = world();
    w.addNode("b1", () => new SlowServer(1000));
    const r = requestAt(w, 0, "b1");
    w.at(100, "stop b1", () => w.stop("b1"));
    await w.runUntil(40_000);
    expect(r.result()).toEqual(["disconnect", 102]);
  });
});

describe("silent failures are noticed by timeout only", () => {
  it("power loss: no reset, the request times out; later requests are dropped, not refused", async () => {
    const w = world();
    w.addNode("b1", () => new SlowServer(1000));
    const r = requestAt(w, 0, "b1", 5000);
    w.at(100, "power off b1", () => w.powerLoss("b1"));
    const after = requestAt(w, 200, "b1", 5000);
    await w.runUntil(40_000);
    expect(r.result()).toEqual(["timeout", 5000]);
    expect(after.result()).toEqual(["timeout", 5200]);
    expect(w.network.stats.resets).toBe(0);
    expect(w.network.stats.refused).toBe(0);
  });

  it("a crash behind a partition sends no reset; an isolated node is not refused either", async () => {
    const w = world();
    w.addNode("b1", () => new SlowServer(1000));
    const r = requestAt(w, 0, "b1", 5000);
    w.at(50, "isolate b1", () => w.network.isolate("b1"));
    w.at(100, "crash b1", () => w.crash("b1"));
    const after = requestAt(w, 200, "b1", 5000);
    await w.runUntil(40_000);
    expect(r.result()).toEqual(["timeout", 5000]);
    expect(after.result()).toEqual(["timeout", 5200]);
  });
});

describe("NetworkClient reconnect backoff (reconnect.backoff.ms)", () => {
  it("after a refusal, the next request to that node waits 50 ms, then 100 ms, before going out", async () => {
    const w = world();
    w.addNode("b1", () => new SlowServer(10));
    w.at(1, "crash b1", () => w.crash("b1"));
    const times: [string, number][] = [];
    w.at(10, "client", () => {
      w.spawn("c", async (ctx) => {
        const net = new NetworkClient(ctx, { clientId: "c" });
        for (let i = 0; i < 3; i++) {
          try {
            await net.request("b1", "Metadata", {});
            times.push(["ok", ctx.now()]);
          } catch (e) {
            times.push([(e as Error).name, ctx.now()]);
          }
        }
      });
    });
    await w.runUntil(10_000);
    // Refused after one link delay (12); the retry waits 50 ms (sent at 62, refused at 64);
    // the third waits 100 ms (sent at 164, refused at 166).
    expect(times).toEqual([
      ["DisconnectError", 12],
      ["DisconnectError", 64],
      ["DisconnectError", 166],
    ]);
  });
});

describe("broker OutboundRequests", () => {
  function outbound(nowMs: () => number) {
    const sent: RequestEnvelope[] = [];
    let id = 100;
    const o = new OutboundRequests({
      clientId: "1",
      send: (_to, m) => sent.push(m as RequestEnvelope),
      schedule: () => () => {},
      nextCorrelationId: () => id++,
      now: nowMs,
    });
    return { o, sent };
  }

  it("a reset fails the requests to that peer sent at or before it, with 'disconnect'", () => {
    let now = 0;
    const { o } = outbound(() => now);
    const got: string[] = [];
    o.send("b2", "Fetch", {}, 30_000, (res, failure) => got.push(`a:${String(res)}:${failure}`));
    o.send("b3", "Fetch", {}, 30_000, (res, failure) => got.push(`b:${String(res)}:${failure}`));
    now = 20;
    o.send("b2", "Fetch", {}, 30_000, (res, failure) => got.push(`c:${String(res)}:${failure}`));
    const reset: ConnectionError = { kind: "reset", atMs: 10 };
    expect(o.onConnectionError("b2", reset)).toBe(1);
    expect(got).toEqual(["a:undefined:disconnect"]);
    expect(o.inFlight).toBe(2);
  });

  it("a refusal fails exactly the refused request", () => {
    const { o, sent } = outbound(() => 0);
    const got: string[] = [];
    o.send("b2", "Fetch", {}, 30_000, (_r, failure) => got.push(`a:${failure}`));
    o.send("b2", "AlterPartition", {}, 30_000, (_r, failure) => got.push(`b:${failure}`));
    expect(o.onConnectionError("b2", { kind: "refused", message: sent[1], sentAtMs: 0 })).toBe(1);
    expect(got).toEqual(["b:disconnect"]);
    expect(o.onConnectionError("b3", { kind: "refused", message: sent[0], sentAtMs: 0 })).toBe(0);
  });
});

describe("KRaft binary exponential election backoff (KafkaRaftClient)", () => {
  const fixed = (k: number) => ({ int: (n: number) => Math.min(k, n - 1) });

  it("waits 100 ms × a random int in [0, 2^retries), capped at election.backoff.max.ms", () => {
    expect(electionBackoffMs(1, 1000, fixed(99))).toBe(100); // slots {0, 1}
    expect(electionBackoffMs(2, 1000, fixed(99))).toBe(300); // slots 0..3
    expect(electionBackoffMs(3, 1000, fixed(99))).toBe(700);
    expect(electionBackoffMs(4, 1000, fixed(99))).toBe(1000); // 1500 capped
    expect(electionBackoffMs(40, 1000, fixed(0))).toBe(0);
    expect(() => electionBackoffMs(0, 1000, fixed(0))).toThrow(/retries 0 is not ≥ 1/);
  });

  it("asks the rng for 2^min(20, retries) slots", () => {
    const asked: number[] = [];
    const rng = { int: (n: number) => (asked.push(n), 0) };
    for (const r of [1, 2, 3, 21, 30]) electionBackoffMs(r, 1000, rng);
    expect(asked).toEqual([2, 4, 8, 2 ** 21, 2 ** 21]);
  });
});
