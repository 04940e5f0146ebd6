/**
 * The nemesis: a fault schedule derived from the seed, played against a World.
 *
 * A run has a fault phase [startMs, faultPhaseEndMs) in which faults begin at random intervals
 * and each lasts a random time, then a quiet phase from faultPhaseEndMs on: every partition is
 * healed, every slowed node restored, every down node restarted, and no fault happens again, so
 * the scenario can check liveness (e.g. "the consumer drains the topic within 10 s").
 *
 * Faults (the `mix` weights choose among them):
 * - "crash": kill -9 a random node; it restarts when the fault ends.
 * - "crash-leader": the same, on the node the scenario's `leader()` callback names when the
 *   fault fires (the simulator does not know broker internals).
 * - "power-loss": power loss on one node (unsynced bytes lost, last write maybe torn).
 * - "power-loss-all": power loss on every node at once; needs maxNodesDown ≥ the node count.
 * - "isolate": cut one node off from every other node and client, both directions.
 * - "isolate-one-way": the same in one direction ("outgoing" or "incoming", chosen by the seed).
 * - "slow": add latency to every message to and from one node (a slow follower).
 *
 * Bound: at most `maxNodesDown` nodes are impaired at once, where crashed, powered-off and
 * isolated nodes count (slow ones do not). The plan respects the bound; at run time a step
 * whose target is already impaired (a leader that is also the isolated node...) or that would
 * break the bound is skipped, and the skip is traced.
 *
 * The schedule is plain data (`steps`), printed by `format()` and recorded in the trace at
 * install ("nemesis"/"schedule"); every step taken or skipped is traced too. Everything random
 * comes from the world's "nemesis" rng stream.
 */
import type { NodeId } from "./process";
import type { PartitionId } from "./network";
import { formatTimeS } from "./scheduler";
import type { World } from "./world";

export type FaultKind =
  "crash" | "crash-leader" | "power-loss" | "power-loss-all" | "isolate" | "isolate-one-way" | "slow";

export const FAULT_KINDS: readonly FaultKind[] = [
  "crash",
  "crash-leader",
  "power-loss",
  "power-loss-all",
  "isolate",
  "isolate-one-way",
  "slow",
];

export interface NemesisOptions {
  /** Server nodes the nemesis may hurt (default: every server node of the world). */
  nodes?: readonly NodeId[];
  /** The current leader, for "crash-leader" (undefined: no leader now, the step is skipped). */
  leader?: () => NodeId | undefined;
  /** First fault no earlier than this (default 1000 ms). */
  startMs?: number;
  /** End of the fault phase and start of the quiet phase, in ms. */
  faultPhaseEndMs: number;
  /** Mean time between the starts of two faults (default 3000 ms; actual: uniform 0.5×–1.5×). */
  meanIntervalMs?: number;
  /** How long a fault lasts, uniform in [min, max] ms (default 500–5000). */
  durationMs?: { min: number; max: number };
  /**
   * Relative weights of the faults; a fault left out has weight 0. Default: crash 2,
   * crash-leader 2 (if `leader` is given), power-loss 1, isolate 2, isolate-one-way 1, slow 1.
   */
  mix?: Partial<Record<FaultKind, number>>;
  /** Most nodes impaired at once (default: a minority, floor((n - 1) / 2), at least 1). */
  maxNodesDown?: number;
  /** Extra latency of a slow node, uniform in [min, max] ms (default 50–500). */
  slowDelayMs?: { min: number; max: number };
  /**
   * The scenario's veto on a fault about to start: a reason to skip it (traced like the other
   * skips), or undefined to let it happen. For fault models such as "one failure at a time: the
   * cluster recovers before the next node fails" (the HA proof waits until every replica is back
   * in sync before it crashes or powers off another node).
   */
  veto?: (action: FaultKind, target: NodeId | "all") => string | undefined;
}

const MIX_DEFAULT: Record<FaultKind, number> = {
  crash: 2,
  "crash-leader": 2,
  "power-loss": 1,
  "power-loss-all": 0,
  isolate: 2,
  "isolate-one-way": 1,
  slow: 1,
};

/** One line of the schedule. Fault steps carry `untilMs`; their "recover" step ends them. */
export interface NemesisStep {
  id: number;
  atMs: number;
  action: FaultKind | "recover" | "quiet";
  /** A node, "leader" (resolved when the step fires) or "all". */
  target?: NodeId | "leader" | "all";
  /** For isolate-one-way. */
  direction?: "outgoing" | "incoming";
  /** For slow. */
  extraDelayMs?: number;
  /** For faults: when the matching recover step runs. */
  untilMs?: number;
  /** For recover: the fault step it ends. */
  recovers?: number;
}

interface Held {
  nodes: NodeId[];
  partition?: PartitionId;
  slow?: boolean;
}

export class Nemesis {
  readonly steps: readonly NemesisStep[];
  readonly nodes: readonly NodeId[];
  readonly maxNodesDown: number;
  readonly startMs: number;
  readonly faultPhaseEndMs: number;
  /** What each active fault step holds (its nodes, its partition). */
  private readonly held = new Map<number, Held>();
  private installed = false;

