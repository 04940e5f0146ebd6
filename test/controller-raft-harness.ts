/**
 * A tiny deterministic message pump for Raft tests (not the project's simulator): voters with
 * in-memory "durable" state, a seeded network with delays, drops and partitions, crashes and
 * restarts, and a global check of state machine safety — no two nodes ever apply different
 * batches at the same offset, and a committed batch is never lost.
 *
 * Persistence follows the Ready contract exactly: quorum state and log are "durable" before the
 * Ready's messages leave, so a crash (which keeps durable state) can only lose in-memory state.
 */
import {
  RaftNode,
  DEFAULT_RAFT_TIMING,
  type RaftConfig,
  type Ready,
  type QuorumStateRecord,
} from "../src/controller/raft";
import type { RaftBatch } from "../src/controller/raft-messages";
import type { Envelope } from "../src/protocol/api";
import { SeededRng, type Rng } from "../src/sim/rng";

export interface Durable {
  quorumState: QuorumStateRecord | null;
  batches: RaftBatch<string>[];
}

interface InFlight {
  at: number;
  seq: number;
  from: string;
  to: string;
  message: Envelope;
}

export interface NetworkOptions {
  minDelayMs: number;
  maxDelayMs: number;
  dropRate: number;
}

export const addressOf = (id: number): string => `c${id}`;

export class RaftCluster {
  readonly ids: number[];
  readonly nodes = new Map<number, RaftNode<string> | null>();
  readonly durable = new Map<number, Durable>();
  /** Per node: what it applied, by offset (rebuilt after a restart by re-applying). */
  readonly applied = new Map<number, string[]>();
  /** The one batch each committed offset must hold everywhere. */
  readonly committed: string[] = [];
  now = 0;
  private seq = 0;
  private queue: InFlight[] = [];
  private readonly blocked = new Set<string>();
  readonly net: NetworkOptions;
  private readonly netRng: Rng;
  private readonly rngs: Rng;
  readonly config: Omit<RaftConfig, "nodeId">;
  /** Count of leaders seen per epoch (must stay ≤ 1 distinct). */
  readonly leadersByEpoch = new Map<number, Set<number>>();

  constructor(
    voterCount: number,
    seed: number,
    net: Partial<NetworkOptions> = {},
    timing: Partial<RaftConfig> = {},
  ) {
    this.ids = Array.from({ length: voterCount }, (_, i) => i + 1);
    this.net = { minDelayMs: 1, maxDelayMs: 10, dropRate: 0, ...net };
    const root = new SeededRng(seed);
    this.netRng = root.split("net");
    this.rngs = root.split("nodes");
    this.config = {
      ...DEFAULT_RAFT_TIMING,
      ...timing,
      clusterId: "test-cluster",
      voters: this.ids.map((id) => ({ id, address: addressOf(id) })),
    };
    for (const id of this.ids) {
      this.durable.set(id, { quorumState: null, batches: [] });
      this.start(id);
    }
  }

