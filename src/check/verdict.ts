/**
 * The verdict: pass or fail for one run, with explanations a learner can act on.
 *
 *   const verdict = checkHistory(recorder.history(), {
 *     forbid: ["lost-write", "unseen"],
 *     liveness: [{ kind: "sends-acked-within", afterMs: 30_000, withinMs: 2_000 }],
 *     seed: 42,
 *     replayCommand: "npx tsx labs/01-high-availability/lab.ts --seed 42",
 *   });
 *   console.log(formatVerdict(verdict));
 *
 * A run passes when no forbidden anomaly occurred and every liveness check passed. Anomalies
 * found but not forbidden by the scenario are still reported (as allowed), because seeing
 * them is part of learning. Each anomaly gets one plain-language explanation that groups its
 * cases (offset ranges per partition, a time range), and a capped list of witnesses: the
 * smallest set of operations that shows each case. The verdict is plain data
 * (JSON-serialisable) for reports; `formatVerdict` renders it for a terminal.
 */
import type { AnomalyCase, AnomalyName } from "./anomalies";
import { ALL_ANOMALIES, ANOMALY_DOCS, EFFECT_ANOMALIES, isAnomalyName } from "./anomalies";
import type { AnalyzeOptions, Analysis, HistoryStats } from "./checker";
import { analyzeHistory } from "./checker";
import { fmtMs, fmtRanges, fmtTimeRange, fmtWitnessEvent, plural } from "./format";
import type { History, TopicPartitionName } from "./history";
import type { LivenessCheck, LivenessResult } from "./liveness";
import { checkLiveness } from "./liveness";

export interface AnomalyReport {
  name: AnomalyName;
  title: string;
  /** Whether the scenario forbids this anomaly (only forbidden anomalies fail the run). */
  forbidden: boolean;
  count: number;
  explanation: string;
  whyItMatters: string;
  /** The first cases, each with its witness events (capped by `maxWitnesses`). */
  witnesses: AnomalyCase[];
  witnessesOmitted: number;
}

export interface Verdict {
  ok: boolean;
  seed?: number | string;
  replayCommand?: string;
  /** One line: PASS/FAIL and why. */
  summary: string;
  /** Every anomaly found, forbidden ones first. */
  anomalies: AnomalyReport[];
  liveness: LivenessResult[];
  forbidden: AnomalyName[];
  stats: HistoryStats;
}

export interface VerdictOptions {
  /** Anomalies this scenario forbids. */
  forbid: readonly AnomalyName[];
  liveness?: readonly LivenessCheck[];
  seed?: number | string;
  replayCommand?: string;
  /** Witnesses kept per anomaly in the verdict (default 10). */
  maxWitnesses?: number;
  /** End of the run in virtual ms for liveness deadlines (default: last event). */
  endMs?: number;
}

const DEFAULT_MAX_WITNESSES = 10;

/** Analyses a history and judges it: the one call a grader needs. */
export function checkHistory(history: History, options: VerdictOptions & AnalyzeOptions): Verdict {
  for (const name of options.forbid) {
    if (!isAnomalyName(name))
      throw new Error(
        `Cannot check history: unknown anomaly "${String(name)}" in forbid (known: ${ALL_ANOMALIES.join(", ")})`,
      );
    if (options.ledger === undefined && (EFFECT_ANOMALIES as readonly string[]).includes(name)) {
      throw new Error(`Cannot check history: forbid lists "${name}" but no effect ledger was given`);
    }
  }
  const analysis = analyzeHistory(history, options);
  const liveness = checkLiveness(
    analysis,
    options.liveness ?? [],
    options.endMs !== undefined ? { endMs: options.endMs } : {},
  );
  return buildVerdict(analysis, liveness, options);
}

