/**
 * The codec registry: Kafka's five compression types by name and id (CompressionType.java).
 * `initCodecs()` must be awaited once before zstd is used (its WebAssembly loads
 * asynchronously); the other codecs work at once.
 */
import { UnsupportedCompressionError } from "../errors";
import {
  CompressionCodecIds,
  compressionTypeForId,
  type CodecOverrides,
  type CompressionCodec,
  type CompressionType,
} from "./codec";
import { gzipCodec } from "./gzip";
import { lz4Codec } from "./lz4";
import { snappyCodec } from "./snappy";
import { initZstd, zstdCodec } from "./zstd";

export * from "./codec";
export { gzipCodec, gzipCompress, gzipDecompress, type GzipLevel } from "./gzip";
export {
  snappyCodec,
  snappyCompress,
  snappyCompressRaw,
  snappyDecompress,
  snappyDecompressRaw,
  XERIAL_MAGIC,
} from "./snappy";
export { lz4Codec, lz4Compress, lz4Decompress, LZ4_BLOCK_BYTES } from "./lz4";
export {
  zstdCodec,
  zstdCompress,
  zstdDecompress,
  initZstd,
  isZstdReady,
  ZSTD_DEFAULT_LEVEL,
  ZSTD_MAX_LEVEL,
  ZSTD_MIN_LEVEL,
  ZSTD_MAX_WINDOW_BYTES,
} from "./zstd";
export { xxhash32 } from "./xxhash32";
export { crc32 } from "./crc32";

/** The identity codec for "none". */
export const noneCodec: CompressionCodec = {
  type: "none",
  id: 0,
  compress: (data) => data,
  decompress: (data) => data,
};

const defaults: Record<CompressionType, CompressionCodec> = {
  none: noneCodec,
  gzip: gzipCodec(),
  snappy: snappyCodec(),
  lz4: lz4Codec(),
  zstd: zstdCodec(),
};

/** Load what needs loading (zstd's WebAssembly). Idempotent. */
export async function initCodecs(): Promise<void> {
  await initZstd();
}

/** The codec for a type, or the override for it. */
export function getCodec(type: CompressionType, overrides?: CodecOverrides): CompressionCodec {
  const codec = overrides?.[type] ?? defaults[type];
  if (!codec) throw new UnsupportedCompressionError(`Unknown compression type "${String(type)}"`);
  return codec;
}

/** The codec for an attributes codec id (0-4); ids 5-7 are not Kafka codecs. */
export function getCodecById(id: number, overrides?: CodecOverrides): CompressionCodec {
  const type = compressionTypeForId(id);
  if (!type) throw new UnsupportedCompressionError(`Unknown compression codec id ${id} (Kafka defines 0-4)`);
  return getCodec(type, overrides);
}

export function isCompressionType(x: unknown): x is CompressionType {
  return typeof x === "string" && Object.prototype.hasOwnProperty.call(CompressionCodecIds, x);
}
