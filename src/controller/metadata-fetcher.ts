/**
 * A broker's metadata fetch loop: it reads __cluster_metadata from the quorum leader as a Raft
 * observer (replicaId -1) and feeds the committed batches to a MetadataCache. Kafka brokers do the
 * same with their own KafkaRaftClient in observer mode.
 *
 * Usage by a broker process: call poll(now) from a timer (and after each response) and send what
 * it returns; give it every response for which isMetadataFetchResponse() holds. One fetch is in
 * flight at a time (the leader long-polls it up to maxWaitMs); a fetch unanswered for
 * requestTimeoutMs is abandoned and the next controller is tried; after an error it waits
 * retryBackoffMs.
 *
 * Departure from KRaft: the leader sends observers only committed batches, so the fetcher never
 * truncates; a divergingEpoch would mean the quorum lost committed data and is reported as an
 * error (thrown), not repaired.
 */
import { Errors, type RequestEnvelope, type ResponseEnvelope } from "../protocol";
import { connectionErrorFails, type ConnectionError, type NodeId } from "../sim/process";
import { ControllerLocator } from "./controller-locator";
import type { MetadataCache, MetadataDelta } from "./metadata-cache";
import {
  METADATA_TOPIC,
  OBSERVER_REPLICA_ID,
  type RaftFetchRequest,
  type RaftFetchResponse,
} from "./raft-messages";
import type { MetadataRecord } from "./metadata-records";

export interface MetadataFetcherOptions {
  clusterId: string;
  voters: readonly { id: number; address: NodeId }[];
  /** Shared with the broker's other requests so correlation ids stay unique per sender. */
  nextCorrelationId: () => number;
  /** This node's client id in envelopes. */
  clientId: string;
  maxWaitMs?: number;
  maxBytes?: number;
  requestTimeoutMs?: number;
  retryBackoffMs?: number;
}

export function isMetadataFetchResponse(
  message: unknown,
): message is ResponseEnvelope<RaftFetchResponse<MetadataRecord>> {
  const m = message as ResponseEnvelope | undefined;
  return (
    m?.kind === "response" &&
    m.api === "Fetch" &&
    (m.body as { topic?: unknown } | undefined)?.topic === METADATA_TOPIC
  );
}

export class MetadataFetcher {
  private readonly locator: ControllerLocator;
  private inFlight: { correlationId: number; sentAtMs: number; to: NodeId } | null = null;
  private notBeforeMs = 0;
  private readonly maxWaitMs: number;
  private readonly maxBytes: number;
  private readonly requestTimeoutMs: number;
  private readonly retryBackoffMs: number;
  /** The high watermark the leader last reported (exclusive). */
  highWatermark = -1;

  constructor(
    private readonly cache: MetadataCache,
    private readonly options: MetadataFetcherOptions,
  ) {
    this.locator = new ControllerLocator(options.voters);
    this.maxWaitMs = options.maxWaitMs ?? 500;
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 2000;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
  }

  /** The controller id the fetcher believes leads the quorum, -1 if unknown. */
  get leaderId(): number {
    return this.locator.knownLeaderId;
  }

  /** The next Fetch to send, or null if one is in flight or we are backing off. */
  poll(nowMs: number): { to: NodeId; message: RequestEnvelope<RaftFetchRequest> } | null {
    if (this.inFlight) {
      if (nowMs - this.inFlight.sentAtMs < this.requestTimeoutMs) return null;
      this.inFlight = null;
      this.locator.failed();
    }
    if (nowMs < this.notBeforeMs) return null;
    const correlationId = this.options.nextCorrelationId();
    const to = this.locator.target();
    this.inFlight = { correlationId, sentAtMs: nowMs, to };
    const body: RaftFetchRequest = {
      clusterId: this.options.clusterId,
      topic: METADATA_TOPIC,
      replicaId: OBSERVER_REPLICA_ID,
      currentLeaderEpoch: -1,
      fetchOffset: this.cache.nextOffset,
      lastFetchedEpoch: this.cache.lastAppliedEpoch,
      maxWaitMs: this.maxWaitMs,
      maxBytes: this.maxBytes,
    };
    return {
      to,
      message: { kind: "request", api: "Fetch", correlationId, clientId: this.options.clientId, body },
    };
  }

  /**
   * The connection to `peer` failed. If it took the Fetch in flight, ask another controller
   * after retryBackoffMs instead of waiting for the request timeout. Returns true if it did.
   */
  onConnectionError(peer: NodeId, error: ConnectionError, nowMs: number): boolean {
    if (!connectionErrorFails(this.inFlight, peer, error)) return false;
    this.inFlight = null;
    this.locator.failed();
    this.notBeforeMs = nowMs + this.retryBackoffMs;
    return true;
  }

  /** Handle a metadata Fetch response; returns the delta applied, or null if it was stale or an error. */
  onResponse(
    response: ResponseEnvelope<RaftFetchResponse<MetadataRecord>>,
    nowMs: number,
  ): MetadataDelta | null {
    if (this.inFlight?.correlationId !== response.correlationId) return null;
    this.inFlight = null;
    const body = response.body;
    this.locator.observe(body.currentLeader);
    if (body.errorCode !== Errors.NONE.code) {
      if (body.currentLeader.leaderId < 0) this.locator.failed();
      this.notBeforeMs = nowMs + this.retryBackoffMs;
      return null;
    }
    if (body.divergingEpoch) {
      throw new Error(
        `Metadata log diverged for an observer at offset ${this.cache.nextOffset} (leader says epoch ${body.divergingEpoch.epoch} ends at ${body.divergingEpoch.endOffset}): committed metadata was lost`,
      );
    }
    this.highWatermark = Math.max(this.highWatermark, body.highWatermark);
    return this.cache.applyBatches(body.batches);
  }
}
