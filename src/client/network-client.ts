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
 * - rejects with `DisconnectError` (NETWORK_EXCEPTION) as soon as the network reports that the
 *   connection failed: the broker's process ended after the request was sent (reset), or the
 *   request reached a machine where no broker runs (refused). Like a timeout, the outcome of
 *   a reset request is unknown; callers treat both alike (`isRequestFailure`), a disconnect
 *   just comes sooner. Kafka: NetworkClient.handleDisconnections fails every in-flight request
 *   of the connection with a DisconnectException.
 * - for `expectResponse: false` (Produce with acks=0) it resolves with `undefined` as soon as the
 *   request is handed to the network: the client never learns the outcome.
 *
 * After a connection error to a node, requests to it wait before going out (Kafka's
 * reconnect.backoff.ms, 50, doubling per failure in a row up to reconnect.backoff.max.ms, 1000;
 * a response from the node resets it): a caller that retries at once does not hammer a node
 * whose process is down. Departure: Kafka adds ±20 % jitter; here the backoff is exact, so it
 * draws nothing from the rng. A request waiting out the backoff counts against its timeout.
 *
 * Bounds: at most `maxInFlightTotal` unanswered requests per client (a bug guard, not Kafka's
 * per-connection max.in.flight.requests.per.connection, which the producer enforces itself).
 *
 * Departure from Kafka: there are no connections; the simulated network delivers messages
 * between node names and reports resets by time (see ConnectionError in src/sim/process.ts).
 * A response that arrives after its request failed is dropped, as the Java client drops
 * responses for requests it already failed (it closes the connection).
 */
import type { ApiName, RequestEnvelope, ResponseEnvelope } from "../protocol/api";
import { isResponse } from "../protocol/api";
import { Errors } from "../protocol/errors";
import {
  connectionErrorCovers,
  type ClientContext,
  type ConnectionError,
  type NodeId,
  type TimerId,
} from "../sim/process";

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

/**
 * The connection to the broker failed before a response came (Kafka's DisconnectException,
 * error NETWORK_EXCEPTION, retriable): the broker's process ended (reset) or none runs there
 * (refused). For a reset the request may or may not have been processed.
 */
export class DisconnectError extends Error {
  readonly node: NodeId;
  readonly api: ApiName;
  readonly code = Errors.NETWORK_EXCEPTION.code;
  readonly retriable = true;
  constructor(node: NodeId, api: ApiName, how: ConnectionError["kind"]) {
    super(
      how === "reset"
        ? `${api} request to ${node} failed: the connection was reset (NETWORK_EXCEPTION, outcome unknown)`
        : `${api} request to ${node} failed: the connection was refused (NETWORK_EXCEPTION)`,
    );
    this.name = "DisconnectError";
    this.node = node;
    this.api = api;
  }
}

/** A request failed at the network level (timeout or disconnect): retriable, outcome unknown. */
export function isRequestFailure(e: unknown): e is RequestTimeoutError | DisconnectError {
  return e instanceof RequestTimeoutError || e instanceof DisconnectError;
}

/** "timed out" or "disconnected": for traces and reasons. */
export function failureReason(e: RequestTimeoutError | DisconnectError): string {
  return e instanceof DisconnectError ? "disconnected" : "timed out";
}

export const DEFAULT_RECONNECT_BACKOFF_MS = 50;
export const DEFAULT_RECONNECT_BACKOFF_MAX_MS = 1000;

interface Pending {
  api: ApiName;
  node: NodeId;
  /** When it went out; Infinity while it waits out a reconnect backoff (`sendTimer`). */
  sentAtMs: number;
  sendTimer: TimerId | undefined;
  resolve: (body: unknown) => void;
  reject: (err: Error) => void;
  timer: TimerId;
}

export interface NetworkClientOptions {
  clientId: string;
  requestTimeoutMs?: number;
  maxInFlightTotal?: number;
  /** reconnect.backoff.ms (50). */
  reconnectBackoffMs?: number;
  /** reconnect.backoff.max.ms (1000). */
  reconnectBackoffMaxMs?: number;
}

