/**
 * The records a group coordinator writes to __consumer_offsets, in Kafka's formats
 * (group-coordinator/src/main/resources/common/message/OffsetCommitKey.json, OffsetCommitValue.json,
 * GroupMetadataKey.json, GroupMetadataValue.json). The key's leading int16 is its version and
 * doubles as the record type:
 *
 *   OffsetCommitKey (version 1):   string group, string topic, int32 partition
 *   OffsetCommitValue (version 3): int64 offset, int32 leaderEpoch, string metadata, int64 commitTimestamp
 *   GroupMetadataKey (version 2):  string group
 *   GroupMetadataValue (version 3): string protocolType, int32 generation, nullable string protocol,
 *       nullable string leader, int64 currentStateTimestamp, [member: string memberId,
 *       nullable string groupInstanceId, string clientId, string clientHost, int32 rebalanceTimeout,
 *       int32 sessionTimeout, bytes subscription, bytes assignment]
 *
 * A null value is a tombstone: the offset (or the group) was deleted; log compaction keeps only
 * the latest record of each key. The committed offset is the NEXT offset to read.
 *
 * Decoding accepts OffsetCommitValue versions 0–3 (v1 has an expireTimestamp, dropped since
 * KIP-211) and GroupMetadataValue versions 0–3; other key versions are reported as "unknown" and
 * skipped by the loader, as Kafka skips record types it does not own.
 */
import { CorruptRecordError, encodeRecordBatch, decodeRecordBatches, type RecordInput } from "../protocol";
import {
  ByteReader,
  ByteWriter,
  readArrayCount,
  readBytes,
  readNullableString,
  readString,
  writeBytes,
  writeNullableString,
  writeString,
} from "./record-codec";

export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
export const OFFSET_COMMIT_VALUE_VERSION = 3;
export const GROUP_METADATA_VALUE_VERSION = 3;

export interface OffsetCommitKey {
  type: "offset";
  group: string;
  topic: string;
  partition: number;
}

export interface GroupMetadataKey {
  type: "group";
  group: string;
}

export type CoordinatorKey = OffsetCommitKey | GroupMetadataKey | { type: "unknown"; version: number };

export interface OffsetCommitValue {
  /** The next offset to read (exclusive end of what the group processed). */
  offset: number;
  /** Leader epoch of the last consumed record, -1 if unknown (KIP-320). */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

export interface StoredMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  /** ConsumerProtocolSubscription bytes of the selected protocol (consumer-protocol.ts). */
  subscription: Uint8Array;
  /** ConsumerProtocolAssignment bytes. */
  assignment: Uint8Array;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: number;
  members: StoredMember[];
}

export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Uint8Array {
  const w = new ByteWriter(32 + group.length + topic.length);
  w.int16(OFFSET_COMMIT_KEY_VERSION);
  writeString(w, group);
  writeString(w, topic);
  w.int32(partition);
  return w.finish();
}

export function encodeGroupMetadataKey(group: string): Uint8Array {
  const w = new ByteWriter(8 + group.length);
  w.int16(GROUP_METADATA_KEY_VERSION);
  writeString(w, group);
  return w.finish();
}

export function decodeKey(bytes: Uint8Array): CoordinatorKey {
  const r = new ByteReader(bytes);
  const version = r.int16("key version");
  if (version === 0 || version === 1) {
    const group = readString(r, "group");
    const topic = readString(r, "topic");
    const partition = r.int32("partition");
    return { type: "offset", group, topic, partition };
  }
  if (version === GROUP_METADATA_KEY_VERSION) return { type: "group", group: readString(r, "group") };
  return { type: "unknown", version };
}

export function encodeOffsetCommitValue(v: OffsetCommitValue): Uint8Array {
  const w = new ByteWriter(32 + v.metadata.length);
  w.int16(OFFSET_COMMIT_VALUE_VERSION);
  w.int64(v.offset);
  w.int32(v.leaderEpoch);
  writeString(w, v.metadata);
  w.int64(v.commitTimestamp);
  return w.finish();
}

