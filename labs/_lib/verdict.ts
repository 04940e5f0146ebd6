/**
 * Verdicts for labs that judge a run directly rather than through a client history (storage and
 * checkpoint labs): collect anomaly cases and liveness results, then build a `LabVerdict` with
 * the same shape, wording and ordering as the history checker's (src/check/verdict.ts), and
 * print any verdict (ours or the checker's) for a terminal.
 *
 * Anomaly names: where a checker name fits (`lost-write`, `poll-skip`, `inconsistent-offsets`) a
 * lab uses it and gets the checker's title and "why it matters"; other names carry their own
 * `AnomalyDoc`. Bounded: at most `maxWitnesses` cases are kept per anomaly (all are counted).
 */
import { ANOMALY_DOCS, formatVerdict, isAnomalyName, type Verdict } from "../../src/check";
import type { LabAnomaly, LabLiveness, LabVerdict, LabWitness } from "./types";

/** How one anomaly reads: a title, why it matters, and one paragraph for all its cases. */
export interface AnomalyDoc {
  title: string;
  whyItMatters: string;
  /**
   * One paragraph for all cases (default: "N cases; for example <first summary>"). `cases` are
   * the first ones kept as witnesses; `all` counts every case and gathers all their offsets.
   */
  explain?(cases: readonly LabCase[], all: { count: number; offsets: readonly number[] }): string;
}

/** A case as collected: the witness plus optional facts an explanation may group. */
export interface LabCase extends LabWitness {
  /** Offsets involved, for "offsets 340-351 of orders-0" explanations. */
  offsets?: readonly number[];
  /** "orders-0". */
  partition?: string;
  /** Virtual time of the case in ms. */
  atMs?: number;
}

const DEFAULT_MAX_WITNESSES = 10;
/** Offsets gathered per anomaly for explanations (bounded; later ones are counted, not kept). */
const OFFSETS_KEPT_MAX = 100_000;

export class VerdictBuilder {
  private readonly cases = new Map<string, LabCase[]>();
  private readonly counts = new Map<string, number>();
  private readonly offsets = new Map<string, number[]>();
  private readonly live: LabLiveness[] = [];

  constructor(
    private readonly docs: Readonly<Record<string, AnomalyDoc>>,
    private readonly forbidden: readonly string[],
    private readonly maxWitnesses = DEFAULT_MAX_WITNESSES,
  ) {
    for (const name of forbidden) this.doc(name); // every forbidden name must be documented
  }

  /** Record one case of `name`. */
  add(name: string, c: LabCase): void {
    this.doc(name);
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    let list = this.cases.get(name);
    if (list === undefined) this.cases.set(name, (list = []));
    if (list.length < this.maxWitnesses) list.push(c);
    if (c.offsets !== undefined && c.offsets.length > 0) {
      let all = this.offsets.get(name);
      if (all === undefined) this.offsets.set(name, (all = []));
      for (const o of c.offsets) if (all.length < OFFSETS_KEPT_MAX) all.push(o);
    }
  }

  /** How many cases of `name` so far. */
  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  /** Record a liveness requirement's outcome (a failure fails the run). */
  liveness(name: string, ok: boolean, explanation: string): void {
    this.live.push({ name, ok, explanation });
  }

