/**
 * The shapes of the producer's public API, after KafkaJS (`producer.send`, `producer.sendBatch`,
 * RecordMetadata) with Kafka's meanings: a send resolves once every message is acknowledged
 * according to `acks`, or rejects with a KafkaError named as Kafka names the failure
 * (NOT_ENOUGH_REPLICAS, MESSAGE_TOO_LARGE, ...) or a delivery timeout.
 *
 * Keys, values and header values are strings (UTF-8 encoded) or bytes. A null key lets the
 * partitioner choose (sticky); a given `partition` wins over the key.
 */

export type Bytes = string | Uint8Array;

export interface Message {
  key?: Bytes | null;
  value: Bytes | null;
  /** Header values may repeat a key (an array), as in KafkaJS. */
  headers?: Record<string, Bytes | null | readonly (Bytes | null)[]>;
  /** Explicit partition: overrides the key. */
  partition?: number;
  /** CreateTime in ms; default: the producer's clock at send(). */
  timestamp?: number;
}

export interface ProducerRecord {
  topic: string;
  messages: readonly Message[];
  /** Overrides the producer's acks for this call only if it is compatible (see Producer.send). */
  acks?: -1 | 0 | 1;
  /** Overrides request.timeout.ms for this call's requests (KafkaJS `timeout`). */
  timeout?: number;
  /** Overrides compression.type for this call's batches (KafkaJS `compression`). */
  compression?: "none" | "gzip" | "snappy" | "lz4" | "zstd";
}

export interface TopicMessages {
  topic: string;
  messages: readonly Message[];
}

export interface ProducerBatchRecord {
  topicMessages: readonly TopicMessages[];
  acks?: -1 | 0 | 1;
  timeout?: number;
  compression?: "none" | "gzip" | "snappy" | "lz4" | "zstd";
}

/**
 * Where a message landed. One entry per (topic, partition) touched by the call, as KafkaJS
 * returns: `baseOffset` is the offset of the first of this call's messages in that partition
 * and `offsets` lists each message's offset in call order (an extension of KafkaJS, which only
 * reports the batch base offset). With acks=0 offsets are -1 (unknown).
 */
export interface RecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  /** Offset of this call's first message in the partition (-1 with acks=0). */
  baseOffset: number;
  /** Same as baseOffset (KafkaJS's name for it). */
  offset: number;
  /** Offsets of this call's messages in the partition, in the order they were given. */
  offsets: number[];
  /** The broker's LogAppendTime, or (CreateTime topics) the first message's create time. As Java's RecordMetadata. */
  timestamp: number;
  /** -1 unless the topic uses LogAppendTime. */
  logAppendTime: number;
  logStartOffset: number;
}
