/**
 * The narrow view of the World that node and client runtimes (node-runtime.ts,
 * client-runtime.ts) need. It exists so those files do not import world.ts (no cycles).
 */
import type { TimerId } from "./process";
import type { Network } from "./network";
import type { Scheduler } from "./scheduler";
import type { Trace } from "./trace";

export interface Runtime {
  readonly seed: number;
  readonly scheduler: Scheduler;
  readonly network: Network;
  readonly trace: Trace;
  /** A fresh timer id, unique in the run. */
  nextTimerId(): TimerId;
  /** Record a bug in a process or client: the run stops with it. Returns the error to throw. */
  fail(error: Error): Error;
  /** Client callbacks ran in this event: drain microtasks before the next event. */
  markClientsRunnable(): void;
  /** Client code is still making progress (see World.settle). */
  noteClientActivity(): void;
  /**
   * Client code called the simulator: counts as activity, and throws once the run has failed,
   * so that a runaway task (one polling now() in a loop) unwinds instead of spinning forever.
   */
  clientCall(): void;
}

/** Message of an unknown thrown value. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