  constructor(
    private readonly world: World,
    private readonly options: NemesisOptions,
  ) {
    this.nodes = [...(options.nodes ?? world.serverIds())];
    if (this.nodes.length === 0) throw new Error("Cannot plan a nemesis: there are no nodes to fault");
    this.maxNodesDown = options.maxNodesDown ?? Math.max(1, Math.floor((this.nodes.length - 1) / 2));
    this.startMs = options.startMs ?? 1000;
    this.faultPhaseEndMs = options.faultPhaseEndMs;
    if (!(this.faultPhaseEndMs >= this.startMs)) {
      throw new Error(
        `Cannot plan a nemesis: faultPhaseEndMs ${this.faultPhaseEndMs} is before startMs ${this.startMs}`,
      );
    }
    if ((options.mix?.["crash-leader"] ?? 0) > 0 && options.leader === undefined) {
      throw new Error('Cannot plan a nemesis with "crash-leader" faults: options.leader is missing');
    }
    if ((options.mix?.["power-loss-all"] ?? 0) > 0 && this.maxNodesDown < this.nodes.length) {
      throw new Error(
        `Cannot plan a nemesis with "power-loss-all" faults: maxNodesDown is ${this.maxNodesDown}, ` +
          `below the ${this.nodes.length} nodes it takes down`,
      );
    }
    this.steps = this.plan();
  }

  /** Schedule every step on the world and record the schedule in the trace. Once only. */
  install(): this {
    if (this.installed) throw new Error("Cannot install the nemesis twice");
    this.installed = true;
    this.world.trace.record("nemesis", "schedule", "nemesis", {
      maxNodesDown: this.maxNodesDown,
      faultPhaseEndMs: this.faultPhaseEndMs,
      steps: this.steps,
    });
    for (const step of this.steps)
      this.world.at(step.atMs, `nemesis #${step.id} ${step.action}`, () => this.take(step));
    return this;
  }

  /** The schedule, one fault per line, for the terminal. */
  format(): string {
    const head =
      `nemesis (seed=${this.world.seed}): faults ${formatTimeS(this.startMs)}–${formatTimeS(this.faultPhaseEndMs)}, ` +
      `at most ${this.maxNodesDown} of ${this.nodes.length} nodes down, then quiet`;
    const lines = this.steps
      .filter((s) => s.action !== "recover")
      .map((s) => {
        if (s.action === "quiet")
          return `  ${formatTimeS(s.atMs)}  quiet: heal partitions, restore slow nodes, restart down nodes`;
        let what = `${s.action} ${s.target ?? ""}`;
        if (s.direction !== undefined) what += ` (${s.direction})`;
        if (s.extraDelayMs !== undefined) what += ` +${s.extraDelayMs}ms`;
        return `  ${formatTimeS(s.atMs)}  #${s.id} ${what.padEnd(30)} until ${formatTimeS(s.untilMs!)}`;
      });
    return [head, ...lines].join("\n");
  }

  // --- planning ----------------------------------------------------------------------------------

  private plan(): NemesisStep[] {
    const rng = this.world.rng("nemesis");
    const given = this.options.mix;
    const mix: Record<FaultKind, number> =
      given === undefined
        ? { ...MIX_DEFAULT }
        : (Object.fromEntries(FAULT_KINDS.map((k) => [k, given[k] ?? 0])) as Record<FaultKind, number>);
    for (const k of FAULT_KINDS) {
      if (!(mix[k] >= 0 && Number.isFinite(mix[k])))
        throw new Error(`Cannot plan a nemesis: weight of "${k}" is ${mix[k]}, not a number ≥ 0`);
    }
    if (this.options.leader === undefined) mix["crash-leader"] = 0;
    const kinds = FAULT_KINDS.filter((k) => mix[k] > 0);
    const totalWeight = kinds.reduce((sum, k) => sum + mix[k], 0);
    const meanMs = this.options.meanIntervalMs ?? 3000;
    const dur = this.options.durationMs ?? { min: 500, max: 5000 };
    const slowMs = this.options.slowDelayMs ?? { min: 50, max: 500 };
    const n = this.nodes.length;
    const steps: NemesisStep[] = [];
    let nextId = 1;
    let active: { endMs: number; down: number; node?: NodeId }[] = [];
    // Bounded: after the first fault time, each iteration advances t by at least 1 ms.
    let t = this.startMs + Math.round(meanMs * rng.next());
    for (let first = true; kinds.length > 0; first = false) {
      if (!first) t += Math.max(1, Math.round(meanMs * (0.5 + rng.next())));
      if (t >= this.faultPhaseEndMs) break;
      active = active.filter((w) => w.endMs > t);
      const kind = pickWeighted(kinds, mix, totalWeight, rng.next());
      const endMs = Math.min(t + rng.range(dur.min, dur.max), this.faultPhaseEndMs);
      const downNow = active.reduce((sum, w) => sum + w.down, 0);
      const need = kind === "slow" ? 0 : kind === "power-loss-all" ? n : 1;
      if (downNow + need > this.maxNodesDown) continue;
      if (kind === "power-loss-all" && active.length > 0) continue;
      const step: NemesisStep = { id: nextId++, atMs: t, action: kind, untilMs: endMs };
      if (kind === "crash-leader") step.target = "leader";
      else if (kind === "power-loss-all") step.target = "all";
      else {
        const busy = new Set(active.map((w) => w.node));
        const free = this.nodes.filter((id) => !busy.has(id));
        if (free.length === 0) {
          nextId--;
          continue;
        }
        step.target = rng.pick(free);
      }
      if (kind === "isolate-one-way") step.direction = rng.chance(0.5) ? "outgoing" : "incoming";
      if (kind === "slow") step.extraDelayMs = rng.range(slowMs.min, slowMs.max);
      steps.push(step, { id: nextId++, atMs: endMs, action: "recover", recovers: step.id });
      active.push({
        endMs,
        down: need,
        node: step.target === "leader" || step.target === "all" ? undefined : step.target,
      });
    }
    steps.push({ id: nextId, atMs: this.faultPhaseEndMs, action: "quiet" });
    return steps.sort((a, b) => a.atMs - b.atMs || a.id - b.id);
  }

