/**
 * The producer-state snapshot file `<offset20>.snapshot` in Kafka's binary format
 * (ProducerStateManager.writeSnapshot/readSnapshot, ProducerSnapshot.json), big-endian:
 *
 *   int16  version = 1
 *   uint32 crc     CRC-32C of every byte after this field (bytes [6, end))
 *   int32  count
 *   count × 46-byte entries:
 *     int64 producerId, int16 producerEpoch, int32 lastSequence, int64 lastOffset,
 *     int32 offsetDelta, int64 timestamp, int32 coordinatorEpoch,
 *     int64 currentTxnFirstOffset (-1 = no open transaction)
 *
 * The offset in the name is the log end offset the state describes (state of every batch below
 * it). A snapshot keeps only the LAST batch of each producer, as Kafka's does; batches appended
 * after it are rebuilt by replaying the log.
 *
 * Writing follows Kafka: the file is written in place and fsynced (no tmp file and rename); a
 * torn or otherwise corrupt file fails its CRC on reading and is discarded by the loader, which
 * then falls back to an older snapshot or to a replay of the whole log.
 */
import { crc32c } from "../protocol";
import { parentDir, type Disk } from "./disk";
import { filenamePrefixFromOffset, PRODUCER_SNAPSHOT_FILE_SUFFIX } from "./log-files";

export const PRODUCER_SNAPSHOT_VERSION = 1;
/** Bytes before the first entry: version (2) + crc (4) + count (4). */
export const PRODUCER_SNAPSHOT_HEADER_BYTES = 10;
/** Bytes of one entry: 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8. */
export const PRODUCER_SNAPSHOT_ENTRY_BYTES = 46;
const CRC_START = 6;

/** One producer as a snapshot stores it (ProducerSnapshot.json's ProducerEntry). */
export interface ProducerSnapshotEntry {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastOffset: number;
  /** lastOffset − first offset of the last batch (= its lastOffsetDelta). */
  offsetDelta: number;
  /** The last batch's max timestamp. */
  timestamp: number;
  coordinatorEpoch: number;
  currentTxnFirstOffset: number;
}

/** A snapshot file that cannot be read (Kafka's CorruptSnapshotException). */
export class CorruptSnapshotError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`Cannot read producer snapshot ${path}: ${problem}`);
    this.name = "CorruptSnapshotError";
  }
}

export function producerSnapshotFileName(offset: number): string {
  return filenamePrefixFromOffset(offset) + PRODUCER_SNAPSHOT_FILE_SUFFIX;
}

export function encodeProducerSnapshot(entries: readonly ProducerSnapshotEntry[]): Uint8Array {
  const out = new Uint8Array(PRODUCER_SNAPSHOT_HEADER_BYTES + entries.length * PRODUCER_SNAPSHOT_ENTRY_BYTES);
  const dv = new DataView(out.buffer);
  dv.setInt16(0, PRODUCER_SNAPSHOT_VERSION);
  dv.setInt32(6, entries.length);
  let p = PRODUCER_SNAPSHOT_HEADER_BYTES;
  for (const e of entries) {
    dv.setBigInt64(p, BigInt(e.producerId));
    dv.setInt16(p + 8, e.producerEpoch);
    dv.setInt32(p + 10, e.lastSequence);
    dv.setBigInt64(p + 14, BigInt(e.lastOffset));
    dv.setInt32(p + 22, e.offsetDelta);
    dv.setBigInt64(p + 26, BigInt(e.timestamp));
    dv.setInt32(p + 34, e.coordinatorEpoch);
    dv.setBigInt64(p + 38, BigInt(e.currentTxnFirstOffset));
    p += PRODUCER_SNAPSHOT_ENTRY_BYTES;
  }
  dv.setUint32(2, crc32c(out, CRC_START, out.length));
  return out;
}

/** Decode and verify a snapshot; `path` is only for error messages. Throws CorruptSnapshotError. */
export function decodeProducerSnapshot(bytes: Uint8Array, path = "snapshot"): ProducerSnapshotEntry[] {
  if (bytes.length < PRODUCER_SNAPSHOT_HEADER_BYTES)
    throw new CorruptSnapshotError(
      path,
      `${bytes.length} bytes, a snapshot has at least ${PRODUCER_SNAPSHOT_HEADER_BYTES}`,
    );
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getInt16(0);
  if (version !== PRODUCER_SNAPSHOT_VERSION)
    throw new CorruptSnapshotError(path, `version ${version}, expected ${PRODUCER_SNAPSHOT_VERSION}`);
  const stored = dv.getUint32(2);
  const computed = crc32c(bytes, CRC_START, bytes.length);
  if (stored !== computed)
    throw new CorruptSnapshotError(
      path,
      `CRC mismatch: the file says 0x${stored.toString(16)}, its bytes give 0x${computed.toString(16)}`,
    );
  const count = dv.getInt32(6);
  const expected = PRODUCER_SNAPSHOT_HEADER_BYTES + count * PRODUCER_SNAPSHOT_ENTRY_BYTES;
  if (count < 0 || expected !== bytes.length)
    throw new CorruptSnapshotError(path, `count ${count} does not match the file size ${bytes.length}`);
  const entries: ProducerSnapshotEntry[] = [];
  let p = PRODUCER_SNAPSHOT_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    entries.push({
      producerId: Number(dv.getBigInt64(p)),
      producerEpoch: dv.getInt16(p + 8),
      lastSequence: dv.getInt32(p + 10),
      lastOffset: Number(dv.getBigInt64(p + 14)),
      offsetDelta: dv.getInt32(p + 22),
      timestamp: Number(dv.getBigInt64(p + 26)),
      coordinatorEpoch: dv.getInt32(p + 34),
      currentTxnFirstOffset: Number(dv.getBigInt64(p + 38)),
    });
    p += PRODUCER_SNAPSHOT_ENTRY_BYTES;
  }
  return entries;
}

/** Write `<dir>/<offset20>.snapshot` in place and make it durable (file and directory entry). */
export function writeProducerSnapshot(
  disk: Disk,
  path: string,
  entries: readonly ProducerSnapshotEntry[],
): void {
  const bytes = encodeProducerSnapshot(entries);
  disk.create(path);
  disk.truncate(path, 0);
  disk.append(path, bytes);
  disk.fsync(path);
  disk.fsyncDir(parentDir(path));
}
