/**
 * The sequence check on its own: seeded cases of every rule against Kafka's answer. The run on
 * the cluster only meets the cases that a flaky network and leader crashes produce (new batches
 * and resends of recent ones); a gap, a resend older than the five remembered batches, a fenced
 * epoch or a sequence that wraps past 2^31 − 1 happen rarely there, yet the broker must answer
 * them right. Each case states what the partition remembers and what arrives.
 *
 * Kafka's rules (ProducerStateEntry.findDuplicateBatch, ProducerAppendInfo.checkProducerEpoch and
 * checkSequence), which `expected` applies:
 * - nothing known of the producer → append, whatever the sequence;
 * - same epoch and (first, last sequence) equal to a remembered batch → duplicate of that batch;
 * - older epoch → INVALID_PRODUCER_EPOCH;
 * - newer epoch → append if it starts at sequence 0, else OUT_OF_ORDER_SEQUENCE_NUMBER;
 * - same epoch → append if it starts right after the last sequence (2^31 − 1 is followed by 0),
 *   else OUT_OF_ORDER_SEQUENCE_NUMBER.
 * Browser-safe and pure given the seed.
 */
import {
  NUM_BATCHES_TO_RETAIN,
  decrementSequence,
  incrementSequence,
  type BatchMetadata,
  type CheckSequence,
  type IncomingProducerBatch,
  type ProducerSequenceState,
  type SequenceCheckResult,
} from "../../src/log";
import { Errors, type ErrorInfo } from "../../src/protocol";
import { SeededRng, type Rng } from "../../src/sim";

const INT32_MAX = 2147483647;

export type Expected =
  { kind: "append" } | { kind: "duplicate"; batch: BatchMetadata } | { kind: "error"; error: ErrorInfo };

export interface SequenceCase {
  /** What the case exercises, for grouping the failures ("a gap after the last sequence"). */
  rule: string;
  state: ProducerSequenceState | undefined;
  batch: IncomingProducerBatch;
  expected: Expected;
}

export interface SequenceCaseFailure {
  rule: string;
  summary: string;
}

export interface SequenceCaseReport {
  cases: number;
  /** Cases per rule. */
  casesByRule: Map<string, number>;
  /** Failing cases per rule. */
  failuresByRule: Map<string, number>;
  /** The first failures (bounded). */
  failures: SequenceCaseFailure[];
  failureCount: number;
}

const PRODUCER_ID = 1048577;
const FAILURES_KEPT = 10;

/** A partition's memory of a producer: `count` consecutive batches ending at `lastSeq`. */
function rememberedState(rng: Rng, epoch: number, count: number, lastSeq: number): ProducerSequenceState {
  const sizes = Array.from({ length: count }, () => 1 + rng.int(5));
  const total = sizes.reduce((a, b) => a + b, 0);
  // Sequences run forward (wrapping) to lastSeq; offsets rise with gaps (other producers' records).
  let seq = decrementSequence(lastSeq, total); // the sequence just before the first batch
  let offset = 100 + rng.int(5000);
  const batches: BatchMetadata[] = [];
  for (const size of sizes) {
    const firstSeq = incrementSequence(seq, 1);
    const last = incrementSequence(firstSeq, size - 1);
    offset += rng.int(20);
    batches.push({
      firstSeq,
      lastSeq: last,
      firstOffset: offset,
      lastOffset: offset + size - 1,
      timestamp: 1_700_000_000_000 + offset,
    });
    offset += size;
    seq = last;
  }
  return { producerEpoch: epoch, lastSequence: batches[batches.length - 1]!.lastSeq, batches };
}

function incoming(epoch: number, baseSequence: number, records: number): IncomingProducerBatch {
  return {
    producerId: PRODUCER_ID,
    producerEpoch: epoch,
    baseSequence,
    lastSequence: incrementSequence(baseSequence, records - 1),
  };
}

