/**
 * Lab 05's fixed terms: what the learner implements (`StorageImpl`), the topic's requirements,
 * the scenario's sizes, and the anomalies the grader reports. Browser-safe.
 */
import type { LogSeams } from "../../src/log";
import { fmtBytes, plural, type AnomalyDoc } from "../_lib";
import { fmtRanges } from "../../src/check";

/** The learner's seams and topic configuration. */
export interface StorageImpl {
  findSegment: LogSeams["findSegment"];
  lookupIndex: LogSeams["lookupIndex"];
  selectSegmentsForRetention: LogSeams["selectSegmentsForRetention"];
  /** Kafka topic properties ("retention.ms": "604800000"). */
  topicConfig: Readonly<Record<string, string>>;
}

const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** The requirements of the `orders` topic (exercise/topic-config.ts states them to the learner). */
export const REQUIREMENTS = Object.freeze({
  /** Every order stays readable at least this long... */
  keepAtLeastMs: 7 * DAY_MS,
  /** ...and is deleted within this long. */
  deleteWithinMs: 8 * DAY_MS,
  /** A read may scan at most this many bytes of batches after its index lookup. */
  scanBudgetBytes: 2048,
  /** Offset index bytes / log bytes. */
  indexBudgetRatio: 0.01,
});

/** What the lab fixes (the learner may not change these). */
export const SCENARIO = Object.freeze({
  topic: "orders",
  partition: 0,
  dir: "kafka-logs/orders-0",
  segmentBytes: 16384,
  /** log.retention.check.interval.ms (Kafka's default). */
  retentionCheckIntervalMs: 300_000,
  runMs: 12 * DAY_MS,
  /** A batch arrives every 1-13 minutes (uniform), 1-6 orders each. */
  batchGapMinMs: 60_000,
  batchGapMaxMs: 13 * 60_000,
  /** When an operator runs kafka-delete-records.sh (between these), purging 10-30% of the log. */
  deleteRecordsFromMs: 2.5 * DAY_MS,
  deleteRecordsToMs: 3.5 * DAY_MS,
});

/** Keys of exercise/topic-config.ts the lab accepts. */
export const CONFIG_KEYS: readonly string[] = ["retention.ms", "retention.bytes", "index.interval.bytes"];

/** Anomalies this lab reports beyond the checker's (poll-skip, lost-write, inconsistent-offsets). */
export const LAB05_DOCS: Record<string, AnomalyDoc> = {
  "poll-skip": {
    title: "a read started past the offset asked for",
    whyItMatters:
      "A consumer takes the records it is given and moves its position past them: the orders in between are never processed, although they are on disk.",
    explain: (cases, all) =>
      `${plural(all.count, "lookup")} started past the offset asked for${all.offsets.length > 0 ? `; ${offsetsOf(all.offsets)} skipped by readers` : ""}. First: ${cases[0]?.summary ?? ""}`,
  },
  "lost-write": {
    title: "records deleted or unreadable while they had to stay",
    whyItMatters:
      "An order acknowledged to the producer vanished before its retention period: no consumer that was behind will ever see it.",
    explain: (cases, all) => {
      const n = new Set(all.offsets).size;
      const lost =
        n > 0
          ? `${plural(n, "record")} that had to stay readable ${n === 1 ? "was" : "were"} lost (${offsetsOf(all.offsets)}); `
          : "";
      return `${lost}${plural(all.count, "case")} in all. First: ${cases[0]?.summary ?? ""}`;
    },
  },
  "inconsistent-offsets": {
    title: "a read returned a different record at an offset",
    whyItMatters: "The log returned bytes that were never written at that offset.",
  },
  "active-segment-deleted": {
    title: "retention chose the active segment",
    whyItMatters:
      "The active segment is the one producers are appending to; deleting it in place loses the newest records and the log end offset. Kafka rolls a new active segment first. (This log refuses, so the grader stopped the deletion and reports it.)",
  },
  "retention-out-of-order": {
    title: "retention chose segments that are not the oldest ones",
    whyItMatters:
      "Retention deletes oldest first; removing a segment from the middle would leave a hole in the offsets that no log start offset can describe. (This log refuses such a deletion.)",
  },
  "slow-lookup": {
    title: "a read looked at far more than it needed",
    whyItMatters:
      "Every fetch pays for the scan: a linear walk through a 1 GiB segment costs milliseconds of disk reads per fetch, and consumers fall behind.",
  },
};

function offsetsOf(offsets: readonly number[]): string {
  if (offsets.length === 0) return "no offset recorded";
  return `${new Set(offsets).size === 1 ? "offset" : "offsets"} ${fmtRanges(offsets)} of orders-0`;
}

export function fmtScan(bytes: number): string {
  return `${bytes} bytes (${fmtBytes(bytes)})`;
}
