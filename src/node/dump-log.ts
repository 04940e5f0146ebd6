/**
 * `dump-log`: print the batches (and optionally the records) of a segment file, like Kafka's
 * kafka-dump-log.sh (DumpLogSegments.scala) for `.log` files. One line per batch; with
 * `--records` (alias `--print-data-log`, Kafka's flag), one line per record after it.
 *
 * The file is read batch by batch (header, then the whole batch for its CRC), so memory stays
 * bounded by the largest batch. Bad data is reported, never thrown:
 * - a batch whose CRC does not match is printed with `crcValid: false`, and the dump goes on
 *   (its batchLength still frames it; if that was corrupt too, the next batch reports it);
 * - a wrong magic, or records that do not decode, are reported and the dump goes on;
 * - a batchLength below the minimum loses the framing: reported, and the dump stops;
 * - an incomplete batch at the end (a torn write) is reported as a truncated tail; a zero-filled
 *   tail (preallocated space) is named as such but is not counted as a problem.
 * Exit codes (dumpLogCommand): 0 clean, 1 cannot read the file, 2 bad arguments, 3 the file
 * holds corrupt or truncated data.
 */
import * as fs from "node:fs";
import {
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  LOG_OVERHEAD,
  MAGIC_V2,
  RECORD_BATCH_OVERHEAD,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  codecIdOf,
  compressionTypeForId,
  computeBatchCrc,
  decodeRecordBatch,
  initCodecs,
  readBatchHeader,
  type BatchHeader,
  type DecodedRecord,
} from "../protocol/index";

/** Smallest valid batchLength (a batch with no records). */
const MIN_BATCH_LENGTH = RECORD_BATCH_OVERHEAD - LOG_OVERHEAD;
/** Longest key/value/header value printed in full; longer ones are cut with a byte count. */
const MAX_PRINTED_BYTES = 256;

export interface SegmentReader {
  readonly size: number;
  read(position: number, length: number): Uint8Array;
}

export interface DumpOptions {
  /** Print each record too. */
  records: boolean;
}

export interface DumpProblem {
  position: number;
  reason: string;
}

export interface DumpSummary {
  batches: number;
  records: number;
  /** Bytes of well-formed batches with a valid CRC. */
  validBytes: number;
  fileBytes: number;
  problems: DumpProblem[];
}

export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

export const DUMP_LOG_USAGE = [
  "dump-log <segment.log> [--records]",
  "  Prints one line per RecordBatch of a Kafka segment file: offsets, position, size,",
  "  timestamps, producer id/epoch/sequence, leader epoch, codec, CRC, flags.",
  "  --records, --print-data-log   also print every record (offset, timestamp, key, value, headers)",
  "Exit codes: 0 clean, 1 cannot read the file, 2 bad arguments, 3 corrupt or truncated data.",
].join("\n");

/** Bytes as a JSON string if they are printable UTF-8, else hex; cut after MAX_PRINTED_BYTES. */
export function printable(bytes: Uint8Array | null): string {
  if (bytes === null) return "null";
  const shown = bytes.subarray(0, MAX_PRINTED_BYTES);
  const more = bytes.length > shown.length ? `...(${bytes.length} bytes)` : "";
  let text: string | undefined;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(shown);
  } catch (_) {
    text = undefined;
  }
  // eslint-disable-next-line no-control-regex
  if (text !== undefined && !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text))
    return JSON.stringify(text) + more;
  return `0x${Array.from(shown, (b) => b.toString(16).padStart(2, "0")).join("")}${more}`;
}

function batchLine(h: BatchHeader, position: number, size: number, crcValid: boolean): string {
  const codec = compressionTypeForId(codecIdOf(h.attributes)) ?? `unknown(${codecIdOf(h.attributes)})`;
  const lastSequence = h.baseSequence < 0 ? -1 : h.baseSequence + h.lastOffsetDelta;
  return [
    `baseOffset: ${h.baseOffset}`,
    `lastOffset: ${h.baseOffset + h.lastOffsetDelta}`,
    `count: ${h.recordsCount}`,
    `position: ${position}`,
    `size: ${size}`,
    `${h.attributes & TIMESTAMP_TYPE_MASK ? "LogAppendTime" : "CreateTime"}`,
    `baseTimestamp: ${h.baseTimestamp}`,
    `maxTimestamp: ${h.maxTimestamp}`,
    `producerId: ${h.producerId}`,
    `producerEpoch: ${h.producerEpoch}`,
    `baseSequence: ${h.baseSequence}`,
    `lastSequence: ${lastSequence}`,
    `partitionLeaderEpoch: ${h.partitionLeaderEpoch}`,
    `magic: ${h.magic}`,
    `codec: ${codec}`,
    `crc: 0x${h.crc.toString(16).padStart(8, "0")}`,
    `crcValid: ${crcValid}`,
    `isTransactional: ${(h.attributes & TRANSACTIONAL_FLAG_MASK) !== 0}`,
    `isControl: ${(h.attributes & CONTROL_FLAG_MASK) !== 0}`,
  ].join(" ");
}

