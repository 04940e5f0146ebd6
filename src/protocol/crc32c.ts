/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of RecordBatch v2
 * (Kafka's `Crc32C` in clients/.../utils/Crc32C.java, KIP-98 moved batches to it).
 *
 * Slice-by-16: sixteen 256-entry tables let the loop consume 16 bytes per step. Every batch
 * appended to the log is checked, so this loop bounds the log's append throughput
 * (bench/log.bench.ts). Two implementations of the same loop:
 * - WebAssembly (crc32c.wat via crc32c-wasm.ts) for inputs of WASM_MIN_BYTES or more: ~2.4×
 *   the JavaScript loop (bench/protocol.bench.ts), in Node and in browsers alike;
 * - JavaScript (crc32cUpdateJs) for short inputs and hosts without WebAssembly. On
 *   little-endian hosts (all mainstream ones) it loads four bytes at a time through an
 *   Int32Array over the 4-byte-aligned middle of the range; elsewhere, and for the unaligned
 *   head and the tail, it reads bytes one at a time.
 * Test vector: crc32c("123456789") = 0xE3069283.
 */

import { instantiateCrc32cWasm } from "./crc32c-wasm";

const POLY = 0x82f63b78;

/** Tk[b]: the CRC contribution of byte b followed by k zero bytes (k = 0..15). */
function makeTables(): Uint32Array[] {
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[n] = c >>> 0;
  }
  const tables = [t0];
  for (let k = 1; k < 16; k++) {
    const prev = tables[k - 1]!;
    const cur = new Uint32Array(256);
    for (let n = 0; n < 256; n++) cur[n] = (prev[n]! >>> 8) ^ t0[prev[n]! & 0xff]!;
    tables.push(cur);
  }
  return tables;
}

// Sixteen separate 256-entry tables (rather than one 4096-entry table): index expressions stay
// within a known 0..255 range, which measured ~10% faster in V8.
const TABLES = makeTables();
const [T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15] = TABLES as [
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
];
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Below this many bytes the word loop is not worth setting up. */
const WORD_LOOP_MIN_BYTES = 64;

/**
 * The JavaScript slice-by-16 loop: used for inputs shorter than WASM_MIN_BYTES and where
 * WebAssembly is unavailable; exported for the tests and the benchmark that compare the two.
 */
export function crc32cUpdateJs(crc: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = ~crc >>> 0;
  let i = start;
  if (LITTLE_ENDIAN && end - i >= WORD_LOOP_MIN_BYTES) {
    // Head: single bytes up to a 4-byte boundary of the underlying buffer.
    for (let head = (4 - ((bytes.byteOffset + i) & 3)) & 3; head > 0; head--)
      c = T0[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8);
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, (end - i) >>> 2);
    const wordsEnd = words.length - (words.length & 3);
    let w = 0;
    while (w < wordsEnd) {
      const a = c ^ words[w]!;
      const b = words[w + 1]!;
      const d = words[w + 2]!;
      const e = words[w + 3]!;
      c =
        T15[a & 0xff]! ^
        T14[(a >>> 8) & 0xff]! ^
        T13[(a >>> 16) & 0xff]! ^
        T12[a >>> 24]! ^
        T11[b & 0xff]! ^
        T10[(b >>> 8) & 0xff]! ^
        T9[(b >>> 16) & 0xff]! ^
        T8[b >>> 24]! ^
        T7[d & 0xff]! ^
        T6[(d >>> 8) & 0xff]! ^
        T5[(d >>> 16) & 0xff]! ^
        T4[d >>> 24]! ^
        T3[e & 0xff]! ^
        T2[(e >>> 8) & 0xff]! ^
        T1[(e >>> 16) & 0xff]! ^
        T0[e >>> 24]!;
      w += 4;
    }
    i += w * 4;
  } else {
    // Portable slice-by-16 over single bytes.
    const fastEnd = end - ((end - i) & 15);
    while (i < fastEnd) {
      const a =
        (c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
      c =
        T15[a & 0xff]! ^
        T14[(a >>> 8) & 0xff]! ^
        T13[(a >>> 16) & 0xff]! ^
        T12[a >>> 24]! ^
        T11[bytes[i + 4]!]! ^
        T10[bytes[i + 5]!]! ^
        T9[bytes[i + 6]!]! ^
        T8[bytes[i + 7]!]! ^
        T7[bytes[i + 8]!]! ^
        T6[bytes[i + 9]!]! ^
        T5[bytes[i + 10]!]! ^
        T4[bytes[i + 11]!]! ^
        T3[bytes[i + 12]!]! ^
        T2[bytes[i + 13]!]! ^
        T1[bytes[i + 14]!]! ^
        T0[bytes[i + 15]!]!;
      i += 16;
    }
  }
  while (i < end) c = T0[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** Below this many bytes the call and copy into WebAssembly cost more than they save. */
const WASM_MIN_BYTES = 256;
const wasmUpdate = instantiateCrc32cWasm(TABLES);

/** Which loop serves inputs of WASM_MIN_BYTES or more on this host. */
export const crc32cBackend: "wasm" | "js" = wasmUpdate === undefined ? "js" : "wasm";

/** Continue a CRC-32C over bytes[start, end). Pass the previous result as `crc` to chain. */
export function crc32cUpdate(crc: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (wasmUpdate !== undefined && end - start >= WASM_MIN_BYTES) return wasmUpdate(crc, bytes, start, end);
  return crc32cUpdateJs(crc, bytes, start, end);
}

/** CRC-32C of bytes[start, end), as an unsigned 32-bit number. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32cUpdate(0, bytes, start, end);
}
