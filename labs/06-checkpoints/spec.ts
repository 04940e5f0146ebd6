/**
 * Lab 06's fixed terms: what the learner implements (`CheckpointImpl`), the broker's
 * requirements, the scenario's sizes, and the anomalies the grader reports. Browser-safe.
 */
import type { CheckpointWriter, LogSeams } from "../../src/log";
import type { TruncationPolicy } from "../../src/replication";
import type { AnomalyDoc } from "../_lib";

export interface CheckpointImpl {
  writeCheckpoint: CheckpointWriter;
  recoveryStartSegment: LogSeams["recoveryStartSegment"];
  /** Kafka broker properties ("log.flush.offset.checkpoint.interval.ms": "60000"). */
  brokerConfig: Readonly<Record<string, string>>;
  /** What a follower cuts from its log when it follows a new leader or learns its log diverged. */
  truncation: TruncationPolicy;
}

export const REQUIREMENTS = Object.freeze({
  /** Bytes of log a restart after a power loss may re-validate (all partitions). */
  restartScanBudgetBytes: 128 * 1024,
  /** fsync + fsyncDir calls made by checkpoint writes, per second of run. */
  checkpointFsyncsPerSecondMax: 5,
});

export const SCENARIO = Object.freeze({
  logDir: "kafka-logs",
  topic: "orders",
  partitions: 2,
  segmentBytes: 16384,
  /** A batch of 1-5 orders every this many ms, to a random partition (about 30 KB/s). */
  appendEveryMs: 8,
  /** log.flush.start.offset.checkpoint.interval.ms and replica.high.watermark.checkpoint.interval.ms, fixed. */
  logStartCheckpointIntervalMs: 5000,
  highWatermarkCheckpointIntervalMs: 5000,
  /** An application deletes processed records (DeleteRecords) this often. */
  deleteRecordsEveryMs: 3000,
  /** Power losses per run, each followed by a restart; then an orderly shutdown and restart. */
  powerLosses: 4,
  /** The power fails between these many ms after each (re)start. */
  cutFromMs: 2500,
  cutToMs: 9000,
});

export const CONFIG_KEY = "log.flush.offset.checkpoint.interval.ms";

export const LAB06_DOCS: Record<string, AnomalyDoc> = {
  "torn-checkpoint": {
    title: "a checkpoint file was neither old nor new after a power loss",
    whyItMatters:
      "A torn recovery-point file sends every log into a full rescan (hours on a big broker); a torn log-start-offset file brings deleted records back; Kafka takes a log dir with an unreadable checkpoint offline.",
  },
  "lost-checkpoint": {
    title: "a checkpoint write that had returned did not survive a power loss",
    whyItMatters:
      "The broker acted on the checkpoint as if it were durable (it deleted records, it trusted offsets); after the power loss the disk says otherwise.",
  },
  "slow-recovery": {
    title: "recovery re-read log below the recovery point",
    whyItMatters:
      "Everything below the recovery point was fsynced and needs no re-validation. Rescanning it is what makes a broker with terabytes of log take hours to restart after a crash.",
  },
  "unflushed-data-trusted": {
    title: "recovery would trust bytes written after the last fsync",
    whyItMatters:
      "Bytes after the recovery point may be torn by the power loss. Trusting them serves corrupt or half-written batches to consumers and replicas.",
  },
  "lost-write": {
    title: "records lost that had to survive",
    whyItMatters:
      "Records below the recovery point were on disk for sure, and acknowledged records were on every in-sync replica: after the restart or failover they were gone.",
  },
  "inconsistent-offsets": {
    title: "an offset held different records (a torn tail, or replicas that diverged)",
    whyItMatters:
      "Readers got bytes that were never written there, or two replicas disagree on an offset below the high watermark: what a consumer reads depends on which broker it asks, and one version is lost at the next failover.",
  },
  "deleted-records-returned": {
    title: "records deleted by DeleteRecords came back after a restart",
    whyItMatters:
      "The application deleted them (processed, or erased on request) and the broker had checkpointed the new log start offset; after the restart consumers read them again.",
  },
};
