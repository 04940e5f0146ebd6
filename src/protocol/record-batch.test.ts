import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  RECORD_BATCH_OVERHEAD,
  isBatchCrcValid,
  readBatchHeader,
  setBaseOffset,
  setPartitionLeaderEpoch,
} from "./batch-header";
import { initCodecs, type CompressionType } from "./compression/index";
import { crc32c } from "./crc32c";
import { CorruptRecordError, DecompressionLimitError } from "./errors";
import { ByteWriter } from "./bytes";
import { gzipCompress } from "./compression/gzip";
import { sizeOfRecord, writeRecord } from "./record";
import {
  decodeRecordBatch,
  decodeRecordBatches,
  encodeRecordBatch,
  estimateBatchSizeUpperBound,
  sizeOfUncompressedBatch,
  splitBatches,
  verifyRecordBatch,
  type RecordBatchInput,
  type RecordInput,
} from "./record-batch";

const utf8 = (s: string) => new TextEncoder().encode(s);
const CODECS: CompressionType[] = ["none", "gzip", "snappy", "lz4", "zstd"];

beforeAll(async () => {
  await initCodecs();
});

describe("encodeRecordBatch layout", () => {
  it("writes the 61-byte header and one record byte for byte as DefaultRecordBatch/DefaultRecord lay them out", () => {
    const batch = encodeRecordBatch({
      baseOffset: 5,
      partitionLeaderEpoch: 7,
      producerId: 1000,
      producerEpoch: 2,
      baseSequence: 30,
      records: [
        {
          key: utf8("k"),
          value: utf8("vv"),
          timestamp: 1_700_000_000_000,
          headers: [{ key: "h", value: null }],
        },
      ],
    });
    // Record: length (12 body bytes, zigzag 24 = 0x18), attributes 0, tsDelta 0, offsetDelta 0, key len 1 "k", value len 2 "vv", 1 header "h" null.
    const record = "18" + "00" + "00" + "00" + "02" + "6b" + "04" + "7676" + "02" + "02" + "68" + "01";
    expect(Buffer.from(batch.subarray(61)).toString("hex")).toBe(record);
    const hex = Buffer.from(batch).toString("hex");
    const expectedHeader =
      "0000000000000005" + // baseOffset
      (batch.length - 12).toString(16).padStart(8, "0") + // batchLength
      "00000007" + // partitionLeaderEpoch
      "02" + // magic
      crc32c(batch, 21).toString(16).padStart(8, "0") +
      "0000" + // attributes
      "00000000" + // lastOffsetDelta
      (1_700_000_000_000).toString(16).padStart(16, "0") + // baseTimestamp
      (1_700_000_000_000).toString(16).padStart(16, "0") + // maxTimestamp
      "00000000000003e8" + // producerId 1000
      "0002" + // producerEpoch
      "0000001e" + // baseSequence 30
      "00000001"; // recordsCount
    expect(hex.slice(0, 122)).toBe(expectedHeader);
    expect(batch.length).toBe(61 + 13);
    expect(isBatchCrcValid(batch)).toBe(true);
  });

  it("sets attribute bits: codec, LogAppendTime (bit 3), transactional (4), control (5), delete horizon (6)", () => {
    const base: RecordBatchInput = { records: [{ value: utf8("x"), timestamp: 1 }] };
    const attrs = (i: Partial<RecordBatchInput>) =>
      readBatchHeader(encodeRecordBatch({ ...base, ...i })).attributes;
    expect(attrs({})).toBe(0);
    expect(attrs({ compression: "lz4" })).toBe(3);
    expect(attrs({ timestampType: "LogAppendTime" })).toBe(0x08);
    expect(attrs({ isTransactional: true })).toBe(0x10);
    expect(attrs({ isControl: true })).toBe(0x20);
    expect(attrs({ hasDeleteHorizon: true })).toBe(0x40);
    expect(attrs({ compression: "zstd", isTransactional: true, isControl: true })).toBe(0x34);
  });

  it("defaults like Kafka's MemoryRecordsBuilder: baseTimestamp = first record's, maxTimestamp = largest, offsetDelta = index, no producer id", () => {
    const b = encodeRecordBatch({
      records: [
        { value: utf8("a"), timestamp: 200 },
        { value: utf8("b"), timestamp: 100 },
        { value: utf8("c"), timestamp: 300 },
      ],
    });
    const h = readBatchHeader(b);
    expect([h.baseTimestamp, h.maxTimestamp, h.lastOffsetDelta, h.recordsCount]).toEqual([200, 300, 2, 3]);
    expect([h.producerId, h.producerEpoch, h.baseSequence, h.partitionLeaderEpoch]).toEqual([-1, -1, -1, -1]);
    const d = decodeRecordBatch(b);
    expect(d.records.map((r) => [r.offset, r.timestampDelta, r.timestamp])).toEqual([
      [0, 0, 200],
      [1, -100, 100],
      [2, 100, 300],
    ]);
  });

  it("writes an empty batch uncompressed, with lastOffsetDelta as given (compacted batches keep theirs)", () => {
    const b = encodeRecordBatch({
      records: [],
      compression: "gzip",
      baseOffset: 10,
      lastOffsetDelta: 4,
      baseTimestamp: 50,
    });
    expect(b.length).toBe(RECORD_BATCH_OVERHEAD);
    const d = decodeRecordBatch(b);
    expect(d.compression).toBe("none");
    expect(d.records).toEqual([]);
    expect([d.header.lastOffsetDelta, d.header.baseTimestamp, d.header.maxTimestamp]).toEqual([4, 50, 50]);
  });

  it("keeps sparse offsetDeltas (compacted batch) and rejects non-increasing ones", () => {
    const b = encodeRecordBatch({
      records: [
        { value: utf8("a"), offsetDelta: 0, timestamp: 1 },
        { value: utf8("b"), offsetDelta: 3, timestamp: 1 },
      ],
      lastOffsetDelta: 9,
    });
    expect(decodeRecordBatch(b).records.map((r) => r.offset)).toEqual([0, 3]);
    expect(() =>
      encodeRecordBatch({
        records: [
          { value: null, offsetDelta: 1 },
          { value: null, offsetDelta: 1 },
        ],
      }),
    ).toThrow(/offsetDeltas must increase/);
    expect(() => encodeRecordBatch({ records: [{ value: null, timestamp: 1, timestampDelta: 0 }] })).toThrow(
      /both/,
    );
  });

  it("computes sizes before encoding: sizeOfUncompressedBatch is exact, the upper bound is above it", () => {
    const input: RecordBatchInput = {
      records: [
        {
          key: utf8("key-1"),
          value: new Uint8Array(100),
          timestamp: 1_700_000_000_000,
          headers: [{ key: "trace-ïd", value: utf8("x") }],
        },
        { key: null, value: new Uint8Array(300), timestamp: 1_700_000_000_123 },
      ],
    };
    expect(sizeOfUncompressedBatch(input)).toBe(encodeRecordBatch(input).length);
    const single = { key: utf8("k"), value: new Uint8Array(1000) };
    const exact = encodeRecordBatch({ records: [{ ...single, timestamp: 5 }] }).length;
    expect(estimateBatchSizeUpperBound(single.key, single.value)).toBeGreaterThanOrEqual(exact);
    expect(61 + sizeOfRecord(0, 0, single.key, single.value)).toBe(exact);
  });
});

