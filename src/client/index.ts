/**
 * The client layer's public API: the KafkaJS-like entry (`new Kafka(ctx, config)`), the producer
 * and consumer, and the shared plumbing (network client, metadata cache, instrumentation hooks).
 * Imports only src/protocol and the port files of src/sim.
 */
export * from "./network-client";
export * from "./client-metadata";
export * from "./instrumentation";
export * from "./kafka";
export * from "./producer";
export * from "./producer-config";
export * from "./producer-types";
export * from "./partitioner";
export * from "./assignors";
export * from "./consumer";
export * from "./consumer-config";
export * from "./consumer-types";
