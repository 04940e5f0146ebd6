/**
 * The broker side of registration and heartbeats (Kafka's BrokerLifecycleManager), as a small
 * state machine the broker process drives: poll(now) returns the next request to send (or null),
 * onResponse() takes the answers.
 *
 *   registering ──ok──▶ fenced ──(caught up, controller unfences)──▶ running
 *        ▲                 │  ▲                                        │
 *        └─STALE_BROKER_EPOCH┘  └────────────── fenced by controller ──┘
 *   running/fenced ──beginShutdown()──▶ shuttingDown ──shouldShutDown──▶ shutdown
 *
 * - Registration goes to the controller the locator names; NOT_CONTROLLER moves on (using the
 *   hint), DUPLICATE_BROKER_REGISTRATION (our previous incarnation's session is still valid)
 *   retries after a heartbeat interval.
 * - Heartbeats every broker.heartbeat.interval.ms (2000), carrying currentMetadataOffset from
 *   the MetadataCache; a fenced broker that is not caught up yet asks again sooner (retryBackoffMs).
 * - A request unanswered for requestTimeoutMs is abandoned and the next controller tried.
 */
import { Errors, type RequestEnvelope, type ResponseEnvelope } from "../protocol";
import { connectionErrorFails, type ConnectionError, type NodeId } from "../sim/process";
import { DEFAULT_BROKER_HEARTBEAT_INTERVAL_MS } from "./broker-heartbeats";
import { ControllerLocator } from "./controller-locator";
import type {
  BrokerHeartbeatRequest,
  BrokerHeartbeatResponse,
  BrokerRegistrationRequest,
  BrokerRegistrationResponse,
} from "./controller-apis";
import type { MetadataCache } from "./metadata-cache";
import type { BrokerEndpoint } from "./metadata-records";

export type BrokerLifecycleState = "registering" | "fenced" | "running" | "shuttingDown" | "shutdown";

export interface BrokerLifecycleOptions {
  brokerId: number;
  clusterId: string;
  /** Fresh per process start (e.g. from the node's Rng). */
  incarnationId: string;
  listeners: BrokerEndpoint[];
  rack?: string | null;
  voters: readonly { id: number; address: NodeId }[];
  nextCorrelationId: () => number;
  /**
   * The broker epoch read from the clean-shutdown marker at startup, or -1 when the last shutdown
   * was not clean (Kafka: BrokerLifecycleManager sends it as previousBrokerEpoch; KIP-966).
   */
  previousBrokerEpoch?: number;
  heartbeatIntervalMs?: number;
  requestTimeoutMs?: number;
  retryBackoffMs?: number;
}

export function isLifecycleResponse(message: unknown): message is ResponseEnvelope {
  const m = message as ResponseEnvelope | undefined;
  return m?.kind === "response" && (m.api === "BrokerRegistration" || m.api === "BrokerHeartbeat");
}

export class BrokerLifecycle {
  private stateValue: BrokerLifecycleState = "registering";
  private epoch = -1;
  private readonly locator: ControllerLocator;
  private inFlight: { correlationId: number; sentAtMs: number; to: NodeId } | null = null;
  private nextSendMs = 0;
  private readonly heartbeatIntervalMs: number;
  private readonly requestTimeoutMs: number;
  private readonly retryBackoffMs: number;

  constructor(
    private readonly options: BrokerLifecycleOptions,
    private readonly cache: MetadataCache,
  ) {
    this.locator = new ControllerLocator(options.voters);
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_BROKER_HEARTBEAT_INTERVAL_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 2000;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
  }

  get state(): BrokerLifecycleState {
    return this.stateValue;
  }
  /** The broker epoch from the controller (-1 until registered). Followers send it in Fetch (replicaEpoch). */
  get brokerEpoch(): number {
    return this.epoch;
  }

  /** Ask the controller to let this broker go: leaders move away, then shouldShutDown. */
  beginShutdown(): void {
    if (this.stateValue === "running" || this.stateValue === "fenced") {
      this.stateValue = "shuttingDown";
      this.nextSendMs = 0;
    } else if (this.stateValue === "registering") this.stateValue = "shutdown";
  }

