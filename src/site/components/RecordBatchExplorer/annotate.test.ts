import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  RECORD_BATCH_OVERHEAD,
  decodeRecordBatch,
  encodeRecordBatch,
  initCodecs,
  type CompressionType,
  type RecordBatchInput,
} from "../../../protocol";
import { annotateBatch, annotateRecords, byteOwners, type FieldSpan } from "./annotate";
import { DEFAULT_FORM, batchInputOf } from "./form";

const CODECS: CompressionType[] = ["none", "gzip", "snappy", "lz4", "zstd"];
const utf8 = (s: string) => new TextEncoder().encode(s);

beforeAll(async () => {
  await initCodecs();
});

/** The spans tile [0, size): contiguous, in order, non-empty except zero-length payloads. */
function expectTiling(fields: readonly FieldSpan[], start: number, size: number): void {
  let pos = start;
  for (const f of fields) {
    expect(f.start, `${f.key} starts where the previous field ended`).toBe(pos);
    expect(f.end).toBeGreaterThanOrEqual(f.start);
    if (f.kind !== "payload") expect(f.end, `${f.key} is not empty`).toBeGreaterThan(f.start);
    pos = f.end;
  }
  expect(pos).toBe(size);
  expect(new Set(fields.map((f) => f.key)).size).toBe(fields.length);
}

const recordArb = fc.record({
  key: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
  value: fc.option(fc.string({ maxLength: 200 }), { nil: null }),
  headers: fc.array(
    fc.record({
      key: fc.string({ maxLength: 12 }),
      value: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
    }),
    { maxLength: 4 },
  ),
  timestampDelta: fc.integer({ min: -100_000, max: 100_000 }),
});

const batchArb = fc.record({
  records: fc.array(recordArb, { minLength: 1, maxLength: 5 }),
  compression: fc.constantFrom(...CODECS),
  baseTimestamp: fc.integer({ min: 0, max: 2 ** 45 }),
  producerId: fc.integer({ min: -1, max: 2 ** 40 }),
  producerEpoch: fc.integer({ min: -1, max: 32767 }),
  baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  baseOffset: fc.integer({ min: 0, max: 2 ** 50 }),
  partitionLeaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
});

type BatchGen = typeof batchArb extends fc.Arbitrary<infer T> ? T : never;

function toInput(b: BatchGen): RecordBatchInput {
  const input: RecordBatchInput = {
    ...b,
    records: b.records.map((r) => ({
      key: r.key === null ? null : utf8(r.key),
      value: r.value === null ? null : utf8(r.value),
      headers: r.headers.map((h) => ({ key: h.key, value: h.value === null ? null : utf8(h.value) })),
      timestampDelta: r.timestampDelta,
    })),
  };
  return input;
}

describe("annotateBatch", () => {
  it("annotates the default form's batch field by field, in Kafka's order", () => {
    const parsed = batchInputOf(DEFAULT_FORM);
    if (!parsed.ok) throw new Error("the default form must encode");
    const bytes = encodeRecordBatch(parsed.input);
    const a = annotateBatch(bytes);
    expectTiling(a.fields, 0, bytes.length);
    expect(a.fields.map((f) => f.name)).toEqual([
      "baseOffset",
      "batchLength",
      "partitionLeaderEpoch",
      "magic",
      "crc",
      "attributes",
      "lastOffsetDelta",
      "baseTimestamp",
      "maxTimestamp",
      "producerId",
      "producerEpoch",
      "baseSequence",
      "recordsCount",
      "length",
      "attributes",
      "timestampDelta",
      "offsetDelta",
      "keyLength",
      "key",
      "valueLength",
      "value",
      "headersCount",
      "headers[0].keyLength",
      "headers[0].key",
      "headers[0].valueLength",
      "headers[0].value",
    ]);
    const byName = new Map(a.fields.map((f) => [f.key, f]));
    expect(byName.get("crc")).toMatchObject({ start: 17, end: 21 });
    expect(byName.get("r0.key")?.value).toBe(JSON.stringify(DEFAULT_FORM.key));
    expect(byName.get("r0.keyLength")).toMatchObject({ value: String(DEFAULT_FORM.key.length) });
    expect(a.storedCrc).toBe(a.computedCrc);
    expect(a.compressed).toBe(false);
  });

  it("shows a null key as keyLength -1, one byte 01 (zigzag 1), and no key bytes", () => {
    const bytes = encodeRecordBatch({ records: [{ key: null, value: utf8("v"), timestamp: 5 }] });
    const a = annotateBatch(bytes);
    const keyLength = a.fields.find((f) => f.key === "r0.keyLength")!;
    expect(keyLength).toMatchObject({ value: "-1", zigzag: "1", end: keyLength.start + 1 });
    expect(bytes[keyLength.start]).toBe(0x01);
    expect(a.fields.some((f) => f.key === "r0.key")).toBe(false);
  });

  it("tiles every batch exactly and agrees with decodeRecordBatch (property)", () => {
    fc.assert(
      fc.property(batchArb, (b) => {
        const bytes = encodeRecordBatch(toInput(b));
        const a = annotateBatch(bytes);
        expectTiling(a.fields, 0, bytes.length);
        expect(a.computedCrc).toBe(a.storedCrc);
        const decoded = decodeRecordBatch(bytes);
        const field = (key: string) => a.fields.find((f) => f.key === key)?.value;
        expect(field("baseOffset")).toBe(String(decoded.header.baseOffset));
        expect(field("producerId")).toBe(String(decoded.header.producerId));
        expect(field("recordsCount")).toBe(String(decoded.records.length));
        expect(a.attributes.compression).toBe(decoded.compression);
        if (b.compression === "none") {
          expect(a.compressed).toBe(false);
          decoded.records.forEach((r, i) => {
            expect(field(`r${i}.offsetDelta`)).toBe(String(r.offsetDelta));
            expect(field(`r${i}.timestampDelta`)).toBe(String(r.timestampDelta));
            expect(field(`r${i}.keyLength`)).toBe(String(r.key === null ? -1 : r.key.length));
            expect(field(`r${i}.headersCount`)).toBe(String(r.headers.length));
          });
        } else {
          expect(a.compressed).toBe(true);
          expect(a.fields.at(-1)).toMatchObject({ id: "compressedRecords", start: RECORD_BATCH_OVERHEAD });
          const plain = encodeRecordBatch({ ...toInput(b), compression: "none" }).subarray(
            RECORD_BATCH_OVERHEAD,
          );
          expectTiling(annotateRecords(plain, 0, b.records.length), 0, plain.length);
        }
        const owners = byteOwners(a.fields, bytes.length);
        expect(owners.every((o) => o >= 0)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("refuses bytes that are not one whole batch", () => {
    const bytes = encodeRecordBatch({ records: [{ value: utf8("x"), timestamp: 1 }] });
    expect(() => annotateBatch(bytes.subarray(0, 40))).toThrow(/at least 61/);
    expect(() => annotateBatch(bytes.subarray(0, bytes.length - 1))).toThrow(/batchLength says/);
  });
});

describe("batchInputOf", () => {
  it("names the input that is out of its field's range", () => {
    expect(batchInputOf({ ...DEFAULT_FORM, producerEpoch: "40000" })).toMatchObject({
      ok: false,
      error: { field: "producerEpoch", reason: "outOfRange", max: 32767 },
    });
    expect(batchInputOf({ ...DEFAULT_FORM, timestamp: "12.5" })).toMatchObject({
      ok: false,
      error: { field: "timestamp", reason: "notInteger" },
    });
  });
});
