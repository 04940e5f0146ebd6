/**
 * Committing and reading a group's offsets from the consumer (the offset part of Kafka's
 * ConsumerCoordinator): OffsetCommit and OffsetFetch to the group coordinator.
 *
 * Which generation a commit carries:
 * - a subscribed member commits with its current generation and member id while it is STABLE
 *   (also inside onPartitionsRevoked, before it rejoins); otherwise the commit fails locally:
 *   RebalanceInProgressError while a rebalance runs, CommitFailedError once the member lost its
 *   generation (its partitions may belong to someone else now);
 * - a consumer with assign() commits with generation -1 and no member id.
 *
 * Outcomes per Kafka's OffsetCommitResponseHandler:
 * - retriable (commitSync retries until default.api.timeout.ms): COORDINATOR_LOAD_IN_PROGRESS,
 *   UNKNOWN_TOPIC_OR_PARTITION, and COORDINATOR_NOT_AVAILABLE / NOT_COORDINATOR /
 *   REQUEST_TIMED_OUT or no answer (these also forget the coordinator);
 * - REBALANCE_IN_PROGRESS → RebalanceInProgressError (the member will rejoin in poll);
 * - UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION → CommitFailedError, and the member forgets its
 *   generation;
 * - anything else (FENCED_INSTANCE_ID, OFFSET_METADATA_TOO_LARGE, ...) → KafkaError.
 * A commit that timed out may still have been applied: commits are idempotent (the same offset
 * again), so retrying is safe.
 */
import { Errors, KafkaError, errorForCode, type ErrorInfo } from "../protocol/errors";
import type { OffsetCommitRequest, OffsetCommitResponse, OffsetFetchResponse } from "../protocol/messages";
import type { ClientContext } from "../sim/process";
import type { ResolvedConsumerConfig } from "./consumer-config";
import type { ConsumerGroup } from "./consumer-group";
import type { SubscriptionState } from "./consumer-subscription";
import {
  CommitFailedError,
  ConsumerTimeoutError,
  RebalanceInProgressError,
  tpKey,
  type OffsetToCommit,
  type TopicPartition,
} from "./consumer-types";
import { failureReason, isRequestFailure, type NetworkClient } from "./network-client";

type Attempt = { kind: "ok" } | { kind: "retry"; error: string } | { kind: "fail"; error: Error };

const RETRIABLE_MARK_UNKNOWN = new Set<number>([
  Errors.COORDINATOR_NOT_AVAILABLE.code,
  Errors.NOT_COORDINATOR.code,
  Errors.REQUEST_TIMED_OUT.code,
]);
const RETRIABLE = new Set<number>([
  Errors.COORDINATOR_LOAD_IN_PROGRESS.code,
  Errors.UNKNOWN_TOPIC_OR_PARTITION.code,
]);

export interface CommittedOffset extends TopicPartition {
  /** -1 when the group has no committed offset for the partition. */
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

export class ConsumerOffsets {
  commitsSucceeded = 0;
  commitsFailed = 0;

  constructor(
    private readonly ctx: ClientContext,
    private readonly net: NetworkClient,
    private readonly config: ResolvedConsumerConfig,
    private readonly groupId: string,
    private readonly group: ConsumerGroup,
    private readonly subscriptions: SubscriptionState,
    private readonly onCommitted: (offsets: OffsetToCommit[]) => void,
  ) {}

  /** Commit, retrying retriable failures until default.api.timeout.ms. */
  async commitSync(offsets: readonly OffsetToCommit[]): Promise<void> {
    if (offsets.length === 0) return;
    const deadline = this.ctx.now() + this.config.defaultApiTimeoutMs;
    let last = "no attempt";
    while (this.ctx.now() < deadline) {
      const r = await this.attempt(offsets);
      if (r.kind === "ok") return;
      if (r.kind === "fail") throw r.error;
      last = r.error;
      await this.ctx.sleep(this.config.retryBackoffMs);
    }
    this.commitsFailed++;
    throw new ConsumerTimeoutError(
      `Cannot commit offsets of group ${this.groupId} within default.api.timeout.ms=${this.config.defaultApiTimeoutMs}: last error ${last}`,
    );
  }

  /** One attempt; the callback gets null on success or the error (retriable ones included). */
  async commitAsync(offsets: readonly OffsetToCommit[]): Promise<Error | null> {
    if (offsets.length === 0) return null;
    const r = await this.attempt(offsets);
    if (r.kind === "ok") return null;
    return r.kind === "fail"
      ? r.error
      : new KafkaError(Errors.COORDINATOR_NOT_AVAILABLE, `Retriable commit failure: ${r.error}`);
  }

  private commitGeneration(): { generationId: number; memberId: string } | Error {
    if (this.subscriptions.type !== "topics") return { generationId: -1, memberId: "" };
    const g = this.group.generation;
    if (this.group.state === "STABLE" && g.generationId >= 0) return g;
    if (this.group.rebalanceInProgress)
      return new RebalanceInProgressError(
        Errors.REBALANCE_IN_PROGRESS,
        `Cannot commit offsets of group ${this.groupId}: the consumer is rebalancing; call poll() to complete the rebalance and commit again`,
      );
    return new CommitFailedError(
      Errors.UNKNOWN_MEMBER_ID,
      `Cannot commit offsets of group ${this.groupId}: the consumer is not part of an active group (it was probably removed after its session or max.poll.interval.ms expired)`,
    );
  }

