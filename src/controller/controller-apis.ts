/**
 * Request and response bodies of the controller APIs brokers use, with the field names of
 * Kafka's message schemas (clients/src/main/resources/common/message/BrokerRegistrationRequest.json,
 * BrokerHeartbeatRequest.json, AlterPartitionRequest.json and their responses; Envelope for
 * KIP-590 forwarding). They travel in the envelopes of src/protocol/api.ts.
 *
 * How a broker talks to the quorum (see README of this folder / controller-process.ts):
 * - BrokerRegistration (62) once per process start, then BrokerHeartbeat (63) every
 *   broker.heartbeat.interval.ms (2000); both to the active controller.
 * - AlterPartition (56) from a partition leader to shrink or expand its ISR.
 * - Fetch (1) of __cluster_metadata as an observer to learn committed metadata (raft-messages.ts,
 *   metadata-fetcher.ts).
 * - Envelope (58) wrapping a client's CreateTopics (19), or CreateTopics sent directly.
 *
 * A controller that is not the active one answers NOT_CONTROLLER (41) and, as a departure from
 * Kafka (which lets brokers find the leader through the Raft layer), adds `currentLeader` with
 * the quorum leader it knows of, so the sender can retry there at once.
 *
 * Departures: listeners, features and log dirs are accepted but only endpoints are recorded;
 * no throttling fields; AlterPartition is the v3 shape (topicId, newIsrWithEpochs) only.
 */
import type { RequestEnvelope, ResponseEnvelope } from "../protocol";
import type { BrokerEndpoint } from "./metadata-records";
import type { CurrentLeader } from "./raft-messages";

export interface BrokerRegistrationRequest {
  brokerId: number;
  clusterId: string;
  /** A fresh random id per broker process start. */
  incarnationId: string;
  listeners: BrokerEndpoint[];
  rack: string | null;
  /** The epoch of the previous registration after a clean shutdown, else -1 (KIP-966). */
  previousBrokerEpoch: number;
}

export interface BrokerRegistrationResponse {
  errorCode: number;
  errorMessage?: string | null;
  /** -1 on error. */
  brokerEpoch: number;
  currentLeader?: CurrentLeader;
}

export interface BrokerHeartbeatRequest {
  brokerId: number;
  brokerEpoch: number;
  /** Offset of the last metadata batch the broker applied (inclusive); -1 for none. */
  currentMetadataOffset: number;
  /** The broker asks to be (or stay) fenced. */
  wantFence: boolean;
  /** The broker is shutting down: move its leaderships away and let it go. */
  wantShutDown: boolean;
}

export interface BrokerHeartbeatResponse {
  errorCode: number;
  /** True once currentMetadataOffset has reached the broker's registration. */
  isCaughtUp: boolean;
  isFenced: boolean;
  shouldShutDown: boolean;
  currentLeader?: CurrentLeader;
}

export interface AlterPartitionRequest {
  brokerId: number;
  brokerEpoch: number;
  topics: {
    topicId: string;
    partitions: {
      partitionIndex: number;
      leaderEpoch: number;
      /** Each proposed ISR member with the broker epoch the leader saw it fetch with (-1 = skip the check). */
      newIsrWithEpochs: { brokerId: number; brokerEpoch: number }[];
      /** The partition epoch the leader's view is based on. */
      partitionEpoch: number;
    }[];
  }[];
}

export interface AlterPartitionResponse {
  errorCode: number;
  topics: {
    topicId: string;
    partitions: {
      partitionIndex: number;
      errorCode: number;
      leaderId: number;
      leaderEpoch: number;
      isr: number[];
      partitionEpoch: number;
    }[];
  }[];
  currentLeader?: CurrentLeader;
}

/** KIP-590 Envelope: a broker forwarding a client request (CreateTopics) to the controller. */
export interface EnvelopeRequest {
  request: RequestEnvelope;
}

export interface EnvelopeResponse {
  errorCode: number;
  /** The inner request's response; null when the envelope itself failed (NOT_CONTROLLER). */
  response: ResponseEnvelope | null;
  currentLeader?: CurrentLeader;
}
