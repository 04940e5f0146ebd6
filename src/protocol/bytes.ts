/**
 * Big-endian byte writer and bounds-checked reader, the two tools every encoder and decoder in
 * this layer is built from (Kafka's ByteBuffer + ByteUtils, in JS terms).
 *
 * ByteWriter: a growable buffer that is meant to be reused (`reset()`), so encoding a batch does
 * not allocate per field. `finish()` copies the written bytes out; `view()` lends them without a
 * copy until the next write.
 *
 * ByteReader: reads bytes[pos, end) and never past `end`. Every read names the field it reads,
 * so a truncated or invalid input fails with a CorruptRecordError such as
 * "Cannot read batchLength: needs 4 bytes, 2 left (at byte 8)". Byte slices it returns are
 * views into the input (zero-copy): copy them if the input buffer will be reused.
 *
 * int64 as number: exact for safe integers (|n| < 2^53); `int64()` throws outside that range,
 * `int64BigInt()` is exact everywhere.
 */
import { CorruptRecordError } from "./errors";
import {
  MAX_VARLONG_BYTES,
  readVarint,
  readVarlong,
  readVarlongBigInt,
  writeVarintAt,
  writeVarlongAt,
  writeVarlongBigIntAt,
  type Cursor,
} from "./varint";

const TWO_32 = 4294967296;

/** Number of UTF-8 bytes needed for `s` (lone surrogates count as U+FFFD, 3 bytes, as TextEncoder does). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

const utf8Decoder = new TextDecoder("utf-8");
const utf8Encoder = new TextEncoder();

/** Encode a string to UTF-8 bytes. */
export function utf8Encode(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** Decode UTF-8 bytes (invalid sequences become U+FFFD, as Java's `new String(bytes, UTF_8)`). */
export function utf8Decode(bytes: Uint8Array): string {
  // Short ASCII strings (header keys) are faster to build directly.
  if (bytes.length <= 32) {
    let s = "";
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b >= 0x80) return utf8Decoder.decode(bytes);
      s += String.fromCharCode(b);
    }
    return s;
  }
  return utf8Decoder.decode(bytes);
}

