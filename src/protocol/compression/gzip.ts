/**
 * gzip (codec id 1): an RFC 1952 member around raw deflate, as Java's GZIPOutputStream writes it
 * (Kafka's GzipCompression). Deflate itself is fflate's; the gzip header and trailer are ours so
 * that output is deterministic (MTIME 0, no file name) and decoding can be strict.
 *
 * Decoding checks the header fields, bounds the output by the trailer's ISIZE before inflating
 * (so a lying size or a bomb cannot make us allocate past `maxOutputBytes`), then checks that
 * the output has exactly ISIZE bytes and the trailer's CRC-32.
 *
 * Departures from Kafka: only one gzip member per batch (Java's GZIPInputStream also reads
 * concatenated members; no Kafka client writes them). Compression level 6 = zlib's default,
 * which is what Kafka's default level -1 means; the bytes differ from zlib's because the deflate
 * implementation differs, and either decodes the other.
 */
import { deflateSync, inflateSync } from "fflate";
import { corrupt, limitExceeded, type CompressionCodec } from "./codec";
import { crc32 } from "./crc32";
import { readUint32LE, writeUint32LE } from "./uint32-le";

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const RESERVED_FLAGS = 0xe0;
const HEADER_BYTES = 10;
const TRAILER_BYTES = 8;

export type GzipLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

export function gzipCompress(data: Uint8Array, level: GzipLevel = 6): Uint8Array {
  const body = deflateSync(data, { level });
  const out = new Uint8Array(HEADER_BYTES + body.length + TRAILER_BYTES);
  out[0] = 0x1f;
  out[1] = 0x8b;
  out[2] = 8; // CM = deflate
  out[3] = 0; // FLG
  // MTIME (4..7) = 0: no time; XFL (8) = 0
  out[9] = 255; // OS = unknown
  out.set(body, HEADER_BYTES);
  writeUint32LE(out, HEADER_BYTES + body.length, crc32(data));
  writeUint32LE(out, HEADER_BYTES + body.length + 4, data.length);
  return out;
}

/** Position of the deflate data after a gzip header, checking every field's bounds. */
function skipHeader(data: Uint8Array): number {
  if (data.length < HEADER_BYTES + TRAILER_BYTES) {
    throw corrupt("gzip", `${data.length} bytes is shorter than a gzip header and trailer (18 bytes)`);
  }
  if (data[0] !== 0x1f || data[1] !== 0x8b) throw corrupt("gzip", "bad magic (expected 1f 8b)", 0);
  if (data[2] !== 8) throw corrupt("gzip", `unsupported method ${data[2]} (only 8, deflate)`, 2);
  const flg = data[3]!;
  if (flg & RESERVED_FLAGS) throw corrupt("gzip", `reserved header flag bits set (0x${flg.toString(16)})`, 3);
  const limit = data.length - TRAILER_BYTES;
  let p = HEADER_BYTES;
  if (flg & FEXTRA) {
    if (p + 2 > limit) throw corrupt("gzip", "header FEXTRA length truncated", p);
    p += 2 + (data[p]! | (data[p + 1]! << 8));
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (flg & flag) {
      while (p < limit && data[p] !== 0) p++;
      if (p >= limit) throw corrupt("gzip", "header name/comment is not terminated", p);
      p++;
    }
  }
  if (flg & FHCRC) p += 2;
  if (p > limit) throw corrupt("gzip", "header runs past the end of the data", p);
  return p;
}

export function gzipDecompress(data: Uint8Array, maxOutputBytes: number): Uint8Array {
  const start = skipHeader(data);
  const trailer = data.length - TRAILER_BYTES;
  const expectedCrc = readUint32LE(data, trailer);
  const isize = readUint32LE(data, trailer + 4);
  if (isize > maxOutputBytes) limitExceededThrow(isize, maxOutputBytes);
  // One spare byte: a stream that inflates to more than ISIZE fills it and is caught below.
  const out = new Uint8Array(isize + 1);
  let result: Uint8Array;
  try {
    result = inflateSync(data.subarray(start, trailer), { out });
  } catch (e) {
    throw corrupt("gzip", `invalid deflate data (${(e as Error).message})`, start);
  }
  if (result.length !== isize) {
    throw corrupt(
      "gzip",
      `inflated to ${result.length >= isize + 1 ? "more than" : result.length} bytes, trailer ISIZE says ${isize}`,
    );
  }
  const actualCrc = crc32(result);
  if (actualCrc !== expectedCrc) {
    throw corrupt(
      "gzip",
      `CRC-32 mismatch: trailer 0x${expectedCrc.toString(16)}, data 0x${actualCrc.toString(16)} (multi-member gzip is not supported)`,
      trailer,
    );
  }
  return result;
}

function limitExceededThrow(isize: number, maxOutputBytes: number): never {
  throw limitExceeded("gzip", `declared size ${isize}`, maxOutputBytes);
}

export function gzipCodec(level: GzipLevel = 6): CompressionCodec {
  return {
    type: "gzip",
    id: 1,
    compress: (data) => gzipCompress(data, level),
    decompress: gzipDecompress,
  };
}
