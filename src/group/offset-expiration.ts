/**
 * Which committed offsets have expired (Kafka's ClassicGroup.removeExpiredOffsets, KIP-211):
 *
 * - a group that uses group management (it has a protocol type) keeps its offsets while it has
 *   members; once it is Empty, all its offsets expire offsets.retention.minutes after it became
 *   Empty (its state timestamp);
 * - a group that never used group management (a standalone consumer with assign()) expires each
 *   offset offsets.retention.minutes after that offset's commit.
 *
 * Departure: KIP-496 (2.4+) also expires, in a live group, offsets of topics no member
 * subscribes to any more; this course keeps them until the group is Empty.
 */
import type { ClassicGroup, CommittedOffset } from "./classic-group";

export function expiredOffsets(group: ClassicGroup, nowMs: number, retentionMs: number): CommittedOffset[] {
  if (group.offsets.size === 0) return [];
  if (group.protocolType !== null) {
    if (!group.is("Empty")) return [];
    return nowMs - group.stateTimestampMs >= retentionMs ? [...group.offsets.values()] : [];
  }
  return [...group.offsets.values()].filter((c) => nowMs - c.commitTimestamp >= retentionMs);
}
