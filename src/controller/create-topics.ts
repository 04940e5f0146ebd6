/**
 * CreateTopics (API 19) on the active controller, after Kafka's
 * ReplicationControlManager.createTopics: validate each topic, place its replicas, and emit a
 * TopicRecord, its ConfigRecords and one PartitionRecord per partition. Topics are independent:
 * one bad topic does not fail the others. The records take effect only once committed.
 *
 * Checks, in Kafka's order and with its error codes:
 * - duplicate name in the request → INVALID_REQUEST;
 * - illegal name (Topic.validate: empty, "." or "..", > 249 chars, chars outside [a-zA-Z0-9._-])
 *   → INVALID_TOPIC_EXCEPTION;
 * - exists → TOPIC_ALREADY_EXISTS; differs from an existing name only by '.' vs '_'
 *   (Topic.hasCollision, they share metric names) → INVALID_TOPIC_EXCEPTION;
 * - numPartitions: -1 = num.partitions (1), else ≥ 1 → INVALID_PARTITIONS;
 * - replicationFactor: -1 = default.replication.factor (1), else ≥ 1, ≤ registered brokers and
 *   at least one unfenced broker → INVALID_REPLICATION_FACTOR (placement.ts);
 * - configs: known topic config names with well-formed values → INVALID_CONFIG.
 *
 * A new partition's ISR is its unfenced replicas and its leader is the first of them (the
 * placer guarantees replicas[0] is unfenced), leaderEpoch 0, partitionEpoch 0.
 * Departures: no explicit replica assignments, no CreatePartitions, no topic-count quotas.
 */
import { Errors, type CreateTopicsRequest, type CreateTopicsResponse } from "../protocol";
import type { Rng } from "../sim/rng";
import { validateTopicConfig } from "./topic-configs";
import { topicByName, type MetadataImage } from "./metadata-image";
import { CONFIG_RESOURCE_TOPIC, type MetadataRecord } from "./metadata-records";
import { placeReplicas } from "./placement";

export interface TopicDefaults {
  /** num.partitions (1). */
  numPartitions: number;
  /** default.replication.factor (1). */
  defaultReplicationFactor: number;
}

export const DEFAULT_TOPIC_DEFAULTS: TopicDefaults = { numPartitions: 1, defaultReplicationFactor: 1 };

export type CreatableTopicResult = CreateTopicsResponse["topics"][number] & { topicId: string | null };

export interface CreateTopicsResult {
  records: MetadataRecord[];
  response: { topics: CreatableTopicResult[] };
}

/** Kafka's Topic.MAX_NAME_LENGTH. */
export const TOPIC_NAME_MAX_LENGTH = 249;

/** Kafka's Topic.validate: null if legal, else why not. */
export function validateTopicName(name: string): string | null {
  if (name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === "." || name === "..") return 'Topic name cannot be "." or ".."';
  if (name.length > TOPIC_NAME_MAX_LENGTH)
    return `Topic name is illegal, it can't be longer than ${TOPIC_NAME_MAX_LENGTH} characters, topic name: ${name}`;
  if (!/^[a-zA-Z0-9._-]+$/.test(name))
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}

