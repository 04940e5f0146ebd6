/**
 * Little-endian unsigned 32-bit fields, as the container formats around the codecs store them:
 * the gzip trailer (CRC-32, ISIZE; RFC 1952), the LZ4 frame's magic and block sizes
 * (lz4_Frame_format.md), and the zstd frame magic and skippable-frame sizes (RFC 8878).
 * Reads return 0..2^32-1; writes keep the low 32 bits of `v`. Callers check bounds.
 * (The hash and block inner loops in xxhash32.ts and lz4-block.ts read signed words on purpose.)
 */

export function readUint32LE(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

export function writeUint32LE(b: Uint8Array, p: number, v: number): void {
  b[p] = v;
  b[p + 1] = v >>> 8;
  b[p + 2] = v >>> 16;
  b[p + 3] = v >>> 24;
}
