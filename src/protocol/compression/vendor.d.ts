// Type declarations for the untyped codec packages used by src/protocol/compression.

declare module "snappyjs" {
  /** Raw snappy block (varint uncompressed length + tagged elements). */
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
}

declare module "zstd-codec/lib/zstd-codec-binding-wasm.js" {
  /** The emscripten module factory: fills `module` in, then calls module.onRuntimeInitialized. */
  const factory: (module: Record<string, unknown>) => void;
  export default factory;
}

declare module "lz4js" {
  /** LZ4 frame (lz4js writes dependent blocks, which Kafka refuses; used as a test oracle). */
  export function compress(input: Uint8Array): Uint8Array;
  export function decompress(input: Uint8Array, maxSize?: number): Uint8Array;
}
