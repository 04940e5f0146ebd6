/**
 * The run's trace: a flat list of structured events `{t, cat, kind, node, ...detail}` recording
 * what happened in a simulation, in the order it happened.
 *
 * Categories (`cat`):
 * - "net": a message delivered or dropped (summarised, never the message itself).
 * - "timer": a node's timer fired or a client's sleep ended.
 * - "node": lifecycle of a node or client (start, crash, power-loss, stop).
 * - "fault": a network fault took effect (partition, heal, slow node, link change).
 * - "disk": the simulated disk's own events (crash/power-loss reports, injected failures).
 * - "nemesis": the nemesis schedule and each step it took.
 * - "task": an async client task started, finished or failed.
 * - "app": whatever a process or client records through `ctx.trace` (client operations,
 *   leader elections...).
 *
 * Invariants kept: same seed, same trace, byte for byte (`toJson`); the trace is bounded
 * (`maxEvents`; later events are counted in `omitted`, not stored); events hold only
 * JSON-serialisable data after `toJson` (bigints become strings, byte arrays become a length).
 *
 * Two formatters: `formatTimeline` (compact: faults and key events, one line each, for the
 * terminal) and `formatVerbose` (every event with its details).
 */
import { formatTimeS } from "./scheduler";

export type TraceCategory = "net" | "timer" | "node" | "fault" | "disk" | "nemesis" | "task" | "app";

export interface TraceEvent {
  /** Virtual time in ms. */
  t: number;
  cat: TraceCategory;
  kind: string;
  /** The node (or client, or "nemesis"/"network") the event is about. */
  node: string;
  [detail: string]: unknown;
}

export interface TraceOptions {
  /** Record every delivered and dropped message (default true). Off: only counters. */
  messages?: boolean;
  /** Record every timer that fires (default true). */
  timers?: boolean;
  /** Stop storing events after this many (default 2,000,000); later ones only count. */
  maxEvents?: number;
}

const RESERVED = new Set(["t", "cat", "kind", "node"]);

export class Trace {
  readonly events: TraceEvent[] = [];
  /** Events not stored because the trace was full. */
  omitted = 0;
  readonly recordMessages: boolean;
  readonly recordTimers: boolean;
  readonly maxEvents: number;

  constructor(
    private readonly clock: { readonly now: number },
    options: TraceOptions = {},
  ) {
    this.recordMessages = options.messages ?? true;
    this.recordTimers = options.timers ?? true;
    this.maxEvents = options.maxEvents ?? 2_000_000;
  }

  /**
   * Record an event at the current virtual time. A `detail` key that clashes with t, cat, kind
   * or node is stored with a leading underscore ("_kind") rather than overwriting it.
   */
  record(cat: TraceCategory, kind: string, node: string, detail?: Record<string, unknown>): void {
    if (this.events.length >= this.maxEvents) {
      this.omitted++;
      return;
    }
    const ev: TraceEvent = { t: this.clock.now, cat, kind, node };
    if (detail !== undefined) {
      for (const key in detail) {
        ev[RESERVED.has(key) ? `_${key}` : key] = detail[key];
      }
    }
    this.events.push(ev);
  }

  /** The trace as JSON (one event per line inside the array, for readable diffs). */
  toJson(): string {
    const lines = this.events.map((e) => JSON.stringify(e, jsonSafe));
    return `{"omitted":${this.omitted},"events":[\n${lines.join(",\n")}\n]}`;
  }
}

/** JSON replacer: bigint → string, byte arrays → "<N bytes>", Map/Set → arrays, functions dropped. */
export function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (value instanceof Map) return [...value.entries()];
  if (value instanceof Set) return [...value.values()];
  if (typeof value === "function") return undefined;
  return value;
}

/** Default `cat`s shown by the compact timeline. */
export const TIMELINE_CATEGORIES: readonly TraceCategory[] = [
  "node",
  "fault",
  "disk",
  "nemesis",
  "task",
  "app",
];

export interface TimelineOptions {
  /** Which categories to show (default TIMELINE_CATEGORIES). */
  categories?: readonly TraceCategory[];
  /** Extra filter applied after the category filter. */
  filter?: (e: TraceEvent) => boolean;
  /** At most this many lines (default 500); the rest is summarised in one line. */
  maxLines?: number;
}

/** Compact terminal timeline: faults and key events, "t=1.500s  b2  crash  incarnation=1". */
export function formatTimeline(events: readonly TraceEvent[], options: TimelineOptions = {}): string {
  const cats = new Set(options.categories ?? TIMELINE_CATEGORIES);
  const maxLines = options.maxLines ?? 500;
  const shown = events.filter((e) => cats.has(e.cat) && (options.filter?.(e) ?? true));
  const lines = shown.slice(0, maxLines).map((e) => formatLine(e, false));
  if (shown.length > maxLines) lines.push(`… ${shown.length - maxLines} more events`);
  return lines.join("\n");
}

/** Every event with all its details, one per line. */
export function formatVerbose(events: readonly TraceEvent[]): string {
  return events.map((e) => formatLine(e, true)).join("\n");
}

/** The compact timeline cuts longer detail values (the full value is in the JSON and --verbose). */
const COMPACT_VALUE_MAX = 60;

function formatLine(e: TraceEvent, verbose: boolean): string {
  const head = `${formatTimeS(e.t).padEnd(verbose ? 16 : 12)} ${e.node.padEnd(10)} ${verbose ? `${e.cat}:` : ""}${e.kind}`;
  const parts: string[] = [];
  for (const key in e) {
    if (RESERVED.has(key)) continue;
    const v = formatValue(e[key]);
    parts.push(
      `${key}=${verbose || v.length <= COMPACT_VALUE_MAX ? v : `${v.slice(0, COMPACT_VALUE_MAX - 1)}…`}`,
    );
  }
  return parts.length === 0 ? head : `${head.padEnd(verbose ? 50 : 40)} ${parts.join(" ")}`;
}

function formatValue(v: unknown): string {
  if (typeof v === "string") return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  return JSON.stringify(v, jsonSafe) ?? String(v);
}