/** Kafka's answer (the rules in the file header). */
export function expected(state: ProducerSequenceState | undefined, batch: IncomingProducerBatch): Expected {
  if (state === undefined) return { kind: "append" };
  if (batch.producerEpoch === state.producerEpoch) {
    const b = state.batches.find(
      (x) => x.firstSeq === batch.baseSequence && x.lastSeq === batch.lastSequence,
    );
    if (b !== undefined) return { kind: "duplicate", batch: b };
  }
  if (batch.producerEpoch < state.producerEpoch)
    return { kind: "error", error: Errors.INVALID_PRODUCER_EPOCH };
  if (batch.producerEpoch > state.producerEpoch)
    return batch.baseSequence === 0
      ? { kind: "append" }
      : { kind: "error", error: Errors.OUT_OF_ORDER_SEQUENCE_NUMBER };
  return batch.baseSequence === incrementSequence(state.lastSequence, 1)
    ? { kind: "append" }
    : { kind: "error", error: Errors.OUT_OF_ORDER_SEQUENCE_NUMBER };
}

/** `n` seeded cases spread over the rules. */
export function sequenceCases(seed: number, n: number): SequenceCase[] {
  const rng = new SeededRng(seed).split("lab02/sequence-cases");
  const out: SequenceCase[] = [];
  const push = (
    rule: string,
    state: ProducerSequenceState | undefined,
    batch: IncomingProducerBatch,
  ): void => {
    out.push({ rule, state, batch, expected: expected(state, batch) });
  };
  const makers: ((i: number) => void)[] = [
    () =>
      push(
        "a new producer (nothing remembered)",
        undefined,
        incoming(rng.int(3), rng.int(1000), 1 + rng.int(5)),
      ),
    () => {
      const s = rememberedState(rng, rng.int(4), 1 + rng.int(NUM_BATCHES_TO_RETAIN), 10 + rng.int(100_000));
      push(
        "the next batch in sequence",
        s,
        incoming(s.producerEpoch, incrementSequence(s.lastSequence, 1), 1 + rng.int(5)),
      );
    },
    () => {
      const s = rememberedState(rng, rng.int(4), 1 + rng.int(NUM_BATCHES_TO_RETAIN), 10 + rng.int(100_000));
      const b = s.batches[rng.int(s.batches.length)]!;
      push("a resend of a remembered batch", s, {
        producerId: PRODUCER_ID,
        producerEpoch: s.producerEpoch,
        baseSequence: b.firstSeq,
        lastSequence: b.lastSeq,
      });
    },
    () => {
      const s = rememberedState(rng, rng.int(4), NUM_BATCHES_TO_RETAIN, 1000 + rng.int(100_000));
      const first = s.batches[0]!.firstSeq;
      const size = 1 + rng.int(3);
      push(
        "a resend older than the 5 remembered batches",
        s,
        incoming(s.producerEpoch, first - size - rng.int(50), size),
      );
    },
    () => {
      const s = rememberedState(rng, rng.int(4), 1 + rng.int(NUM_BATCHES_TO_RETAIN), 10 + rng.int(100_000));
      push(
        "a gap after the last sequence",
        s,
        incoming(s.producerEpoch, incrementSequence(s.lastSequence, 2 + rng.int(20)), 1 + rng.int(5)),
      );
    },
    () => {
      const s = rememberedState(
        rng,
        rng.int(4),
        2 + rng.int(NUM_BATCHES_TO_RETAIN - 1),
        10 + rng.int(100_000),
      );
      const b = s.batches[rng.int(s.batches.length)]!;
      // Same first sequence, different length: not the batch that was written.
      push(
        "a batch overlapping a remembered one",
        s,
        incoming(s.producerEpoch, b.firstSeq, 2 + (b.lastSeq - b.firstSeq) + rng.int(3)),
      );
    },
    () => {
      const s = rememberedState(
        rng,
        1 + rng.int(4),
        1 + rng.int(NUM_BATCHES_TO_RETAIN),
        10 + rng.int(100_000),
      );
      const older = rng.int(s.producerEpoch);
      const pick = rng.int(3);
      const b = s.batches[s.batches.length - 1]!;
      const base =
        pick === 0 ? incrementSequence(s.lastSequence, 1) : pick === 1 ? b.firstSeq : rng.int(1000);
      push(
        "an older epoch (a fenced producer)",
        s,
        pick === 1
          ? {
              producerId: PRODUCER_ID,
              producerEpoch: older,
              baseSequence: b.firstSeq,
              lastSequence: b.lastSeq,
            }
          : incoming(older, base, 1 + rng.int(5)),
      );
    },
    () => {
      const s = rememberedState(rng, rng.int(4), 1 + rng.int(NUM_BATCHES_TO_RETAIN), 10 + rng.int(100_000));
      push(
        "a newer epoch starting at sequence 0",
        s,
        incoming(s.producerEpoch + 1 + rng.int(2), 0, 1 + rng.int(5)),
      );
    },
    () => {
      const s = rememberedState(rng, rng.int(4), 1 + rng.int(NUM_BATCHES_TO_RETAIN), 10 + rng.int(100_000));
      const base = rng.chance(0.5) ? incrementSequence(s.lastSequence, 1) : 1 + rng.int(1000);
      push(
        "a newer epoch not starting at 0",
        s,
        incoming(s.producerEpoch + 1 + rng.int(2), base, 1 + rng.int(5)),
      );
    },
    () => {
      // The last batch ends exactly at 2^31 − 1: the next sequence is 0.
      const s = rememberedState(rng, rng.int(4), 1 + rng.int(NUM_BATCHES_TO_RETAIN), INT32_MAX);
      const next = rng.chance(0.75) ? 0 : 1 + rng.int(5); // anything but 0 is a gap
      push("the sequence wrapping past 2147483647", s, incoming(s.producerEpoch, next, 1 + rng.int(5)));
    },
  ];
  for (let i = 0; i < n; i++) makers[i % makers.length]!(i);
  return out;
}

