/**
 * TopicPartition: a topic name and a partition number, as in Kafka's TopicPartition.java. JS maps
 * cannot key on object values, so maps of partitions are keyed by `topicPartitionKey(tp)`, which
 * is Kafka's `TopicPartition.toString()` form `<topic>-<partition>` and also the partition's
 * directory name (parse it back with parseTopicPartitionName in topic-name.ts: at the LAST '-',
 * since topics may contain '-').
 */

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export function topicPartition(topic: string, partition: number): TopicPartition {
  return { topic, partition };
}

/** `<topic>-<partition>`, e.g. "orders-3". */
export function topicPartitionKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** Order by topic (code units), then partition: the order checkpoint files are written in. */
export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}
