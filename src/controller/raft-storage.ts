/**
 * Durable state of a metadata-quorum voter over the Disk port, in KRaft's directory
 * `__cluster_metadata-0/`:
 *
 * - `quorum-state`: JSON like Kafka's QuorumStateData v0 (leaderEpoch, leaderId, votedId...),
 *   replaced atomically: write `quorum-state.tmp`, fsync, rename, fsync the directory (as Kafka's
 *   FileQuorumStateStore does). A vote is durable before the Vote response leaves.
 * - `00000000000000000000.log`: the batches, one frame each, fsynced before the next Fetch
 *   acknowledges them (or, on the leader, before they count toward the high watermark).
 *
 * Frame (big-endian): int64 offset | int32 payloadLength | int32 epoch | uint32 crc | payload.
 * The CRC-32C covers the epoch and the payload; the payload is the batch as UTF-8 JSON.
 *
 * Recovery reads frames from the start and stops at the first incomplete frame, bad CRC, bad
 * JSON or offset gap; the file is truncated there (a power loss can tear the unsynced tail).
 *
 * Departures from KRaft: a simplified frame instead of RecordBatch v2 with metadata records in
 * Kafka's binary ApiMessage format; one segment, no snapshots, no log cleaning. Like KRaft we
 * trust fsync: a corrupted frame that had been acknowledged truncates the log there, which Raft
 * cannot tolerate on a majority (the course's disk faults only tear unsynced writes).
 */
import { crc32c } from "../protocol";
import { joinPath, type Disk } from "../log/disk";
import type { QuorumStateRecord, RaftPersistedState, Ready } from "./raft";
import type { RaftBatch } from "./raft-messages";

export const METADATA_LOG_DIR = "__cluster_metadata-0";
const QUORUM_STATE_FILE = "quorum-state";
const LOG_FILE = "00000000000000000000.log";
const FRAME_HEADER_BYTES = 20;

export interface RecoveryReport {
  batches: number;
  /** Bytes cut from the log's tail because they did not form valid frames. */
  truncatedBytes: number;
  /** Why recovery stopped early, if it did. */
  reason: string | null;
}

export class RaftStorage<T> {
  /** positions[i] = byte position of batch i; positions[length] = file size. */
  private readonly positions: number[];

  private constructor(
    private readonly disk: Disk,
    private readonly dir: string,
    positions: number[],
  ) {
    this.positions = positions;
  }

  /** Open (creating if needed) and recover the quorum directory. */
  static open<T>(
    disk: Disk,
    dir = METADATA_LOG_DIR,
  ): { storage: RaftStorage<T>; state: RaftPersistedState<T>; recovery: RecoveryReport } {
    const logPath = joinPath(dir, LOG_FILE);
    if (!disk.exists(dir)) {
      disk.mkdirs(dir);
      disk.fsyncDir("");
    }
    if (!disk.exists(logPath)) {
      disk.create(logPath);
      disk.fsyncDir(dir);
    }
    const tmp = joinPath(dir, `${QUORUM_STATE_FILE}.tmp`);
    if (disk.exists(tmp)) disk.delete(tmp);
    const { batches, positions, recovery } = recoverLog<T>(disk.readAll(logPath));
    if (recovery.truncatedBytes > 0) {
      disk.truncate(logPath, positions.at(-1)!);
      disk.fsync(logPath);
    }
    const storage = new RaftStorage<T>(disk, dir, positions);
    return { storage, state: { quorumState: storage.readQuorumState(), batches }, recovery };
  }

  /** The durable part of a Ready: quorum state first, then the log (truncate, append, fsync). */
  save(rd: Ready<T>): void {
    if (rd.quorumState) this.writeQuorumState(rd.quorumState);
    const logPath = joinPath(this.dir, LOG_FILE);
    const durableBatches = this.positions.length - 1;
    if (rd.entriesFrom > durableBatches) {
      throw new Error(
        `Cannot write batches from offset ${rd.entriesFrom}: the durable log ends at ${durableBatches}`,
      );
    }
    let changed = false;
    if (rd.entriesFrom < durableBatches) {
      this.positions.length = rd.entriesFrom + 1;
      this.disk.truncate(logPath, this.positions[rd.entriesFrom]!);
      changed = true;
    }
    if (rd.entries.length > 0) {
      const frames = rd.entries.map(encodeFrame);
      const bytes = concat(frames);
      let pos = this.positions.at(-1)!;
      for (const f of frames) this.positions.push((pos += f.length));
      this.disk.append(logPath, bytes);
      changed = true;
    }
    if (changed) this.disk.fsync(logPath);
  }

