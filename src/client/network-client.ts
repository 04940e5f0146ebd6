/**
 * NetworkClient: request/response over the simulated (or real) network for one client process,
 * like the Java client's NetworkClient. It owns the client context's message handler, numbers
 * requests with correlation ids, matches responses, and fails a request that gets no answer
 * within its timeout (`request.timeout.ms`, 30000 by default).
 *
 * Outcomes of `request`:
 * - resolves with the response body (which may itself carry Kafka error codes, as in Kafka);
 * - rejects with `RequestTimeoutError` when no response arrived in time — the request may or
 *   may not have been processed by the broker (the history records such sends as `info`);
 * - for `expectResponse: false` (Produce with acks=0) it resolves with `undefined` as soon as the
 *   request is handed to the network: the client never learns the outcome.
 *
 * Bounds: at most `maxInFlightTotal` unanswered requests per client (a bug guard, not Kafka's
 * per-connection max.in.flight.requests.per.connection, which the producer enforces itself).
 *
 * Departure from Kafka: there are no connections; the simulated network delivers messages
 * between node names. A response that arrives after its request timed out is dropped, as the
 * Java client drops responses for requests it already failed (it closes the connection).
 */
import type { ApiName, RequestEnvelope, ResponseEnvelope } from "../protocol/api";
import { isResponse } from "../protocol/api";
import type { ClientContext, NodeId, TimerId } from "../sim/process";

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_IN_FLIGHT_TOTAL = 10_000;

/** No response within the request timeout: the outcome is unknown. */
export class RequestTimeoutError extends Error {
  readonly node: NodeId;
  readonly api: ApiName;
  constructor(node: NodeId, api: ApiName, timeoutMs: number) {
    super(`${api} request to ${node} timed out after ${timeoutMs} ms (outcome unknown)`);
    this.name = "RequestTimeoutError";
    this.node = node;
    this.api = api;
  }
}

interface Pending {
  api: ApiName;
  node: NodeId;
  resolve: (body: unknown) => void;
  reject: (err: Error) => void;
  timer: TimerId;
}

export interface NetworkClientOptions {
  clientId: string;
  requestTimeoutMs?: number;
  maxInFlightTotal?: number;
}

export class NetworkClient {
  readonly clientId: string;
  readonly requestTimeoutMs: number;
  private readonly maxInFlightTotal: number;
  /**
   * Starts at a base drawn per client incarnation: a restarted client process must not take an
   * answer meant for its previous incarnation as its own. Real TCP prevents that cross-talk (the
   * old connection is gone); the simulated network addresses processes by name only. Drawn from
   * a split stream so it does not shift the client's other random draws.
   */
  private nextCorrelationId: number;
  private readonly pending = new Map<number, Pending>();

  constructor(
    readonly ctx: ClientContext,
    options: NetworkClientOptions,
  ) {
    this.clientId = options.clientId;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.maxInFlightTotal = options.maxInFlightTotal ?? DEFAULT_MAX_IN_FLIGHT_TOTAL;
    this.nextCorrelationId = ctx.rng.split("correlation-ids").int(2 ** 30);
    ctx.onMessage((from, message) => this.onMessage(from, message));
  }

  /** Unanswered requests right now. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Send a request and wait for its response body (see the file header for the outcomes). */
  request<Res>(
    node: NodeId,
    api: ApiName,
    body: unknown,
    options: { timeoutMs?: number; expectResponse?: boolean } = {},
  ): Promise<Res> {
    const correlationId = this.nextCorrelationId++;
    const envelope: RequestEnvelope = { kind: "request", api, correlationId, clientId: this.clientId, body };
    if (options.expectResponse === false) {
      this.ctx.send(node, envelope);
      return Promise.resolve(undefined as Res);
    }
    if (this.pending.size >= this.maxInFlightTotal) {
      throw new Error(
        `Cannot send ${api} to ${node}: ${this.pending.size} requests already in flight (bound ${this.maxInFlightTotal})`,
      );
    }
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    return new Promise<Res>((resolve, reject) => {
      const timer = this.ctx.setTimer(timeoutMs, () => {
        if (this.pending.delete(correlationId)) reject(new RequestTimeoutError(node, api, timeoutMs));
      });
      this.pending.set(correlationId, { api, node, resolve: resolve as (b: unknown) => void, reject, timer });
      this.ctx.send(node, envelope);
    });
  }

  /** Fail every pending request (the client is closing). */
  close(reason = "client closed"): void {
    for (const [id, p] of this.pending) {
      this.ctx.cancelTimer(p.timer);
      p.reject(new Error(`${p.api} request to ${p.node} abandoned: ${reason}`));
      this.pending.delete(id);
    }
  }

  private onMessage(_from: NodeId, message: unknown): void {
    if (!isResponse(message)) return;
    const res = message as ResponseEnvelope;
    const p = this.pending.get(res.correlationId);
    if (!p) return; // late response to a request that already timed out
    this.pending.delete(res.correlationId);
    this.ctx.cancelTimer(p.timer);
    p.resolve(res.body);
  }
}
