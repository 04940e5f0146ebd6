/**
 * What a simulated (or real) node sees of the world: the ports through which a broker or a
 * controller gets time, timers, randomness, its disk and the network. The same process code
 * runs under the deterministic simulator (src/sim/world.ts) and under the Node adapters
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

/**
 * A connection-level error the network reports to a node (see src/sim/network.ts), as the OS
 * reports a TCP RST or a refused connect:
 * - "reset": `peer`'s process ended at `atMs` (its machine stays up, so its OS closed the
 *   connection). Every request this node sent to `peer` at or before `atMs` that has no
 *   response yet will never get one. Kafka's NetworkClient fails them with a
 *   DisconnectException (NETWORK_EXCEPTION).
 * - "refused": `message`, sent at `sentAtMs`, reached `peer`'s machine but no process of the
 *   incarnation it was meant for listens there (down, or restarted since): connection refused.
 * A machine that lost power, a partition or a slow link reports nothing: only timeouts tell.
 */
export type ConnectionError =
  | { readonly kind: "reset"; readonly atMs: number }
  | { readonly kind: "refused"; readonly message: unknown; readonly sentAtMs: number };

/**
 * True if `error` (about the peer the request went to) fails the request `correlationId` sent
 * at `sentAtMs`: a reset covers every request sent at or before it; a refusal covers the
 * refused request only. Request layers (NetworkClient, the broker's OutboundRequests, Raft)
 * use it to fail exactly what the connection took with it.
 */
export function connectionErrorCovers(
  error: ConnectionError,
  correlationId: number,
  sentAtMs: number,
): boolean {
  if (error.kind === "reset") return sentAtMs <= error.atMs;
  const m = error.message as { kind?: unknown; correlationId?: unknown } | null;
  return typeof m === "object" && m !== null && m.kind === "request" && m.correlationId === correlationId;
}

/** True if `error` from `peer` fails `inFlight`, a component's single request in flight (if any). */
export function connectionErrorFails(
  inFlight: { to: NodeId; correlationId: number; sentAtMs: number } | null,
  peer: NodeId,
  error: ConnectionError,
): boolean {
  return (
    inFlight !== null &&
    inFlight.to === peer &&
    connectionErrorCovers(error, inFlight.correlationId, inFlight.sentAtMs)
  );
}

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
  /** The connection to `peer` failed (reset or refused); optional: without it nothing happens. */
  onConnectionError?(peer: NodeId, error: ConnectionError): void;
  /** Orderly shutdown (not a crash): flush, write checkpoints and the clean-shutdown marker. */
  stop?(): void;
}

/** Builds a fresh process for a node: at first start and after every crash or power loss. */
export type ProcessFactory = (nodeId: NodeId) => NodeProcess;

/**
 * What async client code (producer, consumer, a lab's workload driver) sees of the world. Unlike a
 * NodeProcess, a client is written with async/await: under the simulator its promises resume at
 * the right virtual time (see src/sim/world.ts, "Async code in virtual time").
 *
 * Rules for clients: wait only on things this context drives (sleep, timers, messages through
 * `onMessage`) or on other client tasks; never on real time or real I/O. A crashed client's
 * sends are dropped and its sleeps and timers never fire.
 */
export interface ClientContext extends TraceSink {
  readonly nodeId: NodeId;
  /** This client's random stream (already split from the run's seed). */
  readonly rng: Rng;
  /** False once this client incarnation crashed. */
  readonly alive: boolean;
  /** Virtual (or real) time in milliseconds since the run began. */
  now(): number;
  /** Resolves after `delayMs` of (virtual) time. */
  sleep(delayMs: number): Promise<void>;
  /** Call `callback` after `delayMs` (request timeouts, linger.ms...). Cancel with cancelTimer. */
  setTimer(delayMs: number, callback: () => void): TimerId;
  cancelTimer(id: TimerId): void;
  /** Send a message to a node. Delivery may be delayed, dropped or cut by a partition. */
  send(to: NodeId, message: unknown): void;
  /** Set the handler of arriving messages (replacing any earlier one). Without one they are dropped. */
  onMessage(handler: (from: NodeId, message: unknown) => void): void;
  /**
   * Set the handler of connection-level errors (replacing any earlier one); see ConnectionError.
   * Optional: a context without connections (a test double) may leave it out.
   */
  onConnectionError?(handler: (peer: NodeId, error: ConnectionError) => void): void;
  /** Run another async task in this client (a background loop); if it throws, the run fails. */
  spawn(name: string, task: (ctx: ClientContext) => Promise<void>): TaskHandle;
}

export type TaskState = "running" | "done" | "failed" | "killed";

/** An async task running in a client. "killed" means its client crashed while it ran. */
export interface TaskHandle {
  /** "<client>" for the task that started the client, "<client>/<name>" for later ones. */
  readonly name: string;
  readonly nodeId: NodeId;
  readonly state: TaskState;
  /** What the task threw, when state is "failed". */
  readonly error: unknown;
}
