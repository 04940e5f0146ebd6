/**
 * Lab 05's scenario: twelve days of one partition, `orders-0`, on the simulated disk, with the
 * learner's seams and topic configuration. Producers append batches of orders; retention runs
 * every 5 minutes; a consumer reads the partition in order and others seek to random offsets;
 * on day 6 an operator deletes records before some offset (kafka-delete-records.sh); at the
 * end every offset still in the log is read once more.
 *
 * Judged against a model of what was written (offset → order):
 * - every read starts at the batch holding the offset asked for (else `poll-skip`), returns
 *   the orders written at those offsets (else `inconsistent-offsets`), and scans at most the
 *   read budget after its index lookup (else `slow-lookup`);
 * - the log start offset only passes records that were eligible for deletion: older than the
 *   retention rules allowed, or deleted by the operator (else `lost-write`);
 * - retention never picks the active segment or a non-prefix (the log would refuse; the grader
 *   stops it and reports `active-segment-deleted` / `retention-out-of-order`, or `lost-write`
 *   for segments above the high watermark);
 * - liveness: each retention check deletes every segment eligible at that moment, nothing older
 *   than 8 days survives a check, and the offset indexes stay within 1% of the log.
 *
 * Time is a number here (ms of simulated time); the run is a function of the seed.
 */
import {
  DEFAULT_LOG_SEAMS,
  LogConfigError,
  PartitionLog,
  logConfigFromProperties,
  logSeams,
  type LogConfig,
  type LogSeams,
  type ReadResult,
  type SegmentInfo,
} from "../../src/log";
import { Errors, decodeRecordBatches, encodeRecordBatch } from "../../src/protocol";
import { SeededRng, SimDisk, type Rng } from "../../src/sim";
import { LabTrace, Narration, VerdictBuilder, fmtBytes, fmtDayTime, fmtDuration, plural } from "../_lib";
import { floorSlot, retentionModel, whyKept } from "./model";
import { CONFIG_KEYS, DAY_MS, REQUIREMENTS, SCENARIO, type StorageImpl } from "./spec";

export const LAB05_FORBIDDEN = [
  "poll-skip",
  "lost-write",
  "inconsistent-offsets",
  "active-segment-deleted",
  "retention-out-of-order",
  "slow-lookup",
] as const;

const enc = new TextEncoder();
/** Cases of each anomaly shown in the timeline. */
const TIMELINE_CASES_MAX = 3;
const dec = new TextDecoder();
const NODE = "orders-0";

export interface ScenarioResult {
  narration: Narration;
  trace: LabTrace;
  /** Retention checks that kept segments the rules made eligible, of `retentionRuns`. */
  retentionStalls: number;
  retentionRuns: number;
  deletedSegments: number;
}

/** The topic config from the learner's properties, or the reason it is unusable. */
export function topicConfig(props: Readonly<Record<string, string>>): LogConfig | string {
  const extra = Object.keys(props).filter((k) => !CONFIG_KEYS.includes(k));
  if (extra.length > 0)
    return `topic-config.ts sets ${extra.join(", ")}; this lab lets you set only ${CONFIG_KEYS.join(", ")} (segment.bytes is fixed at ${SCENARIO.segmentBytes})`;
  try {
    return logConfigFromProperties({ ...props, "segment.bytes": String(SCENARIO.segmentBytes) });
  } catch (e) {
    if (e instanceof LogConfigError)
      return `topic-config.ts is not a valid topic configuration: ${e.message}`;
    throw e;
  }
}

interface Model {
  values: string[];
  timestamps: number[];
  /** Offsets below this were eligible for deletion under the retention rules and the topic's config. */
  eligibleBelow: number;
  /** Offsets below this were deleted by the operator (DeleteRecords). */
  purgedBelow: number;
}

