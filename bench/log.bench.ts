/**
 * Log throughput on real files: PartitionLog over FsDisk against plain fs.writeSync/readSync of
 * the same bytes in the same run, in a temporary directory.
 *
 * Workload (after Kreps' 2014 benchmark): 100-byte records in ~16 KiB uncompressed batches,
 * appended one batch per call as a leader (validation with CRC-32C, copy, offset and epoch
 * stamping, sparse indexes included), then read back sequentially with 1 MiB reads (raw reads
 * into a reused buffer, and into a fresh one as the log must return caller-owned bytes). No fsync
 * in either path (Kafka's default: flush.messages = flush.ms = never). Raw and log work
 * alternate in ~1 MiB chunks so that both meet the same machine load. Target: log ≥ 0.5× raw.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { BenchRow } from "./types";
import { ATTRIBUTES_OFFSET, crc32c, encodeRecordBatch } from "../src/protocol";
import { PartitionLog, logConfig } from "../src/log";
import { FsDisk } from "../src/node/fs-disk";

const RECORD_BYTES = 100;
const BATCH_TARGET_BYTES = 16 * 1024;
const TOTAL_BYTES = 256 * 1024 * 1024;
const READ_BYTES = 1024 * 1024;
const ROUNDS = 5;
/** Keeps the CRC loop from being optimised away. */
let sink = 0;
/** Raw and log writes alternate in chunks of this many batches (~1 MiB). */
const CHUNK_BATCHES = 64;

function makeBatches(): { batches: Uint8Array[]; recordsPerBatch: number } {
  const value = new Uint8Array(RECORD_BYTES).fill(0x61);
  // Each record is ~108 bytes encoded (length, attributes, deltas, key -1, value, headers).
  const recordsPerBatch = Math.floor((BATCH_TARGET_BYTES - 61) / (RECORD_BYTES + 8));
  const batches: Uint8Array[] = [];
  for (let i = 0; i < 16; i++) {
    batches.push(
      encodeRecordBatch({
        records: Array.from({ length: recordsPerBatch }, (_, j) => ({
          value,
          timestamp: 1_700_000_000_000 + i * 1000 + j,
        })),
      }),
    );
  }
  return { batches, recordsPerBatch };
}

function mbps(bytes: number, ms: number): number {
  return bytes / (1024 * 1024) / (ms / 1000);
}

interface Round {
  rawWrite: number;
  logWrite: number;
  /** CRC-32C of the same batches alone: the validation every append must pay. */
  crc: number;
  rawRead: number;
  /** Raw reads into a fresh buffer each time, as the log must hand the caller its own bytes. */
  rawReadFresh: number;
  logRead: number;
}

/**
 * One round in a fresh temporary directory. Raw and log work alternate in chunks of
 * CHUNK_BATCHES so that both see the same machine load and page-cache write-back.
 */
