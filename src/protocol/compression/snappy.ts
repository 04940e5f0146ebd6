/**
 * snappy (codec id 2) in the framing Kafka's Java client writes: snappy-java's
 * SnappyOutputStream ("xerial" framing), as Kafka's SnappyCompression uses it.
 *
 *   header  8 bytes  0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00
 *           int32    version (1), big-endian
 *           int32    minimum compatible version (1), big-endian
 *   blocks  int32    compressed length, big-endian
 *           bytes    one raw snappy block (varint uncompressed length + elements)
 *
 * Blocks hold at most 32 KiB of input each (snappy-java's default block size). Decoding also
 * accepts a bare raw snappy block without the header, as snappy-java's SnappyInputStream,
 * librdkafka and KafkaJS's snappy plugin do.
 *
 * Compression is snappyjs's. Decompression is our own strict decoder: every tag, length and
 * copy offset is bounds-checked and the output must be exactly the declared length, so bad
 * input fails with CorruptRecordError instead of yielding zero-filled bytes.
 */
import { compress as snappyCompressBlock } from "snappyjs";
import { corrupt, limitExceeded, type CompressionCodec } from "./codec";

export const XERIAL_MAGIC = Uint8Array.of(0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00);
const XERIAL_HEADER_BYTES = 16;
const XERIAL_VERSION = 1;
const XERIAL_MIN_COMPATIBLE_VERSION = 1;
/** snappy-java's SnappyOutputStream.DEFAULT_BLOCK_SIZE. */
export const XERIAL_BLOCK_BYTES = 32 * 1024;

function readI32BE(b: Uint8Array, p: number): number {
  return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
}

function writeI32BE(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = v >>> 16;
  b[p + 2] = v >>> 8;
  b[p + 3] = v;
}

/** Raw snappy block of `data` (no framing). */
export function snappyCompressRaw(data: Uint8Array): Uint8Array {
  return snappyCompressBlock(data);
}

/** xerial-framed snappy, as Kafka's Java producer writes it. */
export function snappyCompress(data: Uint8Array): Uint8Array {
  const blocks: Uint8Array[] = [];
  let total = XERIAL_HEADER_BYTES;
  for (let p = 0; p < data.length; p += XERIAL_BLOCK_BYTES) {
    const block = snappyCompressBlock(data.subarray(p, Math.min(p + XERIAL_BLOCK_BYTES, data.length)));
    blocks.push(block);
    total += 4 + block.length;
  }
  const out = new Uint8Array(total);
  out.set(XERIAL_MAGIC, 0);
  writeI32BE(out, 8, XERIAL_VERSION);
  writeI32BE(out, 12, XERIAL_MIN_COMPATIBLE_VERSION);
  let p = XERIAL_HEADER_BYTES;
  for (const block of blocks) {
    writeI32BE(out, p, block.length);
    out.set(block, p + 4);
    p += 4 + block.length;
  }
  return out;
}

