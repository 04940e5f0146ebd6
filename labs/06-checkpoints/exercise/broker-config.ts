/**
 * Lab 06, part 3: the broker's checkpoint interval, as a Kafka broker property.
 *
 * This broker holds orders-0 and orders-1 and takes about 30 KB/s of orders. Its requirements:
 * - after a power loss it must serve again having re-validated at most 128 KiB of log;
 * - checkpoint writes may cost at most 5 fsyncs per second (the disk is shared with the log).
 *
 * The lab fixes segment.bytes=16384, log.flush.start.offset.checkpoint.interval.ms=5000 and
 * replica.high.watermark.checkpoint.interval.ms=5000; the key you may set here is
 * log.flush.offset.checkpoint.interval.ms (how often recovery points are checkpointed).
 */
export const brokerConfig: Record<string, string> = {
  // TODO(lab-06): Kafka's default. How much log does this broker write between two recovery-point
  // checkpoints, and how much of it must it re-read after a power loss?
  "log.flush.offset.checkpoint.interval.ms": "60000",
};
