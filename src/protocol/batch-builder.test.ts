import { describe, expect, it } from "vitest";
import { RecordBatchBuilder, initialBatchLimitBytes } from "./batch-builder";
import {
  ControlRecordType,
  decodeControlRecordKey,
  decodeEndTxnMarkerValue,
  encodeControlRecordKey,
  endTxnMarkerBatch,
} from "./control-record";
import { decodeRecordBatch, encodeRecordBatch } from "./record-batch";

const value = (n: number) => new Uint8Array(n).fill(0x61);

describe("RecordBatchBuilder", () => {
  it("fills a batch up to batch.size exactly, as MemoryRecordsBuilder.hasRoomFor decides (no compression)", () => {
    const b = new RecordBatchBuilder({ writeLimitBytes: 16384 });
    let t = 1_700_000_000_000;
    while (b.hasRoomFor({ timestamp: t, value: value(100) })) b.append({ timestamp: t++, value: value(100) });
    const bytes = b.build();
    expect(bytes.length).toBe(b.estimatedSizeInBytes());
    expect(bytes.length).toBeLessThanOrEqual(16384);
    // One more record would have crossed the limit.
    const next = encodeRecordBatch({
      records: [...b.toInput().records, { value: value(100), timestamp: t }],
    });
    expect(next.length).toBeGreaterThan(16384);
    const d = decodeRecordBatch(bytes);
    expect(d.records.length).toBe(b.numRecords);
    expect(d.header.baseTimestamp).toBe(1_700_000_000_000);
  });

  it("always accepts the first record, even one larger than batch.size", () => {
    const big = { timestamp: 1, value: value(50_000) };
    const b = new RecordBatchBuilder({ writeLimitBytes: initialBatchLimitBytes(16384, big) });
    expect(b.hasRoomFor(big)).toBe(true);
    b.append(big);
    // The limit is the record's upper-bound estimate, so only the few bytes of slack remain.
    expect(b.writeLimitBytes - b.estimatedSizeInBytes()).toBeLessThan(21);
    expect(b.hasRoomFor({ timestamp: 1, value: value(100) })).toBe(false);
    expect(b.writeLimitBytes).toBeGreaterThanOrEqual(b.build().length);
  });

  it("estimates compressed size as 61 + records × ratio × 1.05 and builds a decodable compressed batch", () => {
    const b = new RecordBatchBuilder({
      writeLimitBytes: 16384,
      compression: "lz4",
      compressionRatioEstimate: 0.5,
    });
    let n = 0;
    while (b.hasRoomFor({ timestamp: n, value: value(100) })) b.append({ timestamp: n++, value: value(100) });
    expect(b.estimatedSizeInBytes()).toBe(Math.floor(61 + b.uncompressedBytes * 0.5 * 1.05));
    expect(b.uncompressedBytes).toBeGreaterThan(16384); // the ratio lets more records in
    const d = decodeRecordBatch(b.build());
    expect([d.compression, d.records.length]).toEqual(["lz4", n]);
  });

  it("carries producer id, epoch, base sequence and the transactional flag into the header", () => {
    const b = new RecordBatchBuilder({
      producerId: 9,
      producerEpoch: 3,
      baseSequence: 40,
      isTransactional: true,
    });
    b.append({ timestamp: 5, key: new Uint8Array([1]), value: null });
    const d = decodeRecordBatch(b.build());
    expect([d.header.producerId, d.header.producerEpoch, d.header.baseSequence, d.isTransactional]).toEqual([
      9,
      3,
      40,
      true,
    ]);
    expect(() => b.append({ timestamp: 6, value: null })).toThrow(/after build/);
    expect(() => new RecordBatchBuilder().build()).toThrow(/empty/);
  });
});

describe("control records", () => {
  it("encodes the end-transaction marker batch as Kafka does: control + transactional, key (0, type), value (0, coordinatorEpoch)", () => {
    const bytes = encodeRecordBatch(
      endTxnMarkerBatch({
        producerId: 77,
        producerEpoch: 2,
        commit: true,
        coordinatorEpoch: 5,
        timestamp: 1000,
        baseOffset: 30,
      }),
    );
    const d = decodeRecordBatch(bytes);
    expect([
      d.isControl,
      d.isTransactional,
      d.header.producerId,
      d.header.producerEpoch,
      d.header.baseSequence,
    ]).toEqual([true, true, 77, 2, -1]);
    const r = d.records[0]!;
    expect(Buffer.from(r.key!).toString("hex")).toBe("00000001");
    expect(Buffer.from(r.value!).toString("hex")).toBe("000000000005");
    expect(decodeControlRecordKey(r.key)).toEqual({ version: 0, type: ControlRecordType.COMMIT });
    expect(decodeEndTxnMarkerValue(r.value)).toEqual({ version: 0, coordinatorEpoch: 5 });
    expect(decodeControlRecordKey(encodeControlRecordKey(ControlRecordType.ABORT)).type).toBe(0);
    expect(() => decodeControlRecordKey(new Uint8Array(3))).toThrow(/control record type/);
  });
});
