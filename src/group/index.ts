/**
 * The group layer (src/group): Kafka's group coordinator for classic consumer groups, and the
 * committed offsets it keeps as records in __consumer_offsets. Pure, synchronous code driven by
 * requests, timers and leadership changes through the CoordinatorHost port (host.ts), which the
 * broker's BrokerServices satisfies. Imports src/protocol only (and the Rng port).
 *
 * Start with group-coordinator.ts (routing, loading, offsets) and membership.ts (the rebalance
 * protocol); group-state.ts holds the state machine's transition table.
 */
export * from "./config";
export * from "./partition-for";
export * from "./group-state";
export * from "./member";
export * from "./classic-group";
export * from "./consumer-protocol";
export * from "./offset-records";
export * from "./group-loader";
export * from "./offset-expiration";
export * from "./host";
export * from "./membership";
export * from "./group-coordinator";
export * from "./broker-component";
