/**
 * Lab 05, part 3 — reference solution.
 *
 * - retention.ms is in milliseconds: 7 days = 7 × 24 × 3600 × 1000 = 604800000. Retention deletes
 *   a whole segment once its NEWEST record is older than that, so the oldest record in it can be
 *   up to one segment's time span older (plus one retention check, 5 minutes): with this
 *   topic's 16 KiB segments (about 10 hours of orders) everything is gone well within 8 days.
 * - index.interval.bytes = 1024: an index entry at least every 1 KiB of batches, so a read scans
 *   at most about 1 KiB plus one batch (< 2 KiB); each 8-byte entry covers more than 1 KiB, so the
 *   index stays under 0.8% of the log.
 */
export const ordersTopicConfig: Record<string, string> = {
  "retention.ms": "604800000",
  "index.interval.bytes": "1024",
};