  node(id: number): RaftNode<string> {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`node ${id} is down`);
    return n;
  }

  start(id: number): void {
    const d = this.durable.get(id)!;
    const rng = this.rngs.split(`node-${id}-${this.now}`);
    const node = new RaftNode<string>({ ...this.config, nodeId: id }, rng, structuredClone(d), this.now);
    this.nodes.set(id, node);
    this.applied.set(id, []);
    this.drain(id);
  }

  crash(id: number): void {
    this.nodes.set(id, null);
    this.queue = this.queue.filter((m) => m.to !== addressOf(id));
  }

  /** Cut (or heal) the link between two nodes, both directions. */
  partition(a: number, b: number, cut = true): void {
    for (const key of [`${a}-${b}`, `${b}-${a}`]) {
      if (cut) this.blocked.add(key);
      else this.blocked.delete(key);
    }
  }

  isolate(id: number, cut = true): void {
    for (const other of this.ids) if (other !== id) this.partition(id, other, cut);
  }

  healAll(): void {
    this.blocked.clear();
  }

  propose(id: number, value: string): boolean {
    const r = this.node(id).propose([value]);
    this.drain(id);
    return r.ok;
  }

  leaders(): number[] {
    return this.ids.filter((id) => this.nodes.get(id)?.role === "leader");
  }

  /** The leader with the highest epoch, if any. */
  leader(): number | undefined {
    let best: number | undefined;
    for (const id of this.leaders())
      if (best === undefined || this.node(id).currentEpoch > this.node(best).currentEpoch) best = id;
    return best;
  }

  /** Run until `untilMs`, ticking each live node every `tickMs` and delivering messages in time order. */
  runUntil(untilMs: number, tickMs = 10): void {
    while (this.now < untilMs) {
      const nextTick = Math.min(untilMs, (Math.floor(this.now / tickMs) + 1) * tickMs);
      this.queue.sort((x, y) => x.at - y.at || x.seq - y.seq);
      while (this.queue.length > 0 && this.queue[0]!.at <= nextTick) {
        const m = this.queue.shift()!;
        this.now = Math.max(this.now, m.at);
        const toId = Number(m.to.slice(1));
        const node = this.nodes.get(toId);
        if (!node) continue;
        node.step(m.from, m.message, this.now);
        this.drain(toId);
        this.queue.sort((x, y) => x.at - y.at || x.seq - y.seq);
      }
      this.now = nextTick;
      for (const id of this.ids) {
        const node = this.nodes.get(id);
        if (!node) continue;
        node.tick(this.now);
        this.drain(id);
      }
    }
  }

  /** Persist, send, apply: the driver side of the Ready contract. */
  drain(id: number): void {
    const node = this.nodes.get(id);
    if (!node) return;
    let guard = 0;
    while (node.hasReady()) {
      if (++guard > 1000) throw new Error("Ready loop did not settle");
      const rd: Ready<string> = node.ready();
      const d = this.durable.get(id)!;
      if (rd.quorumState) d.quorumState = structuredClone(rd.quorumState);
      d.batches = d.batches.slice(0, rd.entriesFrom).concat(structuredClone(rd.entries));
      for (const m of rd.messages) this.enqueue(addressOf(id), m.to, m.message);
      for (const b of rd.committed) this.apply(id, b);
      node.advance(rd);
      if (node.role === "leader") {
        const set = this.leadersByEpoch.get(node.currentEpoch) ?? new Set<number>();
        set.add(id);
        this.leadersByEpoch.set(node.currentEpoch, set);
        if (set.size > 1) throw new Error(`Two leaders in epoch ${node.currentEpoch}: ${[...set]}`);
      }
    }
  }

  private apply(id: number, batch: RaftBatch<string>): void {
    const log = this.applied.get(id)!;
    if (batch.offset !== log.length)
      throw new Error(`node ${id} applied offset ${batch.offset} after ${log.length - 1}`);
    const fingerprint = `${batch.epoch}:${batch.control ? "LeaderChange" : batch.records.join(",")}`;
    const known = this.committed[batch.offset];
    if (known === undefined) this.committed[batch.offset] = fingerprint;
    else if (known !== fingerprint)
      throw new Error(
        `State machine safety violated at offset ${batch.offset}: node ${id} applied ${fingerprint}, another applied ${known}`,
      );
    log.push(fingerprint);
  }

  private enqueue(from: string, to: string, message: Envelope): void {
    const key = `${from.slice(1)}-${to.slice(1)}`;
    if (this.blocked.has(key)) return;
    if (this.net.dropRate > 0 && this.netRng.chance(this.net.dropRate)) return;
    const delay = this.netRng.range(this.net.minDelayMs, this.net.maxDelayMs);
    this.queue.push({ at: this.now + delay, seq: this.seq++, from, to, message: structuredClone(message) });
  }

  /** Log matching: same (offset, epoch) in two logs ⇒ identical logs up to there. */
  checkLogMatching(): void {
    const logs = this.ids.map((id) => this.durable.get(id)!.batches);
    for (let i = 0; i < logs.length; i++) {
      for (let j = i + 1; j < logs.length; j++) {
        const a = logs[i]!;
        const b = logs[j]!;
        const n = Math.min(a.length, b.length);
        let last = -1;
        for (let k = 0; k < n; k++) if (a[k]!.epoch === b[k]!.epoch) last = k;
        for (let k = 0; k <= last; k++) {
          if (JSON.stringify(a[k]) !== JSON.stringify(b[k]))
            throw new Error(
              `Log matching violated at offset ${k} between nodes ${this.ids[i]} and ${this.ids[j]}`,
            );
        }
      }
    }
  }
}
