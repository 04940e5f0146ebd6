/**
 * Opening a partition directory (Kafka's LogLoader.java): find the segments, clean up leftovers,
 * and after an unclean shutdown scan what may be torn, so the log never serves torn or corrupt
 * bytes.
 *
 * 1. Leftovers: files ending in .deleted, .cleaned, .swap or .tmp are removed (no log cleaner
 *    runs here, so a .swap is never a half-finished swap to complete), and index files without
 *    their .log are removed (orphans). Producer snapshots are left to their owner.
 * 2. Every `<base>.log` is opened; a missing or insane index marks the segment for a rebuild.
 * 3. Clean shutdown (the `.kafka_cleanshutdown` marker was present): trust every segment, but
 *    still walk the last segment's tail from its last index entry and recover it if the tail is
 *    not whole batches. Unclean: trust the segments below the one holding the recovery point
 *    (`recoveryStartSegment` seam); scan that segment and all later ones batch by batch
 *    (LogSegment.recover: size, magic, CRC, dense offsets), truncating a torn or corrupt tail
 *    and deleting every later segment (LogLoader.recoverLog: "delete all remaining log"). No
 *    recovery point (missing or corrupt checkpoint) means scanning from the first segment.
 * 4. A log end offset below the checkpointed log start offset empties the log and restarts it
 *    at the log start offset (LogLoader does the same).
 *
 * Everything dropped is reported (segment, position, bytes, reason), with the bytes scanned.
 * Departures from Kafka: offsets must be dense across the scanned region (this log is never
 * compacted), so a scanned segment that does not start where the previous one ended is dropped
 * with everything after it; dropped segments are deleted at once rather than renamed and
 * deleted later.
 */
import { joinPath, type Disk } from "./disk";
import { LogSegment, type SegmentSettings } from "./segment";
import type { LogSeams } from "./seams";
import {
  INDEX_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  TIME_INDEX_FILE_SUFFIX,
  isTemporaryFileName,
  parseSegmentFileName,
} from "./log-files";
import { SeamContractError } from "./seams";

export interface DroppedData {
  segmentBaseOffset: number;
  /** Position in the segment's .log from which bytes were dropped (0 for a whole segment). */
  position: number;
  bytes: number;
  reason: string;
}

export interface RecoveryReport {
  dir: string;
  hadCleanShutdown: boolean;
  /** The recovery point read from the checkpoint, or undefined when there was none. */
  recoveryPointCheckpoint: number | undefined;
  /** True when recovery scanned from the first segment because there was no recovery point. */
  fullScan: boolean;
  segmentsLoaded: number;
  /** Base offsets of the segments scanned batch by batch. */
  segmentsRecovered: number[];
  /** Bytes read from .log files by the scans. */
  bytesScanned: number;
  dropped: DroppedData[];
  indexesRebuilt: { segmentBaseOffset: number; reason: string }[];
  /** Leftover and orphan files removed (paths). */
  filesRemoved: string[];
  /** Other things worth knowing (unknown files, a log restarted at its log start offset). */
  notes: string[];
  logStartOffset: number;
  logEndOffset: number;
  recoveryPoint: number;
}

export interface LoadOptions {
  disk: Disk;
  dir: string;
  settings: SegmentSettings;
  seams: LogSeams;
  now: number;
  /** From recovery-point-offset-checkpoint; undefined when missing (forces a full scan unless clean). */
  recoveryPoint: number | undefined;
  /** From log-start-offset-checkpoint; undefined when absent. */
  logStartOffset: number | undefined;
  hadCleanShutdown: boolean;
  /** Called for every batch recovery scans, with its partitionLeaderEpoch and base offset. */
  onBatch?: (partitionLeaderEpoch: number, baseOffset: number) => void;
}

export interface LoadedLog {
  segments: LogSegment[];
  logStartOffset: number;
  logEndOffset: number;
  recoveryPoint: number;
  report: RecoveryReport;
}