export class NetworkClient {
  readonly clientId: string;
  readonly requestTimeoutMs: number;
  private readonly maxInFlightTotal: number;
  private readonly reconnectBackoffMs: number;
  private readonly reconnectBackoffMaxMs: number;
  /** Nodes whose connection failed: no request goes out before `untilMs`; `failures` in a row. */
  private readonly reconnect = new Map<NodeId, { untilMs: number; failures: number }>();
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
    this.reconnectBackoffMs = options.reconnectBackoffMs ?? DEFAULT_RECONNECT_BACKOFF_MS;
    this.reconnectBackoffMaxMs = options.reconnectBackoffMaxMs ?? DEFAULT_RECONNECT_BACKOFF_MAX_MS;
    this.nextCorrelationId = ctx.rng.split("correlation-ids").int(2 ** 30);
    ctx.onMessage((from, message) => this.onMessage(from, message));
    ctx.onConnectionError?.((peer, error) => this.onConnectionError(peer, error));
  }

  /**
   * Ms until a request to `node` would go out (0: at once), like NetworkClient.connectionDelay:
   * after a connection error the node waits out its reconnect backoff. The producer's sender
   * leaves a node's batches in the accumulator meanwhile (Java: the node is not `ready`), so
   * they go to whichever broker leads their partition once the backoff ends.
   */
  connectionDelayMs(node: NodeId): number {
    const b = this.reconnect.get(node);
    return b === undefined ? 0 : Math.max(0, b.untilMs - this.ctx.now());
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
        const p = this.pending.get(correlationId);
        if (p === undefined) return;
        this.pending.delete(correlationId);
        if (p.sendTimer !== undefined) this.ctx.cancelTimer(p.sendTimer);
        reject(new RequestTimeoutError(node, api, timeoutMs));
      });
      const p: Pending = {
        api,
        node,
        sentAtMs: Infinity,
        sendTimer: undefined,
        resolve: resolve as (b: unknown) => void,
        reject,
        timer,
      };
      this.pending.set(correlationId, p);
      const waitMs = this.connectionDelayMs(node);
      const go = (): void => {
        p.sendTimer = undefined;
        p.sentAtMs = this.ctx.now();
        this.ctx.send(node, envelope);
      };
      if (waitMs > 0) p.sendTimer = this.ctx.setTimer(waitMs, go);
      else go();
    });
  }

  /** Fail every pending request (the client is closing). */
  close(reason = "client closed"): void {
    for (const [id, p] of this.pending) {
      this.ctx.cancelTimer(p.timer);
      if (p.sendTimer !== undefined) this.ctx.cancelTimer(p.sendTimer);
      p.reject(new Error(`${p.api} request to ${p.node} abandoned: ${reason}`));
      this.pending.delete(id);
    }
  }

  /**
   * Fail what the connection error covers: for a reset, every request to `peer` sent at or
   * before the reset; for a refusal, the refused request.
   */
  private onConnectionError(peer: NodeId, error: ConnectionError): void {
    const failed: number[] = [];
    for (const [id, p] of this.pending)
      if (p.node === peer && connectionErrorCovers(error, id, p.sentAtMs)) failed.push(id);
    // One failed connection attempt per backoff period: more errors about the same attempt
    // (several refused requests, or a reset and a refusal) do not lengthen the backoff.
    const now = this.ctx.now();
    const prior = this.reconnect.get(peer);
    if (prior === undefined || prior.untilMs <= now) {
      const failures = prior?.failures ?? 0;
      const backoffMs = Math.min(
        this.reconnectBackoffMaxMs,
        this.reconnectBackoffMs * 2 ** Math.min(failures, 20),
      );
      this.reconnect.set(peer, { untilMs: now + backoffMs, failures: failures + 1 });
    }
    for (const id of failed) {
      const p = this.pending.get(id)!;
      this.pending.delete(id);
      this.ctx.cancelTimer(p.timer);
      p.reject(new DisconnectError(p.node, p.api, error.kind));
    }
  }

  private onMessage(_from: NodeId, message: unknown): void {
    if (!isResponse(message)) return;
    const res = message as ResponseEnvelope;
    const p = this.pending.get(res.correlationId);
    if (!p) return; // late response to a request that already timed out
    this.reconnect.delete(p.node); // the connection works
    this.pending.delete(res.correlationId);
    this.ctx.cancelTimer(p.timer);
    p.resolve(res.body);
  }
}
