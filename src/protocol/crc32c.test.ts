import { describe, expect, it } from "vitest";
import { crc32c, crc32cUpdate, crc32cUpdateJs } from "./crc32c";

const ascii = (s: string) => new TextEncoder().encode(s);

describe("crc32c", () => {
  it('matches the published check value crc32c("123456789") = 0xE3069283', () => {
    expect(crc32c(ascii("123456789"))).toBe(0xe3069283);
  });

  it("is 0 for empty input", () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it("matches RFC 3720 B.4 vectors (32 zero bytes, 32 0xFF bytes, ascending bytes)", () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
  });

  it("gives the same result in one call, chained, and at every alignment (slice-by-8 tail handling)", () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31 + 7) & 0xff);
    const whole = crc32c(data);
    for (const cut of [0, 1, 7, 8, 9, 500, 999, 1000]) {
      expect(crc32cUpdate(crc32c(data, 0, cut), data, cut)).toBe(whole);
    }
    // Subranges: compare slice-by-8 with a plain bytewise reference.
    const slow = (b: Uint8Array) => {
      let c = ~0 >>> 0;
      for (const x of b) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return ~c >>> 0;
    };
    for (let start = 0; start < 9; start++) {
      for (const len of [0, 1, 5, 8, 13, 64, 100]) {
        expect(crc32c(data, start, start + len)).toBe(slow(data.subarray(start, start + len)));
      }
    }
  });

  it("agrees with the bytewise reference for views at every buffer alignment and length (word and byte paths)", () => {
    const slow = (b: Uint8Array) => {
      let c = ~0 >>> 0;
      for (const x of b) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return ~c >>> 0;
    };
    const buffer = Uint8Array.from({ length: 4200 }, (_, i) => (i * 131 + 17) & 0xff);
    for (let offset = 0; offset < 5; offset++) {
      const view = buffer.subarray(offset);
      for (const len of [15, 16, 17, 40, 63, 64, 65, 79, 128, 200, 513, 4099]) {
        for (const start of [0, 1, 2, 3, 21]) {
          const want = slow(view.subarray(start, start + len));
          expect(crc32c(view, start, start + len)).toBe(want);
          // The JavaScript loop on its own (crc32c hands inputs of 256 bytes or more to WebAssembly).
          expect(crc32cUpdateJs(0, view, start, start + len)).toBe(want);
        }
      }
    }
  });
});
