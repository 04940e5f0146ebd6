/**
 * World: one deterministic simulation run. It owns the virtual clock (scheduler.ts), the
 * network (network.ts), the trace (trace.ts), the server nodes with their simulated disks
 * (node-runtime.ts, sim-disk.ts) and the async clients (client-runtime.ts).
 *
 * A scenario: `new World({seed})` → `addNode` brokers/controllers → `spawn` clients →
 * `installNemesis` (nemesis.ts) → `await runUntil(...)` → read `trace` and the clients' history.
 *
 * Randomness: one root SeededRng(seed), split by name per concern so that streams are
 * independent: "network", "nemesis", "disk/<node>" (power-loss outcomes), "node/<id>/<incarnation>",
 * "client/<id>/<incarnation>", and `rng(name)` for the nemesis and the scenario's own needs.
 *
 * Node lifecycle (server nodes):
 * - crash: the process dies (memory, timers and in-flight messages to it are lost); the OS
 *   lives, so the disk keeps its page cache (`disk.crash()`) and the peers' connections are
 *   reset, and later messages to the node are refused (network.ts).
 * - powerLoss: the process dies if it ran, and the disk loses what was not fsynced, maybe
 *   tearing the last write (`disk.powerLoss(rng)`); peers get no reset (only timeouts tell)
 *   and messages to the node are dropped until it starts again.
 * - stop: orderly shutdown, `process.stop()` first; connections are closed as in a crash.
 * - start / restart: a new process from the factory over the same disk.
 *
 * ## Async code in virtual time
 * Processes are synchronous; clients are async/await code. The run loop (`runUntil`) is async
 * and, after any event that called into client code (a message handler, a timer, a sleep
 * ending, a task starting), it lets the microtask queue run before the next event, so that a
 * promise continuation runs at the virtual time of the event that resolved it. JavaScript
 * gives no way to observe an empty microtask queue without a real macrotask (setTimeout,
 * setImmediate), which the browser-safe core may not use; instead `settle` yields for
 * microtask turns until `microtaskIdleTurns` consecutive turns (default 64) pass in which no
 * client code called the simulator (send, sleep, now, trace, a task finishing...). Each call
 * restarts the count, so a long chain of awaits that keeps doing work is followed, and a call
 * that comes after more than half the bound of quiet doubles the bound for the rest of the run
 * (up to IDLE_TURNS_MAX). A pure promise chain longer than the bound, with no simulator call in
 * it, would resume only at a later drain (after a later client event, or after the run call
 * returns): still deterministic, but late in virtual time. Nested async calls cost about one
 * turn per level, so 64 turns cover chains far deeper than a client library makes. Determinism does not depend
 * on the bound: nothing outside the run loop enqueues work, so the interleaving of microtasks
 * is a function of the program and the seed. A task that keeps calling the simulator without
 * ever waiting on it (polling `now()` in a loop) is stopped after SETTLE_TURNS_MAX turns with a
 * clear error; once a run has failed every client call throws, so such tasks unwind. (A loop
 * that never yields to the simulator at all would hang any JavaScript program; nothing can stop
 * it from inside.)
 * Events that touch only synchronous processes skip the drain, so a cluster of brokers costs
 * no microtask turns at all.
 */
import type { Disk } from "../log/disk";
import type { NodeId, NodeProcess, ProcessFactory, TaskHandle, TimerId, TraceSink } from "./process";
import { SeededRng, type Rng } from "./rng";
import { CallbackEvent, EVENT_BUDGET_DEFAULT, Scheduler, formatTimeS, type RunResult } from "./scheduler";
import { Network, type NetworkOptions } from "./network";
import { Trace, type TraceOptions } from "./trace";
import { ServerNode } from "./node-runtime";
import { ClientNode, type ClientTask } from "./client-runtime";
import type { Runtime } from "./runtime";
import { SimDisk } from "./sim-disk";

/** The disk a simulated node needs: the Disk port plus the two crash faults. SimDisk is one. */
export interface NodeDisk extends Disk {
  /** The process crashed, the OS did not: nothing is lost. */
  crash(): unknown;
  /** Power loss: unsynced bytes are lost, the last write may be torn. Returns a report. */
  powerLoss(rng: Rng, fate?: "random" | "lose" | "keep"): unknown;
}

export interface WorldOptions {
  /** The one seed everything random derives from. */
  seed: number;
  network?: NetworkOptions;
  trace?: TraceOptions;
  /** Most events one run call may execute before it throws EventBudgetError (livelock guard). */
  eventBudget?: number;
  /** Quiet microtask turns that end a drain (see "Async code in virtual time"). Default 64. */
  microtaskIdleTurns?: number;
  /** Makes each server node's disk (default: a SimDisk tracing into the run's trace). */
  disk?: (nodeId: NodeId, trace: TraceSink) => NodeDisk;
}