/** Runs Part A (the twelve days) into `vb`; returns the story and trace. */
export function runStorageScenario(
  impl: StorageImpl,
  seed: number,
  vb: VerdictBuilder,
  solution = false,
): ScenarioResult {
  const story = new Narration();
  const trace = new LabTrace();
  const rng: Rng = new SeededRng(seed).split("lab05/workload");
  const cfg = topicConfig(impl.topicConfig);
  story.section("The setup");
  if (typeof cfg === "string") {
    story.say(cfg);
    vb.liveness("valid-topic-config", false, cfg);
    return { narration: story, trace, retentionStalls: 0, retentionRuns: 0, deletedSegments: 0 };
  }
  story.say(
    `Topic orders, partition 0, on a simulated disk. segment.bytes=${cfg.segmentBytes} (fixed by the lab), and from ` +
      `exercise/topic-config.ts: retention.ms=${cfg.retentionMs} (${cfg.retentionMs < 0 ? "forever" : fmtDuration(cfg.retentionMs)}), ` +
      `retention.bytes=${cfg.retentionBytes}, index.interval.bytes=${cfg.indexIntervalBytes}.`,
  );
  story.say(
    `Requirements: every order readable for 7 days and gone within 8; a read scans at most ${REQUIREMENTS.scanBudgetBytes} bytes after its index lookup; indexes take at most ${REQUIREMENTS.indexBudgetRatio * 100}% of the log.`,
  );
  trace.record("app", "config", NODE, {
    retentionMs: cfg.retentionMs,
    retentionBytes: cfg.retentionBytes,
    indexIntervalBytes: cfg.indexIntervalBytes,
    segmentBytes: cfg.segmentBytes,
  });

  const model: Model = { values: [], timestamps: [], eligibleBelow: 0, purgedBelow: 0 };
  const stats = {
    reads: 0,
    maxScan: 0,
    scanSum: 0,
    stalls: 0,
    staleChecks: 0,
    deletedSegments: 0,
    retentionRuns: 0,
  };
  const notes = { firstRetention: false, firstLost: false, lookupShown: false };
  // The timeline shows the first few cases of each anomaly; the verdict counts them all.
  const traced = new Map<string, number>();
  const traceAnomaly = (name: string, detail: Record<string, unknown>): void => {
    const n = (traced.get(name) ?? 0) + 1;
    traced.set(name, n);
    if (n <= TIMELINE_CASES_MAX) trace.record("app", "anomaly", NODE, { name, ...detail });
    else if (n === TIMELINE_CASES_MAX + 1)
      trace.record("app", "anomaly", NODE, { name, note: "more cases: see the verdict" });
  };
  // The last retention decision, set by the wrapped seam while the log runs retention.
  type Decision = {
    mine: readonly number[];
    modelCount: number;
    segments: readonly SegmentInfo[];
    keptBecause?: string;
  };
  const decision: { last?: Decision } = {};
  const lastDecision = (): Decision | undefined => decision.last;

  // The learner's retention seam, wrapped: remember what it chose, and refuse what the log would refuse.
  const retention: LogSeams["selectSegmentsForRetention"] = (segments, now, config, lso, hw) => {
    const mine = impl.selectSegmentsForRetention(segments, now, config, lso, hw);
    if (!Array.isArray(mine) || mine.some((b) => typeof b !== "number"))
      throw new Error(
        `selectSegmentsForRetention must return an array of base offsets, got ${JSON.stringify(mine)}`,
      );
    const m = retentionModel(segments, now, config, lso, hw);
    let k = 0;
    while (
      k < mine.length &&
      k < segments.length &&
      mine[k] === segments[k]!.baseOffset &&
      !segments[k]!.isActive
    )
      k++;
    if (k < mine.length) {
      const at = segments.findIndex((s) => s.baseOffset === mine[k]);
      const active = segments[segments.length - 1]!;
      if (mine.includes(active.baseOffset)) {
        vb.add("active-segment-deleted", {
          summary: `at ${fmtDayTime(now)} retention chose [${mine.join(", ")}], including the active segment ${active.baseOffset} (offsets ${active.baseOffset}-${active.endOffset - 1}, newest record ${fmtDuration(now - active.largestTimestamp)} old)`,
          atMs: now,
        });
        traceAnomaly("active-segment-deleted", { chose: mine, active: active.baseOffset });
      } else {
        vb.add("retention-out-of-order", {
          summary: `at ${fmtDayTime(now)} retention chose [${mine.join(", ")}] but the segments are [${segments.map((s) => s.baseOffset).join(", ")}]: ${at < 0 ? `${mine[k]} is not a segment` : `segment ${mine[k]} is not the next oldest`}`,
          atMs: now,
        });
        traceAnomaly("retention-out-of-order", { chose: mine });
      }
    }
    // The log refuses to move the log start offset above the high watermark.
    let accepted = k;
    while (accepted > 0 && segments[accepted]!.baseOffset > hw) accepted--;
    if (accepted < k) {
      const first = segments[accepted]!;
      const offsets: number[] = [];
      for (let o = Math.max(hw, first.baseOffset); o < segments[k - 1]!.endOffset; o++) offsets.push(o);
      vb.add("lost-write", {
        summary: `at ${fmtDayTime(now)} retention chose segments up to offset ${segments[k - 1]!.endOffset - 1}, above the high watermark ${hw}: records not yet on every in-sync replica (the log refused)`,
        offsets,
        atMs: now,
      });
    }
    decision.last = {
      mine,
      modelCount: m.deletable,
      segments,
      ...(m.keptBecause !== undefined ? { keptBecause: m.keptBecause } : {}),
    };
    if (m.deletable > 0) {
      const newStart = segments[m.deletable]!.baseOffset;
      model.eligibleBelow = Math.max(model.eligibleBelow, newStart);
    }
    return mine.slice(0, accepted);
  };
  const seams = logSeams({
    findSegment: impl.findSegment,
    lookupIndex: impl.lookupIndex,
    selectSegmentsForRetention: retention,
  });
  const disk = new SimDisk();
  const log = PartitionLog.open({
    disk,
    dir: SCENARIO.dir,
    topicPartition: { topic: SCENARIO.topic, partition: SCENARIO.partition },
    config: cfg,
    seams,
    now: 0,
    recoveryPoint: 0,
  });
  log.addListener({ onRoll: (base) => trace.record("app", "roll", NODE, { newSegment: base }) });

  // ---- checks -------------------------------------------------------------------------------
  const checkRead = (offset: number, r: ReadResult, who: string, now: number): number | undefined => {
    stats.reads++;
    trace.record("app", "read", NODE, {
      who,
      offset,
      bytesScanned: r.bytesScanned,
      segment: r.segmentBaseOffset,
      error: r.error.name,
    });
    if (r.error !== Errors.NONE) {
      if (r.error === Errors.OFFSET_OUT_OF_RANGE && offset < log.logStartOffset) return undefined; // reported when it was deleted
      throw new Error(`Cannot read orders-0 at offset ${offset}: ${r.error.name} ${r.errorMessage ?? ""}`);
    }
    stats.maxScan = Math.max(stats.maxScan, r.bytesScanned);
    stats.scanSum += r.bytesScanned;
    if (r.bytesScanned > REQUIREMENTS.scanBudgetBytes) {
      vb.add("slow-lookup", {
        summary: `${who} read at offset ${offset} scanned ${r.bytesScanned} bytes of segment ${r.segmentBaseOffset} after the index lookup (budget ${REQUIREMENTS.scanBudgetBytes})`,
        atMs: now,
      });
    }
    if (r.records.length === 0) {
      // The lookup landed past the high watermark (or nowhere): the reader gets nothing and is stuck.
      vb.add("poll-skip", {
        summary: `${who} read at offset ${offset} at ${fmtDayTime(now)} returned nothing although offsets up to ${log.highWatermark - 1} are readable${r.segmentBaseOffset >= 0 ? ` (it looked in segment ${r.segmentBaseOffset})` : ""}`,
        offsets: [offset],
        atMs: now,
      });
      traceAnomaly("poll-skip", { offset, got: "nothing" });
      return undefined;
    }
    const batches = decodeRecordBatches(r.records);
    const first = batches[0]!.records[0]!.offset;
    if (first > offset) {
      const skipped: number[] = [];
      for (let o = offset; o < first; o++) skipped.push(o);
      vb.add("poll-skip", {
        summary: `${who} read at offset ${offset} at ${fmtDayTime(now)} got records from offset ${first} (segment ${r.segmentBaseOffset})`,
        offsets: skipped,
        atMs: now,
      });
      traceAnomaly("poll-skip", { offset, got: first });
    }
    let last = offset;
    for (const b of batches) {
      for (const rec of b.records) {
        const want = model.values[rec.offset];
        const got = rec.value === null ? "" : dec.decode(rec.value);
        if (want !== got) {
          vb.add("inconsistent-offsets", {
            summary: `read at offset ${offset} returned ${JSON.stringify(got)} at offset ${rec.offset}, which holds ${JSON.stringify(want)}`,
            offsets: [rec.offset],
            atMs: now,
          });
        }
        last = rec.offset;
      }
    }
    return last + 1;
  };

  const runRetention = (now: number): void => {
    stats.retentionRuns++;
    const before = log.logStartOffset;
    delete decision.last;
    const r = log.deleteOldSegments(now);
    if (r.error !== Errors.NONE) throw new Error(`Retention failed: ${r.error.name} ${r.errorMessage ?? ""}`);
    const after = log.logStartOffset;
    stats.deletedSegments += r.deletedSegments.length;
    if (r.deletedSegments.length > 0) {
      trace.record("app", "retention", NODE, { deleted: r.deletedSegments, logStartOffset: after });
      if (!notes.firstRetention) {
        notes.firstRetention = true;
        story.section(`Retention, ${fmtDayTime(now)}`);
        story.say(
          `${solution ? "The solution's" : "Your"} selectSegmentsForRetention chose ${listSegments(r.deletedSegments)}; the log start offset moved from ${before} to ${after}.`,
        );
        const d = lastDecision();
        if (d !== undefined)
          story.say(
            `The rules allowed ${plural(d.modelCount, "segment")}${d.keptBecause !== undefined ? `; then ${d.keptBecause}` : ""}.`,
          );
      }
    }
    // Observed: offsets the log start offset passed that had to stay, by the rules (given the
    // topic's config) or by the topic's requirement (7 days, whatever the config says).
    const byRules: number[] = [];
    const byRequirement: number[] = [];
    for (let o = before; o < after; o++) {
      if (o < model.purgedBelow) continue;
      if (o >= model.eligibleBelow) byRules.push(o);
      else if (now - model.timestamps[o]! <= REQUIREMENTS.keepAtLeastMs) byRequirement.push(o);
    }
    if (byRules.length > 0) {
      const d = lastDecision();
      const reason =
        d !== undefined && d.modelCount < d.segments.length
          ? whyKept(d.segments, d.modelCount, now, retentionConfigOf(cfg), before, log.highWatermark)
          : undefined;
      const what = `retention at ${fmtDayTime(now)} deleted offsets ${byRules[0]}-${byRules[byRules.length - 1]}, which the retention rules keep${reason !== undefined ? `: ${reason}` : ""}`;
      vb.add("lost-write", { summary: what, offsets: byRules, atMs: now });
      traceAnomaly("lost-write", { offsets: `${byRules[0]}-${byRules[byRules.length - 1]}`, why: "rules" });
      if (!notes.firstLost) {
        notes.firstLost = true;
        story.section(`Data lost, ${fmtDayTime(now)}`);
        story.say(
          `${solution ? "The solution's" : "Your"} retention deleted offsets ${byRules[0]}-${byRules[byRules.length - 1]}, which the rules keep${reason !== undefined ? `: ${reason}` : ""}.`,
        );
      }
    }
    if (byRequirement.length > 0) {
      const age = now - model.timestamps[byRequirement[byRequirement.length - 1]!]!;
      const what = `retention at ${fmtDayTime(now)} deleted offsets ${byRequirement[0]}-${byRequirement[byRequirement.length - 1]}, the newest written ${fmtDuration(age)} earlier; orders must stay readable 7 days (retention.ms=${cfg.retentionMs} is ${cfg.retentionMs < 0 ? "forever" : fmtDuration(cfg.retentionMs)}${cfg.retentionBytes >= 0 ? `, retention.bytes=${cfg.retentionBytes}` : ""})`;
      vb.add("lost-write", { summary: what, offsets: byRequirement, atMs: now });
      traceAnomaly("lost-write", {
        offsets: `${byRequirement[0]}-${byRequirement[byRequirement.length - 1]}`,
        why: "config",
      });
      if (!notes.firstLost) {
        notes.firstLost = true;
        story.section(`Data lost, ${fmtDayTime(now)}`);
        story.say(
          `Retention deleted offsets ${byRequirement[0]}-${byRequirement[byRequirement.length - 1]}, the newest written ${fmtDuration(age)} earlier. The topic must keep orders 7 days, but retention.ms=${cfg.retentionMs} is ${cfg.retentionMs < 0 ? "forever" : fmtDuration(cfg.retentionMs)}${cfg.retentionBytes >= 0 ? ` and retention.bytes=${cfg.retentionBytes}` : ""}.`,
        );
      }
    }
    // Liveness: everything eligible went, and nothing older than 8 days survives a check.
    if (after < model.eligibleBelow) {
      stats.stalls++;
      if (stats.stalls === 1)
        trace.record("app", "stall", NODE, { logStartOffset: after, eligibleUpTo: model.eligibleBelow });
    }
    if (now >= REQUIREMENTS.deleteWithinMs) {
      const o = log.logStartOffset;
      const ts = model.timestamps[o];
      if (ts !== undefined && now - ts > REQUIREMENTS.deleteWithinMs && o < log.logEndOffset)
        stats.staleChecks++;
    }
  };

  // ---- the twelve days -------------------------------------------------------------------------
  let now = 0;
  let nextRetentionAt = SCENARIO.retentionCheckIntervalMs;
  const deleteRecordsAt =
    SCENARIO.deleteRecordsFromMs + rng.int(SCENARIO.deleteRecordsToMs - SCENARIO.deleteRecordsFromMs);
  let deletedRecords = false;
  let consumerAt = 0;
  let seq = 0;
  while (true) {
    now += rng.range(SCENARIO.batchGapMinMs, SCENARIO.batchGapMaxMs);
    while (nextRetentionAt <= Math.min(now, SCENARIO.runMs)) {
      trace.now = nextRetentionAt;
      runRetention(nextRetentionAt);
      nextRetentionAt += SCENARIO.retentionCheckIntervalMs;
    }
    if (now > SCENARIO.runMs) break;
    trace.now = now;
    // Producers: one batch of 1-6 orders, timestamped now (CreateTime).
    const n = rng.range(1, 6);
    const values: string[] = [];
    for (let i = 0; i < n; i++) values.push(`order-${seq++}:${"x".repeat(rng.range(10, 60))}`);
    const res = log.appendAsLeader(
      encodeRecordBatch({ records: values.map((v) => ({ value: enc.encode(v), timestamp: now })) }),
      { now, leaderEpoch: 0 },
    );
    if (res.error !== Errors.NONE || res.firstOffset !== model.values.length)
      throw new Error(
        `Cannot append to orders-0 at ${fmtDayTime(now)}: ${res.error.name} ${res.errorMessage ?? ""}`,
      );
    for (const v of values) {
      model.values.push(v);
      model.timestamps.push(now);
    }
    trace.record("app", "append", NODE, { offsets: `${res.firstOffset}-${res.lastOffset}` });
    // Replication: usually every in-sync replica has caught up; sometimes a follower lags.
    if (rng.chance(0.85)) log.updateHighWatermark(log.logEndOffset);
    // The operator purges test orders once.
    if (!deletedRecords && now >= deleteRecordsAt && log.highWatermark > log.logStartOffset + 1) {
      deletedRecords = true;
      const span = log.highWatermark - log.logStartOffset;
      const target = log.logStartOffset + 1 + Math.floor((span - 1) * (0.1 + 0.2 * rng.next()));
      const before = log.logStartOffset;
      const d = log.deleteRecordsBefore(target);
      if (d.error !== Errors.NONE) throw new Error(`DeleteRecords failed: ${d.error.name}`);
      model.purgedBelow = Math.max(model.purgedBelow, target);
      model.eligibleBelow = Math.max(model.eligibleBelow, target);
      trace.record("app", "delete-records", NODE, { before: target });
      story.section(`DeleteRecords, ${fmtDayTime(now)}`);
      story.say(
        `An operator runs kafka-delete-records.sh up to offset ${target}: the log start offset moves from ${before} to ${target} at once, inside segment ${segmentOf(log, target)}. The segments wholly below it hold nothing readable; retention should delete them at its next check.`,
      );
    }
    // The consumer polls the partition in order (auto.offset.reset=earliest when it fell behind).
    if (rng.chance(0.6)) {
      if (consumerAt < log.logStartOffset) consumerAt = log.logStartOffset;
      if (consumerAt < log.highWatermark) {
        const next = checkRead(
          consumerAt,
          log.read(consumerAt, 4096, log.highWatermark),
          "the consumer's",
          now,
        );
        if (next !== undefined) consumerAt = next;
      }
    }
    // Another consumer seeks to a random offset (a replay, or offsetsForTimes).
    if (rng.chance(0.5) && log.highWatermark > log.logStartOffset) {
      let o = log.logStartOffset + rng.int(log.highWatermark - log.logStartOffset);
      if (!notes.lookupShown && now > 2 * DAY_MS && log.numberOfSegments >= 2) {
        notes.lookupShown = true;
        o = exampleOffset(log, rng);
        showLookup(story, log, impl, o, now, solution);
      }
      checkRead(o, log.read(o, 1, log.highWatermark), "a seeking consumer's", now);
    }
  }
  // ---- the end: read every offset still in the log once more ---------------------------------
  trace.now = SCENARIO.runMs;
  log.updateHighWatermark(log.logEndOffset);
  for (let o = log.logStartOffset; o < log.highWatermark; o++)
    checkRead(o, log.read(o, 1, log.highWatermark), "the final", SCENARIO.runMs);

  const indexBytes = log.segmentList().reduce((sum, s) => sum + s.offsetIndex.entries * 8, 0);
  const ratio = log.size === 0 ? 0 : indexBytes / log.size;
  vb.liveness(
    "deleted-within-8-days",
    stats.staleChecks === 0,
    stats.staleChecks === 0
      ? "no order older than 8 days survived a retention check"
      : `${plural(stats.staleChecks, "retention check")} after day 8 left orders older than 8 days in the log`,
  );
  vb.liveness(
    "index-size-budget",
    ratio <= REQUIREMENTS.indexBudgetRatio,
    `offset indexes hold ${fmtBytes(indexBytes)} for ${fmtBytes(log.size)} of log (${(ratio * 100).toFixed(2)}%, budget ${REQUIREMENTS.indexBudgetRatio * 100}%)`,
  );
  story.section("After twelve days");
  story.say(
    `${model.values.length} orders in ${plural(log.logEndOffset === 0 ? 0 : log.stats.rolls + 1, "segment")}; retention deleted ${plural(stats.deletedSegments, "segment")}; the log now holds offsets ${log.logStartOffset}-${log.logEndOffset - 1} in ${plural(log.numberOfSegments, "segment")}.`,
  );
  story.say(
    `${stats.reads} reads scanned ${stats.reads === 0 ? 0 : Math.round(stats.scanSum / stats.reads)} bytes on average after their index lookup, ${stats.maxScan} at most (budget ${REQUIREMENTS.scanBudgetBytes}).`,
  );
  trace.record("app", "end", NODE, {
    logStartOffset: log.logStartOffset,
    logEndOffset: log.logEndOffset,
    segments: log.numberOfSegments,
  });
  return {
    narration: story,
    trace,
    retentionStalls: stats.stalls,
    retentionRuns: stats.retentionRuns,
    deletedSegments: stats.deletedSegments,
  };
}

