/**
 * Lab 01's verdict: the history checker's (src/check) on the run's sends and polls, plus the
 * lab's durability requirement measured at each acknowledgement (acks.ts).
 *
 * Forbidden: `lost-write`, `unseen`, `inconsistent-offsets` (the checker's) and
 * `acked-on-one-broker` (the lab's: an acknowledged order that only one broker held). Liveness:
 * with at most one broker down, and again once every broker is back, each order is acknowledged
 * within SCENARIO.ackBoundMs.
 *
 * The verdict is the checker's Verdict with the lab's anomaly added in the same shape (its
 * witnesses are the acknowledged sends), so the framework prints it with the checker's format.
 */
import {
  analyzeHistory,
  buildVerdict,
  checkLiveness,
  fmtMs,
  fmtRanges,
  type Analysis,
  type AnomalyCase,
  type AnomalyName,
  type AnomalyReport,
  type LivenessCheck,
  type Operation,
  type Verdict,
  type WitnessEvent,
} from "../../src/check";
import type { SingleCopyAck } from "./acks";
import type { HaRun } from "./scenario";
import { SCENARIO } from "./spec";

export const LAB01_FORBIDDEN = [
  "lost-write",
  "unseen",
  "inconsistent-offsets",
  "acked-on-one-broker",
] as const;
const CHECKER_FORBIDDEN: AnomalyName[] = ["lost-write", "unseen", "inconsistent-offsets"];

/** Liveness check names (the grader's table and the wrong fixes use them). */
export const LIVENESS = Object.freeze({
  oneDown: "acknowledged-with-one-broker-down",
  recovered: "acknowledged-after-recovery",
});

export const SINGLE_COPY = Object.freeze({
  name: "acked-on-one-broker",
  title: "acknowledged while only one broker held it",
  whyItMatters:
    "The producer was told the order was safe, but it existed on one machine: one broken disk, one power cut or one unclean election there, and it is gone. acks=all with min.insync.replicas=2 is what makes an acknowledgement mean 'on at least two brokers'.",
});

const WITNESSES_MAX = 10;

export interface Judgement {
  verdict: Verdict;
  analysis: Analysis;
}

export function judge(run: HaRun, seed: number, replayCommand: string): Judgement {
  const history = run.recorder.history();
  const analysis = analyzeHistory(history, { unseenTopics: [SCENARIO.topic] });
  const bound = SCENARIO.ackBoundMs;
  const checks: LivenessCheck[] = [
    {
      kind: "sends-acked-within",
      name: LIVENESS.oneDown,
      afterMs: run.t0,
      untilMs: run.secondDownMs - bound,
      withinMs: bound,
    },
    {
      kind: "sends-acked-within",
      name: LIVENESS.recovered,
      afterMs: run.allBackMs + SCENARIO.recoverySettleMs,
      untilMs: run.sendsStopMs,
      withinMs: bound,
    },
  ];
  const liveness = checkLiveness(analysis, checks);
  const base = buildVerdict(analysis, liveness, { forbid: CHECKER_FORBIDDEN, seed, replayCommand });
  if (run.acks.singleCopy === 0) return { verdict: base, analysis };

  const report = singleCopyReport(run, history);
  const anomalies = [...base.anomalies];
  const firstAllowed = anomalies.findIndex((a) => !a.forbidden);
  anomalies.splice(firstAllowed < 0 ? anomalies.length : firstAllowed, 0, report);
  const bad = anomalies.filter((a) => a.forbidden);
  const badLive = liveness.filter((l) => !l.ok);
  const verdict: Verdict = {
    ...base,
    ok: false,
    summary: `FAIL seed=${seed}: ${[...bad.map((a) => `${a.name} (${a.count})`), ...badLive.map((l) => `liveness: ${l.name}`)].join(", ")}`,
    anomalies,
    forbidden: [...base.forbidden, SINGLE_COPY.name as AnomalyName],
  };
  return { verdict, analysis };
}

/** The lab's anomaly in the checker's report shape (its name is not one of the checker's). */
function singleCopyReport(run: HaRun, history: readonly Operation[]): AnomalyReport {
  const cases = run.acks.cases;
  const witnesses: AnomalyCase[] = cases.slice(0, WITNESSES_MAX).map((c) => {
    const op = history[c.opId];
    const value = op?.type === "send" ? op.messages[0]?.value : undefined;
    const who = c.holders.length === 0 ? "no broker" : `broker ${c.holders[0]} alone`;
    const w: WitnessEvent = {
      role: "acknowledged send",
      kind: "op",
      id: c.opId,
      process: op?.process ?? "orders-app",
      type: "send",
      topicPartition: `${SCENARIO.topic}-${c.partition}`,
      offset: c.offset,
      ...(op !== undefined ? { invokeMs: op.invokeMs, outcome: op.outcome ?? "pending" } : {}),
      ...(op?.completeMs !== undefined ? { completeMs: op.completeMs } : {}),
      ...(value !== undefined ? { value } : {}),
    };
    return {
      name: SINGLE_COPY.name as AnomalyName,
      summary: `${value !== undefined ? `"${value}" ` : ""}acknowledged at ${SCENARIO.topic}-${c.partition}@${c.offset} (t=${fmtMs(c.atMs)}) was held by ${who}`,
      topicPartition: `${SCENARIO.topic}-${c.partition}`,
      offset: c.offset,
      events: [w],
    };
  });
  return {
    name: SINGLE_COPY.name as AnomalyName,
    title: SINGLE_COPY.title,
    forbidden: true,
    count: run.acks.singleCopy,
    explanation: explainSingleCopy(cases, run.acks.singleCopy, run.acks.acknowledged),
    whyItMatters: SINGLE_COPY.whyItMatters,
    witnesses,
    witnessesOmitted: Math.max(0, run.acks.singleCopy - witnesses.length),
  };
}

export function explainSingleCopy(
  cases: readonly SingleCopyAck[],
  count: number,
  acknowledged: number,
): string {
  const byPartition = new Map<number, number[]>();
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of cases) {
    let list = byPartition.get(c.partition);
    if (list === undefined) byPartition.set(c.partition, (list = []));
    list.push(c.offset);
    lo = Math.min(lo, c.atMs);
    hi = Math.max(hi, c.atMs);
  }
  const where = [...byPartition.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([p, offsets]) => `${fmtRanges(offsets, 3)} of ${SCENARIO.topic}-${p}`)
    .join(", ");
  const kept = cases.length < count ? ` (the first ${cases.length} listed)` : "";
  return `${count} of ${acknowledged} acknowledged orders were on a single broker when the producer was told they were safe: offsets ${where}${kept}, acknowledged at t=${fmtMs(lo)}–${fmtMs(hi)}`;
}
