/**
 * The replication layer (src/replication): what one broker does for the partition replicas it
 * hosts, as pure synchronous code over src/log's PartitionLog. The broker's replica manager
 * (src/broker/replica-manager.ts) drives it with metadata, requests, responses and timers.
 *
 * - partition.ts: Partition (leader: acks, HW, ISR shrink/expand, follower fetch serving with
 *   divergence check; follower: truncation, appendAsFollower, follower HW). Its leader side is
 *   in partition-leader.ts (appends, reads) and partition-isr.ts (HW, ISR), over the shared
 *   state in partition-state.ts; its types in partition-types.ts.
 * - follower-state.ts: what the leader knows of each follower (Replica.scala).
 * - isr-state.ts: committed vs maximal ISR while AlterPartition is in flight.
 * - high-watermark.ts: SEAM `HighWatermarkRule` (kafkaHighWatermark, highWatermarkBeforeKafka37).
 * - truncation.ts: SEAM `TruncationPolicy` (truncateByLeaderEpoch, truncateToHighWatermark).
 * - replica-fetcher.ts: the follower's batched Fetch per leader broker.
 * - purgatory.ts: delayed operations watched by partition (acks=-1 produce, long-poll fetch).
 */
export * from "./follower-state";
export * from "./high-watermark";
export * from "./isr-state";
export * from "./truncation";
export * from "./follower";
export * from "./partition";
export * from "./purgatory";
export * from "./replica-fetcher";
