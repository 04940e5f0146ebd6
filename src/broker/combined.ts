/**
 * A combined node (process.roles=broker,controller), Kafka's mode for small clusters and labs:
 * one QuorumController of the metadata quorum and one BrokerCore on the same NodeContext.
 *
 * Wiring (as src/controller/controller-process.ts describes it):
 * - messages for which isControllerMessage() holds (Raft RPCs, metadata Fetch, BrokerRegistration,
 *   BrokerHeartbeat, AlterPartition and Envelope requests) go to the controller; everything else
 *   (client requests, follower Fetch, and the answers to the broker's own controller requests)
 *   goes to the broker;
 * - timers are offered to the controller first (it owns those tagged "controller.");
 * - the broker's MetadataCache is fed from the controller's committed batches (onCommit) instead
 *   of a network fetch, as Kafka's combined broker reads the local Raft log.
 * The broker still registers and heartbeats over the network (possibly to itself), exactly like
 * a broker-only node, so fencing works the same way.
 *
 * Departure: Kafka combined nodes keep the two roles' data in separate directories of the same
 * log dirs; here the controller's __cluster_metadata-0/ and the broker's kafka-logs/ share the
 * node's disk, which is the same thing.
 */
import { QuorumController, isControllerMessage, type QuorumControllerOptions } from "../controller";
import type {
  ConnectionError,
  NodeContext,
  NodeId,
  NodeProcess,
  ProcessFactory,
  TimerId,
} from "../sim/process";
import { BrokerCore, type BrokerOptions } from "./broker-core";

export interface CombinedOptions {
  broker: BrokerOptions;
  /** The controller's options; `onCommit` is taken over to feed the broker. */
  controller: Omit<QuorumControllerOptions, "onCommit">;
}

export class CombinedProcess implements NodeProcess {
  readonly broker: BrokerCore;
  readonly controller: QuorumController;

  constructor(options: CombinedOptions) {
    this.broker = new BrokerCore(options.broker, "local");
    this.controller = new QuorumController({
      ...options.controller,
      onCommit: (batch) => this.broker.applyCommittedBatch(batch),
    });
  }

  start(ctx: NodeContext): void {
    this.broker.start(ctx);
    this.controller.start(ctx);
  }

  onMessage(from: NodeId, message: unknown): void {
    if (isControllerMessage(message)) this.controller.onMessage(from, message);
    else this.broker.onMessage(from, message);
  }

  onTimer(tag: string, id: TimerId): void {
    if (this.controller.onTimer(tag, id)) return;
    this.broker.onTimer(tag, id);
  }

  /** Both roles hold connections (Raft to the other voters, the broker to leaders and clients). */
  onConnectionError(peer: NodeId, error: ConnectionError): void {
    this.controller.onConnectionError(peer, error);
    this.broker.onConnectionError(peer, error);
  }

  stop(): void {
    this.broker.stop();
    this.controller.stop();
  }
}

export function createCombinedProcess(options: (nodeId: NodeId) => CombinedOptions): ProcessFactory {
  return (nodeId) => new CombinedProcess(options(nodeId));
}
