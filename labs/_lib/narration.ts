/**
 * Telling a lab's story in a terminal: a `Narration` collects short lines under section titles;
 * `LabTrace` records the structured events (src/sim's Trace and timeline format) for labs that
 * drive virtual time themselves instead of through a World; small formatters for bytes and
 * virtual time. Browser-safe: lines are returned, never printed here.
 */
import { Trace, formatTimeline, type TraceCategory, type TraceEvent } from "../../src/sim";
import type { LabDefinition } from "./types";

/** Lines are wrapped at this width (the narration stays readable in an 80-100 column terminal). */
export const NARRATION_WIDTH = 96;

export class Narration {
  readonly lines: string[] = [];

  /** A titled paragraph: a blank line, then the title. */
  section(title: string): this {
    if (this.lines.length > 0) this.lines.push("");
    this.lines.push(title);
    return this;
  }

  /** A line of prose, wrapped and indented by two spaces. */
  say(text: string): this {
    this.lines.push(...wrap(text, NARRATION_WIDTH, "  "));
    return this;
  }

  /** A bullet under the current paragraph. */
  item(text: string): this {
    const wrapped = wrap(text, NARRATION_WIDTH, "    ");
    wrapped[0] = `  - ${wrapped[0]!.trimStart()}`;
    this.lines.push(...wrapped);
    return this;
  }

  /** Lines kept as given (tables), indented by two spaces. */
  raw(lines: readonly string[]): this {
    for (const l of lines) this.lines.push(`  ${l}`);
    return this;
  }
}

/** Greedy word wrap; words longer than the width stay whole. */
export function wrap(text: string, width: number, indent = ""): string[] {
  const out: string[] = [];
  let line = indent;
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line.length > indent.length && line.length + 1 + word.length > width) {
      out.push(line);
      line = indent;
    }
    line += line.length > indent.length ? ` ${word}` : word;
  }
  out.push(line);
  return out;
}

/** The header every lab prints first. */
export function labHeader(
  lab: Pick<LabDefinition, "id" | "title" | "page" | "goal">,
  seed: number,
  solution: boolean,
): string[] {
  const title = `Lab ${lab.id} · ${lab.title}`;
  return [
    title,
    "=".repeat(title.length),
    `seed ${seed} · ${solution ? "the reference solution (solution/)" : "your exercise (exercise/)"} · page ${lab.page}`,
    ...wrap(`Goal: ${lab.goal}`, NARRATION_WIDTH),
  ];
}

/**
 * A trace with a clock the lab sets itself (for labs that run a component directly rather than
 * a World). Events print with src/sim's formatTimeline/formatVerbose.
 */
export class LabTrace {
  private readonly clock = { now: 0 };
  readonly trace: Trace;

  constructor(maxEvents = 200_000) {
    this.trace = new Trace(this.clock, { maxEvents });
  }

  /** Virtual time of the next events, in ms (never moves backwards). */
  set now(ms: number) {
    if (ms < this.clock.now)
      throw new Error(`Cannot move the lab clock back from ${this.clock.now} to ${ms}`);
    this.clock.now = ms;
  }
  get now(): number {
    return this.clock.now;
  }

  record(cat: TraceCategory, kind: string, node: string, detail?: Record<string, unknown>): void {
    this.trace.record(cat, kind, node, detail);
  }
}

/** A thrown value as a story tells it: "TypeError: x is undefined" (the name, then the message). */
export function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** 1536 → "1.5 KiB"; below 1 KiB in bytes. */
export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${+(n / (1024 * 1024)).toFixed(2)} MiB`;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Virtual ms as a wall-clock position in a multi-day run: "day 3 02:15". */
export function fmtDayTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  const rest = ms - day * DAY_MS;
  const h = Math.floor(rest / HOUR_MS);
  const m = Math.floor((rest - h * HOUR_MS) / MINUTE_MS);
  return `day ${day} ${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}

/** A duration in ms for people: "7 days", "6.5 hours", "12 minutes", "850 ms". */
export function fmtDuration(ms: number): string {
  const a = Math.abs(ms);
  const fmt = (v: number, unit: string): string =>
    `${+v.toFixed(1)} ${unit}${+v.toFixed(1) === 1 ? "" : "s"}`;
  if (a >= DAY_MS) return fmt(ms / DAY_MS, "day");
  if (a >= HOUR_MS) return fmt(ms / HOUR_MS, "hour");
  if (a >= MINUTE_MS) return fmt(ms / MINUTE_MS, "minute");
  if (a >= 1000) return fmt(ms / 1000, "second");
  return `${ms} ms`;
}

/**
 * The compact timeline: src/sim's format ("t=1.500s  node  kind  details"), or for multi-day
 * runs the same columns with a day clock ("day 3 02:15  node  kind  details").
 */
export function labTimeline(
  events: readonly TraceEvent[],
  filter: (e: TraceEvent) => boolean,
  clock: "seconds" | "day" = "seconds",
  maxLines = 60,
): string {
  if (clock === "seconds") return formatTimeline(events, { filter, maxLines });
  const shown = events.filter(filter);
  const lines = shown.slice(0, maxLines).map((e) => {
    const head = `${fmtDayTime(e.t).padEnd(12)} ${e.node.padEnd(10)} ${e.kind}`;
    const details: string[] = [];
    for (const key in e) {
      if (key === "t" || key === "cat" || key === "kind" || key === "node") continue;
      const v = e[key];
      const text =
        typeof v === "string" ? (/[\s"=]/.test(v) ? JSON.stringify(v) : v) : (JSON.stringify(v) ?? String(v));
      details.push(`${key}=${text.length <= 60 ? text : `${text.slice(0, 59)}…`}`);
    }
    return details.length === 0 ? head : `${head.padEnd(40)} ${details.join(" ")}`;
  });
  if (shown.length > maxLines)
    lines.push(`… ${shown.length - maxLines} more events (--verbose prints them all)`);
  return lines.join("\n");
}
