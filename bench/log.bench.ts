/**
 * Log throughput on real files: PartitionLog over FsDisk against plain fs.writeSync/readSync of
 * the same bytes in the same run, in a temporary directory.
 *
 * Workload (after Kreps' 2014 benchmark): 100-byte records in ~16 KiB uncompressed batches,
 * appended one batch per call as a leader (validation with CRC-32C, copy, offset and epoch
 * stamping, sparse indexes included), then read back sequentially with 1 MiB reads. No fsync
 * in either path (Kafka's default: flush.messages = flush.ms = never). Target: log ≥ 0.5× raw.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { BenchRow } from "./types";
import { encodeRecordBatch } from "../src/protocol";
import { PartitionLog, logConfig } from "../src/log";
import { FsDisk } from "../src/node/fs-disk";

const RECORD_BYTES = 100;
const BATCH_TARGET_BYTES = 16 * 1024;
const TOTAL_BYTES = 256 * 1024 * 1024;
const READ_BYTES = 1024 * 1024;
const ROUNDS = 3;

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

export default function logBench(): BenchRow[] {
  const { batches, recordsPerBatch } = makeBatches();
  const batchBytes = batches[0]!.length;
  const count = Math.floor(TOTAL_BYTES / batchBytes);
  const bytes = count * batchBytes;
  const records = count * recordsPerBatch;
  let best = { raw: Infinity, log: Infinity, rawRead: Infinity, logRead: Infinity };

  for (let round = 0; round < ROUNDS; round++) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kafka-labs-log-bench-"));
    try {
      // Raw: the same bytes with writeSync on one file.
      const rawPath = path.join(tmp, "raw.log");
      const fd = fs.openSync(rawPath, "w");
      let t = performance.now();
      for (let i = 0; i < count; i++) fs.writeSync(fd, batches[i % batches.length]!);
      const raw = performance.now() - t;
      fs.closeSync(fd);

      // Log: PartitionLog.appendAsLeader on FsDisk, default config (1 GiB segments, 4 KiB index interval).
      const disk = new FsDisk(path.join(tmp, "data"));
      const log = PartitionLog.open({
        disk,
        dir: "bench-0",
        topicPartition: { topic: "bench", partition: 0 },
        config: logConfig(),
        now: 0,
      });
      t = performance.now();
      for (let i = 0; i < count; i++) {
        const r = log.appendAsLeader(batches[i % batches.length]!, {
          now: 1_700_000_000_000,
          leaderEpoch: 0,
        });
        if (r.error.code !== 0) throw new Error(r.errorMessage);
      }
      const logMs = performance.now() - t;
      if (log.logEndOffset !== records)
        throw new Error(`log end offset ${log.logEndOffset}, expected ${records}`);

      // Sequential reads: raw readSync of 1 MiB chunks, then log.read(offset, 1 MiB).
      const rfd = fs.openSync(rawPath, "r");
      const buf = new Uint8Array(READ_BYTES);
      t = performance.now();
      let pos = 0;
      for (let n = 1; n > 0; pos += n) n = fs.readSync(rfd, buf, 0, READ_BYTES, pos);
      const rawRead = performance.now() - t;
      fs.closeSync(rfd);
      t = performance.now();
      let offset = 0;
      let readBytes = 0;
      while (offset < log.logEndOffset) {
        const r = log.read(offset, READ_BYTES);
        if (r.error.code !== 0 || r.records.length === 0)
          throw new Error(`read at ${offset}: ${r.errorMessage ?? "empty"}`);
        readBytes += r.records.length;
        // Next fetch offset: one past the last batch's last offset (baseOffset + lastOffsetDelta + 1).
        const dv = new DataView(r.records.buffer, r.records.byteOffset, r.records.byteLength);
        let p = 0;
        let last = offset;
        while (p < r.records.length) {
          last = Number(dv.getBigInt64(p)) + dv.getInt32(p + 23);
          p += dv.getInt32(p + 8) + 12;
        }
        offset = last + 1;
      }
      const logRead = performance.now() - t;
      if (readBytes !== bytes) throw new Error(`read ${readBytes} bytes, expected ${bytes}`);
      disk.close();
      best = {
        raw: Math.min(best.raw, raw),
        log: Math.min(best.log, logMs),
        rawRead: Math.min(best.rawRead, rawRead),
        logRead: Math.min(best.logRead, logRead),
      };
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  const size = `${(bytes / 1048576).toFixed(0)} MiB, ${batchBytes}-byte batches of ${recordsPerBatch} × ${RECORD_BYTES}-byte records, best of ${ROUNDS}`;
  const ratio = best.raw / best.log;
  return [
    { group: "log", name: "raw fs.writeSync", value: mbps(bytes, best.raw), unit: "MB/s", note: size },
    { group: "log", name: "raw fs.writeSync", value: records / (best.raw / 1000), unit: "records/s" },
    {
      group: "log",
      name: "PartitionLog.appendAsLeader (FsDisk)",
      value: mbps(bytes, best.log),
      unit: "MB/s",
      note: `${ratio.toFixed(2)}× raw (target ≥ 0.5×)`,
    },
    {
      group: "log",
      name: "PartitionLog.appendAsLeader (FsDisk)",
      value: records / (best.log / 1000),
      unit: "records/s",
    },
    { group: "log", name: "raw fs.readSync, 1 MiB reads", value: mbps(bytes, best.rawRead), unit: "MB/s" },
    {
      group: "log",
      name: "PartitionLog.read, 1 MiB reads",
      value: mbps(bytes, best.logRead),
      unit: "MB/s",
      note: `${(best.rawRead / best.logRead).toFixed(2)}× raw`,
    },
  ];
}
