/**
 * Byte-for-byte agreement with KafkaJS 2.2.4's RecordBatch v2 encoder (a devDependency), for the
 * same inputs: keys, values, headers, timestamps, offsets, producer id/epoch/sequence, the
 * transactional flag. Uncompressed batches must match exactly; gzip batches match exactly when
 * our encoder is handed a gzip codec built on node:zlib (KafkaJS's own gzip), since deflate
 * output depends on the implementation. Each side also decodes the other's batches, including
 * ours compressed with our own (fflate-based) gzip.
 */
import { createRequire } from "node:module";
import { gunzipSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeRecordBatch,
  encodeRecordBatch,
  type CompressionCodec,
  type RecordBatchInput,
  type RecordHeader,
} from "../src/protocol/index";

const require = createRequire(import.meta.url);

type Long = { toString(): string };
interface KafkaJsRecordInput {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[]>;
}
interface KafkaJsDecodedBatch {
  firstOffset: string;
  firstTimestamp: string;
  maxTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  records: {
    offset: string;
    timestamp: string;
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, Buffer | Buffer[]>;
  }[];
}

const LongJs = require("kafkajs/src/utils/long") as { fromValue(v: number | string): Long };
const { RecordBatch } = require("kafkajs/src/protocol/recordBatch/v0") as {
  RecordBatch: (args: Record<string, unknown>) => Promise<{ buffer: Buffer }>;
};
const Record = require("kafkajs/src/protocol/recordBatch/record/v0") as (r: KafkaJsRecordInput) => unknown;
const Decoder = require("kafkajs/src/protocol/decoder") as new (b: Buffer) => unknown;
const decodeKafkaJsBatch = require("kafkajs/src/protocol/recordBatch/v0/decoder") as (
  d: unknown,
) => Promise<KafkaJsDecodedBatch>;

/** KafkaJS's gzip is node's zlib.gzip with default options: the same bytes as gzipSync. */
const nodeGzip: CompressionCodec = {
  type: "gzip",
  id: 1,
  compress: (data) => new Uint8Array(gzipSync(data)),
  decompress: (data) => new Uint8Array(gunzipSync(data)),
};

interface Case {
  firstOffset: number;
  partitionLeaderEpoch: number;
  firstTimestamp: number;
  producerId: number;
  producerEpoch: number;
  firstSequence: number;
  transactional: boolean;
  records: {
    timestampDelta: number;
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, Buffer | Buffer[]>;
  }[];
}

const arbBuffer = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b));
const arbCase: fc.Arbitrary<Case> = fc.record({
  firstOffset: fc.integer({ min: 0, max: 2 ** 40 }),
  partitionLeaderEpoch: fc.integer({ min: -1, max: 1000 }),
  firstTimestamp: fc.integer({ min: 1_500_000_000_000, max: 1_800_000_000_000 }),
  producerId: fc.integer({ min: -1, max: 2 ** 45 }),
  producerEpoch: fc.integer({ min: -1, max: 32767 }),
  firstSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  transactional: fc.boolean(),
  records: fc.array(
    fc.record({
      timestampDelta: fc.integer({ min: -100_000, max: 10_000_000 }),
      key: fc.option(arbBuffer, { nil: null }),
      value: fc.option(arbBuffer, { nil: null }),
      // Letter-only keys so that object key order is insertion order.
      headers: fc.dictionary(
        fc.stringMatching(/^[a-z][a-z-]{0,8}$/),
        fc.oneof(arbBuffer, fc.array(arbBuffer, { minLength: 1, maxLength: 3 })),
      ),
    }),
    { minLength: 1, maxLength: 12 },
  ),
});

function flattenHeaders(h: Record<string, Buffer | Buffer[]>): RecordHeader[] {
  return Object.keys(h).flatMap((k) => {
    const v = h[k]!;
    return Array.isArray(v) ? v.map((x) => ({ key: k, value: x })) : [{ key: k, value: v }];
  });
}

function maxTimestampOf(c: Case): number {
  return Math.max(...c.records.map((r) => c.firstTimestamp + r.timestampDelta));
}

async function kafkajsEncode(c: Case, compression: 0 | 1): Promise<Uint8Array> {
  const encoded = await RecordBatch({
    compression,
    firstOffset: LongJs.fromValue(c.firstOffset),
    firstTimestamp: c.firstTimestamp,
    maxTimestamp: maxTimestampOf(c),
    partitionLeaderEpoch: c.partitionLeaderEpoch,
    lastOffsetDelta: c.records.length - 1,
    transactional: c.transactional,
    producerId: LongJs.fromValue(c.producerId),
    producerEpoch: c.producerEpoch,
    firstSequence: c.firstSequence,
    records: c.records.map((r, i) =>
      Record({
        offsetDelta: i,
        timestampDelta: r.timestampDelta,
        key: r.key,
        value: r.value,
        headers: r.headers,
      }),
    ),
  });
  return new Uint8Array(encoded.buffer);
}