  build(options: { seed?: number; replayCommand?: string } = {}): LabVerdict {
    const forbidden = new Set(this.forbidden);
    const anomalies: LabAnomaly[] = [];
    for (const [name, list] of this.cases) {
      const d = this.doc(name);
      const count = this.counts.get(name) ?? list.length;
      anomalies.push({
        name,
        title: d.title,
        forbidden: forbidden.has(name),
        count,
        explanation:
          d.explain?.(list, { count, offsets: this.offsets.get(name) ?? [] }) ??
          defaultExplanation(count, list),
        whyItMatters: d.whyItMatters,
        witnesses: list.map((c) =>
          c.details === undefined ? { summary: c.summary } : { summary: c.summary, details: c.details },
        ),
        witnessesOmitted: count - list.length,
      });
    }
    // Forbidden first, in the order the lab lists them; then the allowed ones.
    const rank = (a: LabAnomaly): number =>
      a.forbidden ? this.forbidden.indexOf(a.name) : this.forbidden.length;
    anomalies.sort((a, b) => rank(a) - rank(b));
    const bad = anomalies.filter((a) => a.forbidden);
    const badLive = this.live.filter((l) => !l.ok);
    const ok = bad.length === 0 && badLive.length === 0;
    const seed = options.seed !== undefined ? ` seed=${options.seed}` : "";
    const summary = ok
      ? `PASS${seed}: no forbidden anomaly${this.live.length > 0 ? `, ${plural(this.live.length, "liveness check")} passed` : ""}`
      : `FAIL${seed}: ${[...bad.map((a) => `${a.name} (${a.count})`), ...badLive.map((l) => `liveness: ${l.name}`)].join(", ")}`;
    const v: LabVerdict = {
      ok,
      summary,
      anomalies,
      liveness: [...this.live],
      forbidden: [...this.forbidden],
    };
    if (options.seed !== undefined) v.seed = options.seed;
    if (options.replayCommand !== undefined) v.replayCommand = options.replayCommand;
    return v;
  }

  private doc(name: string): AnomalyDoc {
    const own = this.docs[name];
    if (own !== undefined) return own;
    if (isAnomalyName(name)) return ANOMALY_DOCS[name];
    throw new Error(
      `Cannot record anomaly "${name}": it is neither a checker anomaly nor documented by the lab`,
    );
  }
}

function defaultExplanation(count: number, list: readonly LabCase[]): string {
  const first = list[0]?.summary ?? "";
  return count === 1 ? first : `${plural(count, "case")}; for example ${first}`;
}

/** Names that fail the run: forbidden anomalies found, then failed liveness checks. */
export function failingNames(v: LabVerdict): string[] {
  return [
    ...v.anomalies.filter((a) => a.forbidden).map((a) => a.name),
    ...v.liveness.filter((l) => !l.ok).map((l) => l.name),
  ];
}

function isCheckerVerdict(v: LabVerdict): v is Verdict {
  return "stats" in v && typeof (v as { stats?: unknown }).stats === "object";
}

/** The verdict for a terminal: plain text, short lines, no colour codes. */
export function formatLabVerdict(v: LabVerdict, maxWitnesses = 3): string {
  if (isCheckerVerdict(v)) return formatVerdict(v, { maxWitnesses });
  const lines: string[] = [v.summary];
  for (const a of v.anomalies) {
    lines.push("", `${a.forbidden ? "FORBIDDEN" : "allowed here"} ${a.name} (${a.title}): ${a.explanation}`);
    lines.push(`  Why it matters: ${a.whyItMatters}`);
    const shown = a.witnesses.slice(0, maxWitnesses);
    shown.forEach((w, i) => {
      lines.push(`  witness ${i + 1}: ${w.summary}`);
      for (const d of w.details ?? []) lines.push(`    - ${d}`);
    });
    const omitted = a.count - shown.length;
    if (omitted > 0) lines.push(`  ... and ${plural(omitted, "more case")}`);
  }
  if (v.liveness.length > 0) lines.push("");
  for (const l of v.liveness)
    lines.push(`${l.ok ? "liveness ok" : "LIVENESS FAILED"}: ${l.name}: ${l.explanation}`);
  if (v.seed !== undefined || v.replayCommand !== undefined) {
    lines.push(
      "",
      `Replay${v.seed !== undefined ? ` seed=${v.seed}` : ""}: ${v.replayCommand ?? "(no replay command given)"}`,
    );
  }
  return lines.join("\n");
}

/** "1 segment" / "3 segments". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}
