/**
 * The two small metadata files a broker keeps besides its checkpoints (kafka-facts B2):
 *
 * - `<logDir>/meta.properties` (MetaProperties.java), Java properties text. Version 1 (KRaft):
 *   `version=1`, `cluster.id`, `node.id`, optional `directory.id`. Version 0 (ZooKeeper era):
 *   `version=0`, `broker.id`, optional `cluster.id`. It tells a restarting broker which node
 *   and cluster the directory belongs to, so a disk moved to the wrong broker is refused.
 * - `<partitionDir>/partition.metadata` (PartitionMetadataFile.java):
 *   `version: 0\ntopic_id: <Uuid>`. It binds the directory to a topic id, so a partition of a
 *   deleted-and-recreated topic with the same name is not mistaken for the old one.
 *
 * Both are written like checkpoints: through a CheckpointWriter (atomicWriteFile by default).
 * A malformed file throws CorruptCheckpointError (file, line, problem); a missing one reads
 * as undefined.
 *
 * Kafka Uuids print as URL-safe base64 of their 16 bytes without padding (22 characters);
 * `newKafkaUuid` draws one from the seeded Rng and, like Uuid.randomUuid, never returns the
 * all-zero id or one starting with '-' (which a command line would take for an option).
 *
 * Simplifications: the properties parser reads `key=value` / `key: value` lines and # or !
 * comments, not Java's full syntax (no line continuations or escapes: Kafka writes none for
 * these keys). We write no date comment (Java's Properties.store does), to keep bytes
 * reproducible.
 */
import type { Rng } from "../sim/rng";
import {
  CorruptCheckpointError,
  atomicWriteFile,
  parseInt32,
  type CheckpointWriter,
} from "./checkpoint-file";
import { joinPath, type Disk } from "./disk";

export const META_PROPERTIES_FILE = "meta.properties";
export const PARTITION_METADATA_FILE = "partition.metadata";

export interface MetaProperties {
  version: 0 | 1;
  /** node.id (version 1) or broker.id (version 0). */
  nodeId: number;
  /** Required in version 1. */
  clusterId?: string;
  /** Version 1 only: this log dir's Uuid (KIP-858, JBOD in KRaft). */
  directoryId?: string;
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function base64Url(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += B64URL[(acc >> bits) & 63];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B64URL[(acc << (6 - bits)) & 63];
  return out;
}

/** True for a 22-character URL-safe base64 string that encodes exactly 16 bytes. */
export function isValidKafkaUuid(text: string): boolean {
  // 22 chars = 132 bits; the last character may only carry 2 data bits (its low 4 bits are 0).
  return /^[A-Za-z0-9_-]{21}[AQgw]$/.test(text);
}

/** A random Kafka Uuid string from the seeded Rng. */
export function newKafkaUuid(rng: Rng): string {
  for (;;) {
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 16; i++) bytes[i] = rng.int(256);
    const text = base64Url(bytes);
    if (!text.startsWith("-") && bytes.some((b) => b !== 0)) return text;
  }
}

/** Parse `key=value` / `key: value` lines; # and ! start comments. */
function parseProperties(path: string, text: string): Map<string, string> {
  const out = new Map<string, string>();
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) return;
    const sep = line.search(/[=:]/);
    if (sep <= 0)
      throw new CorruptCheckpointError(path, i + 1, `expected key=value, found ${JSON.stringify(raw)}`);
    out.set(line.slice(0, sep).trim(), line.slice(sep + 1).trim());
  });
  return out;
}

function decodeUtf8(path: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (_) {
    throw new CorruptCheckpointError(path, 0, "the file is not valid UTF-8");
  }
}

export function encodeMetaProperties(m: MetaProperties): Uint8Array {
  if (!Number.isInteger(m.nodeId) || m.nodeId < 0) throw new RangeError(`Invalid node id ${m.nodeId}`);
  const lines: string[] = [];
  if (m.version === 1) {
    if (m.clusterId === undefined || m.clusterId === "")
      throw new RangeError("meta.properties version 1 needs a cluster.id");
    lines.push(`cluster.id=${m.clusterId}`);
    if (m.directoryId !== undefined) lines.push(`directory.id=${m.directoryId}`);
    lines.push(`node.id=${m.nodeId}`, "version=1");
  } else {
    lines.push(`broker.id=${m.nodeId}`);
    if (m.clusterId !== undefined) lines.push(`cluster.id=${m.clusterId}`);
    lines.push("version=0");
  }
  return new TextEncoder().encode(`${lines.join("\n")}\n`);
}