export interface RunOptions {
  /** Event budget of this call (default: the world's eventBudget). */
  maxEvents?: number;
  /** With a predicate: also stop at this absolute time in ms (reason "time-limit"). */
  limitMs?: number;
}

export interface NodeInfo {
  id: NodeId;
  kind: "server" | "client";
  up: boolean;
  /** 0 before the first start; +1 at each start. */
  incarnation: number;
}

/** Most microtask turns one drain may take before the world reports a runaway task. */
export const SETTLE_TURNS_MAX = 1_000_000;
const RESOLVED: Promise<void> = Promise.resolve();
const noop = (): void => {};

/** A promise that settles after `n` microtask turns (a chain of n `then` hops). */
function microtaskTurns(n: number): Promise<void> {
  let p = RESOLVED;
  for (let i = 0; i < n; i++) p = p.then(noop);
  return p;
}

/** The idle bound of a drain widens on near misses up to this many turns. */
export const IDLE_TURNS_MAX = 4096;

export class World implements Runtime {
  readonly seed: number;
  readonly scheduler = new Scheduler();
  readonly trace: Trace;
  readonly network: Network;
  private readonly rootRng: Rng;
  private readonly servers = new Map<NodeId, ServerNode>();
  private readonly clients = new Map<NodeId, ClientNode>();
  private readonly disks = new Map<NodeId, NodeDisk>();
  /** Per-node stream deciding which unsynced bytes survive each power loss. */
  private readonly diskRngs = new Map<NodeId, Rng>();
  private readonly diskFactory: (nodeId: NodeId, trace: TraceSink) => NodeDisk;
  private readonly eventBudget: number;
  private idleTurns: number;
  private timerIds = 0;
  private clientsRunnable = false;
  private activity = 0;
  private failed: Error | undefined;
  private running = false;

  constructor(options: WorldOptions) {
    if (!Number.isInteger(options.seed))
      throw new Error(`Cannot create a world: seed ${options.seed} is not an integer`);
    this.seed = options.seed;
    this.rootRng = new SeededRng(options.seed);
    this.trace = new Trace(this.scheduler, options.trace);
    this.network = new Network(this.scheduler, this.rootRng.split("network"), this.trace, options.network);
    this.eventBudget = options.eventBudget ?? EVENT_BUDGET_DEFAULT;
    this.idleTurns = options.microtaskIdleTurns ?? 64;
    this.diskFactory = options.disk ?? ((id, trace) => new SimDisk({ trace, name: id }));
  }

  /** Current virtual time in ms. */
  now(): number {
    return this.scheduler.now;
  }

  /**
   * The stream `name` split from the run's root rng: "nemesis" for the nemesis, any other
   * unique name for the scenario's own needs ("workload", "think-time"). The world itself uses
   * "network", "disk/<node>", "node/<id>/<incarnation>" and "client/<id>/<incarnation>".
   */
  rng(name: string): Rng {
    return this.rootRng.split(name);
  }

  /** The first bug a process or client hit (the run stops with it), if any. */
  get failure(): Error | undefined {
    return this.failed;
  }

  // --- server nodes ------------------------------------------------------------------------------

  /** Add a server node (broker, controller) with its own disk; starts it unless `start: false`. */
  addNode(id: NodeId, factory: ProcessFactory, options: { disk?: NodeDisk; start?: boolean } = {}): void {
    this.checkNewName(id);
    const sink: TraceSink = { trace: (kind, detail) => this.trace.record("disk", kind, id, detail) };
    const disk = options.disk ?? this.diskFactory(id, sink);
    const node = new ServerNode(this, id, factory, disk, this.rootRng);
    this.servers.set(id, node);
    this.disks.set(id, disk);
    this.network.attach(id, node);
    if (options.start ?? true) node.start();
  }

  /** Start a server node that is down (a new incarnation over the same disk). */
  start(id: NodeId): void {
    this.server(id).start();
  }

  /** Crash a node or client (kill -9). Returns false if it was already down. */
  crash(id: NodeId): boolean {
    const client = this.clients.get(id);
    if (client !== undefined) {
      if (!client.up) return false;
      client.kill();
      this.trace.record("node", "crash", id, { client: true });
      this.network.processEnded(id, "reset");
      return true;
    }
    const node = this.server(id);
    if (!node.up) return false;
    node.kill();
    this.trace.record("node", "crash", id, { incarnation: node.incarnation });
    this.disks.get(id)!.crash();
    this.network.processEnded(id, "reset");
    return true;
  }

