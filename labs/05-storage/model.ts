/**
 * The models lab 05 grades against, written as plainly as the rules on the storage page and
 * independent of the log's own code (src/log/seams.ts):
 *
 * - `floorSlot`: the greatest index whose value is ≤ the target, by a linear walk (obviously
 *   right; the learner's version must agree with it and be logarithmic).
 * - `retentionModel`: which segments retention may delete right now, and why each one stays or
 *   goes. Deletions are a prefix: walking oldest first, a segment goes when it is inactive, all
 *   its offsets are below the high watermark, and one rule applies (wholly below the log start
 *   offset; the partition stays at or above retention.bytes without it; newest record older than
 *   retention.ms). Kafka's three passes (UnifiedLog.deleteOldSegments) delete exactly this
 *   prefix, because the first two rules hold for a prefix of segments.
 */
import type { RetentionConfig, SegmentInfo } from "../../src/log";
import { fmtDuration } from "../_lib";

/** Greatest i with sorted[i] ≤ target, or -1 (a linear walk: the model, not the fast version). */
export function floorSlot(sorted: ArrayLike<number>, target: number): number {
  let found = -1;
  for (let i = 0; i < sorted.length && sorted[i]! <= target; i++) found = i;
  return found;
}

export interface RetentionModel {
  /** How many of the oldest segments may be deleted now. */
  deletable: number;
  /** Why each of those may go (one per deletable segment). */
  reasons: string[];
  /** Why segment `deletable` stays (undefined when every segment but none stays: never happens, the active one stays). */
  keptBecause: string | undefined;
}

/** Why segment i must stay, or undefined if it may go (given that every older one goes). */
function mustKeep(
  segments: readonly SegmentInfo[],
  i: number,
  now: number,
  config: RetentionConfig,
  logStartOffset: number,
  highWatermark: number,
  bytesWithout: number,
): { keep: string } | { go: string } {
  const s = segments[i]!;
  const next = segments[i + 1];
  const range = `offsets ${s.baseOffset}-${s.endOffset - 1}`;
  if (s.isActive || next === undefined)
    return { keep: `segment ${s.baseOffset} is the active segment, still being written` };
  if (s.endOffset > highWatermark)
    return {
      keep: `segment ${s.baseOffset} (${range}) reaches above the high watermark ${highWatermark}: not every in-sync replica has it yet`,
    };
  if (next.baseOffset <= logStartOffset)
    return {
      go: `segment ${s.baseOffset} (${range}) lies wholly below the log start offset ${logStartOffset}`,
    };
  if (config.deleteEnabled && config.retentionBytes >= 0 && bytesWithout >= config.retentionBytes)
    return {
      go: `without segment ${s.baseOffset} the partition still holds ${bytesWithout} bytes ≥ retention.bytes ${config.retentionBytes}`,
    };
  const age = now - s.largestTimestamp;
  if (config.deleteEnabled && config.retentionMs >= 0 && age > config.retentionMs)
    return {
      go: `segment ${s.baseOffset} (${range}) has its newest record ${fmtDuration(age)} old > retention.ms ${config.retentionMs} (${fmtDuration(config.retentionMs)})`,
    };
  const why: string[] = [];
  if (!config.deleteEnabled) why.push("cleanup.policy does not include delete");
  else {
    if (config.retentionMs < 0) why.push("retention.ms is -1 (keep forever)");
    else
      why.push(
        `its newest record is ${fmtDuration(age)} old, within retention.ms ${config.retentionMs} (${fmtDuration(config.retentionMs)})`,
      );
    if (config.retentionBytes >= 0)
      why.push(`deleting it would leave ${bytesWithout} bytes < retention.bytes ${config.retentionBytes}`);
  }
  if (next.baseOffset > logStartOffset && logStartOffset > s.baseOffset)
    why.push(`the log start offset ${logStartOffset} is inside it`);
  return { keep: `segment ${s.baseOffset} (${range}) must stay: ${why.join("; ")}` };
}

export function retentionModel(
  segments: readonly SegmentInfo[],
  now: number,
  config: RetentionConfig,
  logStartOffset: number,
  highWatermark: number,
): RetentionModel {
  let bytes = 0;
  for (const s of segments) bytes += s.sizeInBytes;
  const reasons: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    bytes -= segments[i]!.sizeInBytes;
    const d = mustKeep(segments, i, now, config, logStartOffset, highWatermark, bytes);
    if ("keep" in d) return { deletable: i, reasons, keptBecause: d.keep };
    reasons.push(d.go);
  }
  return { deletable: segments.length, reasons, keptBecause: undefined };
}

/** Why segment i must stay when everything before it goes (for explaining an over-eager deletion). */
export function whyKept(
  segments: readonly SegmentInfo[],
  i: number,
  now: number,
  config: RetentionConfig,
  logStartOffset: number,
  highWatermark: number,
): string | undefined {
  let bytes = 0;
  for (let j = i + 1; j < segments.length; j++) bytes += segments[j]!.sizeInBytes;
  const d = mustKeep(segments, i, now, config, logStartOffset, highWatermark, bytes);
  return "keep" in d ? d.keep : undefined;
}
