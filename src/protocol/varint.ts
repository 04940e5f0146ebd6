/**
 * Protobuf-style zigzag varints, the variable-length integers inside RecordBatch v2 records
 * (Kafka's ByteUtils.writeVarint/readVarint/writeVarlong/readVarlong).
 *
 * Zigzag maps signed to unsigned so small magnitudes stay short: 0→0, -1→1, 1→2, -2→3; the
 * unsigned value is then written 7 bits per byte, low group first, high bit = "more follows".
 * Examples: 0→00, -1→01, 1→02, 64→80 01, 300→d8 04.
 *
 * Invariants kept:
 * - A varint (int32) is at most 5 bytes and its value fits 32 bits; a varlong (int64) is at most
 *   10 bytes and fits 64 bits. Longer encodings, or bits beyond the type's width, are rejected
 *   with CorruptRecordError; so is an encoding cut off by the end of the buffer.
 * - Varlongs are exact over the full int64 range through the BigInt functions. The number
 *   functions (`readVarlong`, `writeVarlong`, `sizeOfVarlong`) are exact for every safe integer
 *   (|n| ≤ 2^53 - 1); reading a varlong outside that range throws rather than rounding.
 *
 * Departure from Kafka: Kafka accepts 5th-byte bits beyond 32 and silently drops them; we reject
 * them. Like Kafka we accept non-minimal encodings (e.g. 80 00 for 0) within the length limit.
 */
import { CorruptRecordError } from "./errors";

/** A read position over bytes[pos, end). ByteReader implements it. */
export interface Cursor {
  readonly bytes: Uint8Array;
  pos: number;
  readonly end: number;
}

export const MAX_VARINT_BYTES = 5;
export const MAX_VARLONG_BYTES = 10;

const TWO_32 = 4294967296;
const TWO_52 = 4503599627370496;
const MIN_INT32 = -2147483648;
const MAX_INT32 = 2147483647;

/** Zigzag-encode an int32 to its unsigned 32-bit form (as a non-negative number). */
export function zigzagEncode32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

/** Inverse of zigzagEncode32. */
export function zigzagDecode32(u: number): number {
  return (u >>> 1) ^ -(u & 1);
}

/** Zigzag-encode an int64 (BigInt) to its unsigned 64-bit form. */
export function zigzagEncode64(n: bigint): bigint {
  return BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
}

/** Inverse of zigzagEncode64. */
export function zigzagDecode64(u: bigint): bigint {
  return BigInt.asIntN(64, (u >> 1n) ^ -(u & 1n));
}

function assertInt32(value: number): void {
  if (!Number.isInteger(value) || value < MIN_INT32 || value > MAX_INT32) {
    throw new RangeError(`Cannot encode varint: ${value} is not an int32`);
  }
}

function assertSafeInteger(value: number): void {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`Cannot encode varlong: ${value} is not a safe integer (use the BigInt variant)`);
  }
}

/** Encoded size in bytes of `value` (an int32) as a zigzag varint: 1 to 5. */
export function sizeOfVarint(value: number): number {
  const u = zigzagEncode32(value);
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x200000) return 3;
  if (u < 0x10000000) return 4;
  return 5;
}

