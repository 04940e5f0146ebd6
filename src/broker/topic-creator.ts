/**
 * Topic creation from a broker (Kafka's ForwardingManager for client CreateTopics, KIP-590, and
 * AutoTopicCreationManager for Metadata auto-creation and internal topics): the request travels
 * to the active controller inside an Envelope; NOT_CONTROLLER (with a leader hint) or no answer
 * within the broker's request timeout retries at the next controller until the request's own
 * timeoutMs has passed, and then every topic is answered REQUEST_TIMED_OUT.
 *
 * `ensure(spec)` is idempotent: a topic already in the metadata, or whose creation is in flight,
 * is not requested again.
 */
import {
  Errors,
  type CreateTopicsRequest,
  type CreateTopicsResponse,
  type RequestEnvelope,
} from "../protocol";
import {
  ControllerLocator,
  type EnvelopeRequest,
  type EnvelopeResponse,
  type MetadataCache,
} from "../controller";
import type { NodeId } from "../sim/process";
import type { OutboundRequests } from "./outbound";
import type { TopicSpec } from "./services";

export interface TopicCreatorHost {
  readonly clientId: string;
  readonly metadata: MetadataCache;
  readonly outbound: OutboundRequests;
  readonly requestTimeoutMs: number;
  now(): number;
  nextCorrelationId(): number;
  schedule(delayMs: number, callback: () => void): () => void;
  trace(kind: string, detail: Record<string, unknown>): void;
}

/** Wait before retrying after a controller refused (NOT_CONTROLLER): retry.backoff.ms. */
const RETRY_BACKOFF_MS = 100;
/** Bound on creations in flight from one broker. */
const MAX_PENDING_CREATIONS = 1000;

export class TopicCreator {
  private readonly locator: ControllerLocator;
  private readonly inflight = new Set<string>();

  constructor(
    private readonly host: TopicCreatorHost,
    voters: readonly { id: number; address: NodeId }[],
  ) {
    this.locator = new ControllerLocator(voters);
  }

  /** Forward `request` to the controller; `done` gets the CreateTopics response. */
  createTopics(request: CreateTopicsRequest, done: (response: CreateTopicsResponse) => void): void {
    const deadlineMs = this.host.now() + Math.max(request.timeoutMs ?? 0, this.host.requestTimeoutMs);
    this.attempt(request, deadlineMs, done);
  }

  ensure(spec: TopicSpec, done?: (errorCode: number) => void): void {
    if (this.host.metadata.topic(spec.name) !== undefined) return done?.(Errors.TOPIC_ALREADY_EXISTS.code);
    if (this.inflight.has(spec.name) || this.inflight.size >= MAX_PENDING_CREATIONS)
      return done?.(Errors.NONE.code);
    this.inflight.add(spec.name);
    this.host.trace("broker.createTopic", {
      topic: spec.name,
      partitions: spec.numPartitions,
      replicationFactor: spec.replicationFactor,
    });
    this.createTopics(
      {
        topics: [
          {
            name: spec.name,
            numPartitions: spec.numPartitions,
            replicationFactor: spec.replicationFactor,
            configs: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
          },
        ],
        timeoutMs: this.host.requestTimeoutMs * 5,
        validateOnly: false,
      },
      (res) => {
        this.inflight.delete(spec.name);
        done?.(res.topics[0]?.errorCode ?? Errors.UNKNOWN_SERVER_ERROR.code);
      },
    );
  }

  private attempt(
    request: CreateTopicsRequest,
    deadlineMs: number,
    done: (r: CreateTopicsResponse) => void,
  ): void {
    const correlationId = this.host.nextCorrelationId();
    const inner: RequestEnvelope<CreateTopicsRequest> = {
      kind: "request",
      api: "CreateTopics",
      correlationId,
      clientId: this.host.clientId,
      body: request,
    };
    const body: EnvelopeRequest = { request: inner };
    const left = deadlineMs - this.host.now();
    this.host.outbound.send<EnvelopeResponse>(
      this.locator.target(),
      "Envelope",
      body,
      Math.max(1, Math.min(this.host.requestTimeoutMs, left)),
      (res, failure) => {
        if (res !== undefined && res.errorCode === Errors.NONE.code && res.response !== null) {
          done(res.response.body as CreateTopicsResponse);
          return;
        }
        if (res === undefined) this.locator.failed();
        else {
          this.locator.observe(res.currentLeader);
          if (!res.currentLeader || res.currentLeader.leaderId < 0) this.locator.failed();
        }
        if (this.host.now() >= deadlineMs) {
          done({
            topics: (request.topics ?? []).map((t) => ({
              name: t.name,
              errorCode: Errors.REQUEST_TIMED_OUT.code,
              errorMessage: "No active controller answered in time.",
              numPartitions: -1,
              replicationFactor: -1,
            })),
          });
          return;
        }
        // A refusal or a disconnect retries after a short backoff; a timeout has waited long enough already.
        if (res === undefined && failure === "timeout") this.attempt(request, deadlineMs, done);
        else this.host.schedule(RETRY_BACKOFF_MS, () => this.attempt(request, deadlineMs, done));
      },
    );
  }
}