  private async attempt(offsets: readonly OffsetToCommit[]): Promise<Attempt> {
    await this.group.ensureCoordinator();
    const coordinator = this.group.coordinator;
    if (coordinator === undefined) return { kind: "retry", error: "coordinator unknown" };
    const generation = this.commitGeneration();
    if (generation instanceof Error) {
      this.commitsFailed++;
      return { kind: "fail", error: generation };
    }
    const byTopic = new Map<string, OffsetCommitRequest["topics"][number]>();
    for (const o of offsets) {
      let t = byTopic.get(o.topic);
      if (!t) byTopic.set(o.topic, (t = { name: o.topic, partitions: [] }));
      t.partitions.push({
        partitionIndex: o.partition,
        committedOffset: o.offset,
        committedLeaderEpoch: o.leaderEpoch ?? -1,
        committedMetadata: o.metadata ?? null,
      });
    }
    const res = await this.group.requestCoordinator<OffsetCommitResponse>(coordinator, "OffsetCommit", {
      groupId: this.groupId,
      generationIdOrMemberEpoch: generation.generationId,
      memberId: generation.memberId,
      groupInstanceId: this.subscriptions.type === "topics" ? this.config.groupInstanceId : null,
      topics: [...byTopic.values()],
    } satisfies OffsetCommitRequest);
    if (res === undefined) return { kind: "retry", error: "OffsetCommit timed out (outcome unknown)" };
    let worst: ErrorInfo = Errors.NONE;
    for (const t of res.topics ?? [])
      for (const p of t.partitions ?? [])
        if (p.errorCode !== Errors.NONE.code) worst = errorForCode(p.errorCode);
    if (worst === Errors.NONE) {
      this.commitsSucceeded++;
      this.onCommitted([...offsets]);
      return { kind: "ok" };
    }
    this.ctx.trace("consumer.commitError", { group: this.groupId, error: worst.name });
    if (RETRIABLE_MARK_UNKNOWN.has(worst.code)) {
      this.group.markCoordinatorUnknown(`OffsetCommit: ${worst.name}`);
      return { kind: "retry", error: worst.name };
    }
    if (RETRIABLE.has(worst.code)) return { kind: "retry", error: worst.name };
    this.commitsFailed++;
    switch (worst) {
      case Errors.REBALANCE_IN_PROGRESS:
        this.group.requestRejoin("OffsetCommit: REBALANCE_IN_PROGRESS");
        return {
          kind: "fail",
          error: new RebalanceInProgressError(
            worst,
            `Offset commit of group ${this.groupId} failed: the group is rebalancing; poll() and commit again`,
          ),
        };
      case Errors.UNKNOWN_MEMBER_ID:
      case Errors.ILLEGAL_GENERATION:
        if (this.group.generation.generationId === generation.generationId)
          this.group.resetGeneration(`OffsetCommit: ${worst.name}`, worst === Errors.ILLEGAL_GENERATION);
        return {
          kind: "fail",
          error: new CommitFailedError(
            worst,
            `Offset commit of group ${this.groupId} failed: generation ${generation.generationId} is over (${worst.name}); the partitions were probably reassigned`,
          ),
        };
      default:
        return {
          kind: "fail",
          error: new KafkaError(worst, `Offset commit of group ${this.groupId} failed`),
        };
    }
  }

  /** The group's committed offsets for `partitions` (OffsetFetch), retrying until default.api.timeout.ms. */
  async fetchCommitted(partitions: readonly TopicPartition[]): Promise<CommittedOffset[]> {
    if (partitions.length === 0) return [];
    const deadline = this.ctx.now() + this.config.defaultApiTimeoutMs;
    const topics = new Map<string, number[]>();
    for (const tp of partitions) {
      let list = topics.get(tp.topic);
      if (!list) topics.set(tp.topic, (list = []));
      list.push(tp.partition);
    }
    while (this.ctx.now() < deadline) {
      await this.group.ensureCoordinator();
      const coordinator = this.group.coordinator;
      if (coordinator !== undefined) {
        try {
          const res = await this.net.request<OffsetFetchResponse>(
            coordinator,
            "OffsetFetch",
            {
              groupId: this.groupId,
              topics: [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
              requireStable: true,
            },
            { timeoutMs: this.config.requestTimeoutMs },
          );
          const error = errorForCode(res.errorCode);
          if (error === Errors.NONE) {
            return (res.topics ?? []).flatMap((t) =>
              (t.partitions ?? []).map((p) => ({
                topic: t.name,
                partition: p.partitionIndex,
                offset: p.committedOffset,
                leaderEpoch: p.committedLeaderEpoch,
                metadata: p.metadata,
              })),
            );
          }
          if (error === Errors.NOT_COORDINATOR || error === Errors.COORDINATOR_NOT_AVAILABLE)
            this.group.markCoordinatorUnknown(`OffsetFetch: ${error.name}`);
          else if (error !== Errors.COORDINATOR_LOAD_IN_PROGRESS)
            throw new KafkaError(error, `Cannot fetch committed offsets of group ${this.groupId}`);
        } catch (e) {
          if (!isRequestFailure(e)) throw e;
          this.group.markCoordinatorUnknown(`OffsetFetch ${failureReason(e)}`);
        }
      }
      await this.ctx.sleep(this.config.retryBackoffMs);
    }
    throw new ConsumerTimeoutError(
      `Cannot fetch committed offsets of group ${this.groupId} for ${partitions.map((p) => tpKey(p.topic, p.partition)).join(", ")} within default.api.timeout.ms=${this.config.defaultApiTimeoutMs}`,
    );
  }
}
