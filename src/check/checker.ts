/**
 * The history checker: finds every anomaly of reference/checker.md in a run's history (and,
 * when given, its effect ledger). It does not decide pass or fail — a scenario forbids some
 * anomalies and not others; verdict.ts applies that choice.
 *
 *   const analysis = analyzeHistory(recorder.history(), { ledger });
 *   analysis.anomalies["lost-write"]   // AnomalyCase[], each with a witness
 *
 * Steps: validate the history (a malformed one is refused with a clear error), index every
 * observation (observations.ts), then run the log checks (log-checks.ts) and the effect checks
 * (effect-checks.ts). Cost is linear in the size of the history plus a sort per partition and
 * per process: a 100k-operation history checks in well under a second (bench/check.bench.ts).
 *
 * Anomalies in brief (anomalies.ts has the learner's version):
 * lost-write, unseen, duplicate, inconsistent-offsets, nonmonotonic-send, int-nonmonotonic-send,
 * int-send-skip, poll-skip, nonmonotonic-poll, aborted-read; effect-duplicated, effect-lost,
 * effect-reordered.
 */
import type { AnomalyCase, AnomalyName } from "./anomalies";
import { ALL_ANOMALIES } from "./anomalies";
import { findEffectAnomalies } from "./effect-checks";
import type { EffectEntry, EffectLedgerJSON } from "./effects";
import { EffectLedger } from "./effects";
import type { History } from "./history";
import { assertValidHistory } from "./history";
import {
  findAbortedReads,
  findDuplicates,
  findInconsistentOffsets,
  findLostAndUnseen,
  findOrderAnomalies,
} from "./log-checks";
import type { Observations } from "./observations";
import { buildObservations } from "./observations";

export interface AnalyzeOptions {
  /** The effect ledger of a consumer lab; without it the effect anomalies are not checked. */
  ledger?: EffectLedger | EffectLedgerJSON;
  /**
   * Topics for which `unseen` is judged: the ones the scenario drained at the end. Default: every
   * topic (fail closed: a consumer that never polls cannot pass by reading nothing). A scenario
   * without a final drain, or with topics nobody consumes, lists the drained ones here.
   */
  unseenTopics?: readonly string[];
  /** Topics whose messages must produce effects. Default: every topic (fail closed, as above). */
  effectTopics?: readonly string[];
}

export interface HistoryStats {
  operations: number;
  processes: number;
  sendOps: { ok: number; fail: number; info: number };
  messagesAcknowledged: number;
  messagesIndeterminate: number;
  messagesFailed: number;
  pollOps: { ok: number; fail: number; info: number };
  recordsRead: number;
  distinctValuesRead: number;
  partitions: number;
  crashes: number;
  effects: number;
  /** Latest time in the history or ledger (virtual ms). */
  endMs: number;
}

export interface Analysis {
  /** Every anomaly name, with the cases found (empty arrays when none). */
  anomalies: Record<AnomalyName, AnomalyCase[]>;
  /** Whether effect anomalies were checked (a ledger was given). */
  effectsChecked: boolean;
  stats: HistoryStats;
  /** The index the checks used (for liveness and tooling; not JSON-serialisable). */
  observations: Observations;
  effects: readonly EffectEntry[];
}

function ledgerParts(ledger: AnalyzeOptions["ledger"]): EffectLedgerJSON | undefined {
  if (ledger === undefined) return undefined;
  if (ledger instanceof EffectLedger) return ledger.toJSON();
  return ledger;
}

function computeStats(history: History, obs: Observations, effects: readonly EffectEntry[]): HistoryStats {
  const stats: HistoryStats = {
    operations: history.length,
    processes: 0,
    sendOps: { ok: 0, fail: 0, info: 0 },
    messagesAcknowledged: 0,
    messagesIndeterminate: 0,
    messagesFailed: 0,
    pollOps: { ok: 0, fail: 0, info: 0 },
    recordsRead: 0,
    distinctValuesRead: 0,
    partitions: obs.partitions.size,
    crashes: 0,
    effects: effects.length,
    endMs: 0,
  };
  const processes = new Set<string>();
  for (const op of history) {
    processes.add(op.process);
    const outcome = op.outcome ?? "info";
    stats.endMs = Math.max(stats.endMs, op.completeMs ?? op.invokeMs);
    if (op.type === "send") {
      stats.sendOps[outcome]++;
      if (outcome === "ok") stats.messagesAcknowledged += op.messages.length;
      else if (outcome === "fail") stats.messagesFailed += op.messages.length;
      else stats.messagesIndeterminate += op.messages.length;
    } else if (op.type === "poll") {
      stats.pollOps[outcome]++;
      for (const tp in op.records) stats.recordsRead += op.records[tp]!.length;
    } else if (op.type === "crash") {
      stats.crashes++;
    }
  }
  stats.processes = processes.size;
  for (const v of obs.values.values()) if (v.firstReadOpId >= 0) stats.distinctValuesRead++;
  for (const e of effects) stats.endMs = Math.max(stats.endMs, e.atMs);
  return stats;
}

export function emptyCases(): Record<AnomalyName, AnomalyCase[]> {
  const cases = {} as Record<AnomalyName, AnomalyCase[]>;
  for (const name of ALL_ANOMALIES) cases[name] = [];
  return cases;
}

/** Finds every anomaly in a history (and ledger). Throws if the history is malformed. */
export function analyzeHistory(history: History, options: AnalyzeOptions = {}): Analysis {
  assertValidHistory(history);
  const obs = buildObservations(history);
  const anomalies = emptyCases();
  findInconsistentOffsets(obs, anomalies);
  findDuplicates(obs, anomalies);
  findAbortedReads(obs, anomalies);
  findLostAndUnseen(
    obs,
    options.unseenTopics === undefined ? undefined : new Set(options.unseenTopics),
    anomalies,
  );
  findOrderAnomalies(obs, anomalies);
  const ledger = ledgerParts(options.ledger);
  if (ledger !== undefined) {
    const input =
      options.effectTopics !== undefined ? { ...ledger, effectTopics: options.effectTopics } : ledger;
    findEffectAnomalies(obs, input, anomalies);
  }
  const effects = ledger?.entries ?? [];
  return {
    anomalies,
    effectsChecked: ledger !== undefined,
    stats: computeStats(history, obs, effects),
    observations: obs,
    effects,
  };
}
