/**
 * The LZ4 block format (lz4_Block_format.md): a sequence of (token, literals, offset, match)
 * elements. Our compressor is a greedy single-probe hash matcher, in the spirit of LZ4's "fast"
 * mode. It keeps the format's end-of-block rules that strict decoders (lz4-java, which Kafka
 * uses) depend on:
 * - the last 5 bytes of a block are literals (LASTLITERALS);
 * - the last match starts at least 12 bytes before the end of the block (MFLIMIT);
 * - matches never reach before the start of the block, so blocks are independent (Kafka's
 *   reader rejects dependent-block frames).
 *
 * The decompressor bounds-checks every length and offset and never writes past `dEnd`.
 */

const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
const MAX_OFFSET = 65535;
const HASH_LOG_MAX = 16;

let table = new Int32Array(1 << HASH_LOG_MAX);

/** Worst-case compressed size of an n-byte block (LZ4_compressBound). */
export function lz4BlockBound(n: number): number {
  return n + Math.floor(n / 255) + 16;
}

function read32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

function writeLength(dst: Uint8Array, d: number, n: number): number {
  while (n >= 255) {
    dst[d++] = 255;
    n -= 255;
  }
  dst[d++] = n;
  return d;
}

function writeLiterals(src: Uint8Array, from: number, to: number, dst: Uint8Array, d: number): number {
  const n = to - from;
  if (n > 16) {
    dst.set(src.subarray(from, to), d);
    return d + n;
  }
  for (let i = from; i < to; i++) dst[d++] = src[i]!;
  return d;
}

/**
 * Compress src[start, end) into dst at dStart as one independent block; returns the end position
 * in dst. dst needs lz4BlockBound(end - start) bytes of room.
 */
export function lz4CompressBlock(
  src: Uint8Array,
  start: number,
  end: number,
  dst: Uint8Array,
  dStart: number,
): number {
  const len = end - start;
  let d = dStart;
  let anchor = start;
  if (len > MF_LIMIT) {
    let hashLog = 10;
    while (hashLog < HASH_LOG_MAX && 1 << hashLog < len) hashLog++;
    const shift = 32 - hashLog;
    if (table.length < 1 << hashLog) table = new Int32Array(1 << hashLog);
    const t = table;
    t.fill(-1, 0, 1 << hashLog); // positions from an earlier block or call must not match
    const matchLimit = end - LAST_LITERALS;
    const lastMatchStart = end - MF_LIMIT;
    let ip = start;
    let searches = 0;
    while (ip <= lastMatchStart) {
      const seq = read32(src, ip);
      const h = Math.imul(seq, 0x9e3779b1) >>> shift;
      const ref = t[h]!;
      t[h] = ip;
      if (ref < start || ip - ref > MAX_OFFSET || read32(src, ref) !== seq) {
        ip += 1 + (searches++ >> 6); // skip faster through incompressible data
        continue;
      }
      searches = 0;
      let mlen = MIN_MATCH;
      while (ip + mlen < matchLimit && src[ip + mlen] === src[ref + mlen]) mlen++;
      // Sequence: token, literal length, literals, offset, match length.
      const lit = ip - anchor;
      const ml = mlen - MIN_MATCH;
      dst[d++] = ((lit >= 15 ? 15 : lit) << 4) | (ml >= 15 ? 15 : ml);
      if (lit >= 15) d = writeLength(dst, d, lit - 15);
      d = writeLiterals(src, anchor, ip, dst, d);
      const offset = ip - ref;
      dst[d++] = offset & 0xff;
      dst[d++] = offset >>> 8;
      if (ml >= 15) d = writeLength(dst, d, ml - 15);
      ip += mlen;
      anchor = ip;
      if (ip - 2 >= start && ip <= lastMatchStart)
        t[Math.imul(read32(src, ip - 2), 0x9e3779b1) >>> shift] = ip - 2;
    }
  }
  const lit = end - anchor;
  dst[d++] = (lit >= 15 ? 15 : lit) << 4;
  if (lit >= 15) d = writeLength(dst, d, lit - 15);
  return writeLiterals(src, anchor, end, dst, d);
}

/** Thrown by lz4DecompressBlock when the block is malformed; the frame layer adds context. */
export class Lz4BlockError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.position = position;
  }
}

/** Returned by lz4DecompressBlock when the output would pass dEnd. */
export const LZ4_OUTPUT_FULL = -1;

/**
 * Decompress the block src[start, end) into dst starting at dStart, writing nothing at or past
 * dEnd. Returns the end position in dst, or LZ4_OUTPUT_FULL if the block decodes to more than
 * dEnd - dStart bytes. Throws Lz4BlockError on a malformed block.
 */
export function lz4DecompressBlock(
  src: Uint8Array,
  start: number,
  end: number,
  dst: Uint8Array,
  dStart: number,
  dEnd: number,
): number {
  let s = start;
  let d = dStart;
  if (start >= end) throw new Lz4BlockError("empty block", start);
  for (;;) {
    const token = src[s++]!;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (s >= end) throw new Lz4BlockError("literal length truncated", s);
        b = src[s++]!;
        lit += b;
      } while (b === 255);
    }
    if (s + lit > end) throw new Lz4BlockError(`literal run of ${lit} bytes passes the end of the block`, s);
    if (d + lit > dEnd) return LZ4_OUTPUT_FULL;
    if (lit > 16) dst.set(src.subarray(s, s + lit), d);
    else for (let i = 0; i < lit; i++) dst[d + i] = src[s + i]!;
    s += lit;
    d += lit;
    if (s === end) return d; // the last sequence has literals only
    if (s + 2 > end) throw new Lz4BlockError("match offset truncated", s);
    const offset = src[s]! | (src[s + 1]! << 8);
    s += 2;
    if (offset === 0 || offset > d - dStart)
      throw new Lz4BlockError(`match offset ${offset} is outside the block's output`, s - 2);
    let mlen = token & 15;
    if (mlen === 15) {
      let b: number;
      do {
        if (s >= end) throw new Lz4BlockError("match length truncated", s);
        b = src[s++]!;
        mlen += b;
      } while (b === 255);
    }
    mlen += MIN_MATCH;
    if (d + mlen > dEnd) return LZ4_OUTPUT_FULL;
    if (offset >= mlen) {
      dst.copyWithin(d, d - offset, d - offset + mlen);
      d += mlen;
    } else {
      for (let i = 0; i < mlen; i++, d++) dst[d] = dst[d - offset]!;
    }
    if (s >= end) throw new Lz4BlockError("block ends with a match (the last sequence must be literals)", s);
  }
}