function listSegments(bases: readonly number[]): string {
  return bases.length <= 4
    ? `[${bases.join(", ")}]`
    : `${bases.length} segments [${bases[0]}, ${bases[1]}, ..., ${bases[bases.length - 1]}]`;
}

function retentionConfigOf(cfg: LogConfig): {
  retentionMs: number;
  retentionBytes: number;
  deleteEnabled: boolean;
} {
  return {
    retentionMs: cfg.retentionMs,
    retentionBytes: cfg.retentionBytes,
    deleteEnabled: cfg.cleanupPolicy !== "compact",
  };
}

function segmentOf(log: PartitionLog, offset: number): number {
  const bases = log.segmentList().map((s) => s.baseOffset);
  return bases[Math.max(0, floorSlot(bases, offset))]!;
}

/** Narrate one lookup step by step, the learner's answers next to the rules'. */
/** An offset in the segment before the active one, past its first index entries (or in the active one). */
function exampleOffset(log: PartitionLog, rng: Rng): number {
  const segs = log.segmentList();
  const i = Math.max(0, segs.length - 2);
  const seg = segs[i]!;
  const end = i + 1 < segs.length ? segs[i + 1]!.baseOffset : log.highWatermark;
  const rel = seg.offsetIndex.view().relativeOffsets;
  const from = Math.max(log.logStartOffset, seg.baseOffset + (rel.length >= 3 ? rel[1]! + 1 : 0));
  return from < end ? from + rng.int(end - from) : Math.max(log.logStartOffset, seg.baseOffset);
}

