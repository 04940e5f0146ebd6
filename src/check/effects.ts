/**
 * The effect ledger: what the consuming application did with the messages it read.
 *
 * Kafka's guarantees stop at the log. What a business cares about is the side effect: the card
 * charged, the row written, the email sent. A consumer lab records one ledger entry each time
 * the application applies an effect:
 *
 *   ledger.apply({ value: "order-17", key: "customer-3", topicPartition: "orders-0", offset: 41, consumer: "worker-1" });
 *
 * `value` is the value of the message that caused the effect. Values are unique per run, so it
 * identifies the message, and so the effect: each acknowledged message should produce exactly
 * one effect. The checker derives the expected effects from the history (every acknowledged
 * send, and every uncertain send a poll proved written); `expect` adds messages that exist
 * outside the history (a topic preloaded before the run).
 *
 * From the ledger the checker finds `effect-duplicated` (one message applied twice),
 * `effect-lost` (an expected message never applied) and `effect-reordered` (for one key and
 * partition, a higher offset applied before a lower one). Entries are ordered by time, then
 * by the order they were recorded: two workers applying effects in the same virtual
 * millisecond are ordered as they reached the ledger.
 *
 * Bounded by `maxEntries`. JSON-serialisable through `toJSON`/`fromJSON`.
 */
import type { TopicPartitionName } from "./history";

export interface EffectEntry {
  /** Position in the ledger (0-based, in recording order). */
  seq: number;
  /** Value of the message that caused the effect. */
  value: string;
  /** Key of that message; effects of one key must follow offset order. Null keys carry no order. */
  key: string | null;
  topicPartition: TopicPartitionName;
  offset: number;
  /** Virtual time at which the effect was applied. */
  atMs: number;
  /** Which consumer (process) applied it. */
  consumer: string;
}

export interface ExpectedEffect {
  value: string;
  key?: string | null;
  topicPartition?: TopicPartitionName;
  offset?: number;
}

export interface EffectApply {
  value: string;
  key: string | null;
  topicPartition: TopicPartitionName;
  offset: number;
  consumer: string;
  /** Defaults to the ledger's clock. */
  atMs?: number;
}

export interface EffectLedgerJSON {
  entries: EffectEntry[];
  expected: ExpectedEffect[];
}

const DEFAULT_MAX_ENTRIES = 5_000_000;

export class EffectLedger {
  private readonly log: EffectEntry[] = [];
  private readonly expectations: ExpectedEffect[] = [];

  constructor(
    private readonly nowMs?: () => number,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
  ) {}

  /** Records that the application applied the effect of one message. */
  apply(effect: EffectApply): EffectEntry {
    if (this.log.length >= this.maxEntries)
      throw new Error(
        `Cannot record effect of "${effect.value}": the ledger already holds maxEntries=${this.maxEntries} entries`,
      );
    if (typeof effect.value !== "string")
      throw new Error("Cannot record effect: value must be the message value (a string)");
    if (!Number.isSafeInteger(effect.offset) || effect.offset < 0)
      throw new Error(
        `Cannot record effect of "${effect.value}": offset ${effect.offset} is not an integer >= 0`,
      );
    const atMs = effect.atMs ?? this.nowMs?.();
    if (atMs === undefined || !Number.isFinite(atMs))
      throw new Error(
        `Cannot record effect of "${effect.value}": no time given (pass atMs or construct the ledger with a clock)`,
      );
    const entry: EffectEntry = {
      seq: this.log.length,
      value: effect.value,
      key: effect.key,
      topicPartition: effect.topicPartition,
      offset: effect.offset,
      atMs,
      consumer: effect.consumer,
    };
    this.log.push(entry);
    return entry;
  }

  /** Declares a message whose effect must happen even though no send of it is in the history. */
  expect(expected: ExpectedEffect): void {
    if (this.expectations.length >= this.maxEntries)
      throw new Error(
        `Cannot expect "${expected.value}": the ledger already holds maxEntries=${this.maxEntries} expectations`,
      );
    this.expectations.push({ ...expected });
  }

  entries(): readonly EffectEntry[] {
    return this.log;
  }

  expected(): readonly ExpectedEffect[] {
    return this.expectations;
  }

  get size(): number {
    return this.log.length;
  }

  toJSON(): EffectLedgerJSON {
    return { entries: this.log.slice(), expected: this.expectations.slice() };
  }

  static fromJSON(json: EffectLedgerJSON): EffectLedger {
    const ledger = new EffectLedger();
    for (const e of json.entries) ledger.apply(e);
    for (const x of json.expected) ledger.expect(x);
    return ledger;
  }
}

/** Entries in application order: by time, then by recording order. Does not modify its input. */
export function effectsInApplyOrder(entries: readonly EffectEntry[]): EffectEntry[] {
  const sorted = entries.slice();
  let ordered = true;
  for (let i = 1; i < sorted.length && ordered; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (b.atMs < a.atMs || (b.atMs === a.atMs && b.seq < a.seq)) ordered = false;
  }
  if (!ordered) sorted.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
  return sorted;
}