export function createTopics(
  image: MetadataImage,
  request: CreateTopicsRequest,
  defaults: TopicDefaults,
  rng: Rng,
): CreateTopicsResult {
  const records: MetadataRecord[] = [];
  const results: CreatableTopicResult[] = [];
  const seen = new Map<string, number>();
  for (const t of request.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  // Topics created earlier in this request count for collisions.
  const pendingByCollisionKey = new Map<string, string>();
  for (const name of image.topicIdsByName.keys()) pendingByCollisionKey.set(collisionKey(name), name);

  for (const topic of request.topics) {
    const fail = (errorCode: number, errorMessage: string): void => {
      results.push({
        name: topic.name,
        topicId: null,
        errorCode,
        errorMessage,
        numPartitions: -1,
        replicationFactor: -1,
      });
    };
    if (seen.get(topic.name)! > 1) {
      fail(Errors.INVALID_REQUEST.code, "Duplicate topic name.");
      continue;
    }
    const nameError = validateTopicName(topic.name);
    if (nameError) {
      fail(Errors.INVALID_TOPIC_EXCEPTION.code, nameError);
      continue;
    }
    if (topicByName(image, topic.name)) {
      fail(Errors.TOPIC_ALREADY_EXISTS.code, `Topic '${topic.name}' already exists.`);
      continue;
    }
    const colliding = pendingByCollisionKey.get(collisionKey(topic.name));
    if (colliding !== undefined) {
      fail(
        Errors.INVALID_TOPIC_EXCEPTION.code,
        `Topic '${topic.name}' collides with existing topic: ${colliding}`,
      );
      continue;
    }
    const numPartitions = topic.numPartitions === -1 ? defaults.numPartitions : topic.numPartitions;
    if (!Number.isInteger(numPartitions) || numPartitions < 1) {
      fail(Errors.INVALID_PARTITIONS.code, "Number of partitions was set to an invalid non-positive value.");
      continue;
    }
    const replicationFactor =
      topic.replicationFactor === -1 ? defaults.defaultReplicationFactor : topic.replicationFactor;
    if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
      fail(
        Errors.INVALID_REPLICATION_FACTOR.code,
        "Replication factor must be larger than 0, or -1 to use the default value.",
      );
      continue;
    }
    const configError = topic.configs
      .map((c) => validateTopicConfig(c.name, c.value))
      .find((e) => e !== null);
    if (configError) {
      fail(Errors.INVALID_CONFIG.code, configError);
      continue;
    }
    const brokers = [...image.brokers.values()].map((b) => ({ id: b.brokerId, fenced: b.fenced }));
    const placement = placeReplicas(numPartitions, replicationFactor, brokers, rng);
    if (!placement.ok) {
      fail(placement.errorCode, placement.message);
      continue;
    }
    const topicId = newTopicId(rng, image);
    pendingByCollisionKey.set(collisionKey(topic.name), topic.name);
    results.push({
      name: topic.name,
      topicId,
      errorCode: Errors.NONE.code,
      errorMessage: null,
      numPartitions,
      replicationFactor,
    });
    if (request.validateOnly) continue;
    records.push({ type: "TopicRecord", name: topic.name, topicId });
    for (const c of topic.configs) {
      if (c.value !== null)
        records.push({
          type: "ConfigRecord",
          resourceType: CONFIG_RESOURCE_TOPIC,
          resourceName: topic.name,
          name: c.name,
          value: c.value,
        });
    }
    placement.assignments.forEach((replicas, partitionId) => {
      const isr = replicas.filter((id) => image.brokers.get(id)?.fenced === false);
      records.push({
        type: "PartitionRecord",
        topicId,
        partitionId,
        replicas,
        isr,
        leader: isr[0]!,
        leaderEpoch: 0,
        partitionEpoch: 0,
      });
    });
  }
  return { records, response: { topics: results } };
}

/** A CreateTopics body for auto-creation (auto.create.topics.enable): the controller's defaults. */
export function autoCreateTopicsRequest(names: readonly string[]): CreateTopicsRequest {
  return {
    topics: names.map((name) => ({ name, numPartitions: -1, replicationFactor: -1, configs: [] })),
    timeoutMs: 30_000,
    validateOnly: false,
  };
}

/** Kafka's Topic.unifyCollisionChars: '.' and '_' map to the same metric name. */
function collisionKey(name: string): string {
  return name.replace(/\./g, "_");
}

/** 16 random bytes as Kafka prints a Uuid: URL-safe base64 without padding, never starting with '-'. */
function newTopicId(rng: Rng, image: MetadataImage): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (;;) {
    let bits = "";
    for (let i = 0; i < 16; i++) bits += rng.int(256).toString(2).padStart(8, "0");
    bits += "0000"; // 128 bits → 22 base64 digits of 6 bits
    let id = "";
    for (let i = 0; i < bits.length; i += 6) id += alphabet[parseInt(bits.slice(i, i + 6), 2)];
    if (!id.startsWith("-") && !image.topics.has(id)) return id;
  }
}
