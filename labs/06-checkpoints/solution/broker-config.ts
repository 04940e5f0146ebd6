/**
 * Lab 06, part 3 — reference solution. Recovery re-reads from the segment holding the last
 * checkpointed recovery point: the rest of that segment (up to 16 KiB per partition) plus what
 * was written since the checkpoint (up to 2 s × 30 KB/s), about 90 KB at worst: under 128 KiB.
 * Each checkpoint costs 2 fsyncs (the file, then its directory): recovery points every 2 s make
 * 1 per second; the log-start-offset and high-watermark checkpoints and the leader-epoch
 * checkpoint of each new epoch add about 2.3 more in this scenario: about 3.3, under 5.
 */
export const brokerConfig: Record<string, string> = {
  "log.flush.offset.checkpoint.interval.ms": "2000",
};
