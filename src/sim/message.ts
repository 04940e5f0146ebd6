/**
 * Messages on the simulated network are values: the receiver gets a copy, never the sender's
 * object (see process.ts). This file holds the copy strategies and the one-line summary of a
 * message that the trace records instead of the message itself.
 *
 * Copy strategies (NetworkOptions.copy):
 * - "structured" (default): the web-standard `structuredClone`, exactly what the port promises.
 * - "fast": `copyPlainData`, a hand-written deep copy of plain data that is several times
 *   faster on small messages. It copies what messages in this project hold (primitives,
 *   bigint, arrays, plain objects, typed arrays, ArrayBuffer, Map, Set, Date) and, like
 *   structuredClone, turns class instances into plain objects and rejects functions and
 *   symbols. Unlike structuredClone it does not preserve shared references or cycles (a cycle
 *   is reported as too deep).
 * - "none": no copy at all. Only for benchmarks and for messages known to be immutable.
 */

export type CopyStrategy = "structured" | "fast" | "none";

/** Deepest nesting `copyPlainData` accepts (a cycle reaches it quickly). */
const COPY_DEPTH_MAX = 64;

export function copierFor(strategy: CopyStrategy): (message: unknown) => unknown {
  switch (strategy) {
    case "structured":
      return (m) => structuredClone(m);
    case "fast":
      return (m) => copyPlainData(m, 0);
    case "none":
      return (m) => m;
  }
}

/** Deep copy of plain data; see the file header for what it supports. */
export function copyPlainData(value: unknown, depth = 0): unknown {
  if (typeof value !== "object") {
    if (typeof value === "function" || typeof value === "symbol") {
      throw new TypeError(`Cannot copy a message holding a ${typeof value}: messages must be plain data`);
    }
    return value;
  }
  if (value === null) return null;
  if (depth >= COPY_DEPTH_MAX) {
    throw new TypeError(`Cannot copy a message nested deeper than ${COPY_DEPTH_MAX} levels (is it cyclic?)`);
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyPlainData(value[i], depth + 1);
    return out;
  }
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView)
      return new DataView(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
    return (value as unknown as Uint8Array).slice();
  }
  if (value instanceof ArrayBuffer) return value.slice(0);
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value) out.set(copyPlainData(k, depth + 1), copyPlainData(v, depth + 1));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    for (const v of value) out.add(copyPlainData(v, depth + 1));
    return out;
  }
  if (value instanceof Date) return new Date(value.getTime());
  const out: Record<string, unknown> = {};
  const src = value as Record<string, unknown>;
  for (const key of Object.keys(src)) {
    const v = copyPlainData(src[key], depth + 1);
    // An own "__proto__" key (JSON.parse makes them) must stay a property, as structuredClone
    // keeps it: plain assignment would set the copy's prototype instead.
    if (key === "__proto__")
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out;
}

/**
 * One-line summary of a message for the trace: "Produce request #3" for the protocol's
 * request/response envelopes (src/protocol/api.ts), else the value of a `type` or `kind`
 * string field, else a short rendering of a primitive, else "object".
 */
export function summarizeMessage(message: unknown): string {
  if (typeof message === "string") return message.length <= 40 ? message : `${message.slice(0, 37)}...`;
  if (typeof message !== "object" || message === null) return String(message);
  const m = message as { kind?: unknown; api?: unknown; correlationId?: unknown; type?: unknown };
  if ((m.kind === "request" || m.kind === "response") && typeof m.api === "string") {
    return `${m.api} ${m.kind} #${String(m.correlationId)}`;
  }
  if (typeof m.type === "string") return m.type;
  if (typeof m.kind === "string") return m.kind;
  return Array.isArray(message) ? `array(${message.length})` : "object";
}