/** Judges an analysis: forbidden anomalies and failed liveness checks fail the run. */
export function buildVerdict(
  analysis: Analysis,
  liveness: readonly LivenessResult[],
  options: VerdictOptions,
): Verdict {
  const forbidden = new Set<AnomalyName>(options.forbid);
  const maxWitnesses = options.maxWitnesses ?? DEFAULT_MAX_WITNESSES;
  const anomalies: AnomalyReport[] = [];
  for (const name of ALL_ANOMALIES) {
    const cases = analysis.anomalies[name];
    if (cases.length === 0) continue;
    anomalies.push({
      name,
      title: ANOMALY_DOCS[name].title,
      forbidden: forbidden.has(name),
      count: cases.length,
      explanation: explainAnomaly(name, cases),
      whyItMatters: ANOMALY_DOCS[name].whyItMatters,
      witnesses: cases.slice(0, maxWitnesses),
      witnessesOmitted: Math.max(0, cases.length - maxWitnesses),
    });
  }
  anomalies.sort((a, b) => Number(b.forbidden) - Number(a.forbidden));
  const badAnomalies = anomalies.filter((a) => a.forbidden);
  const badLiveness = liveness.filter((l) => !l.ok);
  const ok = badAnomalies.length === 0 && badLiveness.length === 0;
  const seed = options.seed !== undefined ? ` seed=${options.seed}` : "";
  const summary = ok
    ? `PASS${seed}: no forbidden anomaly${liveness.length > 0 ? `, ${plural(liveness.length, "liveness check")} passed` : ""}`
    : `FAIL${seed}: ${[...badAnomalies.map((a) => `${a.name} (${a.count})`), ...badLiveness.map((l) => `liveness: ${l.name}`)].join(", ")}`;
  const verdict: Verdict = {
    ok,
    summary,
    anomalies,
    liveness: [...liveness],
    forbidden: [...forbidden],
    stats: analysis.stats,
  };
  if (options.seed !== undefined) verdict.seed = options.seed;
  if (options.replayCommand !== undefined) verdict.replayCommand = options.replayCommand;
  return verdict;
}

/** "offsets 340-351 of orders-0 and 3 of orders-1" (at most 4 partitions named). */
function whereAll(cases: readonly AnomalyCase[]): string {
  const byPartition = new Map<TopicPartitionName, number[]>();
  for (const c of cases) {
    if (c.topicPartition === undefined || c.offset === undefined) continue;
    let list = byPartition.get(c.topicPartition);
    if (list === undefined) byPartition.set(c.topicPartition, (list = []));
    list.push(c.offset);
  }
  const parts = [...byPartition.entries()].sort((a, b) => b[1].length - a[1].length);
  if (parts.length === 0) return "";
  const shown = parts
    .slice(0, 4)
    .map(
      ([tp, offsets], i) =>
        `${i === 0 ? (offsets.length === 1 ? "offset " : "offsets ") : ""}${fmtRanges(offsets)} of ${tp}`,
    );
  const more = parts.length > 4 ? ` and ${parts.length - 4} more partitions` : "";
  return `${shown.join(" and ")}${more}`;
}

function highestRead(cases: readonly AnomalyCase[]): string {
  const byPartition = new Map<TopicPartitionName, number>();
  for (const c of cases)
    if (c.topicPartition !== undefined && c.highestOffsetRead !== undefined)
      byPartition.set(c.topicPartition, c.highestOffsetRead);
  const fmt = (n: number): string => (n < 0 ? "none" : `${n}`);
  if (byPartition.size === 1) return `highest offset read ${fmt([...byPartition.values()][0]!)}`;
  return `highest offsets read: ${[...byPartition.entries()]
    .slice(0, 4)
    .map(([tp, n]) => `${fmt(n)} in ${tp}`)
    .join(", ")}`;
}

function ackTimes(cases: readonly AnomalyCase[]): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of cases) {
    const t = c.events[0]?.completeMs;
    if (t === undefined) continue;
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  return lo === Infinity ? "unknown times" : fmtTimeRange(lo, hi);
}

function processes(cases: readonly AnomalyCase[]): string {
  const names = [
    ...new Set(
      cases.flatMap((c) => (c.process !== undefined ? [c.process] : c.events.map((e) => e.process))),
    ),
  ].sort();
  return names.length <= 4
    ? names.join(", ")
    : `${names.slice(0, 4).join(", ")} and ${names.length - 4} more`;
}