  private readQuorumState(): QuorumStateRecord | null {
    const path = joinPath(this.dir, QUORUM_STATE_FILE);
    if (!this.disk.exists(path)) return null;
    const text = new TextDecoder().decode(this.disk.readAll(path));
    try {
      return JSON.parse(text) as QuorumStateRecord;
    } catch (e) {
      throw new Error(`Cannot read ${path}: not valid JSON (${(e as Error).message})`, { cause: e });
    }
  }

  private writeQuorumState(state: QuorumStateRecord): void {
    const path = joinPath(this.dir, QUORUM_STATE_FILE);
    const tmp = `${path}.tmp`;
    if (this.disk.exists(tmp)) this.disk.delete(tmp);
    this.disk.append(tmp, new TextEncoder().encode(JSON.stringify(state)));
    this.disk.fsync(tmp);
    this.disk.rename(tmp, path);
    this.disk.fsyncDir(this.dir);
  }
}

function encodeFrame(batch: RaftBatch<unknown>): Uint8Array {
  const payload = new TextEncoder().encode(
    JSON.stringify({ control: batch.control, records: batch.records }),
  );
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  const dv = new DataView(frame.buffer);
  dv.setBigInt64(0, BigInt(batch.offset));
  dv.setInt32(8, payload.length);
  dv.setInt32(12, batch.epoch);
  frame.set(payload, FRAME_HEADER_BYTES);
  dv.setUint32(16, frameCrc(frame));
  return frame;
}

/** CRC-32C over the epoch field and the payload (bytes [12,16) and [20, end)). */
function frameCrc(frame: Uint8Array): number {
  const covered = new Uint8Array(4 + frame.length - FRAME_HEADER_BYTES);
  covered.set(frame.subarray(12, 16), 0);
  covered.set(frame.subarray(FRAME_HEADER_BYTES), 4);
  return crc32c(covered);
}

function recoverLog<T>(bytes: Uint8Array): {
  batches: RaftBatch<T>[];
  positions: number[];
  recovery: RecoveryReport;
} {
  const batches: RaftBatch<T>[] = [];
  const positions = [0];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let reason: string | null = null;
  while (pos < bytes.length) {
    if (bytes.length - pos < FRAME_HEADER_BYTES) {
      reason = `incomplete frame header at byte ${pos}`;
      break;
    }
    const offset = Number(dv.getBigInt64(pos));
    const length = dv.getInt32(pos + 8);
    const epoch = dv.getInt32(pos + 12);
    if (length < 0 || pos + FRAME_HEADER_BYTES + length > bytes.length) {
      reason = `incomplete frame at byte ${pos} (length ${length})`;
      break;
    }
    const frame = bytes.subarray(pos, pos + FRAME_HEADER_BYTES + length);
    if (dv.getUint32(pos + 16) !== frameCrc(frame)) {
      reason = `bad CRC in frame at byte ${pos}`;
      break;
    }
    if (offset !== batches.length) {
      reason = `offset ${offset} at byte ${pos} does not follow ${batches.length - 1}`;
      break;
    }
    let body: { control?: RaftBatch<T>["control"]; records: T[] };
    try {
      body = JSON.parse(new TextDecoder().decode(frame.subarray(FRAME_HEADER_BYTES))) as typeof body;
    } catch {
      reason = `unreadable payload in frame at byte ${pos}`;
      break;
    }
    batches.push(
      body.control
        ? { offset, epoch, control: body.control, records: [] }
        : { offset, epoch, records: body.records },
    );
    pos += frame.length;
    positions.push(pos);
  }
  return {
    batches,
    positions,
    recovery: { batches: batches.length, truncatedBytes: bytes.length - pos, reason },
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