  /** Power loss on one server node: its process dies if it ran, its disk loses unsynced data. */
  powerLoss(id: NodeId, fate: "random" | "lose" | "keep" = "random"): void {
    const node = this.server(id);
    const wasUp = node.up;
    node.kill();
    node.powered = false;
    this.trace.record("node", "power-loss", id, { wasUp });
    this.network.processEnded(id, "silent");
    let rng = this.diskRngs.get(id);
    if (rng === undefined) this.diskRngs.set(id, (rng = this.rootRng.split(`disk/${id}`)));
    this.disks.get(id)!.powerLoss(rng, fate);
  }

  /** Power loss on every server node at once (a data-centre outage). */
  powerLossAll(fate: "random" | "lose" | "keep" = "random"): void {
    for (const id of this.servers.keys()) this.powerLoss(id, fate);
  }

  /** Orderly shutdown of a server node (process.stop, then down). Returns false if it was down. */
  stop(id: NodeId): boolean {
    const node = this.server(id);
    if (!node.up) return false;
    node.stop();
    this.trace.record("node", "stop", id, { incarnation: node.incarnation });
    this.network.processEnded(id, "reset");
    return true;
  }

  /** Crash the node if it runs, then start a new incarnation. */
  restart(id: NodeId): void {
    this.crash(id);
    this.start(id);
  }

  isUp(id: NodeId): boolean {
    return this.endpoint(id).up;
  }

  nodeInfo(id: NodeId): NodeInfo {
    const e = this.endpoint(id);
    return { id, kind: this.servers.has(id) ? "server" : "client", up: e.up, incarnation: e.incarnation };
  }

  /** Server node ids in the order they were added. */
  serverIds(): NodeId[] {
    return [...this.servers.keys()];
  }

  /** Client ids in the order they were first spawned. */
  clientIds(): NodeId[] {
    return [...this.clients.keys()];
  }

  /** A server node's disk (it outlives crashes). */
  disk(id: NodeId): NodeDisk {
    this.server(id);
    return this.disks.get(id)!;
  }

  /**
   * The running process of a server node, for scenario callbacks that must look inside (the
   * nemesis' "who is the leader" callback, a lab's narration). Undefined while the node is down.
   */
  processOf<P extends NodeProcess = NodeProcess>(id: NodeId): P | undefined {
    return this.server(id).process as P | undefined;
  }

  // --- clients -----------------------------------------------------------------------------------

  /**
   * Run `task` as an async client named `name`, starting at the current virtual time. A new
   * name creates the client; a crashed client comes back as a new incarnation; a running client
   * gets one more task (prefer `ctx.spawn` for that).
   */
  spawn(name: NodeId, task: ClientTask): TaskHandle {
    let client = this.clients.get(name);
    if (client === undefined) {
      this.checkNewName(name);
      client = new ClientNode(this, name, this.rootRng);
      this.clients.set(name, client);
      this.network.attach(name, client);
    }
    if (!client.up) client.start();
    return client.spawn(name, task);
  }

  /** Every task ever spawned, in spawn order. */
  tasks(): TaskHandle[] {
    const out: TaskHandle[] = [];
    for (const c of this.clients.values()) out.push(...c.tasks);
    return out;
  }

  // --- scripted actions --------------------------------------------------------------------------

  /** Run `fn` at virtual time `timeMs` (a scripted fault, a check). Errors stop the run. */
  at(timeMs: number, label: string, fn: () => void): CallbackEvent {
    return this.scheduler.scheduleAt(timeMs, new CallbackEvent(label, () => this.guard(label, fn)));
  }

  /** Run `fn` `delayMs` from now. */
  after(delayMs: number, label: string, fn: () => void): CallbackEvent {
    return this.at(this.scheduler.now + delayMs, label, fn);
  }

  // --- running -----------------------------------------------------------------------------------

  /**
   * Run until `stop` holds: a predicate checked after each event (and after the client code it
   * woke has run), or an absolute time limit in ms (the clock ends exactly there). Also stops
   * when no event is left ("quiet"). Throws the first process/client failure, or
   * EventBudgetError when more than the budget of events run.
   */
  async runUntil(stop: (() => boolean) | number, options: RunOptions = {}): Promise<RunResult> {
    if (this.running)
      throw new Error("Cannot run the world: a previous run call has not finished (await it first)");
    this.running = true;
    try {
      return await this.loop(stop, options);
    } finally {
      this.running = false;
    }
  }

