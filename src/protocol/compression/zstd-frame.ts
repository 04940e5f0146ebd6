/**
 * A walk over zstd frames (RFC 8878) that reads headers and block headers only, done before the
 * bytes reach the zstd WebAssembly decoder. It lets us fail with a precise CorruptRecordError on
 * truncated or malformed framing, refuse frames whose window would not fit the decoder's fixed
 * memory, and reject a declared content size above the caller's output limit early.
 */
import { corrupt, limitExceeded } from "./codec";
import { readUint32LE } from "./uint32-le";

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

export interface ZstdFrameSummary {
  frames: number;
  /** Sum of declared content sizes, or undefined if some frame does not declare one. */
  declaredContentBytes: number | undefined;
  largestWindowBytes: number;
}

function uintLE(b: Uint8Array, p: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[p + i]!;
  return v;
}

/** Walk every frame in `data`; throws CorruptRecordError / DecompressionLimitError. */
export function summarizeZstdFrames(
  data: Uint8Array,
  maxWindowBytes: number,
  maxOutputBytes: number,
): ZstdFrameSummary {
  let p = 0;
  let frames = 0;
  let declared: number | undefined = 0;
  let largestWindow = 0;
  if (data.length === 0) throw corrupt("zstd", "no frame (empty input)");
  while (p < data.length) {
    if (p + 4 > data.length) throw corrupt("zstd", "frame magic truncated", p);
    const magic = readUint32LE(data, p);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (p + 8 > data.length) throw corrupt("zstd", "skippable frame size truncated", p);
      const size = readUint32LE(data, p + 4);
      if (p + 8 + size > data.length) throw corrupt("zstd", "skippable frame runs past the end", p);
      p += 8 + size;
      continue;
    }
    if (magic !== FRAME_MAGIC) throw corrupt("zstd", `bad frame magic 0x${magic.toString(16)}`, p);
    const frameStart = p;
    p += 4;
    if (p >= data.length) throw corrupt("zstd", "frame header truncated", p);
    const fhd = data[p++]!;
    if (fhd & 0x08) throw corrupt("zstd", "reserved frame header bit set", p - 1);
    const fcsFlag = fhd >>> 6;
    const singleSegment = (fhd & 0x20) !== 0;
    const checksum = (fhd & 0x04) !== 0;
    const dictIdBytes = [0, 1, 2, 4][fhd & 3]!;
    const fcsBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : [0, 2, 4, 8][fcsFlag]!;
    const headerRest = (singleSegment ? 0 : 1) + dictIdBytes + fcsBytes;
    if (p + headerRest > data.length) throw corrupt("zstd", "frame header truncated", p);
    let window = 0;
    if (!singleSegment) {
      const wd = data[p++]!;
      const base = 2 ** (10 + (wd >>> 3));
      window = base + (base / 8) * (wd & 7);
    }
    if (dictIdBytes > 0 && uintLE(data, p, dictIdBytes) !== 0) {
      throw corrupt("zstd", "frame needs a dictionary (Kafka does not use zstd dictionaries)", p);
    }
    p += dictIdBytes;
    let contentSize: number | undefined;
    if (fcsBytes > 0) {
      contentSize = uintLE(data, p, fcsBytes) + (fcsBytes === 2 ? 256 : 0);
      p += fcsBytes;
    }
    if (singleSegment) window = contentSize ?? 0;
    if (contentSize !== undefined && declared !== undefined) {
      declared += contentSize;
      if (declared > maxOutputBytes)
        throw limitExceeded("zstd", `declared content size ${declared}`, maxOutputBytes);
    } else declared = undefined;
    if (window > maxWindowBytes && !(contentSize !== undefined && contentSize <= maxWindowBytes)) {
      throw corrupt(
        "zstd",
        `frame window of ${window} bytes is larger than this decoder supports (${maxWindowBytes}; zstd-codec's WebAssembly memory is fixed at 16 MiB)`,
        frameStart,
      );
    }
    largestWindow = Math.max(largestWindow, window);
    // Blocks: 3-byte little-endian header = last flag, type, size.
    for (;;) {
      if (p + 3 > data.length) throw corrupt("zstd", "block header truncated", p);
      const bh = data[p]! | (data[p + 1]! << 8) | (data[p + 2]! << 16);
      p += 3;
      const last = bh & 1;
      const type = (bh >>> 1) & 3;
      const size = bh >>> 3;
      if (type === 3) throw corrupt("zstd", "reserved block type", p - 3);
      const payload = type === 1 ? 1 : size;
      if (p + payload > data.length)
        throw corrupt("zstd", `block of ${payload} bytes runs past the end`, p - 3);
      p += payload;
      if (last) break;
    }
    if (checksum) {
      if (p + 4 > data.length) throw corrupt("zstd", "content checksum truncated", p);
      p += 4;
    }
    frames++;
  }
  if (frames === 0) throw corrupt("zstd", "no zstd frame (only skippable frames)");
  return { frames, declaredContentBytes: declared, largestWindowBytes: largestWindow };
}
