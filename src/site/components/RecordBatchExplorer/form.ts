/**
 * The explorer's form: what the reader can set, its defaults, and how it becomes the input of
 * src/protocol's encodeRecordBatch (one record, as a producer would send it).
 *
 * Every number is checked against the width of its field on the wire (int64 offsets, timestamps
 * and producer ids within JavaScript's exact integers, int32 epochs and sequences, int16 producer
 * epoch), so that a bad entry gets a reason instead of a wrong batch. The timestamp is an explicit
 * input (no clock), so the page and a test that encodes the same input agree byte for byte.
 *
 * Pure and browser-safe.
 */
import { utf8Encode, type CompressionType, type RecordBatchInput } from "../../../protocol";

export interface HeaderEntry {
  key: string;
  value: string;
  valueNull: boolean;
}

export interface ExplorerForm {
  key: string;
  keyNull: boolean;
  value: string;
  valueNull: boolean;
  headers: HeaderEntry[];
  /** Record timestamp in ms since the epoch (CreateTime), as typed. */
  timestamp: string;
  compression: CompressionType;
  producerId: string;
  producerEpoch: string;
  baseSequence: string;
  baseOffset: string;
  partitionLeaderEpoch: string;
}

/** 2023-11-14T22:13:20Z: a fixed instant, so that the default batch is always the same bytes. */
export const DEFAULT_TIMESTAMP_MS = 1_700_000_000_000;

export const DEFAULT_FORM: ExplorerForm = {
  key: "order-42",
  keyNull: false,
  value: '{"item":"book","qty":1}',
  valueNull: false,
  headers: [{ key: "trace-id", value: "7f3a", valueNull: false }],
  timestamp: String(DEFAULT_TIMESTAMP_MS),
  compression: "none",
  producerId: "-1",
  producerEpoch: "-1",
  baseSequence: "-1",
  baseOffset: "0",
  partitionLeaderEpoch: "-1",
};

/** Bounds that keep the hex dump readable; the form's inputs enforce them too. */
export const MAX_TEXT_CHARS = 512;
export const MAX_HEADERS = 6;

/** Which input was wrong and why (the component translates `reason`). */
export interface FormError {
  field: keyof ExplorerForm;
  reason: "notInteger" | "outOfRange" | "tooLong" | "tooManyHeaders";
  min?: number;
  max?: number;
}

export type FormResult = { ok: true; input: RecordBatchInput } | { ok: false; error: FormError };

const INT16: [number, number] = [-32768, 32767];
const INT32: [number, number] = [-2147483648, 2147483647];
const SAFE: [number, number] = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];

function parseInteger(
  form: ExplorerForm,
  field: keyof ExplorerForm,
  [min, max]: [number, number],
): number | FormError {
  const text = String(form[field]).trim();
  if (!/^-?\d+$/.test(text)) return { field, reason: "notInteger" };
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) return { field, reason: "outOfRange", min, max };
  return n;
}

/** The RecordBatchInput of the form, or the first input that is wrong. */
export function batchInputOf(form: ExplorerForm): FormResult {
  if (form.key.length > MAX_TEXT_CHARS)
    return { ok: false, error: { field: "key", reason: "tooLong", max: MAX_TEXT_CHARS } };
  if (form.value.length > MAX_TEXT_CHARS)
    return { ok: false, error: { field: "value", reason: "tooLong", max: MAX_TEXT_CHARS } };
  if (form.headers.length > MAX_HEADERS)
    return { ok: false, error: { field: "headers", reason: "tooManyHeaders", max: MAX_HEADERS } };
  const numbers: [keyof ExplorerForm, [number, number]][] = [
    ["timestamp", [0, SAFE[1]]],
    ["producerId", [-1, SAFE[1]]],
    ["producerEpoch", [-1, INT16[1]]],
    ["baseSequence", [-1, INT32[1]]],
    ["baseOffset", [0, SAFE[1]]],
    ["partitionLeaderEpoch", [-1, INT32[1]]],
  ];
  const parsed: Partial<Record<keyof ExplorerForm, number>> = {};
  for (const [field, range] of numbers) {
    const n = parseInteger(form, field, range);
    if (typeof n !== "number") return { ok: false, error: n };
    parsed[field] = n;
  }
  return {
    ok: true,
    input: {
      baseOffset: parsed.baseOffset!,
      partitionLeaderEpoch: parsed.partitionLeaderEpoch!,
      compression: form.compression,
      producerId: parsed.producerId!,
      producerEpoch: parsed.producerEpoch!,
      baseSequence: parsed.baseSequence!,
      records: [
        {
          key: form.keyNull ? null : utf8Encode(form.key),
          value: form.valueNull ? null : utf8Encode(form.value),
          headers: form.headers.map((h) => ({ key: h.key, value: h.valueNull ? null : utf8Encode(h.value) })),
          timestamp: parsed.timestamp!,
        },
      ],
    },
  };
}

export { INT16, INT32, SAFE };