function showLookup(
  story: Narration,
  log: PartitionLog,
  impl: StorageImpl,
  offset: number,
  now: number,
  solution: boolean,
): void {
  const yours = solution ? "The solution's" : "Your";
  const segs = log.segmentList();
  const bases = segs.map((s) => s.baseOffset);
  story.section(`One read, step by step (${fmtDayTime(now)}: a consumer seeks to offset ${offset})`);
  const rows = segs.slice(0, 8).map((s, i) => {
    const end = i + 1 < segs.length ? segs[i + 1]!.baseOffset : log.logEndOffset;
    return `${String(s.baseOffset).padStart(20, "0")}.log  offsets ${s.baseOffset}-${end - 1}  ${fmtBytes(s.sizeInBytes)}  ${plural(s.offsetIndex.entries, "index entry", "index entries")}`;
  });
  if (segs.length > 8) rows.push(`... and ${segs.length - 8} more segments`);
  story.raw(rows);
  const right = floorSlot(bases, offset);
  const mine = impl.findSegment(bases, offset);
  story.say(
    `1. Segment: the greatest base offset ≤ ${offset} is ${bases[right]} (segment #${right}). ${yours} findSegment says #${mine}${mine === right ? " ✓" : ` (${mine >= 0 && mine < bases.length ? `base ${bases[mine]}` : "none"}) ✗`}.`,
  );
  const seg = segs[right]!;
  const view = seg.offsetIndex.view();
  const rel = offset - seg.baseOffset;
  const want = DEFAULT_LOG_SEAMS.lookupIndex(view, rel);
  const got = view.relativeOffsets.length === 0 ? 0 : impl.lookupIndex(view, rel);
  story.say(
    `2. Index: relative offset ${rel}; of its ${plural(view.relativeOffsets.length, "entry", "entries")} the greatest ≤ ${rel} points at byte ${want}. ${yours} lookupIndex says byte ${got}${got === want ? " ✓" : " ✗"}.`,
  );
  const r = log.read(offset, 1, log.highWatermark);
  story.say(
    `3. Scan: ${solution ? "the solution" : "your version"} walked ${r.bytesScanned} bytes of batch headers from there (budget ${REQUIREMENTS.scanBudgetBytes}) and returned the batch at byte ${r.position} of segment ${r.segmentBaseOffset}.`,
  );
}
