/**
 * The compression codec contract and Kafka's codec ids (CompressionType.java): none 0, gzip 1,
 * snappy 2, lz4 3, zstd 4, stored in bits 0-2 of a RecordBatch's attributes. When a batch is
 * compressed, all its records (everything after the 61-byte header) are one compressed blob.
 *
 * Every codec is synchronous and browser-safe. `decompress` takes a bound on its output and
 * throws DecompressionLimitError rather than allocate past it (decompression bombs); malformed
 * input throws CorruptRecordError. Codecs are pluggable per call (CodecOverrides), so a test
 * can hand the encoder another gzip implementation and compare bytes.
 */
import { CorruptRecordError, DecompressionLimitError } from "../errors";

export type CompressionType = "none" | "gzip" | "snappy" | "lz4" | "zstd";

/** Kafka's codec ids (CompressionType.java). */
export const CompressionCodecIds: Readonly<Record<CompressionType, number>> = {
  none: 0,
  gzip: 1,
  snappy: 2,
  lz4: 3,
  zstd: 4,
};

const TYPES_BY_ID: readonly CompressionType[] = ["none", "gzip", "snappy", "lz4", "zstd"];

/** The codec name for an id, or undefined for ids 5-7 (unused in Kafka). */
export function compressionTypeForId(id: number): CompressionType | undefined {
  return TYPES_BY_ID[id];
}

export interface CompressionCodec {
  readonly type: CompressionType;
  readonly id: number;
  compress(data: Uint8Array): Uint8Array;
  /**
   * Decompress `data`, producing at most `maxOutputBytes` bytes.
   * @throws DecompressionLimitError when the output would exceed maxOutputBytes
   * @throws CorruptRecordError when `data` is not valid for this codec
   */
  decompress(data: Uint8Array, maxOutputBytes: number): Uint8Array;
}

/** Replacement codecs for one call (e.g. a gzip built on node:zlib in a test). */
export type CodecOverrides = Partial<Record<CompressionType, CompressionCodec>>;

/** 64 MiB: the default bound on one batch's decompressed records. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

export function limitExceeded(
  type: CompressionType,
  what: string,
  limitBytes: number,
): DecompressionLimitError {
  return new DecompressionLimitError(
    `Cannot decompress ${type} data: ${what} exceeds the limit of ${limitBytes} bytes (maxDecompressedBytes)`,
    limitBytes,
  );
}

export function corrupt(type: CompressionType, detail: string, position?: number): CorruptRecordError {
  return new CorruptRecordError(`Cannot decompress ${type} data: ${detail}`, position);
}