export class ByteWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Bytes written so far (also the position of the next write). */
  get length(): number {
    return this.pos;
  }

  /** Size of the internal buffer. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Forget what was written; keep the buffer for reuse. */
  reset(): this {
    this.pos = 0;
    return this;
  }

  /** Make room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    const b = this.buf;
    b[this.pos++] = v >> 8;
    b[this.pos++] = v;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.putInt32(this.pos, v);
    this.pos += 4;
    return this;
  }

  /** Same bits as int32; accepts 0..2^32-1 (e.g. a CRC). */
  uint32(v: number): this {
    return this.int32(v);
  }

  /** int64 from a safe integer. */
  int64(v: number): this {
    if (!Number.isSafeInteger(v)) throw new RangeError(`Cannot write int64: ${v} is not a safe integer`);
    const hi = Math.floor(v / TWO_32);
    const lo = v - hi * TWO_32;
    this.ensure(8);
    this.putInt32(this.pos, hi);
    this.putInt32(this.pos + 4, lo);
    this.pos += 8;
    return this;
  }

  int64BigInt(v: bigint): this {
    const u = BigInt.asUintN(64, v);
    this.ensure(8);
    this.putInt32(this.pos, Number(u >> 32n));
    this.putInt32(this.pos + 4, Number(u & 0xffffffffn));
    this.pos += 8;
    return this;
  }

  varint(v: number): this {
    this.ensure(5);
    this.pos = writeVarintAt(this.buf, this.pos, v);
    return this;
  }

  varlong(v: number): this {
    this.ensure(MAX_VARLONG_BYTES);
    this.pos = writeVarlongAt(this.buf, this.pos, v);
    return this;
  }

  varlongBigInt(v: bigint): this {
    this.ensure(MAX_VARLONG_BYTES);
    this.pos = writeVarlongBigIntAt(this.buf, this.pos, v);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Varint length (-1 for null) followed by the bytes: Kafka's nullable record bytes. */
  varintBytes(b: Uint8Array | null): this {
    if (b === null) return this.varint(-1);
    return this.varint(b.length).bytes(b);
  }

  /** Write `s` as UTF-8 (no length prefix); returns the number of bytes written. */
  utf8(s: string): number {
    const start = this.pos;
    this.ensure(s.length * 3);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        b[p++] = c;
        continue;
      }
      if (c < 0x800) {
        b[p++] = 0xc0 | (c >> 6);
        b[p++] = 0x80 | (c & 0x3f);
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          b[p++] = 0xf0 | (c >> 18);
          b[p++] = 0x80 | ((c >> 12) & 0x3f);
          b[p++] = 0x80 | ((c >> 6) & 0x3f);
          b[p++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd; // lone surrogate
      }
      b[p++] = 0xe0 | (c >> 12);
      b[p++] = 0x80 | ((c >> 6) & 0x3f);
      b[p++] = 0x80 | (c & 0x3f);
    }
    this.pos = p;
    return p - start;
  }

  /** Skip `n` bytes to fill in later (e.g. a length or CRC); returns their position. */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** Overwrite an int32 at an earlier position. */
  setInt32At(at: number, v: number): void {
    if (at < 0 || at + 4 > this.pos)
      throw new RangeError(`Cannot set int32 at ${at}: only ${this.pos} bytes written`);
    this.putInt32(at, v);
  }

  /** The written bytes as a view into the internal buffer, valid until the next write or reset. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of the written bytes. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  private putInt32(at: number, v: number): void {
    const b = this.buf;
    b[at] = v >>> 24;
    b[at + 1] = v >>> 16;
    b[at + 2] = v >>> 8;
    b[at + 3] = v;
  }
}

export class ByteReader implements Cursor {
  readonly bytes: Uint8Array;
  pos: number;
  /** Exclusive bound of the readable range. Decoders may narrow it temporarily (one record). */
  end: number;

  /** Read bytes[pos, end). */
  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    if (pos < 0 || end > bytes.length || pos > end) {
      throw new RangeError(`Cannot read bytes[${pos}, ${end}) of a ${bytes.length}-byte buffer`);
    }
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throw unless `n` more bytes are available for `field`. */
  need(n: number, field: string): void {
    if (this.end - this.pos < n) {
      throw new CorruptRecordError(
        `Cannot read ${field}: needs ${n} bytes, ${this.end - this.pos} left`,
        this.pos,
      );
    }
  }

  int8(field: string): number {
    this.need(1, field);
    return (this.bytes[this.pos++]! << 24) >> 24;
  }

  int16(field: string): number {
    this.need(2, field);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 2;
    return ((b[p]! << 24) | (b[p + 1]! << 16)) >> 16;
  }

  int32(field: string): number {
    this.need(4, field);
    const v = this.peekInt32(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(field: string): number {
    return this.int32(field) >>> 0;
  }

  /** int64 as a number; throws if outside the safe-integer range. */
  int64(field: string): number {
    this.need(8, field);
    const hi = this.peekInt32(this.pos);
    const lo = this.peekInt32(this.pos + 4) >>> 0;
    if (hi > 0x1fffff || hi < -0x200000 || (hi === -0x200000 && lo === 0)) {
      throw new CorruptRecordError(
        `Cannot read ${field}: int64 ${(BigInt(hi) << 32n) | BigInt(lo)} is outside the JS safe-integer range`,
        this.pos,
      );
    }
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  int64BigInt(field: string): bigint {
    this.need(8, field);
    const hi = this.peekInt32(this.pos);
    const lo = this.peekInt32(this.pos + 4) >>> 0;
    this.pos += 8;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  varint(field: string): number {
    return readVarint(this, field);
  }

  varlong(field: string): number {
    return readVarlong(this, field);
  }

  varlongBigInt(field: string): bigint {
    return readVarlongBigInt(this, field);
  }

  /** The next `n` bytes as a view (no copy). */
  bytesView(n: number, field: string): Uint8Array {
    if (n < 0) throw new CorruptRecordError(`Cannot read ${field}: negative length ${n}`, this.pos);
    this.need(n, field);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Varint length then bytes; length -1 means null, below -1 is corrupt. View, no copy. */
  varintBytes(field: string): Uint8Array | null {
    const at = this.pos;
    const n = this.varint(field);
    if (n === -1) return null;
    if (n < -1) throw new CorruptRecordError(`Cannot read ${field}: invalid length ${n}`, at);
    return this.bytesView(n, field);
  }

  /** `n` bytes decoded as UTF-8. */
  utf8(n: number, field: string): string {
    return utf8Decode(this.bytesView(n, field));
  }

  skip(n: number, field: string): void {
    this.need(n, field);
    this.pos += n;
  }

  private peekInt32(p: number): number {
    const b = this.bytes;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }
}