/** Encoded size in bytes of `value` (a safe integer) as a zigzag varlong: 1 to 10. */
export function sizeOfVarlong(value: number): number {
  if ((value | 0) === value) return sizeOfVarint(value);
  assertSafeInteger(value);
  if (value > TWO_52 || value < -TWO_52) return sizeOfVarlongBigInt(BigInt(value));
  let u = value >= 0 ? value * 2 : -value * 2 - 1;
  let n = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

/** Encoded size in bytes of an int64 BigInt as a zigzag varlong: 1 to 10. */
export function sizeOfVarlongBigInt(value: bigint): number {
  let u = zigzagEncode64(value);
  let n = 1;
  while (u >= 128n) {
    u >>= 7n;
    n++;
  }
  return n;
}

/**
 * Write `value` (an int32) as a zigzag varint at bytes[pos]; returns the position after it. The
 * caller guarantees 5 bytes of room.
 */
export function writeVarintAt(bytes: Uint8Array, pos: number, value: number): number {
  assertInt32(value);
  let u = zigzagEncode32(value);
  while (u >= 0x80) {
    bytes[pos++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  bytes[pos++] = u;
  return pos;
}

/**
 * Write `value` (a safe integer) as a zigzag varlong at bytes[pos]; returns the position after
 * it. The caller guarantees 10 bytes of room.
 */
export function writeVarlongAt(bytes: Uint8Array, pos: number, value: number): number {
  // Every int32 has the same zigzag bits as a varint and as a varlong.
  if ((value | 0) === value) return writeVarintAt(bytes, pos, value);
  assertSafeInteger(value);
  if (value > TWO_52 || value < -TWO_52) return writeVarlongBigIntAt(bytes, pos, BigInt(value));
  // |value| ≤ 2^52 so the zigzag value is below 2^53 and exact as a double.
  let u = value >= 0 ? value * 2 : -value * 2 - 1;
  while (u >= 128) {
    bytes[pos++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  bytes[pos++] = u;
  return pos;
}

/** Write an int64 BigInt as a zigzag varlong at bytes[pos]; returns the position after it. */
export function writeVarlongBigIntAt(bytes: Uint8Array, pos: number, value: bigint): number {
  if (value < -(1n << 63n) || value >= 1n << 63n) {
    throw new RangeError(`Cannot encode varlong: ${value} is not an int64`);
  }
  let u = zigzagEncode64(value);
  while (u >= 128n) {
    bytes[pos++] = Number(u & 0x7fn) | 0x80;
    u >>= 7n;
  }
  bytes[pos++] = Number(u);
  return pos;
}

function truncated(c: Cursor, start: number, field: string): CorruptRecordError {
  return new CorruptRecordError(
    `Cannot read ${field}: varint truncated, ${c.end - start} byte(s) left and the last has the continuation bit set`,
    start,
  );
}

/** Read a zigzag varint (int32) at the cursor and advance it. */
export function readVarint(c: Cursor, field = "varint"): number {
  const bytes = c.bytes;
  const start = c.pos;
  const end = c.end;
  let p = start;
  let u = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (p >= end) throw truncated(c, start, field);
    const b = bytes[p++]!;
    if (shift === 28 && b > 0x0f) {
      throw new CorruptRecordError(
        b & 0x80
          ? `Cannot read ${field}: varint longer than ${MAX_VARINT_BYTES} bytes`
          : `Cannot read ${field}: varint value does not fit 32 bits (5th byte 0x${b.toString(16)})`,
        start,
      );
    }
    u |= (b & 0x7f) << shift;
    if (b < 0x80) {
      c.pos = p;
      return (u >>> 1) ^ -(u & 1);
    }
  }
  /* c8 ignore next */
  throw new CorruptRecordError(`Cannot read ${field}: varint longer than ${MAX_VARINT_BYTES} bytes`, start);
}

/**
 * Read the raw unsigned 64-bit value of a varlong as two 32-bit halves into `out` ([lo, hi]),
 * advancing the cursor. Shared by the number and BigInt readers.
 */
function readVarlongHalves(c: Cursor, field: string, out: Uint32Array): void {
  const bytes = c.bytes;
  const start = c.pos;
  const end = c.end;
  let p = start;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < MAX_VARLONG_BYTES; i++) {
    if (p >= end) throw truncated(c, start, field);
    const b = bytes[p++]!;
    const bits = b & 0x7f;
    if (i < 4) {
      lo |= bits << (7 * i);
    } else if (i === 4) {
      lo |= (bits & 0x0f) << 28;
      hi |= bits >>> 4;
    } else if (i < 9) {
      hi |= bits << (7 * i - 32);
    } else {
      // 10th byte: only bit 63 remains.
      if (b > 0x01) {
        throw new CorruptRecordError(
          b & 0x80
            ? `Cannot read ${field}: varlong longer than ${MAX_VARLONG_BYTES} bytes`
            : `Cannot read ${field}: varlong value does not fit 64 bits (10th byte 0x${b.toString(16)})`,
          start,
        );
      }
      hi |= bits << 31;
    }
    if (b < 0x80) {
      c.pos = p;
      out[0] = lo;
      out[1] = hi;
      return;
    }
  }
  /* c8 ignore next */
  throw new CorruptRecordError(`Cannot read ${field}: varlong longer than ${MAX_VARLONG_BYTES} bytes`, start);
}

const halves = new Uint32Array(2);

/**
 * Read a zigzag varlong at the cursor and advance it, as a number. Throws CorruptRecordError if
 * the value is outside the safe-integer range (use readVarlongBigInt for those).
 */
export function readVarlong(c: Cursor, field = "varlong"): number {
  // Fast path: one to four bytes, the common case (deltas are small).
  const bytes = c.bytes;
  const p = c.pos;
  if (p < c.end) {
    const b0 = bytes[p]!;
    if (b0 < 0x80) {
      c.pos = p + 1;
      return (b0 >>> 1) ^ -(b0 & 1);
    }
  }
  const start = c.pos;
  readVarlongHalves(c, field, halves);
  const lo = halves[0]!;
  const hi = halves[1]!;
  // zigzag decode on (hi, lo): shift right by one, then xor with the sign mask.
  const negative = (lo & 1) === 1;
  let rlo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
  let rhi = hi >>> 1;
  if (negative) {
    rlo = ~rlo >>> 0;
    rhi = ~rhi >>> 0;
  }
  const shi = rhi | 0; // signed high word
  if (shi > 0x1fffff || shi < -0x200000 || (shi === -0x200000 && rlo === 0)) {
    throw new CorruptRecordError(
      `Cannot read ${field}: varlong ${readValueAsBigInt(lo, hi)} is outside the JS safe-integer range`,
      start,
    );
  }
  return shi * TWO_32 + rlo;
}

function readValueAsBigInt(lo: number, hi: number): bigint {
  return zigzagDecode64((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}

/** Read a zigzag varlong at the cursor and advance it, exactly, as an int64 BigInt. */
export function readVarlongBigInt(c: Cursor, field = "varlong"): bigint {
  readVarlongHalves(c, field, halves);
  return readValueAsBigInt(halves[0]!, halves[1]!);
}

/** Convenience: encode one varint to fresh bytes (tests, explorers). */
export function encodeVarint(value: number): Uint8Array {
  const out = new Uint8Array(MAX_VARINT_BYTES);
  return out.slice(0, writeVarintAt(out, 0, value));
}

/** Convenience: encode one varlong (number or BigInt) to fresh bytes. */
export function encodeVarlong(value: number | bigint): Uint8Array {
  const out = new Uint8Array(MAX_VARLONG_BYTES);
  const end = typeof value === "bigint" ? writeVarlongBigIntAt(out, 0, value) : writeVarlongAt(out, 0, value);
  return out.slice(0, end);
}

/** Convenience: decode one varint at bytes[pos]; returns the value and its encoded size. */
export function decodeVarint(bytes: Uint8Array, pos = 0): { value: number; size: number } {
  const c: Cursor = { bytes, pos, end: bytes.length };
  const value = readVarint(c);
  return { value, size: c.pos - pos };
}

/** Convenience: decode one varlong at bytes[pos] exactly (BigInt) with its encoded size. */
export function decodeVarlong(bytes: Uint8Array, pos = 0): { value: bigint; size: number } {
  const c: Cursor = { bytes, pos, end: bytes.length };
  const value = readVarlongBigInt(c);
  return { value, size: c.pos - pos };
}
