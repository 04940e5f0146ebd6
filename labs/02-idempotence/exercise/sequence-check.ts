/**
 * Lab 02, part 2: the broker's sequence check. The partition leader calls this for every batch
 * an idempotent producer sends (seam `checkSequence` in src/log/seams.ts), before appending it.
 *
 * `state` is what this partition remembers of the producer (undefined if nothing):
 * - state.producerEpoch: the producer's epoch as last seen here;
 * - state.lastSequence: the last sequence number of the newest batch;
 * - state.batches: the newest batches, oldest first, at most 5 — each with its first/last
 *   sequence (firstSeq, lastSeq) and the offsets it was written at (firstOffset, lastOffset).
 * `batch` is the incoming batch: producerId, producerEpoch, baseSequence, lastSequence.
 *
 * Answer one of:
 * - { kind: "append" }: write the batch (the partition then remembers it);
 * - { kind: "duplicate", batch: b }: a resend of the remembered batch `b`. Nothing is written,
 *   and the producer is told "success" with b's ORIGINAL offsets;
 * - { kind: "error", error: Errors.SOMETHING, message: "..." }: refuse the batch.
 *
 * Sequences are 32-bit: after 2147483647 the next sequence is 0 (incrementSequence in
 * src/log/producer-state.ts does this arithmetic). Exercise files may import only from src/.
 */
import type { CheckSequence } from "../../../src/log";

export const checkSequence: CheckSequence = (state, batch) => {
  // TODO(lab-02): this accepts everything, so a resent batch is appended a second time even
  // from an idempotent producer. Kafka's rules, in order: nothing known of the producer →
  // append; same epoch and exactly a remembered batch → duplicate (with that batch); an older
  // epoch → INVALID_PRODUCER_EPOCH; a newer epoch must start at sequence 0; otherwise the
  // batch must start exactly one after the last sequence, or it is OUT_OF_ORDER_SEQUENCE_NUMBER.
  void state;
  void batch;
  return { kind: "append" };
};
