/**
 * A client node in the simulated world: async tasks (producer, consumer, workload driver) that
 * share one ClientContext, one network name and one message handler.
 *
 * Invariants kept:
 * - A client incarnation's timers and sleeps fire only while that incarnation lives. A crash
 *   cancels them: sleeping tasks never resume (their promises stay pending and are collected),
 *   running tasks are marked "killed", and whatever they still call is ignored (sends dropped,
 *   new sleeps never end). A later `spawn` under the same name starts a new incarnation.
 * - Every callback the simulator makes into client code (a message, a timer, a sleep ending,
 *   a task starting) marks the world "clients runnable", so the world drains microtasks before
 *   the next event; every call client code makes into the simulator counts as activity (see
 *   World.settle in world.ts).
 * - A task that throws, or a client callback that throws, fails the run with the task's name,
 *   the virtual time and the seed. Nothing becomes an unhandled rejection.
 */
import type { ClientContext, ConnectionError, NodeId, TaskHandle, TaskState, TimerId } from "./process";
import type { Rng } from "./rng";
import { errorMessage, type Runtime } from "./runtime";
import { CallbackEvent, SimEvent, formatTimeS } from "./scheduler";
import type { Endpoint } from "./network";

export type ClientTask = (ctx: ClientContext) => Promise<void>;

export class ClientNode implements Endpoint {
  up = false;
  incarnation = 0;
  /** A client's machine never loses power here: a crashed client refuses connections. */
  readonly powered = true;
  ctx: ClientCtx | undefined;
  /** Tasks of every incarnation, in spawn order. */
  readonly tasks: Task[] = [];

  constructor(
    private readonly rt: Runtime,
    readonly id: NodeId,
    private readonly rootRng: Rng,
  ) {}

  /** Start a new incarnation (a fresh context; no handler, no timers). */
  start(): ClientCtx {
    if (this.up) throw new Error(`Cannot start client "${this.id}": it is already running`);
    this.incarnation++;
    this.up = true;
    this.ctx = new ClientCtx(
      this.rt,
      this,
      this.incarnation,
      this.rootRng.split(`client/${this.id}/${this.incarnation}`),
    );
    this.rt.trace.record("node", "start", this.id, { incarnation: this.incarnation, client: true });
    return this.ctx;
  }

  /** The client process dies: its timers are cancelled and its running tasks are killed. */
  kill(): void {
    if (!this.up) return;
    this.up = false;
    this.ctx?.cancelAllTimers();
    this.ctx = undefined;
    for (const t of this.tasks) if (t.state === "running") t.state = "killed";
  }

  receive(from: NodeId, message: unknown): void {
    const ctx = this.ctx!;
    const handler = ctx.handler;
    if (handler === undefined) {
      this.rt.trace.record("net", "unhandled", this.id, { from, msg: this.rt.network.summarize(message) });
      return;
    }
    this.rt.markClientsRunnable();
    try {
      handler(from, message);
    } catch (e) {
      throw this.rt.fail(
        this.error(`its message handler threw on ${this.rt.network.summarize(message)} from ${from}`, e),
      );
    }
  }

  connectionError(peer: NodeId, error: ConnectionError): void {
    const handler = this.ctx!.connectionErrorHandler;
    if (handler === undefined) return;
    this.rt.markClientsRunnable();
    try {
      handler(peer, error);
    } catch (e) {
      throw this.rt.fail(this.error(`its connection-error handler threw on a ${error.kind} from ${peer}`, e));
    }
  }

  /** Start `fn` as a task of the current incarnation, at the current virtual time. */
  spawn(name: string, fn: ClientTask): Task {
    const ctx = this.ctx;
    if (ctx === undefined)
      throw new Error(`Cannot spawn task "${name}" in client "${this.id}": the client is down`);
    const task = new Task(name, this.id);
    this.tasks.push(task);
    this.rt.scheduler.scheduleAfter(
      0,
      new CallbackEvent(`task-start ${name}`, () => this.runTask(ctx, task, fn)),
    );
    return task;
  }

  private runTask(ctx: ClientCtx, task: Task, fn: ClientTask): void {
    if (task.state !== "running") return; // killed before it began
    this.rt.trace.record("task", "task-start", this.id, { task: task.name });
    this.rt.markClientsRunnable();
    let promise: Promise<void>;
    try {
      promise = fn(ctx);
    } catch (e) {
      this.taskFailed(task, e);
      return;
    }
    promise.then(
      () => {
        this.rt.noteClientActivity();
        if (task.state !== "running") return;
        task.state = "done";
        this.rt.trace.record("task", "task-done", this.id, { task: task.name });
      },
      (e: unknown) => {
        this.rt.noteClientActivity();
        if (task.state === "running") this.taskFailed(task, e);
      },
    );
  }

