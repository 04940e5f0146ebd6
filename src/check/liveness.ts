/**
 * Liveness: what must make progress. A checker that only forbids bad outcomes is passed by a
 * system that does nothing ("never acknowledge", "never consume", "use one thread"), so every
 * scenario also declares progress checks, as plain data:
 *
 * - `sends-acked-within`: every send invoked at or after `afterMs` (the quiet phase, faults
 *   over) is acknowledged ok within `withinMs`. A failed or timed-out send is a violation. A send
 *   still pending whose deadline is after the end of the run is not judged.
 * - `min-sends-ok`: at least `count` messages acknowledged between `fromMs` and `toMs` (inclusive).
 * - `drained-within`: every acknowledged message is returned by some ok poll within `withinMs`
 *   after the later of its acknowledgement and `afterMs` (when faults stopped). Messages whose
 *   deadline is after the end of the run are not judged.
 * - `effect-throughput`: at least `minPerSecond` distinct messages' effects applied per simulated
 *   second in [fromMs, toMs). Redelivered effects do not count: duplicating work is not progress.
 *
 * A check with nothing to judge (no send invoked in the quiet phase, nothing acknowledged)
 * fails: it cannot show progress. Each result explains itself in one sentence and gives a few
 * example events when it fails. All checks are linear in the history and ledger.
 */
import type { WitnessEvent } from "./anomalies";
import { opWitness } from "./anomalies";
import type { Analysis } from "./checker";
import { effectWitness } from "./effect-checks";
import { effectsInApplyOrder } from "./effects";
import { fmtMs, plural } from "./format";
import type { Operation, SendOp } from "./history";
import { topicPartitionName } from "./history";

export type LivenessCheck =
  | {
      kind: "sends-acked-within";
      afterMs: number;
      withinMs: number;
      untilMs?: number;
      topics?: string[];
      name?: string;
    }
  | { kind: "min-sends-ok"; fromMs: number; toMs: number; count: number; topics?: string[]; name?: string }
  | { kind: "drained-within"; afterMs: number; withinMs: number; topics?: string[]; name?: string }
  | { kind: "effect-throughput"; fromMs: number; toMs: number; minPerSecond: number; name?: string };

export interface LivenessResult {
  name: string;
  kind: LivenessCheck["kind"];
  ok: boolean;
  explanation: string;
  /** The measured quantity (violations, messages, or effects per second). */
  measured: number;
  /** A few events that show a failure (empty when ok). */
  examples: WitnessEvent[];
}

export interface LivenessOptions {
  /** End of the run in virtual ms; defaults to the last event in the history or ledger. */
  endMs?: number;
  /** Examples kept per failing check (default 3). */
  maxExamples?: number;
}

function inTopics(op: SendOp, topics: readonly string[] | undefined): boolean {
  return topics === undefined || op.messages.some((m) => topics.includes(m.topic));
}

