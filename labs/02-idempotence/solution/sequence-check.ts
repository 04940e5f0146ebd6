/**
 * Lab 02, part 2 — reference solution: Kafka's checks (ProducerStateEntry.findDuplicateBatch,
 * ProducerAppendInfo.checkProducerEpoch and checkSequence), in the order the broker applies them.
 *
 * - Nothing known of this producer on this partition (a new producer, or one whose records and
 *   state are gone): any sequence is accepted.
 * - Same epoch and (firstSeq, lastSeq) equal to one of the last 5 batches: a resend whose answer
 *   was lost. Appending nothing and answering that batch's original offsets is what makes the
 *   retry invisible: an error here would make the producer believe the write failed.
 * - An older epoch: a fenced, stale instance → INVALID_PRODUCER_EPOCH.
 * - A newer epoch (the producer bumped it after losing track of its sequences) restarts at 0.
 * - Same epoch: exactly lastSequence + 1 (wrapping to 0 after 2^31 − 1). Anything else is a gap
 *   or an old batch the broker no longer remembers → OUT_OF_ORDER_SEQUENCE_NUMBER; the producer
 *   then retries in order or bumps its epoch.
 */
import { Errors } from "../../../src/protocol";
import { incrementSequence, type CheckSequence } from "../../../src/log";

export const checkSequence: CheckSequence = (state, batch) => {
  if (state === undefined) return { kind: "append" };
  if (batch.producerEpoch === state.producerEpoch) {
    const original = state.batches.find(
      (b) => b.firstSeq === batch.baseSequence && b.lastSeq === batch.lastSequence,
    );
    if (original !== undefined) return { kind: "duplicate", batch: original };
  }
  if (batch.producerEpoch < state.producerEpoch)
    return {
      kind: "error",
      error: Errors.INVALID_PRODUCER_EPOCH,
      message: `Producer ${batch.producerId} sent epoch ${batch.producerEpoch}, older than the epoch ${state.producerEpoch} this partition has seen`,
    };
  if (batch.producerEpoch > state.producerEpoch) {
    if (batch.baseSequence === 0) return { kind: "append" };
    return {
      kind: "error",
      error: Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
      message: `Producer ${batch.producerId} started its new epoch ${batch.producerEpoch} at sequence ${batch.baseSequence}, not 0`,
    };
  }
  if (state.lastSequence < 0 || batch.baseSequence === incrementSequence(state.lastSequence, 1))
    return { kind: "append" };
  return {
    kind: "error",
    error: Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
    message: `Producer ${batch.producerId} sent sequence ${batch.baseSequence}; this partition expected ${incrementSequence(state.lastSequence, 1)} (last sequence ${state.lastSequence})`,
  };
};
