/**
 * Follower truncation: the SEAM the checkpoint lab (06) swaps. When a replica becomes a
 * follower (at restart, or when it sees a new leader), and whenever the leader's Fetch answer
 * says the logs diverge, the follower must cut off the records the leader does not have, and
 * nothing more. Two policies share one type:
 *
 * - `truncateByLeaderEpoch` (default; KIP-101 in 0.11, KIP-279, and since IBP 2.7 KIP-320's
 *   divergence check inside Fetch): the follower keeps its log when it becomes a follower and
 *   fetches with `lastFetchedEpoch` = the epoch of its last batch; the leader answers
 *   `divergingEpoch` = (largest epoch ≤ that one it has, that epoch's end offset) when the
 *   follower's log is not a prefix of its own. The follower then truncates to
 *   min(leader's end offset, its own end offset for that epoch, its log end offset) — or, when it
 *   has no entry for the leader's epoch, to its own end offset of the largest epoch below it,
 *   and asks again (AbstractFetcherThread.getOffsetTruncationState).
 * - `truncateToHighWatermark` (before 0.11): on becoming a follower, truncate to the replica's
 *   own high watermark; fetch without lastFetchedEpoch, so the leader never detects divergence;
 *   a fetch offset beyond the leader's log truncates to the leader's high watermark. This loses
 *   acknowledged data and lets logs diverge (the two KIP-101 scenarios; test/kip101-*.test.ts).
 *
 * A policy returns the offset to truncate to (exclusive end of what is kept), or null to keep
 * the log as it is. The replica applies min(answer, log end offset).
 */
import type { EpochEndOffset } from "../log";

/** What the follower can see of its own log when deciding. */
export interface FollowerLogView {
  /** Exclusive end of the log. */
  readonly logEndOffset: number;
  /** The replica's own high watermark (from its checkpoint after a restart). */
  readonly highWatermark: number;
  readonly logStartOffset: number;
  /** The epoch of the last entry in the leader-epoch cache, undefined if empty. */
  latestEpoch(): number | undefined;
  /** The follower's own answer to OffsetsForLeaderEpoch(epoch) (LeaderEpochFileCache.endOffsetFor). */
  endOffsetForEpoch(epoch: number): EpochEndOffset;
}

export type TruncationTrigger =
  /** The replica just became a follower (restart, or a new leader / leader epoch). */
  | { readonly kind: "become-follower"; readonly leaderId: number; readonly leaderEpoch: number }
  /** The leader's Fetch answer (or an OffsetsForLeaderEpoch answer): its end offset of `epoch`. */
  | { readonly kind: "diverging-epoch"; readonly epoch: number; readonly endOffset: number }
  /** The leader answered OFFSET_OUT_OF_RANGE for a fetch offset above its log. */
  | {
      readonly kind: "offset-out-of-range";
      readonly leaderHighWatermark: number;
      readonly leaderLogStartOffset: number;
    };

export interface TruncationPolicy {
  readonly name: string;
  /** Send lastFetchedEpoch in Fetch so that the leader checks for divergence (KIP-320). */
  readonly fetchesWithLastEpoch: boolean;
  /** The offset to truncate to, or null to keep the log. */
  truncate(view: FollowerLogView, trigger: TruncationTrigger): number | null;
}

export const truncateByLeaderEpoch: TruncationPolicy = Object.freeze({
  name: "leader-epoch",
  fetchesWithLastEpoch: true,
  truncate(view: FollowerLogView, trigger: TruncationTrigger): number | null {
    switch (trigger.kind) {
      case "become-follower":
        return null; // the first Fetch (with lastFetchedEpoch) finds any divergence
      case "offset-out-of-range":
        // Only reachable for a log without epochs: fall back to the leader's committed end.
        return trigger.leaderHighWatermark;
      case "diverging-epoch": {
        if (trigger.endOffset < 0 || trigger.epoch < 0) return view.highWatermark;
        const own = view.endOffsetForEpoch(trigger.epoch);
        if (own.epoch < 0 || own.endOffset < 0) return Math.min(trigger.endOffset, view.logEndOffset);
        if (own.epoch !== trigger.epoch) return Math.min(own.endOffset, view.logEndOffset); // ask again
        return Math.min(own.endOffset, trigger.endOffset, view.logEndOffset);
      }
    }
  },
});

export const truncateToHighWatermark: TruncationPolicy = Object.freeze({
  name: "high-watermark",
  fetchesWithLastEpoch: false,
  truncate(view: FollowerLogView, trigger: TruncationTrigger): number | null {
    switch (trigger.kind) {
      case "become-follower":
        return view.highWatermark;
      case "offset-out-of-range":
        return trigger.leaderHighWatermark;
      case "diverging-epoch":
        return null; // never asked: this policy does not send lastFetchedEpoch
    }
  },
});

/** The policies by name, for configs and CLIs. */
export const TRUNCATION_POLICIES: Readonly<Record<string, TruncationPolicy>> = Object.freeze({
  "leader-epoch": truncateByLeaderEpoch,
  "high-watermark": truncateToHighWatermark,
});