describe("decodeRecordBatch", () => {
  const records: RecordInput[] = [
    { key: null, value: null, timestamp: 1000 },
    {
      key: utf8("k"),
      value: null,
      timestamp: 1001,
      headers: [
        { key: "a", value: null },
        { key: "a", value: utf8("dup") },
      ],
    },
    {
      key: null,
      value: utf8("only value"),
      timestamp: 999,
      headers: [{ key: "日本", value: new Uint8Array(0) }],
    },
    { key: new Uint8Array(0), value: new Uint8Array(0), timestamp: 1000 },
  ];

  for (const compression of CODECS) {
    it(`round-trips null keys/values, empty bytes and headers with null values (${compression})`, () => {
      const bytes = encodeRecordBatch({
        baseOffset: 42,
        records,
        compression,
        producerId: 7,
        producerEpoch: 1,
        baseSequence: 3,
      });
      const d = decodeRecordBatch(bytes);
      expect(d.compression).toBe(compression);
      expect(d.sizeInBytes).toBe(bytes.length);
      expect(d.header.baseSequence).toBe(3);
      expect(
        d.records.map((r) => ({
          offset: r.offset,
          key: r.key,
          value: r.value,
          headers: r.headers,
          timestamp: r.timestamp,
        })),
      ).toEqual(
        records.map((r, i) => ({
          offset: 42 + i,
          key: r.key,
          value: r.value,
          headers: r.headers ?? [],
          timestamp: r.timestamp,
        })),
      );
    });

    it(`round-trips a large batch of 5000 records (${compression})`, () => {
      const big: RecordInput[] = Array.from({ length: 5000 }, (_, i) => ({
        key: utf8(`order-${i % 300}`),
        value: utf8(JSON.stringify({ id: i, sku: `SKU-${i % 97}`, qty: i % 9, note: "x".repeat(i % 50) })),
        timestamp: 1_700_000_000_000 + i * 3,
      }));
      const d = decodeRecordBatch(encodeRecordBatch({ records: big, compression }));
      expect(d.records.length).toBe(5000);
      expect(new TextDecoder().decode(d.records[4321]!.value!)).toBe(
        new TextDecoder().decode(big[4321]!.value!),
      );
      expect(d.records[4999]!.offset).toBe(4999);
    });
  }

  it("gives every record the batch maxTimestamp under LogAppendTime, as DefaultRecordBatch does", () => {
    const b = encodeRecordBatch({
      timestampType: "LogAppendTime",
      maxTimestamp: 5000,
      records: [
        { value: utf8("a"), timestamp: 10 },
        { value: utf8("b"), timestamp: 20 },
      ],
    });
    const d = decodeRecordBatch(b);
    expect(d.timestampType).toBe("LogAppendTime");
    expect(d.records.map((r) => r.timestamp)).toEqual([5000, 5000]);
    expect(d.records.map((r) => r.timestampDelta)).toEqual([0, 10]);
  });

  it("decodes after the leader stamps baseOffset and partitionLeaderEpoch in place (not covered by the CRC)", () => {
    const b = encodeRecordBatch({
      records: [
        { value: utf8("a"), timestamp: 1 },
        { value: utf8("b"), timestamp: 1 },
      ],
    });
    setBaseOffset(b, 0, 1234);
    setPartitionLeaderEpoch(b, 0, 9);
    const d = decodeRecordBatch(b);
    expect(d.records.map((r) => r.offset)).toEqual([1234, 1235]);
    expect(d.header.partitionLeaderEpoch).toBe(9);
  });

  it("names magic 0 and 1 as unsupported old message formats", () => {
    const b = encodeRecordBatch({ records: [{ value: utf8("a"), timestamp: 1 }] });
    b[16] = 1;
    expect(() => decodeRecordBatch(b)).toThrow(
      /magic 1 \(message format v1, before Kafka 0.11\) is not supported/,
    );
    b[16] = 0;
    expect(() => decodeRecordBatch(b)).toThrow(/magic 0/);
    b[16] = 7;
    expect(() => decodeRecordBatch(b)).toThrow(/invalid magic 7/);
  });

  it("reports a CRC mismatch with both values", () => {
    const b = encodeRecordBatch({ records: [{ value: utf8("abc"), timestamp: 1 }] });
    b[b.length - 2]! ^= 0x01;
    expect(() => decodeRecordBatch(b)).toThrow(
      /Record batch is corrupt: stored crc 0x[0-9a-f]+, computed crc 0x[0-9a-f]+/,
    );
    expect(() => verifyRecordBatch(b)).toThrow(CorruptRecordError);
    expect(decodeRecordBatch(b, 0, { verifyCrc: false }).records).toHaveLength(1);
  });

  it("rejects recordsCount that disagrees with the records (too many, too few), even with a valid CRC", () => {
    const b = encodeRecordBatch({
      records: [
        { value: utf8("abc"), timestamp: 1 },
        { value: utf8("d"), timestamp: 1 },
      ],
    });
    const withCount = (n: number) => {
      const c = b.slice();
      new DataView(c.buffer).setInt32(57, n);
      new DataView(c.buffer).setUint32(17, crc32c(c, 21));
      return c;
    };
    expect(() => decodeRecordBatch(withCount(1))).toThrow(
      /Incorrect declared batch size: \d+ bytes remain after the 1 records/,
    );
    expect(() => decodeRecordBatch(withCount(3))).toThrow(CorruptRecordError);
    expect(() => decodeRecordBatch(withCount(-1))).toThrow(/Invalid recordsCount -1/);
    expect(() => decodeRecordBatch(withCount(2_000_000_000))).toThrow(/cannot fit/);
  });

  it("rejects an unknown codec id (5-7)", () => {
    const b = encodeRecordBatch({ records: [{ value: utf8("a"), timestamp: 1 }] });
    b[22] = 5;
    new DataView(b.buffer).setUint32(17, crc32c(b, 21));
    expect(() => decodeRecordBatch(b)).toThrow(/Unknown compression codec id 5/);
  });

  it("bounds decompression: a batch that inflates past maxDecompressedBytes throws DecompressionLimitError", () => {
    for (const compression of ["gzip", "snappy", "lz4", "zstd"] as const) {
      const b = encodeRecordBatch({
        compression,
        records: [{ value: new Uint8Array(1 << 20), timestamp: 1 }],
      });
      expect(b.length).toBeLessThan(70_000);
      expect(() => decodeRecordBatch(b, 0, { maxDecompressedBytes: 100_000 })).toThrow(
        DecompressionLimitError,
      );
      expect(decodeRecordBatch(b, 0, { maxDecompressedBytes: 2 << 20 }).records[0]!.value!.length).toBe(
        1 << 20,
      );
    }
  });

  it("says where an error inside decompressed records is (the positions index the decompressed data)", () => {
    // A gzip batch whose single record claims a 5-byte body but holds 6 bytes.
    const w = new ByteWriter();
    writeRecord(w, 0, 0, null, utf8("abc"));
    const recordBytes = w.finish();
    recordBytes[0] = 10; // zigzag 5: one byte short of the real body
    const b = encodeRecordBatch({ compression: "gzip", records: [{ value: utf8("abc"), timestamp: 1 }] });
    const patched = new Uint8Array(61 + gzipCompress(recordBytes).length);
    patched.set(b.subarray(0, 61));
    patched.set(gzipCompress(recordBytes), 61);
    new DataView(patched.buffer).setInt32(8, patched.length - 12);
    new DataView(patched.buffer).setUint32(17, crc32c(patched, 21));
    expect(() => decodeRecordBatch(patched)).toThrow(
      /inside the decompressed gzip records of the batch at byte 0/,
    );
  });
});

