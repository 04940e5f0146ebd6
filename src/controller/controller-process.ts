/**
 * A controller-only node (process.roles=controller): a NodeProcess that hosts one
 * QuorumController. Everything durable lives on ctx.disk under __cluster_metadata-0/, so a
 * restart (a new process from the factory over the same disk) recovers its epoch, vote and log.
 *
 * Combined nodes (process.roles=broker,controller) do not use this class: they construct a
 * QuorumController next to their broker on the same NodeContext, call its start/stop, give it
 * every message for which isControllerMessage() is true (the rest, CreateTopics from clients
 * included, goes to the broker, which forwards admin requests in an Envelope), and offer it every
 * timer first (onTimer returns false for timers that are not its own).
 */
import type {
  ConnectionError,
  NodeContext,
  NodeId,
  NodeProcess,
  ProcessFactory,
  TimerId,
} from "../sim/process";
import { QuorumController, type QuorumControllerOptions } from "./quorum-controller";

export class ControllerProcess implements NodeProcess {
  readonly controller: QuorumController;

  constructor(options: QuorumControllerOptions) {
    this.controller = new QuorumController(options);
  }

  start(ctx: NodeContext): void {
    this.controller.start(ctx);
  }

  onMessage(from: NodeId, message: unknown): void {
    this.controller.onMessage(from, message);
  }

  onTimer(tag: string, id: TimerId): void {
    this.controller.onTimer(tag, id);
  }

  onConnectionError(peer: NodeId, error: ConnectionError): void {
    this.controller.onConnectionError(peer, error);
  }

  stop(): void {
    this.controller.stop();
  }
}

/**
 * A ProcessFactory for a controller node. `options(nodeId)` gives each node its options (at
 * least its numeric nodeId; voters and clusterId are usually shared).
 */
export function createControllerProcess(
  options: (nodeId: NodeId) => QuorumControllerOptions,
): ProcessFactory {
  return (nodeId) => new ControllerProcess(options(nodeId));
}
