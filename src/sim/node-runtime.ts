/**
 * A server node (broker, controller) in the simulated world: its process, its incarnations and
 * the NodeContext each incarnation sees.
 *
 * Invariants kept:
 * - Every start creates a new incarnation: a new process object from the factory, a new
 *   context, a new rng stream ("node/<id>/<incarnation>"). Nothing in memory carries over.
 * - Timers belong to one incarnation. Killing the process cancels them, and a timer whose
 *   incarnation is gone never fires (checked again when it fires). A stale context's sends are
 *   ignored.
 * - A process handler that throws is a bug: the run stops with an error naming the node, the
 *   handler, the virtual time and the seed.
 *
 * The disk is not handled here: it belongs to the node, not the process, and the world decides
 * what a crash or power loss does to it.
 */
import type { Disk } from "../log/disk";
import type { ConnectionError, NodeContext, NodeId, NodeProcess, ProcessFactory, TimerId } from "./process";
import type { Rng } from "./rng";
import { errorMessage, type Runtime } from "./runtime";
import { SimEvent, formatTimeS } from "./scheduler";
import type { Endpoint } from "./network";

export class ServerNode implements Endpoint {
  up = false;
  incarnation = 0;
  /** False from a power loss until the next start: a powered-off machine refuses nothing. */
  powered = true;
  process: NodeProcess | undefined;
  private ctx: ServerContext | undefined;

  constructor(
    private readonly rt: Runtime,
    readonly id: NodeId,
    private readonly factory: ProcessFactory,
    readonly disk: Disk,
    private readonly rootRng: Rng,
  ) {}

  /** Start a new incarnation: new process from the factory, then `process.start(ctx)`. */
  start(): void {
    if (this.up) throw new Error(`Cannot start node "${this.id}": it is already running`);
    this.incarnation++;
    this.up = true;
    this.powered = true;
    const ctx = new ServerContext(
      this.rt,
      this,
      this.incarnation,
      this.rootRng.split(`node/${this.id}/${this.incarnation}`),
    );
    this.ctx = ctx;
    this.rt.trace.record("node", "start", this.id, { incarnation: this.incarnation });
    const proc = this.invoke("factory", () => this.factory(this.id));
    this.process = proc;
    this.invoke("start", () => proc.start(ctx));
  }

  /** The process dies: its memory and timers are gone. */
  kill(): void {
    if (!this.up) return;
    this.up = false;
    this.process = undefined;
    this.ctx?.cancelAllTimers();
    this.ctx = undefined;
  }

  /** Orderly shutdown: `process.stop()` (flush, checkpoints, clean-shutdown marker), then kill. */
  stop(): void {
    const proc = this.process;
    if (!this.up || proc === undefined) return;
    if (proc.stop !== undefined) this.invoke("stop", () => proc.stop!());
    this.kill();
  }

  receive(from: NodeId, message: unknown): void {
    const proc = this.process!;
    this.invoke(
      "onMessage",
      () => proc.onMessage(from, message),
      () => `${this.rt.network.summarize(message)} from ${from}`,
    );
  }

  connectionError(peer: NodeId, error: ConnectionError): void {
    const proc = this.process!;
    if (proc.onConnectionError === undefined) return;
    this.invoke(
      "onConnectionError",
      () => proc.onConnectionError!(peer, error),
      () => `${error.kind} from ${peer}`,
    );
  }

  fireTimer(ctx: ServerContext, tag: string, id: TimerId): void {
    if (!this.up || this.ctx !== ctx) return; // stale timer of a dead incarnation: never fires
    if (this.rt.trace.recordTimers) this.rt.trace.record("timer", "timer", this.id, { tag, id });
    const proc = this.process!;
    this.invoke(
      "onTimer",
      () => proc.onTimer(tag, id),
      () => `"${tag}" #${id}`,
    );
  }

  private invoke<T>(what: string, fn: () => T, arg?: () => string): T {
    try {
      return fn();
    } catch (e) {
      const call = arg === undefined ? what : `${what}(${arg()})`;
      throw this.rt.fail(
        new Error(
          `Node "${this.id}" (incarnation ${this.incarnation}) threw in ${call} at ${formatTimeS(this.rt.scheduler.now)} ` +
            `(seed=${this.rt.seed}): ${errorMessage(e)}`,
          { cause: e },
        ),
      );
    }
  }
}

class ServerTimer extends SimEvent {
  constructor(
    private readonly ctx: ServerContext,
    readonly id: TimerId,
    readonly tag: string,
  ) {
    super();
  }
  run(): void {
    this.ctx.timerFired(this);
  }
  describe(): string {
    return `timer ${this.ctx.nodeId} "${this.tag}" #${this.id}`;
  }
}

/** The NodeContext of one incarnation of a server node. */
class ServerContext implements NodeContext {
  private readonly timers = new Map<TimerId, ServerTimer>();

  constructor(
    private readonly rt: Runtime,
    private readonly node: ServerNode,
    readonly incarnation: number,
    readonly rng: Rng,
  ) {}

  get nodeId(): NodeId {
    return this.node.id;
  }

  get disk(): Disk {
    return this.node.disk;
  }

  private get live(): boolean {
    return this.node.up && this.node.incarnation === this.incarnation;
  }

  now(): number {
    return this.rt.scheduler.now;
  }

  send(to: NodeId, message: unknown): void {
    if (!this.live) return;
    this.rt.network.send(this.node.id, to, message);
  }

  setTimer(delayMs: number, tag: string): TimerId {
    const id = this.rt.nextTimerId();
    if (!this.live) return id;
    this.timers.set(id, this.rt.scheduler.scheduleAfter(delayMs, new ServerTimer(this, id, tag)));
    return id;
  }

  cancelTimer(id: TimerId): void {
    const t = this.timers.get(id);
    if (t === undefined) return;
    this.timers.delete(id);
    this.rt.scheduler.cancel(t);
  }

  trace(kind: string, detail: Record<string, unknown>): void {
    this.rt.trace.record("app", kind, this.node.id, detail);
  }

  timerFired(t: ServerTimer): void {
    this.timers.delete(t.id);
    if (this.live) this.node.fireTimer(this, t.tag, t.id);
  }

  cancelAllTimers(): void {
    for (const t of this.timers.values()) this.rt.scheduler.cancel(t);
    this.timers.clear();
  }
}
