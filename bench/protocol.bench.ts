/**
 * Protocol layer throughput: CRC-32C, RecordBatch v2 encode/decode, and each compression codec
 * on realistic data (JSON order records in 16 KiB chunks, the producer's default batch.size).
 * `npm run bench -- protocol`.
 */
import {
  crc32c,
  crc32cBackend,
  crc32cUpdateJs,
  decodeRecordBatch,
  encodeRecordBatch,
  getCodec,
  initCodecs,
  type CompressionType,
  type RecordInput,
} from "../src/protocol/index";
import type { BenchRow } from "./types";

const MIN_SECONDS = 0.6;

/** Run `fn` repeatedly for at least MIN_SECONDS after a warm-up; returns calls per second. */
function rate(fn: () => void): number {
  for (let i = 0; i < 20; i++) fn();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MIN_SECONDS * 1000) {
    for (let i = 0; i < 10; i++) fn();
    calls += 10;
    elapsed = performance.now() - start;
  }
  return calls / (elapsed / 1000);
}

function orderJson(i: number): string {
  return JSON.stringify({
    orderId: 7_000_000 + i,
    customer: `cust-${(i * 7919) % 50_000}`,
    sku: `SKU-${(i * 31) % 997}`,
    qty: (i % 5) + 1,
    priceCents: ((i * 3727) % 100_000) + 99,
    status: ["NEW", "PAID", "SHIPPED"][i % 3],
  });
}

/** Records with ~100-byte values, like the classic Kafka producer benchmark. */
function hundredByteRecords(n: number): RecordInput[] {
  const enc = new TextEncoder();
  return Array.from({ length: n }, (_, i) => {
    const json = orderJson(i);
    const value = enc.encode(json.padEnd(100, " ").slice(0, 100));
    return { key: enc.encode(`cust-${i % 1000}`), value, timestamp: 1_700_000_000_000 + i };
  });
}

export default async function protocolBench(): Promise<BenchRow[]> {
  await initCodecs();
  const rows: BenchRow[] = [];

  // CRC-32C over 1 MiB.
  const mib = new Uint8Array(1 << 20);
  for (let i = 0; i < mib.length; i++) mib[i] = (i * 2654435761) >>> 24;
  const crcPerSec = rate(() => crc32c(mib));
  const jsPerSec = rate(() => crc32cUpdateJs(0, mib));
  rows.push({
    group: "crc32c",
    name: "CRC-32C, 1 MiB buffer",
    value: (crcPerSec * mib.length) / 1e9,
    unit: "GB/s",
    note: `${crc32cBackend} loop (what the log uses); ${(crcPerSec / jsPerSec).toFixed(2)}× the JavaScript loop`,
  });
  rows.push({
    group: "crc32c",
    name: "CRC-32C, 1 MiB buffer, JavaScript loop",
    value: (jsPerSec * mib.length) / 1e9,
    unit: "GB/s",
    note: "crc32cUpdateJs: the fallback where WebAssembly is unavailable, and for inputs < 256 B",
  });

  // RecordBatch encode/decode, 100-byte values in ~16 KiB batches.
  const records = hundredByteRecords(128);
  const plain = encodeRecordBatch({ records });
  for (const compression of ["none", "gzip", "snappy", "lz4", "zstd"] as CompressionType[]) {
    const input = { records, compression };
    const bytes = encodeRecordBatch(input);
    const enc = rate(() => encodeRecordBatch(input));
    const dec = rate(() => decodeRecordBatch(bytes));
    const note = `${records.length} records/batch, ${plain.length} B uncompressed, ${bytes.length} B on the wire`;
    rows.push({
      group: `batch ${compression}`,
      name: "encode 100-byte records, 16 KiB batches",
      value: enc * records.length,
      unit: "records/s",
      note,
    });
    rows.push({
      group: `batch ${compression}`,
      name: "decode 100-byte records, 16 KiB batches",
      value: dec * records.length,
      unit: "records/s",
      note: "CRC checked, records materialised",
    });
  }

  // Codecs on 16 KiB chunks of JSON order records.
  const text = new TextEncoder().encode(Array.from({ length: 6000 }, (_, i) => orderJson(i)).join("\n"));
  const chunk = text.subarray(0, 16 * 1024);
  for (const type of ["gzip", "snappy", "lz4", "zstd"] as CompressionType[]) {
    const codec = getCodec(type);
    const z = codec.compress(chunk);
    const c = rate(() => codec.compress(chunk));
    const d = rate(() => codec.decompress(z, chunk.length));
    const note = `16 KiB JSON orders → ${z.length} B (ratio ${(chunk.length / z.length).toFixed(2)})`;
    rows.push({
      group: `codec ${type}`,
      name: "compress",
      value: (c * chunk.length) / 1e6,
      unit: "MB/s",
      note,
    });
    rows.push({
      group: `codec ${type}`,
      name: "decompress",
      value: (d * chunk.length) / 1e6,
      unit: "MB/s",
      note: "MB of uncompressed output",
    });
  }
  return rows;
}
