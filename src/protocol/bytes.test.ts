import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteReader, ByteWriter, utf8Decode, utf8Length } from "./bytes";
import { CorruptRecordError } from "./errors";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("ByteWriter", () => {
  it("writes big-endian integers of every width, including negatives", () => {
    const w = new ByteWriter(16);
    w.int8(-1)
      .int16(-2)
      .int32(-3)
      .uint32(0xdeadbeef)
      .int64(-4)
      .int64(2 ** 53 - 1);
    expect(hex(w.view())).toBe(
      "ff" + "fffe" + "fffffffd" + "deadbeef" + "fffffffffffffffc" + "001fffffffffffff",
    );
  });

  it("writes int64 from BigInt over the full range and refuses unsafe numbers", () => {
    const w = new ByteWriter();
    w.int64BigInt(-(1n << 63n)).int64BigInt((1n << 63n) - 1n);
    expect(hex(w.finish())).toBe("8000000000000000" + "7fffffffffffffff");
    expect(() => new ByteWriter().int64(2 ** 53)).toThrow(/not a safe integer/);
  });

  it("grows past its initial capacity and can be reset and reused", () => {
    const w = new ByteWriter(16);
    for (let i = 0; i < 1000; i++) w.int32(i);
    expect(w.length).toBe(4000);
    const r = new ByteReader(w.finish());
    for (let i = 0; i < 1000; i++) expect(r.int32("n")).toBe(i);
    w.reset().int8(5);
    expect(hex(w.view())).toBe("05");
  });

  it("back-patches a reserved int32 and refuses to patch past what was written", () => {
    const w = new ByteWriter();
    const at = w.reserve(4);
    w.int8(1);
    w.setInt32At(at, 0x01020304);
    expect(hex(w.view())).toBe("0102030401");
    expect(() => w.setInt32At(3, 0)).toThrow(RangeError);
  });

  it("encodes UTF-8 exactly as TextEncoder, with utf8Length agreeing (surrogate pairs, lone surrogates)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        const w = new ByteWriter(4);
        const n = w.utf8(s);
        const expected = new TextEncoder().encode(s);
        expect(hex(w.view())).toBe(hex(expected));
        expect(n).toBe(expected.length);
        expect(utf8Length(s)).toBe(expected.length);
      }),
    );
    expect(utf8Length("\ud800")).toBe(3);
  });

  it("writes nullable bytes as Kafka's varint length (-1 = null) plus the bytes", () => {
    const w = new ByteWriter();
    w.varintBytes(null).varintBytes(Uint8Array.of(9, 8));
    expect(hex(w.view())).toBe("01" + "04" + "0908");
  });
});

describe("ByteReader", () => {
  it("reads what the writer wrote", () => {
    const w = new ByteWriter();
    w.int8(-5)
      .int16(-300)
      .int32(-70000)
      .int64(-(2 ** 50))
      .varint(-12345)
      .varlong(2 ** 40)
      .varintBytes(Uint8Array.of(1, 2));
    const r = new ByteReader(w.finish());
    expect([r.int8("a"), r.int16("b"), r.int32("c"), r.int64("d"), r.varint("e"), r.varlong("f")]).toEqual([
      -5,
      -300,
      -70000,
      -(2 ** 50),
      -12345,
      2 ** 40,
    ]);
    expect(Array.from(r.varintBytes("g")!)).toEqual([1, 2]);
    expect(r.remaining).toBe(0);
  });

  it("says which field was truncated, how many bytes it needed and where", () => {
    const r = new ByteReader(Uint8Array.of(1, 2, 3, 4, 5, 6), 4);
    expect(() => r.int32("batchLength")).toThrow(
      "CORRUPT_MESSAGE: Cannot read batchLength: needs 4 bytes, 2 left (at byte 4)",
    );
    try {
      r.int64("baseOffset");
    } catch (e) {
      expect(e).toBeInstanceOf(CorruptRecordError);
      expect((e as CorruptRecordError).position).toBe(4);
      expect((e as CorruptRecordError).code).toBe(2);
    }
  });

  it("never reads past `end`, even when the underlying buffer continues", () => {
    const r = new ByteReader(Uint8Array.of(0, 0, 0, 1, 0xff, 0xff), 0, 4);
    expect(r.int32("x")).toBe(1);
    expect(() => r.int8("y")).toThrow(CorruptRecordError);
    expect(() => new ByteReader(Uint8Array.of(1), 0, 2)).toThrow(RangeError);
  });

  it("rejects nullable byte lengths below -1 and lengths past the end", () => {
    expect(() => new ByteReader(Uint8Array.of(0x03)).varintBytes("record key")).toThrow(
      /Cannot read record key: invalid length -2/,
    );
    expect(() => new ByteReader(Uint8Array.of(0x0a, 1, 2)).varintBytes("record value")).toThrow(
      /Cannot read record value: needs 5 bytes, 2 left/,
    );
    expect(new ByteReader(Uint8Array.of(0x01)).varintBytes("v")).toBeNull();
  });

  it("refuses int64 values outside the safe-integer range but reads them exactly as BigInt", () => {
    const bytes = Uint8Array.of(0x00, 0x20, 0, 0, 0, 0, 0, 0); // 2^53
    expect(() => new ByteReader(bytes).int64("producerId")).toThrow(/outside the JS safe-integer range/);
    expect(new ByteReader(bytes).int64BigInt("producerId")).toBe(2n ** 53n);
  });

  it("decodes UTF-8 like TextDecoder (fast ASCII path and replacement of invalid bytes)", () => {
    expect(utf8Decode(new TextEncoder().encode("trace-id"))).toBe("trace-id");
    expect(utf8Decode(new TextEncoder().encode("日本語のヘッダー"))).toBe("日本語のヘッダー");
    expect(utf8Decode(Uint8Array.of(0x61, 0xff, 0x62))).toBe("a\ufffdb");
  });
});