/** `path` is for error messages. */
export function decodeMetaProperties(path: string, bytes: Uint8Array): MetaProperties {
  const props = parseProperties(path, decodeUtf8(path, bytes));
  const fail = (problem: string): never => {
    throw new CorruptCheckpointError(path, 0, problem);
  };
  const intProp = (key: string): number => {
    const text = props.get(key);
    if (text === undefined) return fail(`${key} is missing`);
    const n = parseInt32(text);
    if (n === undefined || n < 0) return fail(`${key} ${JSON.stringify(text)} is not a non-negative integer`);
    return n;
  };
  const version = props.get("version");
  if (version === "1") {
    const clusterId = props.get("cluster.id");
    if (clusterId === undefined || clusterId === "")
      return fail("cluster.id is missing (required by version 1)");
    const m: MetaProperties = { version: 1, nodeId: intProp("node.id"), clusterId };
    const directoryId = props.get("directory.id");
    if (directoryId !== undefined) {
      if (!isValidKafkaUuid(directoryId))
        fail(`directory.id ${JSON.stringify(directoryId)} is not a Kafka Uuid`);
      m.directoryId = directoryId;
    }
    return m;
  }
  if (version === "0") {
    const m: MetaProperties = { version: 0, nodeId: intProp("broker.id") };
    const clusterId = props.get("cluster.id");
    if (clusterId !== undefined) m.clusterId = clusterId;
    return m;
  }
  return fail(
    version === undefined ? "version is missing" : `unsupported version ${JSON.stringify(version)}`,
  );
}

export function readMetaProperties(disk: Disk, logDir: string): MetaProperties | undefined {
  const path = joinPath(logDir, META_PROPERTIES_FILE);
  if (!disk.exists(path)) return undefined;
  return decodeMetaProperties(path, disk.readAll(path));
}

export function writeMetaProperties(
  disk: Disk,
  logDir: string,
  m: MetaProperties,
  writer: CheckpointWriter = atomicWriteFile,
): void {
  writer(disk, joinPath(logDir, META_PROPERTIES_FILE), encodeMetaProperties(m));
}

export function encodePartitionMetadata(topicId: string): Uint8Array {
  if (!isValidKafkaUuid(topicId)) throw new RangeError(`Invalid topic id ${JSON.stringify(topicId)}`);
  return new TextEncoder().encode(`version: 0\ntopic_id: ${topicId}`);
}

/** The topic id in a partition.metadata file's bytes. */
export function decodePartitionMetadata(path: string, bytes: Uint8Array): string {
  const lines = decodeUtf8(path, bytes).split(/\r\n|\r|\n/);
  const field = (i: number, key: string): string => {
    const line = lines[i] ?? "";
    const prefix = `${key}: `;
    if (!line.startsWith(prefix)) {
      throw new CorruptCheckpointError(path, i + 1, `expected "${prefix}...", found ${JSON.stringify(line)}`);
    }
    return line.slice(prefix.length).trim();
  };
  const version = field(0, "version");
  if (version !== "0")
    throw new CorruptCheckpointError(path, 1, `unsupported version ${JSON.stringify(version)}`);
  const topicId = field(1, "topic_id");
  if (!isValidKafkaUuid(topicId)) {
    throw new CorruptCheckpointError(path, 2, `topic_id ${JSON.stringify(topicId)} is not a Kafka Uuid`);
  }
  return topicId;
}

/** The topic id recorded in `<partitionDir>/partition.metadata`, or undefined if there is none. */
export function readPartitionMetadata(disk: Disk, partitionDir: string): string | undefined {
  const path = joinPath(partitionDir, PARTITION_METADATA_FILE);
  if (!disk.exists(path)) return undefined;
  return decodePartitionMetadata(path, disk.readAll(path));
}

export function writePartitionMetadata(
  disk: Disk,
  partitionDir: string,
  topicId: string,
  writer: CheckpointWriter = atomicWriteFile,
): void {
  writer(disk, joinPath(partitionDir, PARTITION_METADATA_FILE), encodePartitionMetadata(topicId));
}
