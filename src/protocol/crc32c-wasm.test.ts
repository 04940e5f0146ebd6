import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WASM_SOURCES, assembleWat, renderModule } from "../../scripts/lib/wasm";
import { crc32c, crc32cBackend, crc32cUpdate, crc32cUpdateJs } from "./crc32c";

/** Bit-at-a-time CRC-32C: the slowest, most obviously correct reference. */
function bitwise(crc: number, bytes: Uint8Array): number {
  let c = ~crc >>> 0;
  for (const x of bytes) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

describe("crc32c in WebAssembly", () => {
  it("is the loop Node uses for long inputs (the module compiles and instantiates)", () => {
    expect(crc32cBackend).toBe("wasm");
  });

  it("ships exactly the bytes its .wat source assembles to (run scripts/build-wasm.ts after editing it)", async () => {
    for (const source of WASM_SOURCES) {
      const bytes = await assembleWat(source.wat);
      expect(readFileSync(source.out, "utf8")).toBe(renderModule(source, bytes));
    }
  });

  it("matches the check value and the JavaScript loop on long inputs", () => {
    const digits = new TextEncoder().encode("123456789".repeat(100));
    expect(crc32c(digits)).toBe(crc32cUpdateJs(0, digits));
    expect(crc32c(digits)).toBe(bitwise(0, digits));
  });

  it("agrees with the JavaScript loop and the bitwise reference for any range and starting CRC", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 2048 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 0xffffffff }),
        (data, a, b, init) => {
          const start = data.length === 0 ? 0 : a % (data.length + 1);
          const end = start + (data.length === 0 ? 0 : b % (data.length - start + 1));
          const got = crc32cUpdate(init, data, start, end);
          expect(got).toBe(crc32cUpdateJs(init, data, start, end));
          expect(got).toBe(bitwise(init, data.subarray(start, end)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("chains across its 48 KiB input chunks", () => {
    const data = Uint8Array.from({ length: 3 * 49152 + 77 }, (_, i) => (i * 2654435761) >>> 24);
    const whole = crc32cUpdateJs(0, data);
    expect(crc32c(data)).toBe(whole);
    for (const cut of [1, 255, 256, 49151, 49152, 49153, 100000]) {
      expect(crc32cUpdate(crc32c(data, 0, cut), data, cut)).toBe(whole);
    }
  });
});
