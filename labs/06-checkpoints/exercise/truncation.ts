/**
 * Lab 06, part 4: what a follower cuts from its log (seam `TruncationPolicy` in
 * src/replication/truncation.ts). The replica calls `truncate` when it becomes a follower of a
 * new leader or leader epoch ("become-follower"), when the leader's Fetch answer says their logs
 * diverge ("diverging-epoch": the leader's end offset for an epoch, sent only if you fetch with
 * lastFetchedEpoch), and when the leader says the fetch offset is past its log
 * ("offset-out-of-range"). Return the offset to truncate to (the new exclusive log end), or null
 * to keep the log; the replica applies min(answer, log end offset).
 *
 * Exercise files may import only from src/.
 */
import type { FollowerLogView, TruncationPolicy, TruncationTrigger } from "../../../src/replication";

export const truncation: TruncationPolicy = {
  name: "starter",
  // TODO(lab-06): with false, Fetch carries no lastFetchedEpoch, so the leader never answers
  // "diverging-epoch" and a diverged follower never finds out.
  fetchesWithLastEpoch: false,
  truncate(view: FollowerLogView, trigger: TruncationTrigger): number | null {
    switch (trigger.kind) {
      case "become-follower":
        // TODO(lab-06): Kafka before 0.11 cut to the high watermark here. The high watermark comes
        // from a checkpoint written every few seconds: records above it may be acknowledged by the
        // leader and missing everywhere else once this follower leads (KIP-101).
        return view.highWatermark;
      case "offset-out-of-range":
        return trigger.leaderHighWatermark;
      case "diverging-epoch":
        return null;
    }
  },
};
