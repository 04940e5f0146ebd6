/**
 * lz4 (codec id 3): the LZ4 frame format (lz4_Frame_format.md), as Kafka writes it since 0.10
 * (KIP-57 fixed the header checksum; Kafka's Lz4BlockOutputStream):
 *
 *   magic   04 22 4D 18 (0x184D2204 little-endian)
 *   FLG     version 01, block independence 1, no block/content checksum, no content size: 0x60
 *   BD      block max size 64 KiB: 0x40
 *   HC      (xxh32(FLG, BD, seed 0) >> 8) & 0xFF (over the descriptor only, not the magic)
 *   blocks  uint32 LE size (bit 31 set = stored uncompressed) + data
 *   end     uint32 0
 *
 * Decoding follows Kafka's Lz4BlockInputStream: it rejects dependent-block frames and reserved
 * bits, checks the header checksum, block sizes against the frame's maximum, and the optional
 * block and content checksums. Frames must end with the end mark.
 * Departure: bytes after the end mark are rejected (Kafka's reader stops at the end mark and
 * ignores them); no Kafka client writes any.
 *
 * Why not lz4js's frame functions: lz4js writes FLG 0x40 (blocks not independent, which Kafka's
 * reader refuses: "Dependent block stream is unsupported") with 4 MiB blocks, and its block
 * decoder does not bounds-check. Our block codec is in lz4-block.ts; lz4js (and the lz4 CLI,
 * when installed) decode our frames in the tests.
 */
import { corrupt, limitExceeded, type CompressionCodec } from "./codec";
import {
  LZ4_OUTPUT_FULL,
  Lz4BlockError,
  lz4BlockBound,
  lz4CompressBlock,
  lz4DecompressBlock,
} from "./lz4-block";
import { xxhash32 } from "./xxhash32";
import { readUint32LE, writeUint32LE } from "./uint32-le";

const MAGIC = 0x184d2204;
const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_01 = 0x40;
const FLG_BLOCK_INDEPENDENCE = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x03;
const BD_BLOCK_SIZE_64KB = 4;
const INCOMPRESSIBLE = 0x80000000;
/** Kafka's default BLOCKSIZE_64KB. */
export const LZ4_BLOCK_BYTES = 64 * 1024;

export function lz4Compress(data: Uint8Array): Uint8Array {
  const blocks = Math.ceil(data.length / LZ4_BLOCK_BYTES);
  let bound = 7 + 4; // header and end mark
  for (let b = 0; b < blocks; b++)
    bound += 4 + lz4BlockBound(Math.min(LZ4_BLOCK_BYTES, data.length - b * LZ4_BLOCK_BYTES));
  const out = new Uint8Array(bound);
  writeUint32LE(out, 0, MAGIC);
  out[4] = FLG_VERSION_01 | FLG_BLOCK_INDEPENDENCE;
  out[5] = BD_BLOCK_SIZE_64KB << 4;
  out[6] = (xxhash32(out, 4, 6) >>> 8) & 0xff;
  let d = 7;
  for (let p = 0; p < data.length; p += LZ4_BLOCK_BYTES) {
    const end = Math.min(p + LZ4_BLOCK_BYTES, data.length);
    const blockEnd = lz4CompressBlock(data, p, end, out, d + 4);
    const size = blockEnd - d - 4;
    if (size >= end - p) {
      // Incompressible: store it, as Kafka does when the compressed form is not smaller.
      writeUint32LE(out, d, (end - p) | INCOMPRESSIBLE);
      out.set(data.subarray(p, end), d + 4);
      d += 4 + (end - p);
    } else {
      writeUint32LE(out, d, size);
      d = blockEnd;
    }
  }
  writeUint32LE(out, d, 0);
  return out.slice(0, d + 4);
}

/** Decompression scratch, kept between calls up to SCRATCH_KEEP_BYTES. */
let scratch = new Uint8Array(LZ4_BLOCK_BYTES);
const SCRATCH_KEEP_BYTES = 8 * 1024 * 1024;

