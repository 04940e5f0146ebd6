/**
 * CRC-32C through WebAssembly: the slice-by-16 loop of crc32c.wat, compiled synchronously from
 * the bytes in crc32c-wasm-bytes.ts (425 bytes, well under the 4 KiB browsers allow for
 * synchronous compilation on the main thread; nothing is fetched). crc32c.ts uses it for inputs
 * of WASM_MIN_BYTES or more and keeps its JavaScript loop for short inputs and for hosts where
 * WebAssembly is unavailable (e.g. a Content-Security-Policy without 'wasm-unsafe-eval').
 *
 * WebAssembly reads only its own memory, so input is copied in, in chunks of INPUT_BYTES; a
 * memory copy runs an order of magnitude faster than the CRC, so the copy costs ~5 %.
 */
import { CRC32C_WASM_HEX } from "./crc32c-wasm-bytes";

/** Continue a finished CRC-32C over bytes[start, end) and return the finished CRC (unsigned). */
export type Crc32cUpdate = (crc: number, bytes: Uint8Array, start: number, end: number) => number;

/** Layout of the module's one 64 KiB page (see crc32c.wat). */
const PAGE_BYTES = 65536;
const TABLES_BYTES = 16 * 256 * 4;
const INPUT_OFFSET = TABLES_BYTES;
const INPUT_BYTES = PAGE_BYTES - TABLES_BYTES;

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Instantiates the module with the sixteen slice-by-16 tables (T0..T15, as crc32c.ts builds
 * them) and returns its update function, or undefined if this host cannot run WebAssembly.
 */
export function instantiateCrc32cWasm(tables: readonly Uint32Array[]): Crc32cUpdate | undefined {
  if (typeof WebAssembly !== "object") return undefined;
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(new WebAssembly.Module(fromHex(CRC32C_WASM_HEX)), {});
  } catch {
    return undefined; // compilation refused (CSP) or unsupported: the JavaScript loop serves
  }
  const memory = instance.exports["memory"] as WebAssembly.Memory;
  const update = instance.exports["update"] as (crc: number, ptr: number, len: number) => number;
  // WebAssembly memory is little-endian on every host; write the tables so.
  const dv = new DataView(memory.buffer);
  tables.forEach((table, k) => table.forEach((v, n) => dv.setUint32(k * 1024 + n * 4, v, true)));
  const input = new Uint8Array(memory.buffer, INPUT_OFFSET, INPUT_BYTES);
  return (crc, bytes, start, end) => {
    let c = crc;
    for (let i = start; i < end; i += INPUT_BYTES) {
      const n = Math.min(INPUT_BYTES, end - i);
      input.set(bytes.subarray(i, i + n));
      c = update(c, INPUT_OFFSET, n);
    }
    return c >>> 0;
  };
}
