/**
 * Requests a broker sends to other nodes (follower Fetch to leaders, AlterPartition and
 * Envelope(CreateTopics) to the controller), matched to their responses by correlation id,
 * each with its own timeout. A callback gets the response body, or `undefined` when no answer
 * came in time (the request may or may not have been processed). Correlation ids come from the
 * broker's one counter, shared with the controller-facing BrokerLifecycle and MetadataFetcher.
 *
 * Bound: at most `maxInFlight` requests wait (a broker sends one Fetch per leader, one
 * AlterPartition and a few CreateTopics at a time, so this only guards against bugs).
 */
import type { ApiName, RequestEnvelope, ResponseEnvelope } from "../protocol";
import type { NodeId } from "../sim/process";
import type { Cancel } from "./services";

export interface OutboundHost {
  readonly clientId: string;
  send(to: NodeId, message: unknown): void;
  schedule(delayMs: number, callback: () => void): Cancel;
  nextCorrelationId(): number;
}

interface Waiting {
  api: ApiName;
  callback: (body: unknown) => void;
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

  /** Send `body` as an `api` request to `to`; `callback` gets the response body or undefined on timeout. */
  send<Res>(
    to: NodeId,
    api: ApiName,
    body: unknown,
    timeoutMs: number,
    callback: (res: Res | undefined) => void,
  ): number {
    if (this.waiting.size >= this.maxInFlight)
      throw new Error(`Cannot send ${api} to ${to}: ${this.waiting.size} broker requests already in flight`);
    const correlationId = this.host.nextCorrelationId();
    const cancelTimer = this.host.schedule(timeoutMs, () => {
      const w = this.waiting.get(correlationId);
      if (w === undefined) return;
      this.waiting.delete(correlationId);
      w.callback(undefined);
    });
    this.waiting.set(correlationId, { api, callback: callback as (body: unknown) => void, cancelTimer });
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