function describeExpected(e: Expected): string {
  if (e.kind === "append") return "append";
  if (e.kind === "duplicate")
    return `duplicate of the batch seq ${e.batch.firstSeq}-${e.batch.lastSeq} (answer its offsets ${e.batch.firstOffset}-${e.batch.lastOffset})`;
  return e.error.name;
}

function describeResult(r: SequenceCheckResult | undefined): string {
  if (r === undefined || r === null || typeof r !== "object") return `${String(r)} (not an answer)`;
  if (r.kind === "append") return "append";
  if (r.kind === "duplicate")
    return r.batch === undefined
      ? "duplicate without a batch"
      : `duplicate of the batch seq ${r.batch.firstSeq}-${r.batch.lastSeq} (offsets ${r.batch.firstOffset}-${r.batch.lastOffset})`;
  if (r.kind === "error") return r.error?.name ?? "an error without a Kafka error";
  return JSON.stringify(r);
}

export function describeState(s: ProducerSequenceState | undefined): string {
  if (s === undefined) return "nothing remembered of producer";
  const batches = s.batches.map((b) => `${b.firstSeq}-${b.lastSeq}@${b.firstOffset}`).join(", ");
  return `epoch ${s.producerEpoch}, last sequence ${s.lastSequence}, batches [${batches}]`;
}

function matches(e: Expected, r: SequenceCheckResult | undefined): boolean {
  if (r === undefined || r === null || typeof r !== "object") return false;
  if (e.kind === "append") return r.kind === "append";
  if (e.kind === "duplicate")
    return (
      r.kind === "duplicate" &&
      r.batch !== undefined &&
      r.batch.firstOffset === e.batch.firstOffset &&
      r.batch.lastOffset === e.batch.lastOffset
    );
  return r.kind === "error" && r.error?.code === e.error.code;
}

/** Run the learner's check on every case. A check that throws fails the case (with its message). */
export function runSequenceCases(check: CheckSequence, cases: readonly SequenceCase[]): SequenceCaseReport {
  const report: SequenceCaseReport = {
    cases: cases.length,
    casesByRule: new Map(),
    failuresByRule: new Map(),
    failures: [],
    failureCount: 0,
  };
  for (const c of cases) {
    report.casesByRule.set(c.rule, (report.casesByRule.get(c.rule) ?? 0) + 1);
    let result: SequenceCheckResult | undefined;
    let threw: string | undefined;
    try {
      result = check(c.state, c.batch);
    } catch (e) {
      threw = e instanceof Error ? e.message : String(e);
    }
    if (threw === undefined && matches(c.expected, result)) continue;
    report.failureCount++;
    report.failuresByRule.set(c.rule, (report.failuresByRule.get(c.rule) ?? 0) + 1);
    if (report.failures.length < FAILURES_KEPT)
      report.failures.push({
        rule: c.rule,
        summary: `${c.rule}: remembered ${describeState(c.state)}; incoming epoch ${c.batch.producerEpoch}, seq ${c.batch.baseSequence}-${c.batch.lastSequence} → expected ${describeExpected(c.expected)}, got ${threw !== undefined ? `an exception (${threw})` : describeResult(result)}`,
      });
  }
  return report;
}
