/**
 * All partition logs of one log dir (Kafka's LogManager.scala, for a single log.dirs entry):
 * loading them at startup, creating and deleting them, and the periodic duties a broker drives
 * with its own timers, each taking `now`:
 *
 * | method                     | Kafka task and default interval                              |
 * |----------------------------|--------------------------------------------------------------|
 * | flushDirty(now)            | kafka-log-flusher, log.flush.scheduler.interval.ms (Long.MAX) |
 * | checkpointRecoveryPoints() | kafka-recovery-point-checkpoint, log.flush.offset.checkpoint.interval.ms 60000 |
 * | checkpointLogStartOffsets()| kafka-log-start-offset-checkpoint, log.flush.start.offset.checkpoint.interval.ms 60000 |
 * | checkpointHighWatermarks() | ReplicaManager's highwatermark-checkpoint, replica.high.watermark.checkpoint.interval.ms 5000 |
 * | runRetention(now)          | kafka-log-retention, log.retention.check.interval.ms 300000  |
 *
 * Startup (LogManager.loadLogs): read the clean-shutdown marker and the three checkpoint files,
 * open every `<topic>-<partition>` directory (names validated; anything else is reported and
 * left alone, `-delete` directories are finished off), then remove the marker so that a crash
 * from here on counts as unclean. A missing or corrupt recovery-point checkpoint after an
 * unclean shutdown means a full scan of every log, and the report says so: never silent loss.
 *
 * Shutdown (`close`): close and flush every log, write the checkpoints, then the marker
 * `.kafka_cleanshutdown` = {"version":0,"brokerEpoch":N} — only if every log closed cleanly.
 *
 * Departures from Kafka: a corrupt checkpoint does not take the log dir offline (Kafka's
 * CheckpointFileWithFailureHandler does): we recover by scanning, and report it. A deleted
 * partition's directory is renamed to `<topic>-<partition>.<id>-delete` and removed at once
 * (Kafka waits file.delete.delay.ms); the id is a counter, not a UUID. No partition.metadata
 * (topic ids) and no meta.properties here: the broker writes those.
 */
import { Errors, type ErrorInfo } from "../protocol";
import { joinPath, type Disk } from "./disk";
import { CorruptCheckpointError } from "./checkpoint-file";
import { DEFAULT_LOG_CONFIG, logConfig, type LogConfig } from "./log-config";
import {
  LOG_START_OFFSET_CHECKPOINT,
  RECOVERY_POINT_OFFSET_CHECKPOINT,
  REPLICATION_OFFSET_CHECKPOINT,
  readOffsetCheckpoint,
  writeOffsetCheckpoint,
  type OffsetCheckpointName,
} from "./offset-checkpoint";
import { PartitionLog } from "./partition-log";
import { mkdirsDurably } from "./local-log";
import type { RetentionResult } from "./log-results";
import { DEFAULT_LOG_SEAMS, type LogSeams } from "./seams";
import {
  InvalidLogDirNameError,
  deleteDirName,
  parseLogDirName,
  partitionDirName,
  topicNameProblem,
} from "./topic-name";
import { topicPartitionKey, type TopicPartition } from "./topic-partition";
import type { RecoveryReport } from "./recovery";
import { TMP_FILE_SUFFIX } from "./log-files";

/** Kafka's CleanShutdownFileHandler file name. */
export const CLEAN_SHUTDOWN_FILE = ".kafka_cleanshutdown";

export interface LogManagerOptions {
  disk: Disk;
  /** The log dir on the disk, e.g. "kafka-logs" ("" = the disk's root). */
  logDir: string;
  /** Broker-level defaults for every topic (default: Kafka's). */
  defaultConfig?: LogConfig;
  /** Per-topic overrides, by topic name. */
  topicConfigs?: Readonly<Record<string, Partial<LogConfig>>>;
  seams?: LogSeams;
}

/** How a checkpoint file read at startup. */
export interface CheckpointStatus {
  file: string;
  status: "ok" | "missing" | "corrupt";
  /** The CorruptCheckpointError message, when corrupt. */
  problem?: string;
}