export function decodeOffsetCommitValue(bytes: Uint8Array): OffsetCommitValue {
  const r = new ByteReader(bytes);
  const version = r.int16("offset value version");
  if (version < 0 || version > OFFSET_COMMIT_VALUE_VERSION)
    throw new CorruptRecordError(`Unknown OffsetCommitValue version ${version}`, 0);
  const offset = r.int64("offset");
  const leaderEpoch = version >= 3 ? r.int32("leaderEpoch") : -1;
  const metadata = readString(r, "metadata");
  const commitTimestamp = r.int64("commitTimestamp");
  if (version === 1) r.int64("expireTimestamp");
  return { offset, leaderEpoch, metadata, commitTimestamp };
}

export function encodeGroupMetadataValue(v: GroupMetadataValue): Uint8Array {
  const w = new ByteWriter(128);
  w.int16(GROUP_METADATA_VALUE_VERSION);
  writeString(w, v.protocolType);
  w.int32(v.generation);
  writeNullableString(w, v.protocol);
  writeNullableString(w, v.leader);
  w.int64(v.currentStateTimestamp);
  w.int32(v.members.length);
  for (const m of v.members) {
    writeString(w, m.memberId);
    writeNullableString(w, m.groupInstanceId);
    writeString(w, m.clientId);
    writeString(w, m.clientHost);
    w.int32(m.rebalanceTimeoutMs);
    w.int32(m.sessionTimeoutMs);
    writeBytes(w, m.subscription);
    writeBytes(w, m.assignment);
  }
  return w.finish();
}

export function decodeGroupMetadataValue(bytes: Uint8Array): GroupMetadataValue {
  const r = new ByteReader(bytes);
  const version = r.int16("group value version");
  if (version < 0 || version > GROUP_METADATA_VALUE_VERSION)
    throw new CorruptRecordError(`Unknown GroupMetadataValue version ${version}`, 0);
  const protocolType = readString(r, "protocolType");
  const generation = r.int32("generation");
  const protocol = readNullableString(r, "protocol");
  const leader = readNullableString(r, "leader");
  const currentStateTimestamp = version >= 2 ? r.int64("currentStateTimestamp") : -1;
  const n = readArrayCount(r, "members");
  const members: StoredMember[] = [];
  for (let i = 0; i < n; i++) {
    const memberId = readString(r, "memberId");
    const groupInstanceId = version >= 3 ? readNullableString(r, "groupInstanceId") : null;
    const clientId = readString(r, "clientId");
    const clientHost = readString(r, "clientHost");
    const rebalanceTimeoutMs = version >= 1 ? r.int32("rebalanceTimeout") : r.int32("sessionTimeout");
    const sessionTimeoutMs = version >= 1 ? r.int32("sessionTimeout") : rebalanceTimeoutMs;
    const subscription = readBytes(r, "subscription");
    const assignment = readBytes(r, "assignment");
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      rebalanceTimeoutMs,
      sessionTimeoutMs,
      subscription,
      assignment,
    });
  }
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}

/** One key/value pair to append; a null value is a tombstone. */
export interface CoordinatorRecord {
  key: Uint8Array;
  value: Uint8Array | null;
}

/** One RecordBatch v2 (no compression, no producer id) holding `records`, as one write. */
export function buildCoordinatorBatch(
  records: readonly CoordinatorRecord[],
  timestampMs: number,
): Uint8Array {
  if (records.length === 0) throw new Error("Cannot build a __consumer_offsets batch with no records");
  const input: RecordInput[] = records.map((r) => ({ key: r.key, value: r.value, timestamp: timestampMs }));
  return encodeRecordBatch({ records: input });
}

/** A record read back from __consumer_offsets, with its offset. */
export interface LoadedRecord {
  offset: number;
  key: Uint8Array;
  value: Uint8Array | null;
}

/**
 * Every data record in `bytes` (whole batches; a truncated tail is ignored; control batches and
 * records without a key are skipped). Throws CorruptRecordError on a malformed batch.
 */
export function parseCoordinatorRecords(bytes: Uint8Array): { records: LoadedRecord[]; nextOffset: number } {
  const out: LoadedRecord[] = [];
  let nextOffset = -1;
  for (const batch of decodeRecordBatches(bytes)) {
    nextOffset = batch.header.baseOffset + batch.header.lastOffsetDelta + 1;
    if (batch.isControl) continue;
    for (const r of batch.records) {
      if (r.key === null) continue;
      out.push({ offset: r.offset, key: r.key, value: r.value });
    }
  }
  return { records: out, nextOffset };
}