describe("corruption and truncation never crash or decode garbage", () => {
  const arbRecord = fc.record({
    key: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
    value: fc.option(fc.uint8Array({ maxLength: 200 }), { nil: null }),
    headers: fc.array(
      fc.record({
        key: fc.string({ maxLength: 10 }),
        value: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }),
      }),
      {
        maxLength: 3,
      },
    ),
    timestampDelta: fc.integer({ min: -1_000_000, max: 1_000_000 }),
  });
  const arbBatch = fc.record({
    records: fc.array(arbRecord, { minLength: 1, maxLength: 20 }),
    compression: fc.constantFrom(...CODECS),
    baseTimestamp: fc.integer({ min: 0, max: 2 ** 42 }),
    baseOffset: fc.integer({ min: 0, max: 2 ** 40 }),
    producerId: fc.integer({ min: -1, max: 2 ** 40 }),
    producerEpoch: fc.integer({ min: -1, max: 32767 }),
    baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
    isTransactional: fc.boolean(),
  });

  it("property: random batches encode → decode identically for every codec", () => {
    fc.assert(
      fc.property(arbBatch, (input) => {
        const d = decodeRecordBatch(encodeRecordBatch(input));
        expect(d.compression).toBe(input.compression);
        expect(d.isTransactional).toBe(input.isTransactional);
        expect([d.header.producerId, d.header.producerEpoch, d.header.baseSequence]).toEqual([
          input.producerId,
          input.producerEpoch,
          input.baseSequence,
        ]);
        expect(d.records.length).toBe(input.records.length);
        d.records.forEach((r, i) => {
          const x = input.records[i]!;
          expect(r.offset).toBe(input.baseOffset + i);
          expect(r.timestamp).toBe(input.baseTimestamp + x.timestampDelta);
          expect(r.key).toEqual(x.key);
          expect(r.value).toEqual(x.value);
          expect(r.headers.map((h) => h.key)).toEqual(
            x.headers.map((h) => new TextDecoder().decode(new TextEncoder().encode(h.key))),
          );
          expect(r.headers.map((h) => h.value)).toEqual(x.headers.map((h) => h.value));
        });
      }),
      { numRuns: 300 },
    );
  });

  it("property: flipping any bit from the magic on gives CorruptRecordError; before it, only offsets/epoch change", () => {
    fc.assert(
      fc.property(arbBatch, fc.nat(), fc.integer({ min: 0, max: 7 }), (input, at, bit) => {
        const bytes = encodeRecordBatch(input);
        const good = decodeRecordBatch(bytes);
        const pos = at % bytes.length;
        const bad = bytes.slice();
        bad[pos]! ^= 1 << bit;
        if (pos >= 16) {
          expect(() => decodeRecordBatch(bad)).toThrow(CorruptRecordError);
          return;
        }
        // baseOffset, batchLength, partitionLeaderEpoch are outside the CRC.
        let d;
        try {
          d = decodeRecordBatch(bad);
        } catch (e) {
          expect(e).toBeInstanceOf(CorruptRecordError);
          expect(pos >= 8 && pos < 12).toBe(true); // only a batchLength change can make it undecodable
          return;
        }
        expect(d.records.map((r) => r.value)).toEqual(good.records.map((r) => r.value));
      }),
      { numRuns: 400 },
    );
  });

  it("property: every truncation is a CorruptRecordError from decode and a truncated tail from splitBatches", () => {
    fc.assert(
      fc.property(arbBatch, fc.nat(), (input, cut) => {
        const bytes = encodeRecordBatch(input);
        const n = cut % bytes.length;
        const part = bytes.subarray(0, n);
        expect(() => decodeRecordBatch(part)).toThrow(CorruptRecordError);
        const split = splitBatches(part);
        expect(split.batches).toEqual([]);
        expect(n === 0 ? split.truncatedTail : split.truncatedTail?.bytes).toBe(n === 0 ? null : n);
      }),
      { numRuns: 200 },
    );
  });

  it("property: random bytes never crash the decoder (CorruptRecordError or, rarely, a valid batch)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (junk) => {
        try {
          decodeRecordBatch(junk);
        } catch (e) {
          expect(e).toBeInstanceOf(CorruptRecordError);
        }
      }),
    );
  });
});

