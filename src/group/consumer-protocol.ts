/**
 * The bytes of a consumer's subscription and assignment as stored in the group metadata record
 * (Kafka's ConsumerProtocolSubscription v1 and ConsumerProtocolAssignment v1 schemas):
 *
 *   subscription: int16 version=1, [string topic], nullable bytes userData (-1),
 *                 [string topic, [int32 partition]] ownedPartitions
 *   assignment:   int16 version=1, [string topic, [int32 partition]] assignedPartitions,
 *                 nullable bytes userData (-1)
 *
 * On the wire the simulated protocol carries these as structured values (src/protocol/messages.ts);
 * only the __consumer_offsets records use the bytes. userData is always null here (no assignor
 * in this course needs it; cooperative-sticky relies on ownedPartitions).
 */
import type { GroupAssignment, GroupSubscription } from "../protocol";
import { CorruptRecordError } from "../protocol";
import { ByteReader, ByteWriter, readArrayCount, readString, writeString } from "./record-codec";

type TopicPartitions = { topic: string; partitions: number[] }[];

function writeTopicPartitions(w: ByteWriter, tps: TopicPartitions): void {
  w.int32(tps.length);
  for (const tp of tps) {
    writeString(w, tp.topic);
    w.int32(tp.partitions.length);
    for (const p of tp.partitions) w.int32(p);
  }
}

function readTopicPartitions(r: ByteReader, field: string): TopicPartitions {
  const n = readArrayCount(r, field);
  const out: TopicPartitions = [];
  for (let i = 0; i < n; i++) {
    const topic = readString(r, `${field}.topic`);
    const m = readArrayCount(r, `${field}.partitions`);
    const partitions: number[] = [];
    for (let j = 0; j < m; j++) partitions.push(r.int32(`${field}.partition`));
    out.push({ topic, partitions });
  }
  return out;
}

export function encodeSubscription(s: GroupSubscription): Uint8Array {
  const w = new ByteWriter(64);
  w.int16(1);
  w.int32(s.topics.length);
  for (const t of s.topics) writeString(w, t);
  w.int32(-1); // userData: null
  writeTopicPartitions(w, s.ownedPartitions);
  return w.finish();
}

export function decodeSubscription(bytes: Uint8Array): GroupSubscription {
  const r = new ByteReader(bytes);
  const version = r.int16("subscription version");
  if (version < 0) throw new CorruptRecordError(`Invalid subscription version ${version}`, 0);
  const n = readArrayCount(r, "subscription topics");
  const topics: string[] = [];
  for (let i = 0; i < n; i++) topics.push(readString(r, "subscription topic"));
  const userData = r.int32("subscription userData length");
  if (userData > 0) r.skip(userData, "subscription userData");
  const ownedPartitions = version >= 1 ? readTopicPartitions(r, "ownedPartitions") : [];
  return { topics, ownedPartitions };
}

export function encodeAssignment(a: GroupAssignment): Uint8Array {
  const w = new ByteWriter(64);
  w.int16(1);
  writeTopicPartitions(w, a.assignedPartitions);
  w.int32(-1); // userData: null
  return w.finish();
}

export function decodeAssignment(bytes: Uint8Array): GroupAssignment {
  if (bytes.length === 0) return { assignedPartitions: [] };
  const r = new ByteReader(bytes);
  const version = r.int16("assignment version");
  if (version < 0) throw new CorruptRecordError(`Invalid assignment version ${version}`, 0);
  const assignedPartitions = readTopicPartitions(r, "assignedPartitions");
  return { assignedPartitions };
}
