/**
 * Kafka's classic schema primitives for the records the coordinator writes: `string` (int16
 * length + UTF-8), nullable string (length -1 = null), `bytes` (int32 length + bytes), arrays
 * (int32 count). Used by offset-records.ts and consumer-protocol.ts. Every read is bounded by the
 * buffer and fails with a CorruptRecordError that names the field.
 */
import { ByteReader, ByteWriter, CorruptRecordError, utf8Decode, utf8Encode } from "../protocol";

const INT16_MAX = 32767;
/** Bound on array counts read from disk (guards allocations on corrupt data). */
const ARRAY_COUNT_MAX = 1_000_000;

export function writeString(w: ByteWriter, s: string): void {
  const b = utf8Encode(s);
  if (b.length > INT16_MAX)
    throw new RangeError(`Cannot encode string of ${b.length} bytes: the limit is ${INT16_MAX}`);
  w.int16(b.length).bytes(b);
}

export function writeNullableString(w: ByteWriter, s: string | null): void {
  if (s === null) w.int16(-1);
  else writeString(w, s);
}

export function writeBytes(w: ByteWriter, b: Uint8Array): void {
  w.int32(b.length).bytes(b);
}

export function readNullableString(r: ByteReader, field: string): string | null {
  const n = r.int16(`${field} length`);
  if (n < -1) throw new CorruptRecordError(`Invalid length ${n} of ${field}`, r.pos - 2);
  if (n === -1) return null;
  return utf8Decode(r.bytesView(n, field));
}

export function readString(r: ByteReader, field: string): string {
  const s = readNullableString(r, field);
  if (s === null) throw new CorruptRecordError(`${field} is null but may not be`, r.pos - 2);
  return s;
}

export function readBytes(r: ByteReader, field: string): Uint8Array {
  const n = r.int32(`${field} length`);
  if (n < 0) throw new CorruptRecordError(`Invalid length ${n} of ${field}`, r.pos - 4);
  return r.bytesView(n, field).slice();
}

export function readArrayCount(r: ByteReader, field: string): number {
  const n = r.int32(`${field} count`);
  if (n < 0 || n > ARRAY_COUNT_MAX || n > r.remaining)
    throw new CorruptRecordError(`Invalid count ${n} of ${field}`, r.pos - 4);
  return n;
}

export { ByteReader, ByteWriter };
