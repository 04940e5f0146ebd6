/**
 * The broker layer's public API: the broker node (broker.ts header documents it), its config,
 * the BrokerServices facade and the request-handler registry.
 */
export * from "./config";
export * from "./services";
export * from "./handlers/index";
export * from "./broker";
export * from "./broker-core";
export * from "./combined";
export * from "./replica-manager";
