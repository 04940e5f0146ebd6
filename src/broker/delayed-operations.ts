/**
 * The two operations a broker keeps in purgatory (src/replication/purgatory.ts), as Kafka's
 * DelayedProduce and DelayedFetch:
 *
 * - DelayedProduce (acks=-1): done when the partition's high watermark reaches the batch's last
 *   offset + 1 (Partition.checkEnoughReplicasReachOffset), answering NONE, or
 *   NOT_ENOUGH_REPLICAS_AFTER_APPEND if the maximal ISR is below min.insync.replicas by then, or
 *   NOT_LEADER_OR_FOLLOWER if leadership moved; completed by force at the request's timeoutMs it
 *   answers REQUEST_TIMED_OUT. In every case the data stays in the leader's log.
 * - DelayedFetch (long poll): the check is fetch-serving.ts's fetchCanComplete; the completion
 *   reads every partition again, as Kafka's DelayedFetch.onComplete does.
 *
 * Each holds the cancel function of its timeout timer and cancels it on completion.
 */
import { Errors } from "../protocol";
import type { DelayedOperation, Partition } from "../replication";
import type { Cancel, LeaderAppendResult } from "./services";

export class DelayedProduce implements DelayedOperation {
  cancelTimer: Cancel = () => {};
  private result: LeaderAppendResult;

  constructor(
    private readonly partition: Partition,
    /** The batch's last offset + 1 (exclusive). */
    private readonly requiredOffset: number,
    appended: LeaderAppendResult,
    private readonly done: (r: LeaderAppendResult) => void,
  ) {
    this.result = appended;
  }

  canComplete(): boolean {
    return this.partition.checkEnoughReplicasReachOffset(this.requiredOffset).done;
  }

  onComplete(): void {
    this.cancelTimer();
    const check = this.partition.checkEnoughReplicasReachOffset(this.requiredOffset);
    if (!check.done) {
      this.result = {
        ...this.result,
        error: Errors.REQUEST_TIMED_OUT,
        errorMessage: "acks=-1: the ISR did not replicate the batch within the request's timeout",
      };
    } else if (check.error !== Errors.NONE) {
      this.result = { ...this.result, error: check.error, errorMessage: check.error.message };
    }
    this.done(this.result);
  }
}

export class DelayedFetch implements DelayedOperation {
  cancelTimer: Cancel = () => {};

  constructor(
    private readonly check: () => boolean,
    private readonly complete: () => void,
  ) {}

  canComplete(): boolean {
    return this.check();
  }

  onComplete(): void {
    this.cancelTimer();
    this.complete();
  }
}
