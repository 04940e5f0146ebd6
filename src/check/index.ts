/**
 * The history checker (browser-safe; imports nothing but the protocol layer, and today not even
 * that). Clients and scenarios record a history with `HistoryRecorder` (and consumer side effects
 * in an `EffectLedger`); graders judge it with `checkHistory` and print `formatVerdict`.
 *
 *   const rec = new HistoryRecorder(() => ctx.now());
 *   const h = rec.invoke("send", "producer-1", { messages: [{ topic: "orders", key: "k1", value: "v1" }] });
 *   rec.ok(h, { positions: [{ partition: 0, offset: 0 }] });
 *   const verdict = checkHistory(rec.history(), { forbid: ["lost-write"], seed: 42, replayCommand: "..." });
 *   console.log(formatVerdict(verdict));
 */
export type {
  AssignOp,
  CommitOp,
  CrashOp,
  History,
  MessagePosition,
  OpBase,
  Operation,
  OpType,
  Outcome,
  PolledRecord,
  PolledRecords,
  PollOp,
  SeekOp,
  SendMessage,
  SendOp,
  SubscribeOp,
  TopicPartitionName,
} from "./history";
export {
  assertValidHistory,
  effectiveOutcome,
  parseTopicPartition,
  topicPartitionName,
  validateHistory,
} from "./history";
export type { EventOptions, InvokeInputs, OkResults, OpHandle, RecorderOptions } from "./recorder";
export { HistoryRecorder } from "./recorder";
export type { EffectApply, EffectEntry, EffectLedgerJSON, ExpectedEffect } from "./effects";
export { EffectLedger, effectsInApplyOrder } from "./effects";
export type { AnomalyCase, AnomalyDoc, AnomalyName, WitnessEvent } from "./anomalies";
export { ALL_ANOMALIES, ANOMALY_DOCS, EFFECT_ANOMALIES, isAnomalyName, LOG_ANOMALIES } from "./anomalies";
export type { AnalyzeOptions, Analysis, HistoryStats } from "./checker";
export { analyzeHistory } from "./checker";
export type { LivenessCheck, LivenessOptions, LivenessResult } from "./liveness";
export { checkLiveness } from "./liveness";
export type { AnomalyReport, FormatOptions, Verdict, VerdictOptions } from "./verdict";
export { buildVerdict, checkHistory, explainAnomaly, formatVerdict } from "./verdict";
export { fmtMs, fmtRanges } from "./format";
