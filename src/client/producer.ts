/**
 * The producer (Kafka's KafkaProducer, with a KafkaJS-like async API). Work in progress: the
 * accumulator, sender and idempotence land in the next commits.
 */
import type { Kafka } from "./kafka";
import { resolveProducerConfig, type ProducerConfig, type ResolvedProducerConfig } from "./producer-config";
import type { ProducerBatchRecord, ProducerRecord, RecordMetadata } from "./producer-types";

export class Producer {
  readonly config: ResolvedProducerConfig;
  constructor(
    readonly kafka: Kafka,
    config: ProducerConfig = {},
  ) {
    this.config = resolveProducerConfig(config);
  }
  connect(): Promise<void> {
    return Promise.reject(new Error("Producer.connect is not implemented yet"));
  }
  send(_record: ProducerRecord): Promise<RecordMetadata[]> {
    return Promise.reject(new Error("Producer.send is not implemented yet"));
  }
  sendBatch(_batch: ProducerBatchRecord): Promise<RecordMetadata[]> {
    return Promise.reject(new Error("Producer.sendBatch is not implemented yet"));
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
}
