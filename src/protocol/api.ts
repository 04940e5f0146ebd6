/**
 * Request/response envelopes exchanged between nodes (brokers, controllers, clients).
 *
 * Departure from Kafka: the simulated network carries structured values, not Kafka's binary
 * request encoding. Names and numbers follow Kafka's ApiKeys (clients/.../protocol/ApiKeys.java);
 * fields keep Kafka's names from the message schemas (clients/src/main/resources/common/message/
 * *.json); record data inside Produce and Fetch is real RecordBatch v2 bytes.
 */

export const ApiKeys = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  CreateTopics: 19,
  InitProducerId: 22,
  OffsetForLeaderEpoch: 23,
  Vote: 52,
  BeginQuorumEpoch: 53,
  EndQuorumEpoch: 54,
  AlterPartition: 56,
  /** KIP-590: a broker forwards a client's admin request (CreateTopics) to the active controller. */
  Envelope: 58,
  BrokerRegistration: 62,
  BrokerHeartbeat: 63,
} as const;

export type ApiName = keyof typeof ApiKeys;

export interface RequestEnvelope<B = unknown> {
  kind: "request";
  api: ApiName;
  /** Chosen by the sender, echoed in the response; unique per sender. */
  correlationId: number;
  /** Sender's identity as a client or node id (Kafka's client.id / broker id). */
  clientId: string;
  body: B;
}

export interface ResponseEnvelope<B = unknown> {
  kind: "response";
  api: ApiName;
  correlationId: number;
  body: B;
}

export type Envelope = RequestEnvelope | ResponseEnvelope;

export function isRequest(m: unknown): m is RequestEnvelope {
  return typeof m === "object" && m !== null && (m as { kind?: unknown }).kind === "request";
}

export function isResponse(m: unknown): m is ResponseEnvelope {
  return typeof m === "object" && m !== null && (m as { kind?: unknown }).kind === "response";
}
