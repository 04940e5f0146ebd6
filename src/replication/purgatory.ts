/**
 * A purgatory (Kafka's DelayedOperationPurgatory, without threads or timing wheels): operations
 * that wait for something to happen to one or more partitions, watched by partition key. When a
 * partition changes (an append, a high-watermark move, a role change, a truncation), the caller
 * re-checks the operations watching it. An operation completes at most once: the purgatory
 * forgets it under every key BEFORE running its completion, so a completion that changes
 * partitions again (a delayed follower fetch moving the high watermark) may re-enter the
 * purgatory safely. Timeouts are the caller's timers (`forceComplete`).
 *
 * Bound: at most `maxOperations` waiting operations (a bug guard: each one is a request a
 * client is waiting for, so the count is bounded by clients × in-flight requests).
 */

export interface DelayedOperation {
  /** Whether the operation can finish now (a pure check). */
  canComplete(): boolean;
  /** Finish: called exactly once, after the purgatory forgot the operation. */
  onComplete(): void;
}

export class Purgatory<Op extends DelayedOperation> {
  private readonly watchers = new Map<string, Set<Op>>();
  private readonly keysOf = new Map<Op, readonly string[]>();

  constructor(
    readonly name: string,
    private readonly maxOperations = 100_000,
  ) {}

  /** Operations waiting. */
  get size(): number {
    return this.keysOf.size;
  }

  /**
   * Kafka's tryCompleteElseWatch: complete `op` now if it can, else watch it under `keys`.
   * Returns true if it completed.
   */
  tryCompleteElseWatch(op: Op, keys: readonly string[]): boolean {
    if (op.canComplete()) {
      op.onComplete();
      return true;
    }
    if (this.keysOf.size >= this.maxOperations)
      throw new Error(
        `Cannot delay another operation in purgatory ${this.name}: ${this.maxOperations} already wait`,
      );
    this.keysOf.set(op, keys);
    for (const k of keys) {
      let set = this.watchers.get(k);
      if (set === undefined) this.watchers.set(k, (set = new Set()));
      set.add(op);
    }
    return false;
  }

  /** Re-check every operation watching `key`; returns how many completed. */
  checkAndComplete(key: string): number {
    const set = this.watchers.get(key);
    if (set === undefined || set.size === 0) return 0;
    let n = 0;
    for (const op of [...set]) {
      if (!this.keysOf.has(op) || !op.canComplete()) continue;
      this.forget(op);
      op.onComplete();
      n++;
    }
    return n;
  }

  /** Complete `op` now whatever its state (timeout); no-op if it already completed. */
  forceComplete(op: Op): void {
    if (!this.keysOf.has(op)) return;
    this.forget(op);
    op.onComplete();
  }

  /** Complete every waiting operation (shutdown). */
  forceCompleteAll(): void {
    for (const op of [...this.keysOf.keys()]) this.forceComplete(op);
  }

  isWaiting(op: Op): boolean {
    return this.keysOf.has(op);
  }

  private forget(op: Op): void {
    for (const k of this.keysOf.get(op) ?? []) {
      const set = this.watchers.get(k);
      set?.delete(op);
      if (set?.size === 0) this.watchers.delete(k);
    }
    this.keysOf.delete(op);
  }
}