function recordLine(r: DecodedRecord, isControl: boolean): string {
  const headers = r.headers.map((x) => `${JSON.stringify(x.key)}=${printable(x.value)}`).join(", ");
  const parts = [`| offset: ${r.offset}`, `timestamp: ${r.timestamp}`];
  if (isControl && r.key !== null && r.key.length >= 4) {
    // Control record key: int16 version, int16 type (0 = ABORT, 1 = COMMIT). ControlRecordType.java
    const type = (r.key[2]! << 8) | r.key[3]!;
    parts.push(`controlType: ${type === 0 ? "ABORT" : type === 1 ? "COMMIT" : `UNKNOWN(${type})`}`);
  }
  parts.push(`key: ${printable(r.key)}`, `value: ${printable(r.value)}`, `headers: [${headers}]`);
  return parts.join(" ");
}

/** Strip "CORRUPT_MESSAGE: " and "(at byte N)" from a decode error, returning the file position. */
function describeDecodeError(e: unknown, batchPosition: number): DumpProblem {
  const err = e as { message?: string; position?: number };
  const reason = String(err.message ?? e)
    .replace(/^[A-Z_]+: /, "")
    .replace(/ \(at byte \d+\)$/, "");
  const position = typeof err.position === "number" ? batchPosition + err.position : batchPosition;
  return { position, reason };
}

function isAllZero(reader: SegmentReader, from: number): boolean {
  const chunk = 64 * 1024;
  for (let p = from; p < reader.size; p += chunk) {
    if (reader.read(p, Math.min(chunk, reader.size - p)).some((b) => b !== 0)) return false;
  }
  return true;
}

/** Dump a segment through `out`. Never throws for bad data; returns what was found. */
export function dumpSegment(
  reader: SegmentReader,
  options: DumpOptions,
  out: (line: string) => void,
): DumpSummary {
  const summary: DumpSummary = {
    batches: 0,
    records: 0,
    validBytes: 0,
    fileBytes: reader.size,
    problems: [],
  };
  const problem = (p: DumpProblem, what: string): void => {
    summary.problems.push(p);
    out(`${what} at position ${p.position}: ${p.reason}`);
  };
  let pos = 0;
  let nextOffset = -1;
  while (pos < reader.size) {
    const left = reader.size - pos;
    if (left < LOG_OVERHEAD) {
      problem(
        {
          position: pos,
          reason: `incomplete batch: ${left} bytes left, a batch needs at least ${RECORD_BATCH_OVERHEAD}`,
        },
        "TRUNCATED",
      );
      break;
    }
    const head = reader.read(pos, LOG_OVERHEAD);
    const batchLength = new DataView(head.buffer, head.byteOffset, head.byteLength).getInt32(8);
    if (batchLength === 0 && isAllZero(reader, pos)) {
      // Not data loss: space a preallocating writer reserved (Kafka's file.preallocate), or zeros after a crash.
      out(`ZERO TAIL at position ${pos}: ${left} zero bytes, no batch`);
      break;
    }
    if (batchLength < MIN_BATCH_LENGTH) {
      problem(
        {
          position: pos,
          reason: `invalid batchLength ${batchLength} (minimum ${MIN_BATCH_LENGTH}); cannot find the next batch`,
        },
        "CORRUPT",
      );
      break;
    }
    if (batchLength + LOG_OVERHEAD > left) {
      problem(
        {
          position: pos,
          reason: `incomplete batch: ${left} bytes left, the batch needs ${batchLength + LOG_OVERHEAD}`,
        },
        "TRUNCATED",
      );
      break;
    }
    const size = batchLength + LOG_OVERHEAD;
    const batch = reader.read(pos, size);
    const header = readBatchHeader(batch, 0);
    if (header.magic !== MAGIC_V2) {
      problem(
        {
          position: pos + 16,
          reason: `magic ${header.magic}, only RecordBatch v2 (magic 2) is supported; skipping ${size} bytes`,
        },
        "CORRUPT",
      );
      pos += size;
      continue;
    }
    const crcValid = computeBatchCrc(batch, 0) === header.crc;
    out(batchLine(header, pos, size, crcValid));
    summary.batches++;
    if (crcValid) summary.validBytes += size;
    else
      problem(
        {
          position: pos + CRC_OFFSET,
          reason: `stored crc 0x${header.crc.toString(16)} does not match computed 0x${computeBatchCrc(batch, 0).toString(16)}`,
        },
        "CORRUPT",
      );
    if (nextOffset >= 0 && header.baseOffset < nextOffset) {
      problem(
        {
          position: pos,
          reason: `baseOffset ${header.baseOffset} is below the previous batch's next offset ${nextOffset}`,
        },
        "OUT OF ORDER",
      );
    }
    nextOffset = header.baseOffset + header.lastOffsetDelta + 1;
    if (options.records) {
      try {
        const decoded = decodeRecordBatch(batch, 0, { verifyCrc: false });
        for (const r of decoded.records) out(recordLine(r, decoded.isControl));
        summary.records += decoded.records.length;
      } catch (e) {
        problem(describeDecodeError(e, pos), "CORRUPT RECORDS");
      }
    } else {
      summary.records += Math.max(0, header.recordsCount);
    }
    pos += size;
  }
  return summary;
}

