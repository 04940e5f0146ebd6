/**
 * The controller layer's public API: a KRaft-style metadata quorum (Raft over the Disk port),
 * the metadata records and image, the active controller's decisions (broker registration,
 * heartbeats and fencing, CreateTopics with replica placement, AlterPartition, the leader
 * election seam), and the broker-side pieces (MetadataCache, MetadataFetcher, BrokerLifecycle).
 * Browser-safe; imports only src/protocol and the sim/log port types.
 */
export * from "./alter-partition";
export * from "./broker-heartbeats";
export * from "./broker-lifecycle";
export * from "./cluster-control";
export * from "./controller-apis";
export * from "./controller-locator";
export * from "./controller-process";
export * from "./create-topics";
export * from "./election";
export * from "./metadata-cache";
export * from "./metadata-fetcher";
export * from "./metadata-image";
export * from "./metadata-records";
export * from "./partition-change";
export * from "./placement";
export * from "./quorum";
export * from "./quorum-controller";
export * from "./raft";
export * from "./raft-messages";
export * from "./raft-storage";
export * from "./topic-configs";