export interface LogManagerStartupReport {
  hadCleanShutdown: boolean;
  /** The broker epoch recorded in the clean-shutdown marker (KRaft registration reports it), when readable. */
  cleanShutdownBrokerEpoch?: number;
  checkpoints: CheckpointStatus[];
  /** Recovery report of every log loaded, by `<topic>-<partition>`. */
  logs: Record<string, RecoveryReport>;
  /** Directory entries that are not partition directories (left alone), with why. */
  ignored: { name: string; reason: string }[];
  /** `-delete` directories removed. */
  deletedDirs: string[];
  notes: string[];
}

export type GetOrCreateResult =
  { log: PartitionLog; created: boolean } | { error: ErrorInfo; errorMessage: string };

export interface CloseReport {
  /** Logs that could not be closed (offline); the clean-shutdown marker is then not written. */
  failed: { partition: string; errorMessage: string }[];
  cleanShutdownMarkerWritten: boolean;
}

export class LogManager {
  readonly disk: Disk;
  readonly logDir: string;
  readonly seams: LogSeams;
  readonly startupReport: LogManagerStartupReport;
  private readonly defaultConfig: LogConfig;
  private topicOverrides: Record<string, Partial<LogConfig>>;
  private readonly logs = new Map<string, PartitionLog>();
  private deletions = 0;

  private constructor(o: LogManagerOptions, now: number) {
    this.disk = o.disk;
    this.logDir = o.logDir;
    this.seams = o.seams ?? DEFAULT_LOG_SEAMS;
    this.defaultConfig = o.defaultConfig ?? DEFAULT_LOG_CONFIG;
    this.topicOverrides = { ...(o.topicConfigs ?? {}) };
    this.startupReport = this.loadLogs(now);
  }

  /** Load every log in the log dir (recovering as needed) and return the manager. Disk errors throw. */
  static open(options: LogManagerOptions, now: number): LogManager {
    return new LogManager(options, now);
  }

  // ---- startup -------------------------------------------------------------------------------

  private loadLogs(now: number): LogManagerStartupReport {
    const { disk, logDir } = this;
    mkdirsDurably(disk, logDir);
    const markerPath = joinPath(logDir, CLEAN_SHUTDOWN_FILE);
    const hadCleanShutdown = disk.exists(markerPath);
    const report: LogManagerStartupReport = {
      hadCleanShutdown,
      cleanShutdownBrokerEpoch: hadCleanShutdown ? readBrokerEpoch(disk, markerPath) : undefined,
      checkpoints: [],
      logs: {},
      ignored: [],
      deletedDirs: [],
      notes: [],
    };
    const recoveryPoints = this.readCheckpoint(RECOVERY_POINT_OFFSET_CHECKPOINT, report);
    const logStartOffsets = this.readCheckpoint(LOG_START_OFFSET_CHECKPOINT, report);
    const highWatermarks = this.readCheckpoint(REPLICATION_OFFSET_CHECKPOINT, report);
    const recoveryPointsCorrupt = recoveryPoints === undefined;
    if (recoveryPointsCorrupt)
      report.notes.push("recovery-point checkpoint is corrupt: every log is scanned from its first segment");

    for (const name of disk.list(logDir)) {
      const path = joinPath(logDir, name);
      if (!disk.isDirectory(path)) {
        if (name.endsWith(TMP_FILE_SUFFIX)) {
          disk.delete(path); // a checkpoint write interrupted by a crash
          report.notes.push(`removed leftover ${path}`);
        }
        continue;
      }
      let parsed;
      try {
        parsed = parseLogDirName(name);
      } catch (e) {
        if (!(e instanceof InvalidLogDirNameError)) throw e;
        report.ignored.push({ name, reason: e.reason });
        continue;
      }
      if (parsed.suffix === "delete") {
        this.removeDir(path);
        report.deletedDirs.push(path);
        continue;
      }
      if (parsed.suffix !== undefined) {
        report.ignored.push({ name, reason: `a -${parsed.suffix} directory (not used by this broker)` });
        continue;
      }
      const key = topicPartitionKey(parsed.topicPartition);
      const recoveryPoint = recoveryPointsCorrupt ? undefined : recoveryPoints.get(key);
      const log = PartitionLog.open({
        disk,
        dir: path,
        topicPartition: parsed.topicPartition,
        config: this.topicConfig(parsed.topicPartition.topic),
        seams: this.seams,
        now,
        recoveryPoint,
        logStartOffset: logStartOffsets?.get(key),
        highWatermark: highWatermarks?.get(key),
        hadCleanShutdown: hadCleanShutdown && !recoveryPointsCorrupt,
      });
      this.register(key, log);
      report.logs[key] = log.recoveryReport;
    }
    if (hadCleanShutdown) {
      // LogManager.loadLogs deletes the marker once the logs are loaded: a crash from now on is unclean.
      disk.delete(markerPath);
      disk.fsyncDir(logDir);
    }
    return report;
  }

