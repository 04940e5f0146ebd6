/**
 * Small processes and clients used by the simulator tests (test/sim-*.test.ts) and the
 * simulator benchmark (bench/sim.bench.ts).
 */
import type { ClientContext, NodeContext, NodeId, NodeProcess, TimerId } from "../src/sim/process";

export interface Ping {
  type: "ping";
  seq: number;
  /** Who asked (a client request id or a node's own counter). */
  id: string;
}
export interface Pong {
  type: "pong";
  seq: number;
  id: string;
  by: NodeId;
}

/**
 * A server that answers every ping with a pong, optionally after a random think time drawn from
 * its own rng, and that pings its peers on a random period (so timers, rng and crashes matter).
 */
export class EchoProcess implements NodeProcess {
  ctx!: NodeContext;
  pongsReceived = 0;
  private pending = new Map<TimerId, { to: NodeId; ping: Ping }>();
  private seq = 0;

  constructor(
    readonly peers: readonly NodeId[] = [],
    readonly options: { thinkMaxMs?: number; pingEveryMs?: number } = {},
  ) {}

  start(ctx: NodeContext): void {
    this.ctx = ctx;
    ctx.trace("echo-start", { peers: this.peers.length });
    if (this.options.pingEveryMs !== undefined && this.peers.length > 0) this.schedulePing();
  }

  onMessage(from: NodeId, message: unknown): void {
    const m = message as Ping | Pong;
    if (m.type === "pong") {
      this.pongsReceived++;
      return;
    }
    const think = this.options.thinkMaxMs ?? 0;
    if (think === 0) {
      this.ctx.send(from, { type: "pong", seq: m.seq, id: m.id, by: this.ctx.nodeId } satisfies Pong);
      return;
    }
    const id = this.ctx.setTimer(this.ctx.rng.range(0, think), "reply");
    this.pending.set(id, { to: from, ping: m });
  }

  onTimer(tag: string, id: TimerId): void {
    if (tag === "reply") {
      const p = this.pending.get(id)!;
      this.pending.delete(id);
      this.ctx.send(p.to, {
        type: "pong",
        seq: p.ping.seq,
        id: p.ping.id,
        by: this.ctx.nodeId,
      } satisfies Pong);
    } else if (tag === "ping") {
      const to = this.ctx.rng.pick(this.peers);
      this.ctx.send(to, { type: "ping", seq: ++this.seq, id: this.ctx.nodeId } satisfies Ping);
      this.schedulePing();
    }
  }

  private schedulePing(): void {
    const every = this.options.pingEveryMs!;
    this.ctx.setTimer(this.ctx.rng.range(every / 2, every * 1.5), "ping");
  }
}

/**
 * A minimal async request/response client over a ClientContext, shaped like what the client
 * library will build: a correlation map of pending promises, settled by the message handler or
 * by a timeout timer.
 */
export class RpcClient {
  private readonly waiting = new Map<string, { resolve: (p: Pong | undefined) => void; timer: TimerId }>();
  private nextSeq = 0;

  constructor(readonly ctx: ClientContext) {
    ctx.onMessage((_from, message) => {
      const pong = message as Pong;
      const w = this.waiting.get(`${pong.seq}`);
      if (w === undefined) return; // a late answer to a request that timed out
      this.waiting.delete(`${pong.seq}`);
      ctx.cancelTimer(w.timer);
      w.resolve(pong);
    });
  }

  /** Ping `to`; resolves with the pong, or undefined after `timeoutMs`. */
  ping(to: NodeId, timeoutMs: number): Promise<Pong | undefined> {
    const seq = ++this.nextSeq;
    return new Promise((resolve) => {
      const timer = this.ctx.setTimer(timeoutMs, () => {
        this.waiting.delete(`${seq}`);
        resolve(undefined);
      });
      this.waiting.set(`${seq}`, { resolve, timer });
      this.ctx.send(to, { type: "ping", seq, id: this.ctx.nodeId } satisfies Ping);
    });
  }
}