function round(batches: readonly Uint8Array[], count: number, records: number): Round {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kafka-labs-log-bench-"));
  try {
    const rawPath = path.join(tmp, "raw.log");
    const fd = fs.openSync(rawPath, "w");
    const disk = new FsDisk(path.join(tmp, "data"));
    const log = PartitionLog.open({
      disk,
      dir: "bench-0",
      topicPartition: { topic: "bench", partition: 0 },
      config: logConfig(),
      now: 0,
    });
    const r: Round = { rawWrite: 0, logWrite: 0, crc: 0, rawRead: 0, rawReadFresh: 0, logRead: 0 };
    for (let from = 0; from < count; from += CHUNK_BATCHES) {
      const to = Math.min(count, from + CHUNK_BATCHES);
      let t = performance.now();
      for (let i = from; i < to; i++) fs.writeSync(fd, batches[i % batches.length]!);
      r.rawWrite += performance.now() - t;
      t = performance.now();
      for (let i = from; i < to; i++) {
        const a = log.appendAsLeader(batches[i % batches.length]!, {
          now: 1_700_000_000_000,
          leaderEpoch: 0,
        });
        if (a.error.code !== 0) throw new Error(a.errorMessage);
      }
      r.logWrite += performance.now() - t;
      t = performance.now();
      for (let i = from; i < to; i++) {
        const b = batches[i % batches.length]!;
        sink ^= crc32c(b, ATTRIBUTES_OFFSET, b.length);
      }
      r.crc += performance.now() - t;
    }
    fs.closeSync(fd);
    if (log.logEndOffset !== records)
      throw new Error(`log end offset ${log.logEndOffset}, expected ${records}`);

    // Sequential reads, alternating: raw readSync of 1 MiB into a reused buffer, then log.read(offset, 1 MiB).
    const rfd = fs.openSync(rawPath, "r");
    const buf = new Uint8Array(READ_BYTES);
    let pos = 0;
    let offset = 0;
    let readBytes = 0;
    while (offset < log.logEndOffset) {
      let t = performance.now();
      pos += fs.readSync(rfd, buf, 0, READ_BYTES, pos);
      r.rawRead += performance.now() - t;
      t = performance.now();
      const fresh = new Uint8Array(READ_BYTES);
      fs.readSync(rfd, fresh, 0, READ_BYTES, pos);
      r.rawReadFresh += performance.now() - t;
      t = performance.now();
      const got = log.read(offset, READ_BYTES);
      r.logRead += performance.now() - t;
      if (got.error.code !== 0 || got.records.length === 0)
        throw new Error(`read at ${offset}: ${got.errorMessage ?? "empty"}`);
      readBytes += got.records.length;
      offset = nextOffsetAfter(got.records);
    }
    const size = fs.fstatSync(rfd).size;
    for (
      let t = performance.now(), n = 1;
      pos < size && n > 0;
      r.rawRead += performance.now() - t, t = performance.now()
    ) {
      n = fs.readSync(rfd, buf, 0, READ_BYTES, pos);
      pos += n;
    }
    fs.closeSync(rfd);
    if (readBytes !== size)
      throw new Error(`read ${readBytes} bytes through the log, the raw file has ${size}`);
    disk.close();
    return r;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** One past the last offset of the last batch in `records` (baseOffset + lastOffsetDelta + 1). */
function nextOffsetAfter(records: Uint8Array): number {
  const dv = new DataView(records.buffer, records.byteOffset, records.byteLength);
  let p = 0;
  let next = 0;
  while (p < records.length) {
    next = Number(dv.getBigInt64(p)) + dv.getInt32(p + 23) + 1;
    p += dv.getInt32(p + 8) + 12;
  }
  return next;
}

export default function logBench(): BenchRow[] {
  const { batches, recordsPerBatch } = makeBatches();
  const batchBytes = batches[0]!.length;
  const count = Math.floor(TOTAL_BYTES / batchBytes);
  const bytes = count * batchBytes;
  const records = count * recordsPerBatch;
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(round(batches, count, records));
  // Report the round with the median append ratio, with the raw figures measured beside it.
  const byRatio = [...rounds].sort((a, b) => a.rawWrite / a.logWrite - b.rawWrite / b.logWrite);
  const best = byRatio[Math.floor(byRatio.length / 2)]!;
  const ratios = rounds.map((r) => (r.rawWrite / r.logWrite).toFixed(2)).join(", ");
  const size = `${(bytes / 1048576).toFixed(0)} MiB in ${batchBytes}-byte batches of ${recordsPerBatch} × ${RECORD_BYTES}-byte records`;
  return [
    { group: "log", name: "raw fs.writeSync", value: mbps(bytes, best.rawWrite), unit: "MB/s", note: size },
    { group: "log", name: "raw fs.writeSync", value: records / (best.rawWrite / 1000), unit: "records/s" },
    {
      group: "log",
      name: "PartitionLog.appendAsLeader (FsDisk)",
      value: mbps(bytes, best.logWrite),
      unit: "MB/s",
      note: `${(best.rawWrite / best.logWrite).toFixed(2)}× raw, median of ${ROUNDS} rounds (target ≥ 0.5×; rounds: ${ratios})`,
    },
    {
      group: "log",
      name: "PartitionLog.appendAsLeader (FsDisk)",
      value: records / (best.logWrite / 1000),
      unit: "records/s",
    },
    {
      group: "log",
      name: "CRC-32C of the same batches, alone",
      value: mbps(bytes, best.crc),
      unit: "MB/s",
      note: `bound for write + CRC: ${(best.rawWrite / (best.rawWrite + best.crc)).toFixed(2)}× raw (checksum ${sink >>> 0})`,
    },
    {
      group: "log",
      name: "raw fs.readSync, 1 MiB, reused buffer",
      value: mbps(bytes, best.rawRead),
      unit: "MB/s",
    },
    {
      group: "log",
      name: "raw fs.readSync, 1 MiB, fresh buffer",
      value: mbps(bytes, best.rawReadFresh),
      unit: "MB/s",
    },
    {
      group: "log",
      name: "PartitionLog.read, 1 MiB",
      value: mbps(bytes, best.logRead),
      unit: "MB/s",
      note: `${(best.rawReadFresh / best.logRead).toFixed(2)}× raw with a fresh buffer (the caller keeps the bytes)`,
    },
  ];
}