export function lz4Decompress(data: Uint8Array, maxOutputBytes: number): Uint8Array {
  if (data.length < 7) throw corrupt("lz4", `frame of ${data.length} bytes is shorter than its header`);
  if (readUint32LE(data, 0) !== MAGIC) throw corrupt("lz4", "bad frame magic (expected 04 22 4d 18)", 0);
  const flg = data[4]!;
  const bd = data[5]!;
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_01)
    throw corrupt("lz4", `unsupported frame version ${flg >>> 6}`, 4);
  if (flg & FLG_RESERVED) throw corrupt("lz4", "reserved FLG bits set", 4);
  if (!(flg & FLG_BLOCK_INDEPENDENCE))
    throw corrupt("lz4", "dependent block stream is unsupported (as in Kafka)", 4);
  const blockSizeId = (bd >>> 4) & 7;
  if (bd & 0x8f || blockSizeId < 4) throw corrupt("lz4", `invalid BD byte 0x${bd.toString(16)}`, 5);
  const maxBlock = 1 << (2 * blockSizeId + 8);
  let p = 6;
  if (flg & FLG_CONTENT_SIZE) {
    if (data.length < p + 9) throw corrupt("lz4", "content size field truncated", p);
    p += 8; // informative only; the blocks decide
  }
  const hc = (xxhash32(data, 4, p) >>> 8) & 0xff;
  if (data[p] !== hc)
    throw corrupt(
      "lz4",
      `frame descriptor checksum 0x${data[p]!.toString(16)}, expected 0x${hc.toString(16)}`,
      p,
    );
  p++;
  const blockChecksums = (flg & FLG_BLOCK_CHECKSUM) !== 0;
  // Blocks decode into a reused scratch buffer; the result is one exact-size copy.
  let out = scratch;
  let d = 0;
  for (;;) {
    if (p + 4 > data.length) throw corrupt("lz4", "frame ended before its end mark", p);
    const word = readUint32LE(data, p);
    const blockAt = p;
    p += 4;
    if (word === 0) break;
    const stored = (word & INCOMPRESSIBLE) !== 0;
    const size = word & 0x7fffffff;
    if (size > maxBlock)
      throw corrupt("lz4", `block of ${size} bytes exceeds the frame's maximum ${maxBlock}`, blockAt);
    if (p + size + (blockChecksums ? 4 : 0) > data.length)
      throw corrupt("lz4", `block of ${size} bytes runs past the end`, blockAt);
    if (blockChecksums && xxhash32(data, p, p + size) !== readUint32LE(data, p + size)) {
      throw corrupt("lz4", "block checksum mismatch", p + size);
    }
    const room = Math.min(maxBlock, maxOutputBytes - d);
    if (out.length < d + room) {
      const grown = new Uint8Array(Math.min(maxOutputBytes, Math.max(out.length * 2, d + room)));
      grown.set(out.subarray(0, d));
      out = grown;
      if (grown.length <= SCRATCH_KEEP_BYTES) scratch = grown;
    }
    if (stored) {
      if (size > room) throw limitExceeded("lz4", "output", maxOutputBytes);
      out.set(data.subarray(p, p + size), d);
      d += size;
    } else {
      let next: number;
      try {
        next = lz4DecompressBlock(data, p, p + size, out, d, d + room);
      } catch (e) {
        if (e instanceof Lz4BlockError) throw corrupt("lz4", e.message, e.position);
        throw e;
      }
      if (next === LZ4_OUTPUT_FULL) {
        if (room < maxBlock) throw limitExceeded("lz4", "output", maxOutputBytes);
        throw corrupt(
          "lz4",
          `block decompresses to more than the frame's maximum ${maxBlock} bytes`,
          blockAt,
        );
      }
      d = next;
    }
    p += size + (blockChecksums ? 4 : 0);
  }
  if (flg & FLG_CONTENT_CHECKSUM) {
    if (p + 4 > data.length) throw corrupt("lz4", "content checksum truncated", p);
    if (xxhash32(out, 0, d) !== readUint32LE(data, p)) throw corrupt("lz4", "content checksum mismatch", p);
    p += 4;
  }
  if (p !== data.length) throw corrupt("lz4", `${data.length - p} bytes after the end of the frame`, p);
  return out.slice(0, d);
}

export function lz4Codec(): CompressionCodec {
  return { type: "lz4", id: 3, compress: lz4Compress, decompress: lz4Decompress };
}
