/**
 * The virtual clock and event scheduler of the deterministic simulator.
 *
 * Everything that happens in a simulation is an event at a virtual time: a message arriving, a
 * timer firing, a nemesis fault, a client task resuming. Events sit in a binary min-heap ordered
 * by (time, sequence number); the sequence number is the order of scheduling, so two events at
 * the same time run in the order they were scheduled. Nothing else decides the order, which is
 * what makes a run a pure function of its seed.
 *
 * Invariants kept:
 * - `now` never decreases; an event is never scheduled before `now`.
 * - Times are milliseconds rounded to a 1 µs grid (`roundTimeMs`), so that sums of delays do
 *   not drift into values like 0.30000000000000004 and traces print cleanly.
 * - Every run is bounded by an event budget: a livelock throws `EventBudgetError` naming the
 *   last events instead of hanging.
 *
 * Cancelled events stay in the heap, flagged, until popped or until they outnumber live ones
 * (then the heap is compacted), so `cancel` is O(1).
 *
 * Events are objects extending `SimEvent` (one allocation per event; the network's deliveries
 * and the world's timers are such subclasses). `CallbackEvent` wraps a plain function.
 */

/** Something that happens at a virtual time. Subclass it, or use `Scheduler.call`. */
export abstract class SimEvent {
  /** Virtual time in ms at which the event runs; set by the scheduler. */
  time = 0;
  /** Scheduling order; ties on `time` run in increasing `seq`. Set by the scheduler. */
  seq = 0;
  cancelled = false;
  /** True while the event waits in the scheduler's heap. Managed by the scheduler. */
  queued = false;
  /** Perform the event. Runs with the scheduler's clock set to `time`. */
  abstract run(): void;
  /** One line for error messages ("deliver c1→b1 Produce request #3"). Only called on errors. */
  abstract describe(): string;
}

/** An event that calls a function. `label` is what `describe` prints. */
export class CallbackEvent extends SimEvent {
  constructor(
    readonly label: string,
    private readonly fn: () => void,
  ) {
    super();
  }
  run(): void {
    this.fn();
  }
  describe(): string {
    return this.label;
  }
}

/** Why a run stopped. */
export type StopReason = "condition" | "time-limit" | "quiet";

export interface RunResult {
  reason: StopReason;
  /** Events executed by this run call. */
  events: number;
  /** Virtual time when the run stopped, in ms. */
  nowMs: number;
}

/** Thrown when a run executes more events than its budget: almost always a livelock. */
export class EventBudgetError extends Error {
  constructor(
    readonly budget: number,
    readonly nowMs: number,
    readonly lastEvents: string[],
  ) {
    super(
      `event budget of ${budget} exhausted at ${formatTimeS(nowMs)}: likely a livelock; last events:\n  ` +
        lastEvents.join("\n  "),
    );
    this.name = "EventBudgetError";
  }
}

/** How many recent events the budget error shows. */
const RECENT_EVENTS_MAX = 12;
/** Compact the heap when at least this many cancelled events are in it and they are the majority. */
const COMPACT_CANCELLED_MIN = 1024;

/** Default event budget of one run call (livelock guard). */
export const EVENT_BUDGET_DEFAULT = 20_000_000;

/** Round a time in ms to the simulator's 1 µs grid. */
export function roundTimeMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** "t=1.500s" (ms precision), or "t=1.500250s" when the time has a sub-millisecond part. */
export function formatTimeS(ms: number): string {
  const s = Number.isInteger(ms) ? (ms / 1000).toFixed(3) : (ms / 1000).toFixed(6);
  return `t=${s}s`;
}

export class Scheduler {
  private readonly heap: SimEvent[] = [];
  private nextSeq = 0;
  private cancelledInHeap = 0;
  private currentMs = 0;
  private executed = 0;
  /** Ring buffer of the most recent events (references only; formatted on error). */
  private readonly recent: (SimEvent | undefined)[] = new Array<SimEvent | undefined>(RECENT_EVENTS_MAX);
  private recentNext = 0;

  /** Current virtual time in ms. */
  get now(): number {
    return this.currentMs;
  }

  /** Total events executed since the scheduler was created. */
  get eventsExecuted(): number {
    return this.executed;
  }

  /** Number of live (not cancelled) events waiting. */
  get pending(): number {
    return this.heap.length - this.cancelledInHeap;
  }

  /** Schedule `event` at absolute virtual time `atMs` (≥ now). Returns the event (its handle). */
  scheduleAt<E extends SimEvent>(atMs: number, event: E): E {
    const t = roundTimeMs(atMs);
    if (!(t >= this.currentMs)) {
      throw new Error(
        `Cannot schedule "${event.describe()}" at ${formatTimeS(atMs)}: it is before now (${formatTimeS(this.currentMs)})`,
      );
    }
    if (event.seq !== 0) {
      throw new Error(`Cannot schedule "${event.describe()}": the event was already scheduled once`);
    }
    event.time = t;
    event.seq = ++this.nextSeq;
    this.push(event);
    return event;
  }