function sendsAckedWithin(
  history: readonly Operation[],
  c: Extract<LivenessCheck, { kind: "sends-acked-within" }>,
  endMs: number,
  maxExamples: number,
): Omit<LivenessResult, "name" | "kind"> {
  let judged = 0;
  let slowestMs = 0;
  const bad = { late: 0, failed: 0, indeterminate: 0, pending: 0 };
  const examples: WitnessEvent[] = [];
  for (const op of history) {
    if (
      op.type !== "send" ||
      op.invokeMs < c.afterMs ||
      (c.untilMs !== undefined && op.invokeMs > c.untilMs) ||
      !inTopics(op, c.topics)
    )
      continue;
    const deadline = op.invokeMs + c.withinMs;
    if (op.outcome === undefined && deadline > endMs) continue;
    judged++;
    const took = (op.completeMs ?? Infinity) - op.invokeMs;
    if (op.outcome === "ok" && took <= c.withinMs) {
      slowestMs = Math.max(slowestMs, took);
      continue;
    }
    if (op.outcome === "ok") bad.late++;
    else if (op.outcome === "fail") bad.failed++;
    else if (op.outcome === "info") bad.indeterminate++;
    else bad.pending++;
    if (examples.length < maxExamples)
      examples.push(
        opWitness(op, op.outcome === "ok" ? `acknowledged after ${fmtMs(took)}` : "not acknowledged", {
          value: op.messages[0]!.value,
          key: op.messages[0]!.key,
        }),
      );
  }
  const window = `invoked after t=${fmtMs(c.afterMs)}${c.untilMs !== undefined ? ` and before t=${fmtMs(c.untilMs)}` : ""}`;
  if (judged === 0)
    return {
      ok: false,
      measured: 0,
      examples,
      explanation: `no send was ${window}, so the producer's progress cannot be shown`,
    };
  const violations = bad.late + bad.failed + bad.indeterminate + bad.pending;
  if (violations === 0)
    return {
      ok: true,
      measured: 0,
      examples,
      explanation: `all ${plural(judged, "send")} ${window} were acknowledged within ${fmtMs(c.withinMs)} (slowest ${fmtMs(slowestMs)})`,
    };
  const parts = [
    bad.failed > 0 ? `${bad.failed} failed` : "",
    bad.indeterminate > 0 ? `${bad.indeterminate} timed out or lost their connection` : "",
    bad.pending > 0 ? `${bad.pending} never completed` : "",
    bad.late > 0 ? `${bad.late} were acknowledged too late` : "",
  ].filter((s) => s !== "");
  return {
    ok: false,
    measured: violations,
    examples,
    explanation: `${violations} of ${plural(judged, "send")} ${window} were not acknowledged within ${fmtMs(c.withinMs)}: ${parts.join(", ")}`,
  };
}

function minSendsOk(
  history: readonly Operation[],
  c: Extract<LivenessCheck, { kind: "min-sends-ok" }>,
): Omit<LivenessResult, "name" | "kind"> {
  let acked = 0;
  for (const op of history) {
    if (op.type !== "send" || op.outcome !== "ok" || op.completeMs! < c.fromMs || op.completeMs! > c.toMs)
      continue;
    for (const m of op.messages) if (c.topics === undefined || c.topics.includes(m.topic)) acked++;
  }
  const window = `between t=${fmtMs(c.fromMs)} and t=${fmtMs(c.toMs)}`;
  return acked >= c.count
    ? {
        ok: true,
        measured: acked,
        examples: [],
        explanation: `${plural(acked, "message")} acknowledged ${window} (at least ${c.count} required)`,
      }
    : {
        ok: false,
        measured: acked,
        examples: [],
        explanation: `only ${plural(acked, "message")} acknowledged ${window}; at least ${c.count} required`,
      };
}

function drainedWithin(
  analysis: Analysis,
  c: Extract<LivenessCheck, { kind: "drained-within" }>,
  endMs: number,
  maxExamples: number,
): Omit<LivenessResult, "name" | "kind"> {
  const history = analysis.observations.history;
  let judged = 0;
  let late = 0;
  let never = 0;
  let slowestMs = 0;
  const examples: WitnessEvent[] = [];
  for (const op of history) {
    if (op.type !== "send" || op.outcome !== "ok") continue;
    for (let i = 0; i < op.messages.length; i++) {
      const m = op.messages[i]!;
      if (c.topics !== undefined && !c.topics.includes(m.topic)) continue;
      const deadline = Math.max(op.completeMs!, c.afterMs) + c.withinMs;
      if (deadline > endMs) continue;
      judged++;
      const readMs = analysis.observations.values.get(m.value)!.firstReadMs;
      if (readMs <= deadline) {
        slowestMs = Math.max(slowestMs, readMs - Math.max(op.completeMs!, c.afterMs));
        continue;
      }
      if (readMs === Infinity) never++;
      else late++;
      if (examples.length < maxExamples) {
        const pos = op.positions![i]!;
        examples.push(
          opWitness(
            op,
            readMs === Infinity
              ? "acknowledged, never consumed"
              : `acknowledged, consumed only at t=${fmtMs(readMs)}`,
            {
              topicPartition: topicPartitionName(m.topic, pos.partition),
              offset: pos.offset,
              key: m.key,
              value: m.value,
            },
          ),
        );
      }
    }
  }
  if (judged === 0)
    return {
      ok: false,
      measured: 0,
      examples,
      explanation: `no message was acknowledged early enough to judge draining within ${fmtMs(c.withinMs)} after t=${fmtMs(c.afterMs)}`,
    };
  if (late + never === 0)
    return {
      ok: true,
      measured: 0,
      examples,
      explanation: `all ${plural(judged, "acknowledged message")} were consumed within ${fmtMs(c.withinMs)} after faults stopped at t=${fmtMs(c.afterMs)} (slowest ${fmtMs(slowestMs)})`,
    };
  return {
    ok: false,
    measured: late + never,
    examples,
    explanation: `${late + never} of ${plural(judged, "acknowledged message")} were not consumed within ${fmtMs(c.withinMs)} after faults stopped at t=${fmtMs(c.afterMs)}: ${never} never consumed, ${late} consumed late`,
  };
}