  // --- running -----------------------------------------------------------------------------------

  private take(step: NemesisStep): void {
    switch (step.action) {
      case "recover":
        return this.recover(step);
      case "quiet":
        return this.quiet(step);
      default:
        return this.fault(step);
    }
  }

  private fault(step: NemesisStep): void {
    const w = this.world;
    const target = step.target === "leader" ? this.options.leader!() : step.target!;
    const skip = (reason: string) =>
      w.trace.record("nemesis", "skip", "nemesis", { step: step.id, action: step.action, reason });
    if (target === undefined) return skip("no leader");
    const vetoed = this.options.veto?.(step.action as FaultKind, target);
    if (vetoed !== undefined) return skip(vetoed);
    if (target !== "all" && !this.nodes.includes(target))
      return skip(`${target} is not a node the nemesis may fault`);
    const targets = target === "all" ? [...this.nodes] : [target];
    if (target !== "all" && this.impaired().has(target)) return skip(`${target} is already down or isolated`);
    const need = step.action === "slow" ? 0 : step.action === "power-loss-all" ? this.nodes.length : 1;
    const downNow = step.action === "power-loss-all" ? 0 : this.impaired().size;
    if (downNow + need > this.maxNodesDown)
      return skip(`${downNow} nodes already down (max ${this.maxNodesDown})`);
    w.trace.record("nemesis", step.action, "nemesis", { target, step: step.id, untilMs: step.untilMs });
    const held: Held = { nodes: targets };
    switch (step.action) {
      case "crash":
      case "crash-leader":
        w.crash(target);
        break;
      case "power-loss":
        w.powerLoss(target);
        break;
      case "power-loss-all":
        for (const id of targets) w.powerLoss(id);
        break;
      case "isolate":
        held.partition = w.network.isolate(target, "both");
        break;
      case "isolate-one-way":
        held.partition = w.network.isolate(target, step.direction ?? "outgoing");
        break;
      case "slow":
        w.network.slow(target, step.extraDelayMs ?? 100);
        held.slow = true;
        break;
    }
    this.held.set(step.id, held);
  }

  private recover(step: NemesisStep): void {
    const held = this.held.get(step.recovers!);
    if (held === undefined) return; // the fault was skipped
    this.held.delete(step.recovers!);
    const target = held.nodes.length === 1 ? held.nodes[0]! : "all";
    this.world.trace.record("nemesis", "recover", "nemesis", { target, step: step.recovers });
    if (held.partition !== undefined) this.world.network.removePartition(held.partition);
    else if (held.slow === true) this.world.network.slow(held.nodes[0]!, 0);
    else for (const id of held.nodes) if (!this.world.isUp(id)) this.world.start(id);
  }

  private quiet(step: NemesisStep): void {
    const w = this.world;
    w.trace.record("nemesis", "quiet", "nemesis", { step: step.id });
    this.held.clear();
    w.network.heal();
    for (const id of this.nodes) {
      if (w.network.slownessOf(id) > 0) w.network.slow(id, 0);
      if (!w.isUp(id)) w.start(id);
    }
  }

  /** Nodes now crashed, powered off, or isolated by this nemesis. */
  private impaired(): Set<NodeId> {
    const out = new Set<NodeId>();
    for (const id of this.nodes) if (!this.world.isUp(id)) out.add(id);
    for (const h of this.held.values()) if (h.partition !== undefined) for (const id of h.nodes) out.add(id);
    return out;
  }
}

/** Plan the nemesis for `world` and schedule it. */
export function installNemesis(world: World, options: NemesisOptions): Nemesis {
  return new Nemesis(world, options).install();
}

function pickWeighted<K extends string>(
  kinds: readonly K[],
  weights: Record<K, number>,
  total: number,
  u: number,
): K {
  let x = u * total;
  for (const k of kinds) {
    x -= weights[k];
    if (x < 0) return k;
  }
  return kinds[kinds.length - 1]!;
}
