/**
 * Helpers for the log tests: build RecordBatch v2 bytes from string values, decode what the log
 * returns, open logs over a SimDisk. Test-only (Node may be used here).
 */
import { decodeRecordBatches, encodeRecordBatch, type CompressionType } from "../src/protocol";
import { SimDisk } from "../src/sim/sim-disk";
import { PartitionLog, logConfig, type LogConfig, type LogSeams, type PartitionLogOptions } from "../src/log";

const enc = new TextEncoder();
const dec = new TextDecoder();

export interface BatchOptions {
  /** Timestamp of every record (default 1000). */
  timestamp?: number;
  /** Per-record timestamps (overrides `timestamp`). */
  timestamps?: readonly number[];
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  compression?: CompressionType;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
}

/** One batch holding `values` (UTF-8) as record values. */
export function batch(values: readonly string[], o: BatchOptions = {}): Uint8Array {
  return encodeRecordBatch({
    baseOffset: o.baseOffset ?? 0,
    partitionLeaderEpoch: o.partitionLeaderEpoch ?? -1,
    compression: o.compression ?? "none",
    producerId: o.producerId,
    producerEpoch: o.producerEpoch,
    baseSequence: o.baseSequence,
    records: values.map((v, i) => ({
      value: enc.encode(v),
      timestamp: o.timestamps?.[i] ?? o.timestamp ?? 1000,
    })),
  });
}

export interface DecodedValue {
  offset: number;
  value: string;
  timestamp: number;
  leaderEpoch: number;
}

/** Records of the batches in `bytes`, in order. */
export function values(bytes: Uint8Array): DecodedValue[] {
  const out: DecodedValue[] = [];
  for (const b of decodeRecordBatches(bytes)) {
    for (const r of b.records) {
      out.push({
        offset: r.offset,
        value: r.value === null ? "" : dec.decode(r.value),
        timestamp: r.timestamp,
        leaderEpoch: b.header.partitionLeaderEpoch,
      });
    }
  }
  return out;
}

export const TP = { topic: "orders", partition: 0 };
export const DIR = "data/orders-0";

export function openLog(
  disk: SimDisk,
  config: Partial<LogConfig> = {},
  extra: Partial<Omit<PartitionLogOptions, "disk" | "dir" | "topicPartition">> & { seams?: LogSeams } = {},
): PartitionLog {
  return PartitionLog.open({
    disk,
    dir: DIR,
    topicPartition: TP,
    config: logConfig(config),
    now: 0,
    ...extra,
  });
}

export { SimDisk };