  /** Schedule `event` `delayMs` (≥ 0) after now. */
  scheduleAfter<E extends SimEvent>(delayMs: number, event: E): E {
    if (!(delayMs >= 0))
      throw new Error(`Cannot schedule "${event.describe()}": delay ${delayMs} ms is not ≥ 0`);
    return this.scheduleAt(this.currentMs + delayMs, event);
  }

  /** Schedule a function at absolute time `atMs`. */
  call(atMs: number, label: string, fn: () => void): CallbackEvent {
    return this.scheduleAt(atMs, new CallbackEvent(label, fn));
  }

  /** Cancel a scheduled event; cancelling twice or after it ran does nothing. */
  cancel(event: SimEvent): void {
    if (event.cancelled) return;
    event.cancelled = true;
    if (!event.queued) return;
    this.cancelledInHeap++;
    if (this.cancelledInHeap >= COMPACT_CANCELLED_MIN && this.cancelledInHeap * 2 > this.heap.length)
      this.compact();
  }

  /** Time of the next live event, or undefined if none is waiting. */
  peekTime(): number | undefined {
    this.dropCancelledTop();
    return this.heap[0]?.time;
  }

  /** Run the next live event; false if there is none. */
  step(): boolean {
    this.dropCancelledTop();
    const ev = this.pop();
    if (ev === undefined) return false;
    this.currentMs = ev.time;
    this.executed++;
    this.recent[this.recentNext] = ev;
    this.recentNext = (this.recentNext + 1) % RECENT_EVENTS_MAX;
    ev.run();
    return true;
  }

  /** Move the clock forward to `ms` (no event may be waiting before it). */
  advanceTo(ms: number): void {
    const t = roundTimeMs(ms);
    const next = this.peekTime();
    if (t < this.currentMs)
      throw new Error(`Cannot move the clock back from ${formatTimeS(this.currentMs)} to ${formatTimeS(t)}`);
    if (next !== undefined && next < t) {
      throw new Error(
        `Cannot advance the clock to ${formatTimeS(t)}: an event is waiting at ${formatTimeS(next)}`,
      );
    }
    this.currentMs = t;
  }

  /**
   * Run events until `stop` is satisfied: a predicate checked before each event, or an absolute
   * time limit in ms (events at exactly the limit run; the clock ends at the limit). Synchronous:
   * use World.runUntil when async client tasks take part.
   */
  runUntil(stop: (() => boolean) | number, maxEvents = EVENT_BUDGET_DEFAULT): RunResult {
    const limitMs = typeof stop === "number" ? stop : Infinity;
    const predicate = typeof stop === "function" ? stop : undefined;
    let events = 0;
    for (;;) {
      if (predicate?.()) return { reason: "condition", events, nowMs: this.currentMs };
      const next = this.peekTime();
      if (next === undefined) return { reason: "quiet", events, nowMs: this.currentMs };
      if (next > limitMs) {
        this.advanceTo(limitMs);
        return { reason: "time-limit", events, nowMs: this.currentMs };
      }
      if (events >= maxEvents) throw this.budgetError(maxEvents);
      this.step();
      events++;
    }
  }

  /** Run until no event is waiting. */
  runUntilQuiet(maxEvents = EVENT_BUDGET_DEFAULT): RunResult {
    return this.runUntil(Infinity, maxEvents);
  }

  /** The error for an exhausted budget, listing the most recent events oldest first. */
  budgetError(budget: number): EventBudgetError {
    return new EventBudgetError(budget, this.currentMs, this.recentEvents());
  }

  /** The most recent events, oldest first, as "t=…s description" lines. */
  recentEvents(): string[] {
    const out: string[] = [];
    for (let i = 0; i < RECENT_EVENTS_MAX; i++) {
      const ev = this.recent[(this.recentNext + i) % RECENT_EVENTS_MAX];
      if (ev !== undefined) out.push(`${formatTimeS(ev.time)} ${ev.describe()}`);
    }
    return out;
  }

  // --- binary heap ---------------------------------------------------------------------------

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) {
      this.pop();
      this.cancelledInHeap--;
    }
  }

  private compact(): void {
    const live = this.heap.filter((e) => !e.cancelled);
    for (const e of this.heap) e.queued = false;
    this.heap.length = 0;
    this.cancelledInHeap = 0;
    for (const e of live) this.push(e);
  }

  private push(ev: SimEvent): void {
    const h = this.heap;
    ev.queued = true;
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (p.time < ev.time || (p.time === ev.time && p.seq < ev.seq)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = ev;
  }

  private pop(): SimEvent | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) return undefined;
    top.queued = false;
    const last = h.pop()!;
    const n = h.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let child = h[l]!;
      if (r < n) {
        const rc = h[r]!;
        if (rc.time < child.time || (rc.time === child.time && rc.seq < child.seq)) {
          c = r;
          child = rc;
        }
      }
      if (last.time < child.time || (last.time === child.time && last.seq < child.seq)) break;
      h[i] = child;
      i = c;
    }
    h[i] = last;
    return top;
  }
}
