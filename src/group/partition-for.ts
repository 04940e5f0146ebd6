/**
 * Which __consumer_offsets partition, and so which broker, coordinates a group.
 *
 * Kafka: `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions` (GroupCoordinator /
 * GroupCoordinatorService.partitionFor). The coordinator is the leader of that partition.
 *
 * Two Java details matter and are reproduced exactly:
 * - `String.hashCode()` runs over UTF-16 code units with 32-bit wrap-around:
 *   h = 31·h + c for each code unit c, starting from 0.
 * - `Utils.abs(Integer.MIN_VALUE)` is 0 (Math.abs would stay negative), so a group id whose hash
 *   is MIN_VALUE ("polygenelubricants" is the classic one) maps to partition 0.
 */

/** Java's String.hashCode(): int32 result. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs: |n| for an int32, with abs(Integer.MIN_VALUE) = 0. */
export function kafkaAbs(n: number): number {
  if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647)
    throw new RangeError(`Cannot take Utils.abs of ${n}: not an int32`);
  return n === -2147483648 ? 0 : Math.abs(n);
}

/** The __consumer_offsets partition that holds `groupId`'s offsets and group metadata. */
export function groupPartitionFor(groupId: string, offsetsTopicNumPartitions: number): number {
  if (!Number.isInteger(offsetsTopicNumPartitions) || offsetsTopicNumPartitions < 1)
    throw new RangeError(
      `Cannot place group "${groupId}": offsets.topic.num.partitions must be an integer ≥ 1, got ${offsetsTopicNumPartitions}`,
    );
  return kafkaAbs(javaStringHashCode(groupId)) % offsetsTopicNumPartitions;
}