describe("splitBatches / iterateBatches", () => {
  const one = (n: number, compression: CompressionType = "none") =>
    encodeRecordBatch({ baseOffset: n * 10, compression, records: [{ value: utf8(`v${n}`), timestamp: n }] });

  it("walks concatenated batches and reports where a truncated tail starts", () => {
    const parts = [one(0), one(1, "lz4"), one(2)];
    const all = Buffer.concat(parts);
    const cut = all.subarray(0, all.length - 5);
    const { batches, truncatedTail } = splitBatches(cut, { verifyCrc: true });
    expect(batches.map((b) => [b.pos, b.header.baseOffset])).toEqual([
      [0, 0],
      [parts[0]!.length, 10],
    ]);
    expect(truncatedTail).toEqual({
      pos: parts[0]!.length + parts[1]!.length,
      bytes: parts[2]!.length - 5,
      reason: `batch of ${parts[2]!.length} bytes, ${parts[2]!.length - 5} present`,
    });
    expect(decodeRecordBatches(cut).map((b) => b.records[0]!.offset)).toEqual([0, 10]);
    expect(splitBatches(all).truncatedTail).toBeNull();
  });

  it("throws on a batchLength below the v2 minimum or a wrong magic instead of skipping", () => {
    const a = one(0);
    const bad = Buffer.concat([a, a]);
    new DataView(bad.buffer, bad.byteOffset).setInt32(a.length + 8, 10);
    expect(() => splitBatches(bad)).toThrow(/Invalid batchLength 10/);
    const oldMagic = Buffer.concat([a, a]);
    oldMagic[a.length + 16] = 1;
    expect(() => splitBatches(oldMagic)).toThrow(/magic 1/);
    expect(() => splitBatches(a, { maxBatchBytes: 20 })).toThrow(/exceeds the largest allowed/);
  });
});