  private taskFailed(task: Task, e: unknown): void {
    task.state = "failed";
    task.error = e;
    this.rt.trace.record("task", "task-failed", this.id, { task: task.name, error: errorMessage(e) });
    this.rt.fail(this.error(`task "${task.name}" failed`, e));
  }

  error(what: string, cause: unknown): Error {
    return new Error(
      `Client "${this.id}": ${what} at ${formatTimeS(this.rt.scheduler.now)} (seed=${this.rt.seed}): ${errorMessage(cause)}`,
      { cause },
    );
  }
}

class Task implements TaskHandle {
  state: TaskState = "running";
  error: unknown = undefined;
  constructor(
    readonly name: string,
    readonly nodeId: NodeId,
  ) {}
}

class ClientTimer extends SimEvent {
  constructor(
    private readonly ctx: ClientCtx,
    readonly id: TimerId,
    readonly tag: string,
    readonly callback: () => void,
  ) {
    super();
  }
  run(): void {
    this.ctx.timerFired(this);
  }
  describe(): string {
    return `${this.tag} ${this.ctx.nodeId} #${this.id}`;
  }
}

/** A promise that never settles: what a dead client's sleep returns. */
const NEVER: Promise<void> = new Promise<void>(() => {});

export class ClientCtx implements ClientContext {
  handler: ((from: NodeId, message: unknown) => void) | undefined;
  connectionErrorHandler: ((peer: NodeId, error: ConnectionError) => void) | undefined;
  private readonly timers = new Map<TimerId, ClientTimer>();

  constructor(
    private readonly rt: Runtime,
    private readonly client: ClientNode,
    readonly incarnation: number,
    readonly rng: Rng,
  ) {}

  get nodeId(): NodeId {
    return this.client.id;
  }

  get alive(): boolean {
    return this.client.up && this.client.incarnation === this.incarnation;
  }

  now(): number {
    this.rt.clientCall();
    return this.rt.scheduler.now;
  }

  sleep(delayMs: number): Promise<void> {
    this.rt.clientCall();
    if (!this.alive) return NEVER;
    return new Promise<void>((resolve) => this.addTimer(delayMs, "sleep", resolve));
  }

  setTimer(delayMs: number, callback: () => void): TimerId {
    this.rt.clientCall();
    if (!this.alive) return this.rt.nextTimerId();
    return this.addTimer(delayMs, "timer", callback);
  }

  cancelTimer(id: TimerId): void {
    this.rt.clientCall();
    const t = this.timers.get(id);
    if (t === undefined) return;
    this.timers.delete(id);
    this.rt.scheduler.cancel(t);
  }

  send(to: NodeId, message: unknown): void {
    this.rt.clientCall();
    if (!this.alive) return;
    this.rt.network.send(this.client.id, to, message);
  }

  onMessage(handler: (from: NodeId, message: unknown) => void): void {
    this.rt.clientCall();
    if (this.alive) this.handler = handler;
  }

  onConnectionError(handler: (peer: NodeId, error: ConnectionError) => void): void {
    this.rt.clientCall();
    if (this.alive) this.connectionErrorHandler = handler;
  }

  spawn(name: string, task: (ctx: ClientContext) => Promise<void>): TaskHandle {
    this.rt.clientCall();
    if (!this.alive) {
      const dead = new Task(`${this.client.id}/${name}`, this.client.id);
      dead.state = "killed";
      return dead;
    }
    return this.client.spawn(`${this.client.id}/${name}`, task);
  }

  trace(kind: string, detail: Record<string, unknown>): void {
    this.rt.clientCall();
    this.rt.trace.record("app", kind, this.client.id, detail);
  }

  timerFired(t: ClientTimer): void {
    this.timers.delete(t.id);
    if (!this.alive) return; // a dead incarnation's timer never fires (it was cancelled too)
    if (this.rt.trace.recordTimers) this.rt.trace.record("timer", t.tag, this.client.id, { id: t.id });
    this.rt.markClientsRunnable();
    try {
      t.callback();
    } catch (e) {
      throw this.rt.fail(this.client.error(`a timer callback threw`, e));
    }
  }

  cancelAllTimers(): void {
    for (const t of this.timers.values()) this.rt.scheduler.cancel(t);
    this.timers.clear();
  }

  private addTimer(delayMs: number, tag: string, callback: () => void): TimerId {
    const id = this.rt.nextTimerId();
    this.timers.set(id, this.rt.scheduler.scheduleAfter(delayMs, new ClientTimer(this, id, tag, callback)));
    return id;
  }
}
