import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CorruptRecordError } from "./errors";
import {
  decodeVarint,
  decodeVarlong,
  encodeVarint,
  encodeVarlong,
  readVarlong,
  sizeOfVarint,
  sizeOfVarlong,
  sizeOfVarlongBigInt,
  zigzagDecode32,
  zigzagEncode32,
} from "./varint";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, "hex"));

/** Reference encoder straight from the definition, on BigInt. */
function referenceVarlong(n: bigint): string {
  let u = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
  let out = "";
  do {
    let b = Number(u & 0x7fn);
    u >>= 7n;
    if (u > 0n) b |= 0x80;
    out += b.toString(16).padStart(2, "0");
  } while (u > 0n);
  return out;
}

describe("varint", () => {
  it("encodes the kafka-facts B3 examples: 0→00, -1→01, 1→02, 64→8001, 300→d804", () => {
    expect(hex(encodeVarint(0))).toBe("00");
    expect(hex(encodeVarint(-1))).toBe("01");
    expect(hex(encodeVarint(1))).toBe("02");
    expect(hex(encodeVarint(64))).toBe("8001");
    expect(hex(encodeVarint(300))).toBe("d804");
    expect(hex(encodeVarlong(300))).toBe("d804");
  });

  it("zigzag maps int32 extremes and round-trips", () => {
    expect(zigzagEncode32(2147483647)).toBe(4294967294);
    expect(zigzagEncode32(-2147483648)).toBe(4294967295);
    expect(hex(encodeVarint(-2147483648))).toBe("ffffffff0f");
    for (const n of [0, 1, -1, 63, -64, 64, 2147483647, -2147483648])
      expect(zigzagDecode32(zigzagEncode32(n))).toBe(n);
  });

  it("round-trips every int32 it is given, with sizeOfVarint equal to the encoded length", () => {
    fc.assert(
      fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), (n) => {
        const enc = encodeVarint(n);
        expect(enc.length).toBe(sizeOfVarint(n));
        expect(decodeVarint(enc)).toEqual({ value: n, size: enc.length });
        expect(hex(enc)).toBe(referenceVarlong(BigInt(n)));
      }),
    );
  });

  it("round-trips varlongs exactly over the full int64 range (BigInt) and matches the reference encoder", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (n) => {
        const enc = encodeVarlong(n);
        expect(hex(enc)).toBe(referenceVarlong(n));
        expect(enc.length).toBe(sizeOfVarlongBigInt(n));
        expect(decodeVarlong(enc)).toEqual({ value: n, size: enc.length });
      }),
    );
    expect(hex(encodeVarlong(-(1n << 63n)))).toBe("ffffffffffffffffff01");
    expect(decodeVarlong(bytes("feffffffffffffffff01")).value).toBe((1n << 63n) - 1n);
  });

  it("encodes and reads safe-integer varlongs as numbers, identical to the BigInt path", () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const enc = encodeVarlong(n);
        expect(hex(enc)).toBe(referenceVarlong(BigInt(n)));
        expect(enc.length).toBe(sizeOfVarlong(n));
        const c = { bytes: enc, pos: 0, end: enc.length };
        expect(readVarlong(c)).toBe(n);
        expect(c.pos).toBe(enc.length);
      }),
    );
    for (const n of [
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      2 ** 52,
      -(2 ** 52),
      2 ** 31,
      -(2 ** 31) - 1,
    ]) {
      const c = { bytes: encodeVarlong(n), pos: 0, end: encodeVarlong(n).length };
      expect(readVarlong(c)).toBe(n);
    }
  });

  it("refuses to read a varlong outside the safe-integer range as a number", () => {
    const enc = encodeVarlong(BigInt(Number.MAX_SAFE_INTEGER) + 1n);
    expect(() => readVarlong({ bytes: enc, pos: 0, end: enc.length }, "timestampDelta")).toThrow(
      /safe-integer/,
    );
    const min = encodeVarlong(-(2n ** 53n));
    expect(() => readVarlong({ bytes: min, pos: 0, end: min.length })).toThrow(CorruptRecordError);
  });

  it("rejects truncated encodings with CorruptRecordError naming the field", () => {
    expect(() => decodeVarint(bytes("80"))).toThrow(CorruptRecordError);
    expect(() => decodeVarint(bytes(""))).toThrow(/truncated/);
    expect(() => decodeVarlong(bytes("ffff"))).toThrow(/truncated/);
    const c = { bytes: bytes("8080"), pos: 0, end: 2 };
    expect(() => readVarlong(c, "timestampDelta")).toThrow(/Cannot read timestampDelta/);
  });

  it("rejects encodings longer than 5 / 10 bytes and bits beyond the type's width", () => {
    expect(() => decodeVarint(bytes("8080808080"))).toThrow(/longer than 5 bytes/);
    expect(() => decodeVarint(bytes("ffffffff1f"))).toThrow(/does not fit 32 bits/);
    expect(() => decodeVarlong(bytes("8080808080808080808001"))).toThrow(/longer than 10 bytes/);
    expect(() => decodeVarlong(bytes("ffffffffffffffffff02"))).toThrow(/does not fit 64 bits/);
  });

  it("accepts non-minimal encodings within the length limit, as Kafka does", () => {
    expect(decodeVarint(bytes("8000"))).toEqual({ value: 0, size: 2 });
  });

  it("refuses to encode non-int32 varints and non-integer varlongs", () => {
    expect(() => encodeVarint(2147483648)).toThrow(RangeError);
    expect(() => encodeVarint(1.5)).toThrow(RangeError);
    expect(() => encodeVarlong(2 ** 53)).toThrow(RangeError);
  });
});
