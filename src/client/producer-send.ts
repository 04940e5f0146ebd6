/**
 * What one send call turns into on its way to the accumulator and back (producer.ts uses it):
 * messages prepared as records (keys, values and header values as bytes; strings are UTF-8),
 * and `SendCall`, which collects every record's outcome and settles the call once all are
 * known — with one RecordMetadata per partition touched and every message's position (for the
 * history), or with the first error, marked `maybeWritten` when some message of the call may
 * be (or is) in a log.
 */
import type { AppendRecord } from "../protocol/batch-builder";
import { utf8Decode, utf8Encode } from "../protocol/bytes";
import type { KafkaError } from "../protocol/errors";
import type { RecordHeader } from "../protocol/record";
import type { RecordAck, RecordCallback } from "./producer-batch";
import type { Bytes, Message, RecordMetadata } from "./producer-types";

/** One message prepared for the accumulator. */
export interface Prepared {
  topic: string;
  partition: number;
  record: AppendRecord;
}

const EMPTY_HEADERS: readonly RecordHeader[] = [];

export function toBytes(v: Bytes | null | undefined): Uint8Array | null {
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? utf8Encode(v) : v;
}

export function toText(v: Bytes | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? v : utf8Decode(v);
}

export function headersOf(h: Message["headers"]): readonly RecordHeader[] {
  if (h === undefined) return EMPTY_HEADERS;
  const out: RecordHeader[] = [];
  for (const [key, value] of Object.entries(h)) {
    if (Array.isArray(value)) for (const v of value as (Bytes | null)[]) out.push({ key, value: toBytes(v) });
    else out.push({ key, value: toBytes(value as Bytes | null) });
  }
  return out;
}

/** The outcomes of one send call's records; settles the call's promise when all are known. */
export class SendCall implements RecordCallback {
  private readonly acks: (RecordAck | undefined)[];
  private pending: number;
  private firstError: KafkaError | undefined;
  private anyMaybeWritten = false;
  private anyOk = false;

  constructor(
    private readonly prepared: readonly Prepared[],
    private readonly resolve: (r: {
      metadata: RecordMetadata[];
      positions: { topic: string; partition: number; offset: number }[];
    }) => void,
    private readonly reject: (e: unknown) => void,
  ) {
    this.acks = new Array<RecordAck | undefined>(prepared.length);
    this.pending = prepared.length;
  }

  onAck(index: number, ack: RecordAck): void {
    this.acks[index] = ack;
    this.anyOk = true;
    this.done();
  }

  onError(_index: number, error: KafkaError, maybeWritten: boolean): void {
    this.firstError ??= error;
    if (maybeWritten) this.anyMaybeWritten = true;
    this.done();
  }

  /** Fail the call now (later record outcomes change nothing). */
  abandon(error: KafkaError, maybeWritten: boolean): void {
    this.pending = Infinity;
    this.reject(Object.assign(error, { maybeWritten }));
  }

  private done(): void {
    if (--this.pending > 0) return;
    if (this.firstError !== undefined) {
      // Unknown, not failed, if any message of the call may be (or is) in a log.
      this.reject(Object.assign(this.firstError, { maybeWritten: this.anyMaybeWritten || this.anyOk }));
      return;
    }
    this.resolve(summarize(this.prepared, this.acks as RecordAck[]));
  }
}

/** One RecordMetadata per (topic, partition), in first-appearance order, and every message's position. */
export function summarize(
  prepared: readonly Prepared[],
  acks: readonly RecordAck[],
): { metadata: RecordMetadata[]; positions: { topic: string; partition: number; offset: number }[] } {
  const byTp = new Map<string, RecordMetadata>();
  const positions: { topic: string; partition: number; offset: number }[] = [];
  for (let i = 0; i < prepared.length; i++) {
    const p = prepared[i]!;
    const a = acks[i]!;
    positions.push({ topic: p.topic, partition: p.partition, offset: a.offset });
    const key = `${p.topic}-${p.partition}`;
    let m = byTp.get(key);
    if (m === undefined) {
      m = {
        topicName: p.topic,
        partition: p.partition,
        errorCode: 0,
        baseOffset: a.offset,
        offset: a.offset,
        offsets: [],
        timestamp: a.logAppendTime >= 0 ? a.logAppendTime : p.record.timestamp,
        logAppendTime: a.logAppendTime,
        logStartOffset: a.logStartOffset,
      };
      byTp.set(key, m);
    }
    m.offsets.push(a.offset);
  }
  return { metadata: [...byTp.values()], positions };
}