  /** Read a checkpoint; undefined (and a report entry) when corrupt. */
  private readCheckpoint(
    name: OffsetCheckpointName,
    report: LogManagerStartupReport,
  ): Map<string, number> | undefined {
    const file = joinPath(this.logDir, name);
    if (!this.disk.exists(file)) {
      report.checkpoints.push({ file, status: "missing" });
      return new Map();
    }
    try {
      const m = readOffsetCheckpoint(this.disk, this.logDir, name);
      report.checkpoints.push({ file, status: "ok" });
      return m;
    } catch (e) {
      if (!(e instanceof CorruptCheckpointError)) throw e;
      report.checkpoints.push({ file, status: "corrupt", problem: e.message });
      return undefined;
    }
  }

  // ---- logs ----------------------------------------------------------------------------------

  /** The effective config of a topic: defaults plus its overrides. */
  topicConfig(topic: string): LogConfig {
    const o = this.topicOverrides[topic];
    return o === undefined ? this.defaultConfig : logConfig(o, this.defaultConfig);
  }

  /** Replace a topic's overrides (IncrementalAlterConfigs) and apply them to its open logs. */
  setTopicConfig(topic: string, overrides: Partial<LogConfig>): void {
    const config = logConfig(overrides, this.defaultConfig); // validates before anything changes
    this.topicOverrides[topic] = { ...overrides };
    for (const log of this.logs.values()) if (log.topicPartition.topic === topic) log.updateConfig(config);
  }

  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(topicPartitionKey({ topic, partition }));
  }

  /** All logs, sorted by `<topic>-<partition>` key. */
  allLogs(): PartitionLog[] {
    return [...this.logs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, log]) => log);
  }

  /**
   * The log of a partition, created empty (at offset 0) if this log dir has none. An illegal
   * topic name is INVALID_TOPIC_EXCEPTION; a bad partition number INVALID_PARTITIONS.
   */
  getOrCreateLog(topic: string, partition: number, now: number): GetOrCreateResult {
    const problem = topicNameProblem(topic);
    if (problem !== undefined) {
      return {
        error: Errors.INVALID_TOPIC_EXCEPTION,
        errorMessage: `Cannot create a log for topic ${JSON.stringify(topic)}: ${problem}`,
      };
    }
    if (!Number.isInteger(partition) || partition < 0 || partition > 0x7fffffff) {
      return {
        error: Errors.INVALID_PARTITIONS,
        errorMessage: `Cannot create a log for ${topic} partition ${partition}: not a partition number`,
      };
    }
    const tp: TopicPartition = { topic, partition };
    const key = topicPartitionKey(tp);
    const existing = this.logs.get(key);
    if (existing !== undefined) return { log: existing, created: false };
    const dir = joinPath(this.logDir, partitionDirName(tp));
    const log = PartitionLog.open({
      disk: this.disk,
      dir,
      topicPartition: tp,
      config: this.topicConfig(topic),
      seams: this.seams,
      now,
      recoveryPoint: 0,
    });
    log.flush(now); // the new segment's files exist durably
    this.disk.fsyncDir(this.logDir); // and so does the partition directory
    this.register(key, log);
    return { log, created: true };
  }

  /**
   * Track a log. After any truncation the recovery points and log start offsets are
   * checkpointed at once (LogManager.truncateTo does the same): a stale recovery point above the
   * new log end would vouch, after a crash, for offsets rewritten since and never fsynced.
   */
  private register(key: string, log: PartitionLog): void {
    this.logs.set(key, log);
    log.addListener({
      onTruncate: () => {
        if (this.logs.get(key) !== log) return;
        this.checkpointRecoveryPoints();
        this.checkpointLogStartOffsets();
      },
    });
  }

  /**
   * Delete a partition's log: rename its directory to `<topic>-<partition>.<id>-delete` (durable
   * at once), then remove it. Returns false if there was no such log.
   */
  deleteLog(topic: string, partition: number): boolean {
    const tp: TopicPartition = { topic, partition };
    const key = topicPartitionKey(tp);
    const log = this.logs.get(key);
    if (log === undefined) return false;
    this.logs.delete(key);
    this.deletions++;
    const id = this.deletions.toString(16).padStart(32, "0");
    const target = joinPath(this.logDir, deleteDirName(tp, id));
    this.disk.rename(log.dir, target);
    this.disk.fsyncDir(this.logDir);
    this.removeDir(target);
    this.disk.fsyncDir(this.logDir);
    return true;
  }

  private removeDir(path: string): void {
    for (const name of this.disk.list(path)) {
      const child = joinPath(path, name);
      if (this.disk.isDirectory(child)) this.removeDir(child);
      else this.disk.delete(child);
    }
    this.disk.rmdir(path);
  }

  // ---- periodic duties -------------------------------------------------------------------------

  /** Write recovery-point-offset-checkpoint: each log's recovery point (all fsynced below it). */
  checkpointRecoveryPoints(): void {
    this.writeCheckpoint(RECOVERY_POINT_OFFSET_CHECKPOINT, (log) => log.recoveryPoint);
  }

  /** Write log-start-offset-checkpoint: only logs whose start offset is above their first segment's base. */
  checkpointLogStartOffsets(): void {
    this.writeCheckpoint(LOG_START_OFFSET_CHECKPOINT, (log) =>
      log.logStartOffset > log.firstSegmentBaseOffset ? log.logStartOffset : undefined,
    );
  }

  /** Write replication-offset-checkpoint: each log's high watermark. */
  checkpointHighWatermarks(): void {
    this.writeCheckpoint(REPLICATION_OFFSET_CHECKPOINT, (log) => log.highWatermark);
  }

  private writeCheckpoint(
    name: OffsetCheckpointName,
    offsetOf: (log: PartitionLog) => number | undefined,
  ): void {
    const offsets = new Map<string, number>();
    for (const [key, log] of this.logs) {
      if (log.offline !== undefined) continue;
      const offset = offsetOf(log);
      if (offset !== undefined) offsets.set(key, offset);
    }
    writeOffsetCheckpoint(this.disk, this.logDir, name, offsets, this.seams.writeCheckpoint);
  }

  /** Retention for every log (LogManager.cleanupLogs). Returns what each log deleted. */
  runRetention(now: number): Record<string, RetentionResult> {
    const out: Record<string, RetentionResult> = {};
    for (const [key, log] of this.logs) {
      const r = log.deleteOldSegments(now);
      if (r.deletedSegments.length > 0 || r.error !== Errors.NONE) out[key] = r;
    }
    return out;
  }

  /** Flush the logs whose flush.ms has passed (LogManager.flushDirtyLogs). Returns how many were flushed. */
  flushDirty(now: number): number {
    let n = 0;
    for (const log of this.logs.values()) {
      if (log.offline === undefined && log.flushDue(now)) {
        log.flush(now);
        n++;
      }
    }
    return n;
  }

  /**
   * Orderly shutdown (LogManager.shutdown): close and flush every log, write the three
   * checkpoints, then the clean-shutdown marker if every log closed cleanly.
   */
  close(now: number, brokerEpoch = 0): CloseReport {
    const failed: CloseReport["failed"] = [];
    for (const [key, log] of this.logs) {
      const r = log.close(now);
      if (r.error !== Errors.NONE)
        failed.push({ partition: key, errorMessage: r.errorMessage ?? r.error.name });
    }
    this.checkpointRecoveryPoints();
    this.checkpointLogStartOffsets();
    this.checkpointHighWatermarks();
    if (failed.length > 0) return { failed, cleanShutdownMarkerWritten: false };
    const marker = new TextEncoder().encode(JSON.stringify({ version: 0, brokerEpoch }));
    this.seams.writeCheckpoint(this.disk, joinPath(this.logDir, CLEAN_SHUTDOWN_FILE), marker);
    return { failed, cleanShutdownMarkerWritten: true };
  }
}

/** The brokerEpoch of a `.kafka_cleanshutdown` marker, or undefined if it cannot be read. */
function readBrokerEpoch(disk: Disk, path: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(disk.readAll(path)));
    const epoch = (parsed as { brokerEpoch?: unknown } | null)?.brokerEpoch;
    return typeof epoch === "number" && Number.isSafeInteger(epoch) ? epoch : undefined;
  } catch (_) {
    return undefined;
  }
}
