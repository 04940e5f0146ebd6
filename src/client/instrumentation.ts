/**
 * Hooks through which a lab or test observes what clients do, so that histories are recorded at
 * the exact points where the client library knows an outcome (acknowledged, failed, or unknown
 * after a timeout). The client layer may not import src/check (layer rule); a scenario adapts
 * these hooks to a HistoryRecorder (see src/sim or the labs).
 *
 * Every hook is optional. Values and keys are the decoded strings of the record's bytes (UTF-8);
 * the course's workloads write unique string values so that a value identifies its send.
 */

export interface SentRecordInfo {
  topic: string;
  key: string | null;
  value: string;
}

export type SendOutcome =
  | { outcome: "ok"; positions: { topic: string; partition: number; offset: number }[]; node?: string }
  /** Definitely not written (a non-retriable error before any attempt could have succeeded). */
  | { outcome: "fail"; error: string }
  /** Unknown: timed out, or failed after an attempt that may have been written. */
  | { outcome: "info"; error: string };

export interface ClientInstrumentation {
  /** A `send` call begins. Returns a token passed back to `onSendComplete`. */
  onSendInvoke?(clientId: string, records: SentRecordInfo[]): unknown;
  onSendComplete?(token: unknown, outcome: SendOutcome): void;
  /** A consumer poll returned records (including an empty poll, when `includeEmpty`). */
  onPoll?(
    clientId: string,
    records: { topic: string; partition: number; offset: number; key: string | null; value: string }[],
  ): void;
  /** Offsets committed successfully (next offset to read, per partition). */
  onCommit?(clientId: string, offsets: { topic: string; partition: number; offset: number }[]): void;
  /** The consumer's assignment changed (subscribe/rebalance or assign). */
  onAssign?(clientId: string, partitions: { topic: string; partition: number }[]): void;
  /**
   * A consumer's position was set other than by reading on: seek(), a reset by
   * auto.offset.reset, or the committed offset taken up after an assignment.
   */
  onSeek?(clientId: string, position: { topic: string; partition: number; offset: number }): void;
}