function hasXerialHeader(data: Uint8Array): boolean {
  if (data.length < XERIAL_MAGIC.length) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

/** Uncompressed length of the raw block in src[start, end), and where its elements start. */
function readPreamble(src: Uint8Array, start: number, end: number): { length: number; pos: number } {
  let length = 0;
  let p = start;
  for (let shift = 0; shift < 35; shift += 7) {
    if (p >= end) throw corrupt("snappy", "block length preamble truncated", start);
    const b = src[p++]!;
    if (shift === 28 && b > 0x0f)
      throw corrupt("snappy", "block length preamble does not fit 32 bits", start);
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return { length, pos: p };
  }
  throw corrupt("snappy", "block length preamble too long", start);
}

/**
 * Decode the raw snappy elements in src[pos, end) into dst[dStart, dStart + length); the
 * elements must produce exactly `length` bytes.
 */
function decodeElements(
  src: Uint8Array,
  pos: number,
  end: number,
  dst: Uint8Array,
  dStart: number,
  length: number,
): void {
  let s = pos;
  let d = dStart;
  const dEnd = dStart + length;
  while (s < end) {
    const tag = src[s++]!;
    const kind = tag & 3;
    if (kind === 0) {
      // Literal: length-1 in the upper 6 bits, or in 1-4 following bytes (60..63).
      let len = tag >>> 2;
      if (len >= 60) {
        const n = len - 59;
        if (s + n > end) throw corrupt("snappy", "literal length truncated", s - 1);
        len = 0;
        for (let i = 0; i < n; i++) len += src[s + i]! * 2 ** (8 * i);
        s += n;
      }
      len += 1;
      if (s + len > end) throw corrupt("snappy", `literal of ${len} bytes runs past the block`, s);
      if (d + len > dEnd) throw corrupt("snappy", "literal overflows the declared length", s);
      dst.set(src.subarray(s, s + len), d);
      s += len;
      d += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (s + 1 > end) throw corrupt("snappy", "copy-1 truncated", s - 1);
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[s]!;
      s += 1;
    } else if (kind === 2) {
      if (s + 2 > end) throw corrupt("snappy", "copy-2 truncated", s - 1);
      len = (tag >>> 2) + 1;
      offset = src[s]! | (src[s + 1]! << 8);
      s += 2;
    } else {
      if (s + 4 > end) throw corrupt("snappy", "copy-4 truncated", s - 1);
      len = (tag >>> 2) + 1;
      offset = (src[s]! | (src[s + 1]! << 8) | (src[s + 2]! << 16) | (src[s + 3]! << 24)) >>> 0;
      s += 4;
    }
    if (offset === 0 || offset > d - dStart)
      throw corrupt("snappy", `copy offset ${offset} is outside the output`, s);
    if (d + len > dEnd) throw corrupt("snappy", "copy overflows the declared length", s);
    if (offset >= len) {
      dst.copyWithin(d, d - offset, d - offset + len);
      d += len;
    } else {
      for (let i = 0; i < len; i++, d++) dst[d] = dst[d - offset]!;
    }
  }
  if (d !== dEnd) throw corrupt("snappy", `block produced ${d - dStart} bytes, its preamble says ${length}`);
}

/** Decode one raw snappy block (no framing), producing at most maxOutputBytes. */
export function snappyDecompressRaw(data: Uint8Array, maxOutputBytes: number): Uint8Array {
  const { length, pos } = readPreamble(data, 0, data.length);
  if (length > maxOutputBytes) throw limitExceeded("snappy", `declared size ${length}`, maxOutputBytes);
  const out = new Uint8Array(length);
  decodeElements(data, pos, data.length, out, 0, length);
  return out;
}

function decompressXerial(data: Uint8Array, maxOutputBytes: number): Uint8Array {
  if (data.length < XERIAL_HEADER_BYTES) throw corrupt("snappy", "xerial header truncated", 0);
  const compatible = readI32BE(data, 12);
  if (compatible > XERIAL_VERSION) {
    throw corrupt(
      "snappy",
      `xerial stream needs reader version ${compatible}, this reader is ${XERIAL_VERSION}`,
      12,
    );
  }
  // First pass: validate block framing and sum declared sizes, so the output is allocated once.
  const blocks: { pos: number; end: number; length: number; elements: number }[] = [];
  let total = 0;
  let p = XERIAL_HEADER_BYTES;
  while (p < data.length) {
    if (p + 4 > data.length) throw corrupt("snappy", "xerial block length truncated", p);
    const size = readI32BE(data, p);
    if (size < 0 || p + 4 + size > data.length) {
      throw corrupt(
        "snappy",
        `xerial block of ${size} bytes runs past the end (${data.length - p - 4} left)`,
        p,
      );
    }
    const { length, pos } = readPreamble(data, p + 4, p + 4 + size);
    total += length;
    if (total > maxOutputBytes) throw limitExceeded("snappy", `declared size ${total}`, maxOutputBytes);
    blocks.push({ pos: p + 4, end: p + 4 + size, length, elements: pos });
    p += 4 + size;
  }
  const out = new Uint8Array(total);
  let d = 0;
  for (const b of blocks) {
    decodeElements(data, b.elements, b.end, out, d, b.length);
    d += b.length;
  }
  return out;
}

/** Decode xerial-framed or raw snappy. */
export function snappyDecompress(data: Uint8Array, maxOutputBytes: number): Uint8Array {
  return hasXerialHeader(data)
    ? decompressXerial(data, maxOutputBytes)
    : snappyDecompressRaw(data, maxOutputBytes);
}

export function snappyCodec(): CompressionCodec {
  return { type: "snappy", id: 2, compress: snappyCompress, decompress: snappyDecompress };
}