  poll(nowMs: number): { to: NodeId; message: RequestEnvelope } | null {
    if (this.stateValue === "shutdown") return null;
    if (this.inFlight) {
      if (nowMs - this.inFlight.sentAtMs < this.requestTimeoutMs) return null;
      this.inFlight = null;
      this.locator.failed();
      this.nextSendMs = nowMs;
    }
    if (nowMs < this.nextSendMs) return null;
    const correlationId = this.options.nextCorrelationId();
    const to = this.locator.target();
    this.inFlight = { correlationId, sentAtMs: nowMs, to };
    const clientId = String(this.options.brokerId);
    if (this.stateValue === "registering") {
      const body: BrokerRegistrationRequest = {
        brokerId: this.options.brokerId,
        clusterId: this.options.clusterId,
        incarnationId: this.options.incarnationId,
        listeners: this.options.listeners,
        rack: this.options.rack ?? null,
        previousBrokerEpoch: this.options.previousBrokerEpoch ?? -1,
      };
      return { to, message: { kind: "request", api: "BrokerRegistration", correlationId, clientId, body } };
    }
    const body: BrokerHeartbeatRequest = {
      brokerId: this.options.brokerId,
      brokerEpoch: this.epoch,
      currentMetadataOffset: this.cache.lastAppliedOffset,
      wantFence: false,
      wantShutDown: this.stateValue === "shuttingDown",
    };
    return { to, message: { kind: "request", api: "BrokerHeartbeat", correlationId, clientId, body } };
  }

  /**
   * The connection to `peer` failed. If it took the request in flight, try another controller
   * after retryBackoffMs instead of waiting for the request timeout (Kafka's
   * BrokerLifecycleManager reschedules after a failed heartbeat). Returns true if it did.
   */
  onConnectionError(peer: NodeId, error: ConnectionError, nowMs: number): boolean {
    if (!connectionErrorFails(this.inFlight, peer, error)) return false;
    this.inFlight = null;
    this.locator.failed();
    this.nextSendMs = nowMs + this.retryBackoffMs;
    return true;
  }

  onResponse(response: ResponseEnvelope, nowMs: number): void {
    if (this.inFlight?.correlationId !== response.correlationId) return;
    this.inFlight = null;
    if (response.api === "BrokerRegistration")
      this.onRegistration(response.body as BrokerRegistrationResponse, nowMs);
    else this.onHeartbeat(response.body as BrokerHeartbeatResponse, nowMs);
  }

  private onRegistration(res: BrokerRegistrationResponse, nowMs: number): void {
    if (this.stateValue !== "registering") return;
    if (res.errorCode === Errors.NONE.code) {
      this.epoch = res.brokerEpoch;
      this.stateValue = "fenced";
      this.nextSendMs = nowMs;
      return;
    }
    // DUPLICATE_BROKER_REGISTRATION: our previous incarnation's session has not expired yet.
    this.retryAfterError(res.errorCode, res.currentLeader, nowMs);
  }

  private onHeartbeat(res: BrokerHeartbeatResponse, nowMs: number): void {
    if (res.errorCode === Errors.STALE_BROKER_EPOCH.code) {
      this.stateValue = "registering";
      this.epoch = -1;
      this.nextSendMs = nowMs;
      return;
    }
    if (res.errorCode !== Errors.NONE.code)
      return this.retryAfterError(res.errorCode, res.currentLeader, nowMs);
    if (res.shouldShutDown) {
      this.stateValue = "shutdown";
      return;
    }
    if (this.stateValue !== "shuttingDown") this.stateValue = res.isFenced ? "fenced" : "running";
    const waitingToCatchUp = res.isFenced && !res.isCaughtUp;
    this.nextSendMs =
      nowMs +
      (waitingToCatchUp || this.stateValue === "shuttingDown"
        ? this.retryBackoffMs
        : this.heartbeatIntervalMs);
  }

  private retryAfterError(
    errorCode: number,
    hint: { leaderId: number; leaderEpoch: number } | undefined,
    nowMs: number,
  ): void {
    if (errorCode === Errors.NOT_CONTROLLER.code) {
      this.locator.observe(hint);
      if (!hint || hint.leaderId < 0) this.locator.failed();
    }
    this.nextSendMs = nowMs + this.retryBackoffMs;
  }
}
