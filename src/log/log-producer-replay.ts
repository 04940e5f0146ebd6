/**
 * How PartitionLog (partition-log.ts) feeds its ProducerStateManager (producer-state.ts): the
 * producer-state handling of Kafka's UnifiedLog. Two sources of producer batches:
 * - the batches of an append, read from their validated headers before the write
 *   (UnifiedLog.analyzeAndValidateProducerState; offsets are filled in after the append);
 * - the batches already in the log, replayed on open and after a truncation
 *   (UnifiedLog.rebuildProducerState, ProducerStateManager.truncateAndReload).
 *
 * Invariant: after `replayProducerState` the producer state reflects every producer batch in
 * [logStartOffset, logEndOffset) and its map end offset is the log end offset.
 *
 * Departures from Kafka: no transactions, so control batches are only flagged (the state
 * manager skips them).
 */
import {
  readBatchHeader,
  CONTROL_FLAG_MASK,
  PRODUCER_ID_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  BASE_SEQUENCE_OFFSET,
  ATTRIBUTES_OFFSET,
} from "../protocol";
import { dataView, int64At } from "./batch-scan";
import type { ValidBatch } from "./append-validation";
import type { LocalLog } from "./local-log";
import type { LogBatch } from "./log-results";
import type { ProducerBatchInfo, ProducerStateLoadReport, ProducerStateManager } from "./producer-state";

// Module-local copies of header positions read per batch (see batch-scan.ts).
const PRODUCER_ID_AT = PRODUCER_ID_OFFSET;
const PRODUCER_EPOCH_AT = PRODUCER_EPOCH_OFFSET;
const BASE_SEQUENCE_AT = BASE_SEQUENCE_OFFSET;
const ATTRIBUTES_AT = ATTRIBUTES_OFFSET;
const CONTROL_MASK = CONTROL_FLAG_MASK;

/** The producer fields of validated batches, read from their headers (offsets filled in after the append). */
export function producerInfos(data: Uint8Array, batches: readonly ValidBatch[]): ProducerBatchInfo[] {
  const dv = dataView(data);
  return batches.map((b) => ({
    producerId: int64At(dv, b.position + PRODUCER_ID_AT),
    producerEpoch: dv.getInt16(b.position + PRODUCER_EPOCH_AT),
    baseSequence: dv.getInt32(b.position + BASE_SEQUENCE_AT),
    lastOffsetDelta: b.lastOffsetDelta,
    baseOffset: -1,
    maxTimestamp: b.maxTimestamp,
    isControl: (dv.getInt16(b.position + ATTRIBUTES_AT) & CONTROL_MASK) !== 0,
  }));
}

/**
 * Every batch holding offsets in [fromOffset, toOffsetExclusive) of `local`, oldest first (the
 * first may start below fromOffset). Do not modify the log while iterating.
 */
export function* logBatches(
  local: LocalLog,
  fromOffset: number,
  toOffsetExclusive: number,
): Generator<LogBatch> {
  for (const { segment, batch, bytes } of local.batches(fromOffset, toOffsetExclusive)) {
    yield {
      header: readBatchHeader(bytes, 0),
      bytes,
      segmentBaseOffset: segment.baseOffset,
      position: batch.position,
    };
  }
}

/** The producer fields of every batch in [fromOffset, toOffsetExclusive), for the producer-state replay. */
function* producerBatches(
  local: LocalLog,
  fromOffset: number,
  toOffsetExclusive: number,
): Generator<ProducerBatchInfo> {
  for (const { header: h } of logBatches(local, fromOffset, toOffsetExclusive)) {
    yield {
      producerId: h.producerId,
      producerEpoch: h.producerEpoch,
      baseSequence: h.baseSequence,
      lastOffsetDelta: h.lastOffsetDelta,
      baseOffset: h.baseOffset,
      maxTimestamp: h.maxTimestamp,
      isControl: (h.attributes & CONTROL_FLAG_MASK) !== 0,
    };
  }
}

/**
 * UnifiedLog.rebuildProducerState: the newest snapshot ≤ the log end offset, then a replay of
 * the log after it up to the log end offset (also ProducerStateManager.truncateAndReload).
 */
export function replayProducerState(
  producerState: ProducerStateManager,
  local: LocalLog,
  logStartOffset: number,
): ProducerStateLoadReport {
  return producerState.reload(logStartOffset, local.logEndOffset, (from, to) =>
    producerBatches(local, from, to),
  );
}