/** A SegmentReader over a file, read with positional reads. */
export function openSegmentFile(path: string): SegmentReader & { close(): void } {
  const fd = fs.openSync(path, "r");
  const size = fs.fstatSync(fd).size;
  return {
    size,
    read(position, length) {
      const out = new Uint8Array(Math.max(0, Math.min(length, size - position)));
      let done = 0;
      while (done < out.length) {
        const n = fs.readSync(fd, out, done, out.length - done, position + done);
        if (n === 0) return out.subarray(0, done);
        done += n;
      }
      return out;
    },
    close: () => fs.closeSync(fd),
  };
}

/** `dump-log <file> [--records]`: returns the exit code. */
export async function dumpLogCommand(args: readonly string[], io: CliIo): Promise<number> {
  const files = args.filter((a) => !a.startsWith("-"));
  const flags = args.filter((a) => a.startsWith("-"));
  const unknown = flags.filter((f) => f !== "--records" && f !== "--print-data-log");
  if (files.length !== 1 || unknown.length > 0) {
    if (unknown.length > 0) io.stderr(`dump-log: unknown option ${unknown.join(" ")}`);
    else io.stderr(`dump-log: expected one segment file, got ${files.length}`);
    io.stderr(`Usage: ${DUMP_LOG_USAGE}`);
    return 2;
  }
  const file = files[0]!;
  if (/\.(index|timeindex|txnindex|snapshot)$/.test(file)) {
    io.stderr(`dump-log: ${file} is an index or snapshot file; dump-log reads .log segment files`);
    io.stderr(`Usage: ${DUMP_LOG_USAGE}`);
    return 2;
  }
  let reader: SegmentReader & { close(): void };
  try {
    if (fs.statSync(file).isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    reader = openSegmentFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.stderr(`dump-log: cannot read ${file}: ${code === "ENOENT" ? "no such file" : (code ?? String(e))}`);
    return 1;
  }
  try {
    await initCodecs(); // zstd needs its WebAssembly loaded before decoding
    io.stdout(`Dumping ${file}`);
    const summary = dumpSegment(
      reader,
      { records: args.includes("--records") || args.includes("--print-data-log") },
      io.stdout,
    );
    io.stdout(
      `Summary: ${summary.batches} batches, ${summary.records} records, ${summary.validBytes} of ${summary.fileBytes} bytes in valid batches, ${summary.problems.length} problem${summary.problems.length === 1 ? "" : "s"}`,
    );
    return summary.problems.length === 0 ? 0 : 3;
  } finally {
    reader.close();
  }
}