export function loadLog(o: LoadOptions): LoadedLog {
  const { disk, dir } = o;
  const report: RecoveryReport = {
    dir,
    hadCleanShutdown: o.hadCleanShutdown,
    recoveryPointCheckpoint: o.recoveryPoint,
    fullScan: false,
    segmentsLoaded: 0,
    segmentsRecovered: [],
    bytesScanned: 0,
    dropped: [],
    indexesRebuilt: [],
    filesRemoved: [],
    notes: [],
    logStartOffset: 0,
    logEndOffset: 0,
    recoveryPoint: 0,
  };
  const bases = cleanDirectory(disk, dir, report);

  let segments: LogSegment[] = [];
  const needsRebuild = new Set<number>();
  for (const base of bases) {
    const { segment, indexProblem } = LogSegment.open(disk, dir, base, o.settings, o.now);
    if (indexProblem !== undefined) {
      needsRebuild.add(base);
      report.indexesRebuilt.push({ segmentBaseOffset: base, reason: indexProblem });
    }
    segments.push(segment);
  }
  report.segmentsLoaded = segments.length;

  let scanFrom = segments.length; // index of the first segment to scan; none when clean
  if (!o.hadCleanShutdown && segments.length > 0) {
    if (o.recoveryPoint === undefined) {
      report.fullScan = true;
      report.notes.push("no recovery point: scanning every segment");
      scanFrom = 0;
    } else {
      scanFrom = o.seams.recoveryStartSegment(bases, o.recoveryPoint);
      if (!Number.isInteger(scanFrom) || scanFrom < 0 || scanFrom >= segments.length) {
        throw new SeamContractError(
          `recoveryStartSegment returned ${scanFrom} for ${segments.length} segments`,
        );
      }
    }
  }

  let nextOffset = segments[0]?.baseOffset ?? 0;
  let prevScanned = false;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const isLast = i === segments.length - 1;
    let scan = i >= scanFrom || needsRebuild.has(seg.baseOffset);
    if (prevScanned && seg.baseOffset !== nextOffset) {
      dropFrom(
        segments,
        i,
        `segment starts at offset ${seg.baseOffset} but the previous one ends at ${nextOffset}`,
        report,
      );
      segments = segments.slice(0, i);
      break;
    }
    if (!scan && isLast) {
      const tail = seg.readNextOffset();
      report.bytesScanned += tail.bytesScanned;
      if (tail.problem !== undefined) {
        report.notes.push(
          `segment ${seg.baseOffset} was trusted but its tail is not whole batches (${tail.problem}): recovering it`,
        );
        scan = true;
      } else {
        nextOffset = tail.nextOffset;
        seg.loadLargestTimestamp();
      }
    }
    if (!scan) {
      prevScanned = false;
      if (!isLast) nextOffset = segments[i + 1]!.baseOffset;
      continue;
    }
    const rec = seg.recover(seg.baseOffset, o.onBatch);
    report.segmentsRecovered.push(seg.baseOffset);
    report.bytesScanned += rec.bytesScanned;
    nextOffset = rec.nextOffset;
    prevScanned = true;
    if (rec.truncatedBytes > 0) {
      report.dropped.push({
        segmentBaseOffset: seg.baseOffset,
        position: rec.validBytes,
        bytes: rec.truncatedBytes,
        reason: rec.reason ?? "invalid bytes",
      });
      if (!isLast) {
        dropFrom(segments, i + 1, `after the corrupt point in segment ${seg.baseOffset}`, report);
        segments = segments.slice(0, i + 1);
      }
      break;
    }
  }

  let logStartOffset = Math.max(o.logStartOffset ?? 0, segments[0]?.baseOffset ?? 0);
  if (segments.length === 0) {
    segments.push(LogSegment.create(disk, dir, logStartOffset, o.settings, o.now));
    nextOffset = logStartOffset;
  } else if (nextOffset < logStartOffset) {
    report.notes.push(
      `log end offset ${nextOffset} is below the log start offset ${logStartOffset}: deleting all segments and starting at ${logStartOffset}`,
    );
    dropFrom(
      segments,
      0,
      `log end offset ${nextOffset} is below the log start offset ${logStartOffset}`,
      report,
    );
    segments = [LogSegment.create(disk, dir, logStartOffset, o.settings, o.now)];
    nextOffset = logStartOffset;
  }
  logStartOffset = Math.max(logStartOffset, segments[0]!.baseOffset);
  if (report.dropped.length > 0 || report.filesRemoved.length > 0) disk.fsyncDir(dir);

  const recoveryPoint = o.hadCleanShutdown
    ? nextOffset
    : Math.min(o.recoveryPoint ?? logStartOffset, nextOffset);
  report.logStartOffset = logStartOffset;
  report.logEndOffset = nextOffset;
  report.recoveryPoint = recoveryPoint;
  return { segments, logStartOffset, logEndOffset: nextOffset, recoveryPoint, report };
}

/** Remove leftovers and orphans; return the sorted base offsets of the .log files. */
function cleanDirectory(disk: Disk, dir: string, report: RecoveryReport): number[] {
  const names = disk.list(dir);
  const logs = new Set<number>();
  for (const name of names) {
    const parsed = parseSegmentFileName(name);
    if (parsed?.suffix === LOG_FILE_SUFFIX) logs.add(parsed.baseOffset);
  }
  for (const name of names) {
    const path = joinPath(dir, name);
    if (isTemporaryFileName(name)) {
      disk.delete(path);
      report.filesRemoved.push(path);
      continue;
    }
    const parsed = parseSegmentFileName(name);
    if (parsed === undefined) continue; // checkpoints, partition.metadata, ...
    if (
      (parsed.suffix === INDEX_FILE_SUFFIX || parsed.suffix === TIME_INDEX_FILE_SUFFIX) &&
      !logs.has(parsed.baseOffset)
    ) {
      disk.delete(path);
      report.filesRemoved.push(path);
    }
  }
  return [...logs].sort((a, b) => a - b);
}

/** Delete segments[from..] and report each as dropped. */
function dropFrom(
  segments: readonly LogSegment[],
  from: number,
  reason: string,
  report: RecoveryReport,
): void {
  for (let j = from; j < segments.length; j++) {
    const s = segments[j]!;
    report.dropped.push({ segmentBaseOffset: s.baseOffset, position: 0, bytes: s.sizeInBytes, reason });
    s.deleteFiles();
  }
}