function ourInput(c: Case, compression: "none" | "gzip"): RecordBatchInput {
  return {
    baseOffset: c.firstOffset,
    partitionLeaderEpoch: c.partitionLeaderEpoch,
    baseTimestamp: c.firstTimestamp,
    maxTimestamp: maxTimestampOf(c),
    producerId: c.producerId,
    producerEpoch: c.producerEpoch,
    baseSequence: c.firstSequence,
    isTransactional: c.transactional,
    compression,
    records: c.records.map((r) => ({
      key: r.key,
      value: r.value,
      headers: flattenHeaders(r.headers),
      timestampDelta: r.timestampDelta,
    })),
  };
}

function expectDecodedMatches(bytes: Uint8Array, c: Case): void {
  const d = decodeRecordBatch(bytes);
  expect(d.header.baseOffset).toBe(c.firstOffset);
  expect([d.header.producerId, d.header.producerEpoch, d.header.baseSequence]).toEqual([
    c.producerId,
    c.producerEpoch,
    c.firstSequence,
  ]);
  expect(d.isTransactional).toBe(c.transactional);
  expect(
    d.records.map((r) => [
      r.offset,
      r.timestamp,
      r.key && Buffer.from(r.key),
      r.value && Buffer.from(r.value),
      r.headers.map((h) => [h.key, Buffer.from(h.value!)]),
    ]),
  ).toEqual(
    c.records.map((r, i) => [
      c.firstOffset + i,
      c.firstTimestamp + r.timestampDelta,
      r.key,
      r.value,
      flattenHeaders(r.headers).map((h) => [h.key, h.value]),
    ]),
  );
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("KafkaJS 2.2.4 RecordBatch v2 compatibility", () => {
  it("a fixed batch: identical bytes to KafkaJS's encoder", async () => {
    const c: Case = {
      firstOffset: 0,
      partitionLeaderEpoch: 0,
      firstTimestamp: 1_700_000_000_000,
      producerId: 4000,
      producerEpoch: 0,
      firstSequence: 17,
      transactional: false,
      records: [
        {
          timestampDelta: 0,
          key: Buffer.from("user-1"),
          value: Buffer.from('{"amount":12}'),
          headers: { "trace-id": Buffer.from("abc") },
        },
        { timestampDelta: 5, key: null, value: Buffer.from("second"), headers: {} },
        {
          timestampDelta: -3,
          key: Buffer.from("user-2"),
          value: null,
          headers: { h: [Buffer.from("1"), Buffer.from("2")] },
        },
      ],
    };
    expect(hex(encodeRecordBatch(ourInput(c, "none")))).toBe(hex(await kafkajsEncode(c, 0)));
    expect(hex(encodeRecordBatch(ourInput(c, "gzip"), { gzip: nodeGzip }))).toBe(
      hex(await kafkajsEncode(c, 1)),
    );
  });

  it("property: uncompressed batches are byte-identical", async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        expect(hex(encodeRecordBatch(ourInput(c, "none")))).toBe(hex(await kafkajsEncode(c, 0)));
      }),
      { numRuns: 150 },
    );
  });

  it("property: gzip batches are byte-identical given the same deflate (node:zlib, as KafkaJS uses)", async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        expect(hex(encodeRecordBatch(ourInput(c, "gzip"), { gzip: nodeGzip }))).toBe(
          hex(await kafkajsEncode(c, 1)),
        );
      }),
      { numRuns: 60 },
    );
  });

  it("property: our decoder reads KafkaJS's batches, plain and gzip (with our own gzip decoder)", async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        expectDecodedMatches(await kafkajsEncode(c, 0), c);
        expectDecodedMatches(await kafkajsEncode(c, 1), c);
      }),
      { numRuns: 60 },
    );
  });

  it("property: KafkaJS's decoder reads our batches, plain and gzip (our fflate-based gzip)", async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        for (const compression of ["none", "gzip"] as const) {
          const ours = Buffer.from(encodeRecordBatch(ourInput(c, compression)));
          const d = await decodeKafkaJsBatch(new Decoder(ours));
          expect([d.firstOffset, d.firstTimestamp, d.maxTimestamp, d.producerId]).toEqual(
            [c.firstOffset, c.firstTimestamp, maxTimestampOf(c), c.producerId].map(String),
          );
          expect([
            d.partitionLeaderEpoch,
            d.producerEpoch,
            d.firstSequence,
            d.lastOffsetDelta,
            d.inTransaction,
          ]).toEqual([
            c.partitionLeaderEpoch,
            c.producerEpoch,
            c.firstSequence,
            c.records.length - 1,
            c.transactional,
          ]);
          expect(d.records.map((r) => [r.offset, r.timestamp, r.key, r.value])).toEqual(
            c.records.map((r, i) => [
              String(c.firstOffset + i),
              String(c.firstTimestamp + r.timestampDelta),
              r.key,
              r.value,
            ]),
          );
        }
      }),
      { numRuns: 60 },
    );
  });
});