function effectThroughput(
  analysis: Analysis,
  c: Extract<LivenessCheck, { kind: "effect-throughput" }>,
  maxExamples: number,
): Omit<LivenessResult, "name" | "kind"> {
  if (!(c.toMs > c.fromMs))
    throw new Error(`Cannot check effect throughput: window [${c.fromMs}, ${c.toMs}) ms is empty`);
  const seen = new Set<string>();
  let inWindow = 0;
  let last: WitnessEvent | undefined;
  for (const e of effectsInApplyOrder(analysis.effects)) {
    if (seen.has(e.value)) continue;
    seen.add(e.value);
    if (e.atMs >= c.fromMs && e.atMs < c.toMs) {
      inWindow++;
      last = effectWitness(e, "last effect in the window");
    }
  }
  const perSecond = inWindow / ((c.toMs - c.fromMs) / 1000);
  const rate = `${+perSecond.toFixed(1)} effects per simulated second between t=${fmtMs(c.fromMs)} and t=${fmtMs(c.toMs)}`;
  if (perSecond >= c.minPerSecond)
    return {
      ok: true,
      measured: perSecond,
      examples: [],
      explanation: `${rate} (at least ${c.minPerSecond} required)`,
    };
  return {
    ok: false,
    measured: perSecond,
    examples: last !== undefined && maxExamples > 0 ? [last] : [],
    explanation: `only ${rate}; at least ${c.minPerSecond} required`,
  };
}

function defaultName(c: LivenessCheck): string {
  switch (c.kind) {
    case "sends-acked-within":
      return `sends acknowledged within ${fmtMs(c.withinMs)} after t=${fmtMs(c.afterMs)}`;
    case "min-sends-ok":
      return `at least ${c.count} messages acknowledged in t=${fmtMs(c.fromMs)}–${fmtMs(c.toMs)}`;
    case "drained-within":
      return `consumers drain within ${fmtMs(c.withinMs)} after t=${fmtMs(c.afterMs)}`;
    case "effect-throughput":
      return `at least ${c.minPerSecond} effects/s in t=${fmtMs(c.fromMs)}–${fmtMs(c.toMs)}`;
  }
}

/** Evaluates declared liveness checks against an analysed history. */
export function checkLiveness(
  analysis: Analysis,
  checks: readonly LivenessCheck[],
  options: LivenessOptions = {},
): LivenessResult[] {
  const endMs = options.endMs ?? analysis.stats.endMs;
  const maxExamples = options.maxExamples ?? 3;
  const history = analysis.observations.history;
  return checks.map((c) => {
    let r: Omit<LivenessResult, "name" | "kind">;
    switch (c.kind) {
      case "sends-acked-within":
        r = sendsAckedWithin(history, c, endMs, maxExamples);
        break;
      case "min-sends-ok":
        r = minSendsOk(history, c);
        break;
      case "drained-within":
        r = drainedWithin(analysis, c, endMs, maxExamples);
        break;
      case "effect-throughput":
        r = effectThroughput(analysis, c, maxExamples);
        break;
      default:
        throw new Error(`Cannot check liveness: unknown kind ${String((c as { kind: unknown }).kind)}`);
    }
    return { name: c.name ?? defaultName(c), kind: c.kind, ...r };
  });
}
