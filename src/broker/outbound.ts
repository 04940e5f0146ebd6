/**
 * Requests a broker sends to other nodes (follower Fetch to leaders, AlterPartition and
 * Envelope(CreateTopics) to the controller), matched to their responses by correlation id,
 * each with its own timeout. A callback gets the response body, or `undefined` with the
 * failure: "timeout" when no answer came in time, "disconnect" as soon as the network reports
 * that the connection failed (`onConnectionError`: the peer's process ended, or none runs
 * there; Kafka's NetworkClient fails the request with a DisconnectException). Either way the
 * request may or may not have been processed. Correlation ids come from the broker's one
 * counter, shared with the controller-facing BrokerLifecycle and MetadataFetcher.
 *
 * Bound: at most `maxInFlight` requests wait (a broker sends one Fetch per leader, one
 * AlterPartition and a few CreateTopics at a time, so this only guards against bugs).
 */
import type { ApiName, RequestEnvelope, ResponseEnvelope } from "../protocol";
import { connectionErrorCovers, type ConnectionError, type NodeId } from "../sim/process";
import type { Cancel } from "./services";

export interface OutboundHost {
  readonly clientId: string;
  send(to: NodeId, message: unknown): void;
  schedule(delayMs: number, callback: () => void): Cancel;
  nextCorrelationId(): number;
  now(): number;
}

/** Why a request got no answer. */
export type OutboundFailure = "timeout" | "disconnect";

interface Waiting {
  api: ApiName;
  to: NodeId;
  sentAtMs: number;
  callback: (body: unknown, failure?: OutboundFailure) => void;
  cancelTimer: Cancel;
}

export class OutboundRequests {
  private readonly waiting = new Map<number, Waiting>();

  constructor(
    private readonly host: OutboundHost,
    private readonly maxInFlight = 10_000,
  ) {}

  get inFlight(): number {
    return this.waiting.size;
  }

  /** Send `body` as an `api` request to `to`; `callback` gets the response body, or undefined and why not. */
  send<Res>(
    to: NodeId,
    api: ApiName,
    body: unknown,
    timeoutMs: number,
    callback: (res: Res | undefined, failure?: OutboundFailure) => void,
  ): number {
    if (this.waiting.size >= this.maxInFlight)
      throw new Error(`Cannot send ${api} to ${to}: ${this.waiting.size} broker requests already in flight`);
    const correlationId = this.host.nextCorrelationId();
    const cancelTimer = this.host.schedule(timeoutMs, () => {
      const w = this.waiting.get(correlationId);
      if (w === undefined) return;
      this.waiting.delete(correlationId);
      w.callback(undefined, "timeout");
    });
    this.waiting.set(correlationId, {
      api,
      to,
      sentAtMs: this.host.now(),
      callback: callback as Waiting["callback"],
      cancelTimer,
    });
    const envelope: RequestEnvelope = {
      kind: "request",
      api,
      correlationId,
      clientId: this.host.clientId,
      body,
    };
    this.host.send(to, envelope);
    return correlationId;
  }

  /**
   * Stop waiting for `correlationId`: its callback will not run, and a late answer is ignored
   * like one that came after its timeout. Returns false if it was not waiting.
   */
  cancel(correlationId: number): boolean {
    const w = this.waiting.get(correlationId);
    if (w === undefined) return false;
    this.waiting.delete(correlationId);
    w.cancelTimer();
    return true;
  }

  /**
   * The connection to `peer` failed: every request it covers (connectionErrorCovers) fails now
   * with "disconnect", in send order. Returns how many.
   */
  onConnectionError(peer: NodeId, error: ConnectionError): number {
    const failed: [number, Waiting][] = [];
    for (const [id, w] of this.waiting)
      if (w.to === peer && connectionErrorCovers(error, id, w.sentAtMs)) failed.push([id, w]);
    for (const [id, w] of failed) {
      if (!this.waiting.delete(id)) continue; // an earlier callback cancelled it
      w.cancelTimer();
      w.callback(undefined, "disconnect");
    }
    return failed.length;
  }

  /** Route a response; returns false if it is not one of ours (or came after its timeout or cancel). */
  onResponse(response: ResponseEnvelope): boolean {
    const w = this.waiting.get(response.correlationId);
    if (w === undefined || w.api !== response.api) return false;
    this.waiting.delete(response.correlationId);
    w.cancelTimer();
    w.callback(response.body);
    return true;
  }
}
