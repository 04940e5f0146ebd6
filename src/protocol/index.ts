/**
 * The protocol layer's public API: RecordBatch v2 bytes, records, varints, compression codecs,
 * CRC-32C, the keyed partitioner hash, Kafka error codes and the request envelopes. Browser-safe;
 * imports nothing else from src.
 */
export * from "./api";
export * from "./batch-header";
export * from "./bytes";
export * from "./compression/index";
export * from "./crc32c";
export * from "./errors";
export * from "./messages";
export * from "./murmur2";
export * from "./record";
export * from "./record-batch";
export * from "./varint";
export * from "./batch-builder";
export * from "./control-record";
