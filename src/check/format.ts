/**
 * Small text helpers for verdicts: virtual times as seconds, offsets grouped into ranges, one
 * line per witness event. Output is plain ASCII apart from the en dash in time ranges, so it
 * reads the same in a terminal, a CI log and the site.
 */
import type { WitnessEvent } from "./anomalies";

/** 1420 -> "1.42s" (virtual milliseconds as seconds, at most 3 decimals). */
export function fmtMs(ms: number): string {
  return `${+(ms / 1000).toFixed(3)}s`;
}

/** "t=1.42s" or "t=1.42s–1.45s". */
export function fmtTimeRange(fromMs: number, toMs: number): string {
  return fromMs === toMs ? `t=${fmtMs(fromMs)}` : `t=${fmtMs(fromMs)}–${fmtMs(toMs)}`;
}

/** Groups integers into ranges: [1,2,3,5,7,8] -> "1-3, 5, 7-8"; long lists end in "and N more". */
export function fmtRanges(values: readonly number[], maxRanges = 6): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const ranges: string[] = [];
  let start = 0;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]! + 1) continue;
    const a = sorted[start]!;
    const b = sorted[i - 1]!;
    ranges.push(a === b ? `${a}` : `${a}-${b}`);
    start = i;
  }
  if (ranges.length <= maxRanges) return ranges.join(", ");
  return `${ranges.slice(0, maxRanges).join(", ")} and ${ranges.length - maxRanges} more ranges`;
}

/** "1 message" / "3 messages". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

/** One line describing a witness event, e.g. `send by producer-1 via broker-2: invoked t=1.4s, ok t=1.42s; orders-0@340 value "v17"`. */
export function fmtWitnessEvent(e: WitnessEvent): string {
  const where: string[] = [];
  if (e.topicPartition !== undefined)
    where.push(e.offset !== undefined ? `${e.topicPartition}@${e.offset}` : e.topicPartition);
  else if (e.offset !== undefined) where.push(`offset ${e.offset}`);
  if (e.key !== undefined && e.key !== null) where.push(`key ${JSON.stringify(e.key)}`);
  if (e.value !== undefined) where.push(`value ${JSON.stringify(e.value)}`);
  const detail = where.length > 0 ? `; ${where.join(" ")}` : "";
  if (e.kind === "effect") {
    return `${e.role}: effect #${e.id} by ${e.process} at t=${fmtMs(e.atMs ?? 0)}${detail}`;
  }
  const via = e.node !== undefined ? ` via ${e.node}` : "";
  const done = e.completeMs !== undefined ? `, ${e.outcome} t=${fmtMs(e.completeMs)}` : ", never completed";
  return `${e.role}: ${e.type ?? "op"} #${e.id} by ${e.process}${via}, invoked t=${fmtMs(e.invokeMs ?? 0)}${done}${detail}`;
}
