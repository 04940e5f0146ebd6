/**
 * Lab 05, part 3: the topic configuration of `orders`, as Kafka properties (what you would pass
 * to kafka-topics.sh --config or kafka-configs.sh --alter --add-config).
 *
 * The team's requirements for this topic:
 * - every order stays readable for at least 7 days, and is deleted within 8 days of being written;
 * - a read may scan at most 2 KiB of the log after its index lookup (the fetch latency budget);
 * - the offset indexes may take at most 1% of the space of the log itself.
 *
 * The lab fixes segment.bytes at 16384 (16 KiB) so that a run has dozens of segments; the keys
 * you may set here are retention.ms, retention.bytes and index.interval.bytes.
 */
export const ordersTopicConfig: Record<string, string> = {
  // TODO(lab-05): orders disappear after a few minutes, and reads scan too far. Check the units
  // of retention.ms, and what index.interval.bytes trades (storage page, "How is a message found").
  "retention.ms": "604800",
  "index.interval.bytes": "4096",
};
