/**
 * Lab 06, part 4 — reference solution: truncation by leader epoch (KIP-101, KIP-279, and KIP-320's
 * divergence check inside Fetch). Becoming a follower cuts nothing: the high watermark in a
 * checkpoint proves nothing about what the new leader has. Instead every Fetch carries the epoch
 * of the follower's last batch; when the leader's history contradicts it, the leader answers with
 * its own end offset for the largest epoch ≤ that one, and the follower cuts to the smaller of
 * that offset and its own end offset for the same epoch (AbstractFetcherThread
 * .getOffsetTruncationState). If the follower has no entry for that epoch, it cuts to its own end
 * offset of the largest epoch below it and fetches again, which narrows the search.
 */
import type { FollowerLogView, TruncationPolicy, TruncationTrigger } from "../../../src/replication";

export const truncation: TruncationPolicy = {
  name: "leader-epoch",
  fetchesWithLastEpoch: true,
  truncate(view: FollowerLogView, trigger: TruncationTrigger): number | null {
    switch (trigger.kind) {
      case "become-follower":
        return null; // the next Fetch finds any divergence
      case "offset-out-of-range":
        // Reached only for a log without epochs (the leader cannot compare): its committed end.
        return trigger.leaderHighWatermark;
      case "diverging-epoch": {
        if (trigger.epoch < 0 || trigger.endOffset < 0) return view.highWatermark; // the leader has no epochs
        const mine = view.endOffsetForEpoch(trigger.epoch);
        if (mine.epoch < 0 || mine.endOffset < 0) return Math.min(trigger.endOffset, view.logEndOffset);
        if (mine.epoch !== trigger.epoch) return Math.min(mine.endOffset, view.logEndOffset); // narrow, then ask again
        return Math.min(mine.endOffset, trigger.endOffset, view.logEndOffset);
      }
    }
  },
};
