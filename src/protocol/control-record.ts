/**
 * Control records: the single record of a control batch (attributes bit 5), written by the
 * broker, never by a producer. Layout from Kafka's ControlRecordType.java and
 * EndTransactionMarker.java:
 *   key    version int16 (0), type int16 (0 ABORT, 1 COMMIT, 2 QUORUM_REASSIGNMENT,
 *          3 LEADER_CHANGE, 4 SNAPSHOT_HEADER, 5 SNAPSHOT_FOOTER, 6 KRAFT_VERSION, 7 KRAFT_VOTERS)
 *   value  for ABORT/COMMIT (an end-transaction marker): version int16 (0), coordinatorEpoch int32
 * Consumers skip control records; with read_committed they use ABORT markers to drop the
 * aborted transaction's records.
 */
import { ByteReader, ByteWriter } from "./bytes";
import { CorruptRecordError } from "./errors";
import type { RecordBatchInput } from "./record-batch";

export const ControlRecordType = {
  ABORT: 0,
  COMMIT: 1,
  QUORUM_REASSIGNMENT: 2,
  LEADER_CHANGE: 3,
  SNAPSHOT_HEADER: 4,
  SNAPSHOT_FOOTER: 5,
  KRAFT_VERSION: 6,
  KRAFT_VOTERS: 7,
} as const;

export type ControlRecordTypeName = keyof typeof ControlRecordType;

const CONTROL_KEY_VERSION = 0;
const END_TXN_MARKER_VERSION = 0;

export function encodeControlRecordKey(type: number): Uint8Array {
  return new ByteWriter(4).int16(CONTROL_KEY_VERSION).int16(type).finish();
}

export function decodeControlRecordKey(key: Uint8Array | null): { version: number; type: number } {
  if (key === null) throw new CorruptRecordError("Invalid control record: null key");
  const r = new ByteReader(key);
  const version = r.int16("control record key version");
  const type = r.int16("control record type");
  return { version, type };
}

export function encodeEndTxnMarkerValue(coordinatorEpoch: number): Uint8Array {
  return new ByteWriter(6).int16(END_TXN_MARKER_VERSION).int32(coordinatorEpoch).finish();
}

export function decodeEndTxnMarkerValue(value: Uint8Array | null): {
  version: number;
  coordinatorEpoch: number;
} {
  if (value === null) throw new CorruptRecordError("Invalid end transaction marker: null value");
  const r = new ByteReader(value);
  const version = r.int16("end transaction marker version");
  if (version < 0) throw new CorruptRecordError(`Invalid end transaction marker version ${version}`);
  return { version, coordinatorEpoch: r.int32("coordinatorEpoch") };
}

/** The control batch a partition leader appends to end a transaction (WriteTxnMarkers). */
export function endTxnMarkerBatch(args: {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  timestamp: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
}): RecordBatchInput {
  return {
    baseOffset: args.baseOffset,
    partitionLeaderEpoch: args.partitionLeaderEpoch,
    producerId: args.producerId,
    producerEpoch: args.producerEpoch,
    isTransactional: true,
    isControl: true,
    records: [
      {
        key: encodeControlRecordKey(args.commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT),
        value: encodeEndTxnMarkerValue(args.coordinatorEpoch),
        timestamp: args.timestamp,
      },
    ],
  };
}
