/**
 * What a simulated (or real) node sees of the world: the ports through which a broker or a
 * controller gets time, timers, randomness, its disk and the network. The same process code
 * runs under the deterministic simulator (src/sim/cluster.ts) and under the Node adapters
 * (src/node), which implement this context with real clocks, timers, files and sockets.
 *
 * Rules for processes:
 * - All state a process keeps in memory is lost when it crashes; only what it wrote to `disk`
 *   (and, after a power loss, only what it fsynced) survives. A restart builds a new process
 *   object from the factory over the same disk.
 * - Handlers run to completion; there is no concurrency inside a process.
 * - Messages are values: the network delivers a copy (structuredClone), so neither side may
 *   rely on sharing objects with another node.
 */
import type { Disk } from "../log/disk";
import type { Rng } from "./rng";

export type NodeId = string;
export type TimerId = number;

export interface TraceSink {
  /** Record a structured event in the run's trace (shown by --verbose and the timeline). */
  trace(kind: string, detail: Record<string, unknown>): void;
}

export interface NodeContext extends TraceSink {
  readonly nodeId: NodeId;
  /** Virtual (or real) time in milliseconds since the run began. */
  now(): number;
  /** Send a message to another node. Delivery may be delayed, dropped or cut by a partition. */
  send(to: NodeId, message: unknown): void;
  /** Call `onTimer(tag)` after `delayMs`. Timers die with the process. */
  setTimer(delayMs: number, tag: string): TimerId;
  cancelTimer(id: TimerId): void;
  /** This node's disk. It outlives crashes of the process. */
  readonly disk: Disk;
  /** This node's random stream (already split from the run's seed). */
  readonly rng: Rng;
}

export interface NodeProcess {
  /** Called once when the process starts (or restarts after a crash), before any message. */
  start(ctx: NodeContext): void;
  /** A message from another node (or a client) arrived. */
  onMessage(from: NodeId, message: unknown): void;
  /** A timer set with `ctx.setTimer` fired. */
  onTimer(tag: string, id: TimerId): void;
  /** Orderly shutdown (not a crash): flush, write checkpoints and the clean-shutdown marker. */
  stop?(): void;
}

/** Builds a fresh process for a node: at first start and after every crash or power loss. */
export type ProcessFactory = (nodeId: NodeId) => NodeProcess;