/** One plain-language paragraph for all cases of one anomaly. */
export function explainAnomaly(name: AnomalyName, cases: readonly AnomalyCase[]): string {
  const n = cases.length;
  const first = cases[0]!;
  const eg = n > 1 ? `; for example ${first.summary}` : `: ${first.summary}`;
  switch (name) {
    case "lost-write":
      return `${plural(n, "acknowledged message")} lost: ${whereAll(cases)}, acknowledged at ${ackTimes(cases)}, never returned by any poll (${highestRead(cases)})`;
    case "unseen":
      return `${plural(n, "acknowledged message")} never consumed: ${whereAll(cases)}, acknowledged at ${ackTimes(cases)}, not returned even by the final drain (${highestRead(cases)})`;
    case "duplicate":
      return `${plural(n, "message")} stored more than once${eg}`;
    case "inconsistent-offsets":
      return `${plural(n, "offset")} held different messages for different clients (replicas diverged): ${whereAll(cases)}${eg}`;
    case "nonmonotonic-send":
      return `${plural(n, "send")} by ${processes(cases)} landed at or before an earlier send of the same producer to the same partition${eg}`;
    case "int-nonmonotonic-send":
      return `${plural(n, "time")} a multi-message send had its messages to one partition written out of order${eg}`;
    case "int-send-skip":
      return `${plural(n, "time")} other messages were written between the messages of one multi-message send${eg}`;
    case "poll-skip": {
      const skipped = cases.reduce((sum, c) => sum + (c.offsets?.length ?? 0), 0);
      return `${plural(n, "time")} a consumer (${processes(cases)}) jumped over offsets that exist, at least ${plural(skipped, "message")} never processed${eg}`;
    }
    case "nonmonotonic-poll":
      return `${plural(n, "time")} a consumer (${processes(cases)}) went backwards or re-read an offset without a reassignment or seek${eg}`;
    case "aborted-read":
      return `${plural(n, "message")} read although the send definitely failed: ${whereAll(cases)}${eg}`;
    case "effect-duplicated": {
      const extra = cases.reduce((sum, c) => sum + c.events.length - 1, 0);
      return `${plural(n, "message")} with effects applied more than once (at least ${plural(extra, "extra application")})${eg}`;
    }
    case "effect-lost":
      return `${plural(n, "message")} whose effect never happened: ${whereAll(cases) || "messages expected by the ledger"}${eg}`;
    case "effect-reordered": {
      const keys = [...new Set(cases.map((c) => JSON.stringify(c.key)))];
      return `${plural(n, "effect")} applied out of offset order for ${keys.length === 1 ? `key ${keys[0]}` : `${keys.length} keys`}${eg}`;
    }
  }
}

export interface FormatOptions {
  /** Witnesses printed per anomaly (default 3). */
  maxWitnesses?: number;
}

/** Renders a verdict for a terminal (plain text, no colour codes). */
export function formatVerdict(v: Verdict, options: FormatOptions = {}): string {
  const maxWitnesses = options.maxWitnesses ?? 3;
  const lines: string[] = [v.summary];
  for (const a of v.anomalies) {
    lines.push("", `${a.forbidden ? "FORBIDDEN" : "allowed here"} ${a.name}: ${a.explanation}`);
    lines.push(`  Why it matters: ${a.whyItMatters}`);
    const shown = a.witnesses.slice(0, maxWitnesses);
    shown.forEach((c, i) => {
      lines.push(`  witness ${i + 1}: ${c.summary}`);
      for (const e of c.events) lines.push(`    - ${fmtWitnessEvent(e)}`);
    });
    const omitted = a.count - shown.length;
    if (omitted > 0)
      lines.push(
        `  ... and ${plural(omitted, "more case")} (all counted above; the JSON report lists ${a.witnesses.length})`,
      );
  }
  if (v.liveness.length > 0) lines.push("");
  for (const l of v.liveness) {
    lines.push(`${l.ok ? "liveness ok" : "LIVENESS FAILED"}: ${l.name}: ${l.explanation}`);
    for (const e of l.examples) lines.push(`    - ${fmtWitnessEvent(e)}`);
  }
  const s = v.stats;
  lines.push(
    "",
    `History: ${s.operations} operations by ${s.processes} clients over ${fmtMs(s.endMs)}; ${s.messagesAcknowledged} messages acknowledged, ${s.messagesIndeterminate} uncertain, ${s.messagesFailed} failed; ${s.recordsRead} records read in ${s.pollOps.ok} polls${s.effects > 0 ? `; ${s.effects} effects` : ""}.`,
  );
  if (v.seed !== undefined || v.replayCommand !== undefined) {
    lines.push(
      `Replay${v.seed !== undefined ? ` seed=${v.seed}` : ""}: ${v.replayCommand ?? "(no replay command given)"}`,
    );
  }
  return lines.join("\n");
}
