/**
 * The KafkaJS-like entry point learners write against:
 *
 *   const kafka = new Kafka(ctx, { clientId: "orders-app", bootstrapServers: ["broker-1"] });
 *   const producer = kafka.producer({ lingerMs: 5 });
 *   await producer.connect();
 *   const [meta] = await producer.send({ topic: "orders", messages: [{ key: "k1", value: "v1" }] });
 *
 * `ctx` is the client's ClientContext (src/sim/process.ts): time, timers, randomness and the
 * network come from it, so the same code runs in the deterministic simulator and on the Node
 * adapters. Config names are Kafka's (producer-config.ts), not KafkaJS's.
 *
 * One Kafka object owns one NetworkClient for its context (a context has a single message
 * handler), shared by every producer and consumer it creates; each of them keeps its own
 * metadata cache and passes its own request timeout per request.
 *
 * Departure from KafkaJS: `bootstrapServers` are node names of the simulated network (or of the
 * Node adapter), not host:port strings; there are no SASL/SSL options.
 */
import type { ClientContext, NodeId } from "../sim/process";
import type { ClientInstrumentation } from "./instrumentation";
import { NetworkClient } from "./network-client";
import { Consumer } from "./consumer";
import type { ConsumerConfig } from "./consumer-config";
import { Producer, type ProducerOptions } from "./producer";

export interface KafkaConfig {
  /** client.id: sent with every request, used in the history and in error messages. */
  clientId: string;
  /** bootstrap.servers: brokers to ask for metadata first. */
  bootstrapServers: NodeId[];
  /** Hooks through which a lab's history recorder sees sends, polls and commits. */
  instrumentation?: ClientInstrumentation;
}

/** One NetworkClient per context: a context has a single message handler. */
const networks = new WeakMap<ClientContext, NetworkClient>();

export class Kafka {
  readonly ctx: ClientContext;
  readonly clientId: string;
  readonly bootstrapServers: readonly NodeId[];
  readonly instrumentation: ClientInstrumentation;
  /** The request/response channel shared by this context's producers and consumers. */
  readonly network: NetworkClient;

  constructor(ctx: ClientContext, config: KafkaConfig) {
    if (config.bootstrapServers.length === 0)
      throw new Error("Cannot create a Kafka client: bootstrapServers must name at least one broker");
    if (config.clientId === "") throw new Error("Cannot create a Kafka client: clientId is empty");
    this.ctx = ctx;
    this.clientId = config.clientId;
    this.bootstrapServers = [...config.bootstrapServers];
    this.instrumentation = config.instrumentation ?? {};
    let network = networks.get(ctx);
    if (network === undefined) {
      network = new NetworkClient(ctx, { clientId: config.clientId });
      networks.set(ctx, network);
    }
    this.network = network;
  }

  /**
   * A new producer (Kafka's KafkaProducer); call `connect()` before `send()`. Kafka's producer
   * configs (producer-config.ts) plus max.block.ms (`maxBlockMs`) and a custom `partitioner`.
   */
  producer(config: ProducerOptions = {}): Producer {
    return new Producer(this, config);
  }

  /** A new consumer (Kafka's KafkaConsumer); `connect()`, then `subscribe()` or `assign()`, then `poll()` or `run()`. */
  consumer(config: ConsumerConfig = {}): Consumer {
    return new Consumer(this, config);
  }
}