  private async loop(stop: (() => boolean) | number, options: RunOptions): Promise<RunResult> {
    const limitMs = typeof stop === "number" ? stop : (options.limitMs ?? Infinity);
    const predicate = typeof stop === "function" ? stop : undefined;
    const budget = options.maxEvents ?? this.eventBudget;
    let events = 0;
    this.throwIfFailed();
    if (this.clientsRunnable) await this.settle();
    for (;;) {
      this.throwIfFailed();
      if (predicate?.()) return { reason: "condition", events, nowMs: this.scheduler.now };
      const next = this.scheduler.peekTime();
      if (next === undefined) return { reason: "quiet", events, nowMs: this.scheduler.now };
      if (next > limitMs) {
        this.scheduler.advanceTo(limitMs);
        return { reason: "time-limit", events, nowMs: this.scheduler.now };
      }
      if (events >= budget) throw this.fail(this.scheduler.budgetError(budget));
      this.scheduler.step();
      events++;
      if (this.clientsRunnable) await this.settle();
    }
  }

  /** Run for `durationMs` of virtual time. */
  runFor(durationMs: number, options?: RunOptions): Promise<RunResult> {
    return this.runUntil(this.scheduler.now + durationMs, options);
  }

  /** Run until no event is left (never, if some node keeps a periodic timer: then the budget). */
  runUntilQuiet(options?: RunOptions): Promise<RunResult> {
    return this.runUntil(Infinity, options);
  }

  /** Run until every task has finished (done, failed or killed), or until `options.limitMs`. */
  runUntilTasksDone(options?: RunOptions): Promise<RunResult> {
    return this.runUntil(() => this.tasks().every((t) => t.state !== "running"), options);
  }

  // --- Runtime (used by node-runtime.ts and client-runtime.ts) -----------------------------------

  nextTimerId(): TimerId {
    return ++this.timerIds;
  }

  fail(error: Error): Error {
    this.failed ??= error;
    return error;
  }

  markClientsRunnable(): void {
    this.clientsRunnable = true;
  }

  noteClientActivity(): void {
    this.activity++;
  }

  clientCall(): void {
    this.activity++;
    if (this.failed !== undefined) {
      throw new Error(`The simulation stopped (seed=${this.seed}): ${this.failed.message}`, {
        cause: this.failed,
      });
    }
  }

  /**
   * Let client microtasks run until they go quiet (see "Async code in virtual time"). Turns are
   * spent in slices of a quarter of the idle bound (a chain of `then` hops, cheaper than one
   * `await` per turn); the drain ends after four quiet slices in a row.
   */
  private async settle(): Promise<void> {
    this.clientsRunnable = false;
    let seen = this.activity;
    let quietSlices = 0;
    let turns = 0;
    while (quietSlices < 4) {
      const slice = Math.max(1, this.idleTurns >> 2);
      await microtaskTurns(slice);
      turns += slice + 1;
      if (this.activity !== seen) {
        seen = this.activity;
        // A near miss: client code was quiet for half the bound and then called in. Widen the
        // bound (deterministically: it depends only on this run) so deeper chains are not cut.
        if (quietSlices >= 2 && this.idleTurns < IDLE_TURNS_MAX) this.idleTurns *= 2;
        quietSlices = 0;
      } else {
        quietSlices++;
      }
      if (turns >= SETTLE_TURNS_MAX) {
        throw this.fail(
          new Error(
            `Client tasks kept running for ${SETTLE_TURNS_MAX} microtask turns at ${formatTimeS(this.scheduler.now)} ` +
              `(seed=${this.seed}) without waiting on the simulator: a task loops without sleep() or a message`,
          ),
        );
      }
    }
  }

  private throwIfFailed(): void {
    if (this.failed !== undefined) throw this.failed;
  }

  private guard(label: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      throw this.fail(
        new Error(
          `Scripted action "${label}" threw at ${formatTimeS(this.scheduler.now)} (seed=${this.seed}): ${String(e)}`,
          {
            cause: e,
          },
        ),
      );
    }
  }

  private server(id: NodeId): ServerNode {
    const n = this.servers.get(id);
    if (n === undefined) {
      throw new Error(`No server node "${id}"${this.clients.has(id) ? ` ("${id}" is a client)` : ""}`);
    }
    return n;
  }

  private endpoint(id: NodeId): ServerNode | ClientNode {
    const e = this.servers.get(id) ?? this.clients.get(id);
    if (e === undefined) throw new Error(`No node or client "${id}"`);
    return e;
  }

  private checkNewName(id: NodeId): void {
    if (id === "" || id === "network" || id === "nemesis")
      throw new Error(`Cannot add node "${id}": the name is reserved`);
    if (this.servers.has(id) || this.clients.has(id))
      throw new Error(`Cannot add node "${id}": the name is taken`);
  }
}
