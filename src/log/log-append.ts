/**
 * The append path of PartitionLog (partition-log.ts), Kafka's UnifiedLog.append: validate the
 * batches (append-validation.ts), check idempotent producers on client appends
 * (producer-state.ts), assign offsets and stamp the leader epoch and LogAppendTime, write them
 * to the active segment (local-log.ts), update the producer state and the leader-epoch cache,
 * and flush when flush.messages is reached.
 *
 * Invariants: offsets are dense (a follower's first batch must start exactly at the log end
 * offset; a leader's batches are assigned from it); the caller's bytes are never kept or
 * modified; a failure appends nothing and is an error code in the AppendResult, never an
 * exception (a disk error takes the log offline: log-state.ts).
 *
 * Departures from Kafka: no transactions; records are not decompressed (batch-level checks,
 * see append-validation.ts); the flush Kafka schedules after a roll runs inside the roll.
 */
import { Errors, type ErrorInfo, NO_TIMESTAMP } from "../protocol";
import { assignOffsets, validateAppend, type AppendOrigin } from "./append-validation";
import { flushUpTo, goOffline, logName, offlineMessage, type LogState } from "./log-state";
import { producerInfos } from "./log-producer-replay";
import type { AppendResult } from "./log-results";

/** Appends up to this size are copied into a reused scratch buffer (see copyOf). */
const SCRATCH_BYTES_MAX = 1024 * 1024;

/**
 * Append `records` (one or more whole batches) as leader (`origin` "client" or "coordinator",
 * stamped with `leaderEpoch`) or as follower (`origin` "replication", leaderEpoch -1).
 */
export function appendToLog(
  s: LogState,
  records: Uint8Array | readonly Uint8Array[],
  origin: AppendOrigin,
  leaderEpoch: number,
  now: number,
): AppendResult {
  if (s.offlineReason !== undefined) {
    return appendFailure(s, Errors.KAFKA_STORAGE_ERROR, offlineMessage(s, "append"));
  }
  const input = records instanceof Uint8Array ? records : concat(records);
  const v = validateAppend(input, origin, s.config, now);
  if (!v.ok) return appendFailure(s, v.error, `${v.message} (partition ${logName(s)})`);
  if (v.batches.length === 0) return appendFailure(s, Errors.NONE, undefined);
  // Our own copy, to stamp and write: we never keep or modify the caller's bytes. (Copying after
  // the CRC check measured a little faster than checking the copy.)
  const data = input === records ? copyOf(s, input) : input;
  const firstOffset = s.local.logEndOffset;
  const asLeader = origin !== "replication";
  if (!asLeader && v.batches[0]!.baseOffset !== firstOffset) {
    return appendFailure(
      s,
      Errors.UNKNOWN_SERVER_ERROR,
      `Cannot append to ${logName(s)} as follower: first batch base offset ${v.batches[0]!.baseOffset} is not the log end offset ${firstOffset}`,
    );
  }
  const logAppendTime = asLeader && s.config.messageTimestampType === "LogAppendTime";
  const producerBatches = producerInfos(data, v.batches);
  if (origin === "client") {
    // UnifiedLog.analyzeAndValidateProducerState: duplicates and sequence/epoch errors.
    const check = s.producerState.analyzeLeaderAppend(producerBatches);
    if (check.kind === "error")
      return appendFailure(s, check.error, `${check.message} (partition ${logName(s)})`);
    if (check.kind === "duplicate") {
      const d = check.batch;
      return {
        error: Errors.NONE,
        firstOffset: d.firstOffset,
        lastOffset: d.lastOffset,
        maxTimestamp: d.timestamp,
        logAppendTime: logAppendTime ? d.timestamp : NO_TIMESTAMP,
        logStartOffset: s.logStartOffset,
        numMessages: 0,
        validBytes: 0,
        duplicate: true,
      };
    }
  }
  const a = assignOffsets(data, v.batches, {
    firstOffset,
    asLeader,
    leaderEpoch,
    logAppendTimeMs: logAppendTime ? now : undefined,
  });
  try {
    s.local.append(data, a.appended, a.maxTimestamp, s.config, now);
    for (let i = 0; i < producerBatches.length; i++) {
      const pb = producerBatches[i]!;
      pb.baseOffset = a.appended[i]!.lastOffset - pb.lastOffsetDelta;
      pb.maxTimestamp = a.appended[i]!.maxTimestamp;
      s.producerState.update(pb);
    }
    // UnifiedLog.append: maybeAssignEpochStartOffset for every v2 batch.
    for (const [epoch, start] of a.epochStarts) {
      if (epoch > (s.leaderEpochCache.latestEpoch() ?? -1)) s.leaderEpochCache.assign(epoch, start);
    }
    s.stats.appends++;
    if (s.local.logEndOffset - s.local.recoveryPoint >= s.config.flushMessages) {
      flushUpTo(s, s.local.logEndOffset, now);
    }
  } catch (e) {
    return appendFailure(s, Errors.KAFKA_STORAGE_ERROR, goOffline(s, e, "append"));
  }
  return {
    error: Errors.NONE,
    firstOffset,
    lastOffset: a.nextOffset - 1,
    maxTimestamp: a.maxTimestamp,
    logAppendTime: logAppendTime ? now : NO_TIMESTAMP,
    logStartOffset: s.logStartOffset,
    numMessages: a.nextOffset - firstOffset,
    validBytes: v.totalBytes,
  };
}

/**
 * A copy of `input` to stamp and write. Small appends reuse one scratch buffer (the Disk port
 * writes or copies synchronously and keeps no reference), which spares the garbage collector
 * a 16 KiB allocation per produce request; large ones get their own buffer.
 */
function copyOf(s: LogState, input: Uint8Array): Uint8Array {
  if (input.length > SCRATCH_BYTES_MAX) return input.slice();
  if (s.scratch.length < input.length) {
    let n = s.scratch.length;
    while (n < input.length) n *= 2;
    s.scratch = new Uint8Array(n);
  }
  const out = s.scratch.subarray(0, input.length);
  out.set(input);
  return out;
}

function appendFailure(s: LogState, error: ErrorInfo, message: string | undefined): AppendResult {
  const r: AppendResult = {
    error,
    firstOffset: -1,
    lastOffset: -1,
    maxTimestamp: NO_TIMESTAMP,
    logAppendTime: NO_TIMESTAMP,
    logStartOffset: s.logStartOffset,
    numMessages: 0,
    validBytes: 0,
  };
  if (message !== undefined) r.errorMessage = message;
  return r;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
