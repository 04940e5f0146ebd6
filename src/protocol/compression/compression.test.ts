import { spawnSync } from "node:child_process";
import * as zlib from "node:zlib";
import { gunzipSync, gzipSync, deflateRawSync } from "node:zlib";
import fc from "fast-check";
import * as lz4js from "lz4js";
import * as snappyjs from "snappyjs";
import { beforeAll, describe, expect, it } from "vitest";
import { CorruptRecordError, DecompressionLimitError } from "../errors";
import {
  CompressionCodecIds,
  crc32,
  getCodec,
  getCodecById,
  gzipDecompress,
  initCodecs,
  lz4Compress,
  lz4Decompress,
  snappyCompress,
  snappyCompressRaw,
  snappyDecompress,
  XERIAL_MAGIC,
  xxhash32,
  zstdCompress,
  zstdDecompress,
  type CompressionType,
} from "./index";

const utf8 = (s: string) => new TextEncoder().encode(s);
const MiB = 1 << 20;
/** Byte equality without vitest's slow deep-equal on large typed arrays. */
const same = (a: Uint8Array, b: Uint8Array) =>
  Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.length),
    Buffer.from(b.buffer, b.byteOffset, b.length),
  ) === 0;
const hasCli = (cmd: string) => spawnSync(cmd, ["--version"]).status === 0;
const run = (cmd: string, args: string[], input: Uint8Array) => {
  const r = spawnSync(cmd, args, { input, maxBuffer: 64 * MiB });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr.toString()}`);
  return new Uint8Array(r.stdout);
};

/** JSON-ish order records, the realistic payload of a Kafka batch. */
function orders(n: number): Uint8Array {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      JSON.stringify({
        orderId: 100000 + i,
        customer: `c-${(i * 7919) % 1000}`,
        sku: `SKU-${i % 97}`,
        qty: (i % 5) + 1,
        price: ((i * 37) % 10000) / 100,
      }),
    );
  }
  return utf8(lines.join("\n"));
}

function pseudoRandom(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    out[i] = x >>> 24;
  }
  return out;
}

const samples: [string, Uint8Array][] = [
  ["empty", new Uint8Array(0)],
  ["one byte", Uint8Array.of(7)],
  ["13 bytes", utf8("hello, kafka!")],
  ["orders 200 KiB", orders(2500)],
  ["zeros 1 MiB", new Uint8Array(MiB)],
  ["incompressible 300 KiB", pseudoRandom(300 * 1024)],
  ["exactly 64 KiB", orders(2000).subarray(0, 65536)],
];

beforeAll(async () => {
  await initCodecs();
});

describe("codec registry", () => {
  it("uses Kafka's codec ids: none 0, gzip 1, snappy 2, lz4 3, zstd 4", () => {
    expect(CompressionCodecIds).toEqual({ none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 });
    for (const [type, id] of Object.entries(CompressionCodecIds)) {
      expect(getCodecById(id).type).toBe(type);
      expect(getCodec(type as CompressionType).id).toBe(id);
    }
    expect(() => getCodecById(5)).toThrow(/Unknown compression codec id 5/);
  });

  for (const type of ["gzip", "snappy", "lz4", "zstd"] as const) {
    for (const [name, data] of samples) {
      it(`${type} round-trips ${name}`, () => {
        const codec = getCodec(type);
        const z = codec.compress(data);
        expect(same(codec.decompress(z, data.length), data)).toBe(true);
      });
    }
    it(`${type}: property round-trip of random bytes`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 0, max: 3 }), (data, repeat) => {
          const input = new Uint8Array(data.length * (repeat + 1));
          for (let r = 0; r <= repeat; r++) input.set(data, r * data.length);
          const codec = getCodec(type);
          expect(same(codec.decompress(codec.compress(input), input.length), input)).toBe(true);
        }),
        { numRuns: 60 },
      );
    });
    it(`${type}: truncated or garbage input is a CorruptRecordError, never a crash`, () => {
      const codec = getCodec(type);
      const z = codec.compress(orders(300));
      for (const cut of [0, 1, 5, Math.floor(z.length / 2), z.length - 1]) {
        expect(() => codec.decompress(z.subarray(0, cut), 10 * MiB)).toThrow(CorruptRecordError);
      }
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (junk) => {
          try {
            codec.decompress(junk, MiB);
          } catch (e) {
            expect(e).toBeInstanceOf(CorruptRecordError);
          }
        }),
        { numRuns: 100 },
      );
    });
    it(`${type}: output above maxOutputBytes is a DecompressionLimitError`, () => {
      const codec = getCodec(type);
      const z = codec.compress(new Uint8Array(4 * MiB));
      expect(z.length).toBeLessThan(MiB / 4);
      expect(() => codec.decompress(z, MiB)).toThrow(DecompressionLimitError);
      expect(() => codec.decompress(z, 4 * MiB - 1)).toThrow(/exceeds the limit of 4194303 bytes/);
    });
  }
});

describe("gzip", () => {
  it("crc32 matches the check value and node's zlib.crc32", () => {
    expect(crc32(utf8("123456789"))).toBe(0xcbf43926);
    const data = orders(100);
    const zlibCrc32 = (zlib as { crc32?: (b: Uint8Array) => number }).crc32;
    if (zlibCrc32) expect(crc32(data)).toBe(zlibCrc32(data));
  });

  it("writes a deterministic RFC 1952 member that node's zlib reads, and reads zlib's", () => {
    const data = orders(1000);
    const ours = getCodec("gzip").compress(data);
    expect(Array.from(ours.subarray(0, 10))).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    expect(same(gunzipSync(ours), data)).toBe(true);
    expect(same(gzipDecompress(new Uint8Array(gzipSync(data)), data.length), data)).toBe(true);
  });

  it("reads headers with FEXTRA, FNAME, FCOMMENT and FHCRC", () => {
    const data = utf8("payload with every optional header field");
    const body = deflateRawSync(data);
    const header = [
      0x1f,
      0x8b,
      8,
      0x02 | 0x04 | 0x08 | 0x10,
      0,
      0,
      0,
      0,
      0,
      3,
      3,
      0,
      1,
      2,
      3,
      ...utf8("name"),
      0,
      ...utf8("comment"),
      0,
      0xaa,
      0xbb,
    ];
    const trailer = new Uint8Array(8);
    new DataView(trailer.buffer).setUint32(0, crc32(data), true);
    new DataView(trailer.buffer).setUint32(4, data.length, true);
    expect(gzipDecompress(Uint8Array.from([...header, ...body, ...trailer]), 1000)).toEqual(data);
  });

  it("checks the trailer: a wrong CRC or ISIZE is corrupt, a huge ISIZE is refused before allocating", () => {
    const data = orders(50);
    const z = getCodec("gzip").compress(data);
    const badCrc = z.slice();
    badCrc[z.length - 8]! ^= 1;
    expect(() => gzipDecompress(badCrc, MiB)).toThrow(/CRC-32 mismatch/);
    const smallIsize = z.slice();
    new DataView(smallIsize.buffer).setUint32(z.length - 4, data.length - 10, true);
    expect(() => gzipDecompress(smallIsize, MiB)).toThrow(/inflated to more than/);
    const hugeIsize = z.slice();
    new DataView(hugeIsize.buffer).setUint32(z.length - 4, 0xffffffff, true);
    expect(() => gzipDecompress(hugeIsize, 64 * MiB)).toThrow(DecompressionLimitError);
    const badMagic = z.slice();
    badMagic[0] = 0;
    expect(() => gzipDecompress(badMagic, MiB)).toThrow(/bad magic/);
  });
});

describe("snappy (xerial framing)", () => {
  it("writes snappy-java's stream header and 32 KiB length-prefixed raw blocks", () => {
    const data = orders(3000); // > 32 KiB
    const z = snappyCompress(data);
    expect(Array.from(z.subarray(0, 16))).toEqual([
      0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1,
    ]);
    let p = 16;
    const blocks: Uint8Array[] = [];
    while (p < z.length) {
      const n = new DataView(z.buffer, z.byteOffset).getInt32(p);
      blocks.push(snappyjs.uncompress(z.slice(p + 4, p + 4 + n)));
      p += 4 + n;
    }
    expect(p).toBe(z.length);
    expect(blocks.slice(0, -1).every((b) => b.length === 32 * 1024)).toBe(true);
    expect(same(Buffer.concat(blocks), data)).toBe(true);
    expect(XERIAL_MAGIC.length).toBe(8);
  });

  it("also reads a bare raw snappy block (as snappy-java, librdkafka and KafkaJS's plugin do)", () => {
    const data = orders(500);
    expect(same(snappyDecompress(snappyjs.compress(data), MiB), data)).toBe(true);
    expect(same(snappyDecompress(snappyCompressRaw(data), MiB), data)).toBe(true);
  });

  it("agrees with snappyjs's decoder on random raw blocks", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 4 }), (data, rep) => {
        const input = Buffer.concat(Array.from({ length: rep }, () => Buffer.from(data)));
        const raw = snappyjs.compress(new Uint8Array(input));
        expect(same(snappyDecompress(raw, MiB), snappyjs.uncompress(raw))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it("rejects bad offsets, overlong output and lying length preambles precisely", () => {
    // preamble 4, then a copy-1 with offset 1 at output position 0
    expect(() => snappyDecompress(Uint8Array.of(4, 0x01, 0x01), 100)).toThrow(
      /copy offset 1 is outside the output/,
    );
    // preamble 2, literal of 3 bytes
    expect(() => snappyDecompress(Uint8Array.of(2, 0x08, 1, 2, 3), 100)).toThrow(
      /overflows the declared length/,
    );
    // preamble 5, literal of 3 bytes: too short
    expect(() => snappyDecompress(Uint8Array.of(5, 0x08, 1, 2, 3), 100)).toThrow(
      /produced 3 bytes, its preamble says 5/,
    );
    // preamble claims 2^31: refused without allocating
    expect(() => snappyDecompress(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x08), 64 * MiB)).toThrow(
      DecompressionLimitError,
    );
  });
});

describe("lz4 (frame, KIP-57 header checksum)", () => {
  it("writes magic, FLG 0x60 (v01, independent blocks), BD 0x40 (64 KiB) and the descriptor checksum", () => {
    const z = lz4Compress(utf8("abc"));
    expect(Array.from(z.subarray(0, 6))).toEqual([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40]);
    expect(z[6]).toBe((xxhash32(Uint8Array.of(0x60, 0x40)) >>> 8) & 0xff);
    expect(Array.from(z.subarray(-4))).toEqual([0, 0, 0, 0]);
  });

  it("xxhash32 matches the reference vectors", () => {
    expect(xxhash32(new Uint8Array(0))).toBe(0x02cc5d05);
    expect(xxhash32(utf8("abc"))).toBe(0x32d153ff);
    expect(xxhash32(utf8("Nobody inspects the spammish repetition"))).toBe(0xe2293b2f);
  });

  it("is decoded by a second implementation (lz4js)", () => {
    for (const [, data] of samples) expect(same(lz4js.decompress(lz4Compress(data)), data)).toBe(true);
  });

  it("refuses lz4js's own frames, whose blocks are not independent, as Kafka's reader does", () => {
    expect(() => lz4Decompress(lz4js.compress(orders(10)), MiB)).toThrow(
      /dependent block stream is unsupported/,
    );
  });

  it("rejects a wrong descriptor checksum (pre-KIP-57 framing)", () => {
    const z = lz4Compress(orders(10));
    z[6]! ^= 0xff;
    expect(() => lz4Decompress(z, MiB)).toThrow(/frame descriptor checksum/);
  });

  it.skipIf(!hasCli("lz4"))(
    "agrees with the reference lz4 CLI in both directions, including full 64 KiB blocks",
    () => {
      const data = Buffer.concat([Buffer.from(orders(20000)), Buffer.from(pseudoRandom(100_000))]);
      const input = new Uint8Array(data);
      expect(same(run("lz4", ["-d", "-c"], lz4Compress(input)), input)).toBe(true);
      for (const flags of [
        ["-BI"],
        ["-BI", "-BX"],
        ["-BI", "--content-size"],
        ["-BI", "-B4", "--no-frame-crc"],
        ["-BI", "-B7"],
      ]) {
        expect(same(lz4Decompress(run("lz4", ["-c", "-q", ...flags], input), 64 * MiB), input)).toBe(true);
      }
    },
  );
});

describe("zstd", () => {
  it("writes streaming frames without a content size (like Kafka's zstd-jni output stream)", () => {
    const z = zstdCompress(orders(100));
    expect(Array.from(z.subarray(0, 4))).toEqual([0x28, 0xb5, 0x2f, 0xfd]);
    expect(z[4]! >>> 6).toBe(0); // Frame_Content_Size_flag 0 and not single-segment
    expect(z[4]! & 0x20).toBe(0);
  });

  it("refuses a frame whose window exceeds 8 MiB with a reason instead of exhausting wasm memory", () => {
    // magic, FHD 0 (window descriptor present), window 2^24, one raw last block of 1 byte
    const frame = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x00, 14 << 3, 0x09, 0x00, 0x00, 0x41);
    expect(() => zstdDecompress(frame, MiB)).toThrow(
      /window of 16777216 bytes is larger than this decoder supports/,
    );
    const ok = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x09, 0x00, 0x00, 0x41);
    expect(zstdDecompress(ok, MiB)).toEqual(Uint8Array.of(0x41));
  });

  it("keeps working after errors and limit hits (the wasm module is not poisoned)", () => {
    const z = zstdCompress(new Uint8Array(3 * MiB));
    expect(() => zstdDecompress(z, MiB)).toThrow(DecompressionLimitError);
    expect(() => zstdDecompress(z.subarray(0, z.length - 3), 10 * MiB)).toThrow(CorruptRecordError);
    expect(zstdDecompress(z, 3 * MiB).length).toBe(3 * MiB);
    const big = pseudoRandom(20 * MiB);
    expect(same(zstdDecompress(zstdCompress(big), 20 * MiB), big)).toBe(true);
  });

  it.skipIf(!hasCli("zstd"))("agrees with the reference zstd CLI in both directions", () => {
    const input = orders(4000);
    expect(same(run("zstd", ["-d", "-c"], zstdCompress(input)), input)).toBe(true);
    for (const flags of [["-3"], ["-19"], ["-1", "--no-check"], ["-3", "--no-content-size"]]) {
      expect(same(zstdDecompress(run("zstd", ["-c", "-q", ...flags], input), 64 * MiB), input)).toBe(true);
    }
    // With a declared content size, the limit is enforced from the header, before decoding.
    const sized = run("zstd", ["-c", "-q", `--stream-size=${input.length}`], input);
    expect(same(zstdDecompress(sized, input.length), input)).toBe(true);
    expect(() => zstdDecompress(sized, 1000)).toThrow(/declared content size/);
  });
});

describe("zstd levels", () => {
  it("accepts levels up to 9 and refuses higher ones clearly (the wasm memory is fixed at 16 MiB)", () => {
    const data = orders(200);
    for (const level of [-5, 1, 3, 9])
      expect(same(zstdDecompress(zstdCompress(data, level), data.length), data)).toBe(true);
    expect(() => zstdCompress(data, 10)).toThrow(/zstd level 10 is not supported here/);
    expect(() => zstdCompress(data, 22)).toThrow(RangeError);
  });
});
