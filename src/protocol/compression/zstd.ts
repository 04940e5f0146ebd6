/**
 * zstd (codec id 4, Kafka 2.1+, KIP-110) on zstd-codec's emscripten build of libzstd.
 *
 * The WebAssembly module loads asynchronously, once: `await initZstd()` (or `initCodecs()` from
 * the registry). After that every call is synchronous, like the other codecs. Using zstd before
 * then throws UnsupportedCompressionError, never crashes.
 *
 * We drive the binding's streaming API directly (not zstd-codec's `ZstdCodec.run` wrapper):
 * - compression streams at Kafka's default level 3 (levels up to 9 fit the memory; higher ones
 *   are refused with a RangeError) and writes frames without a content size,
 *   as Kafka's Java producer (zstd-jni's ZstdOutputStream) does;
 * - input goes in 128 KiB chunks and output is copied out per chunk, because the module's
 *   memory is fixed at 16 MiB (the .wasm declares a 256-page maximum; it cannot grow);
 * - decompression first walks the frame headers (zstd-frame.ts): truncation is reported
 *   precisely, windows above 8 MiB are refused (they would exhaust the fixed memory), and the
 *   output is counted as it arrives, stopping at `maxOutputBytes` (decompression bombs).
 *
 * Browser: the .wasm bytes are embedded in the package's JS as a data: URI, so nothing is
 * fetched from a server; the binding's `require("fs")` / `require("path")` / `require("crypto")`
 * run only under Node, but a bundler must be told to leave them out (webpack:
 * `resolve.fallback: { fs: false, path: false, crypto: false }`).
 */
import { KafkaError, UnsupportedCompressionError } from "../errors";
import { corrupt, limitExceeded, type CompressionCodec } from "./codec";
import { summarizeZstdFrames } from "./zstd-frame";

/** Kafka's default zstd level (CompressionType.ZSTD default, ZSTD_CLEVEL_DEFAULT). */
export const ZSTD_DEFAULT_LEVEL = 3;
/**
 * Highest compression level that fits the module's fixed 16 MiB memory (level 10 and above
 * abort with out-of-memory in streaming mode). Kafka allows up to 22 (KIP-390); we refuse
 * higher levels with a clear error instead.
 */
export const ZSTD_MAX_LEVEL = 9;
/** Kafka's lowest zstd level (ZSTD_minCLevel). */
export const ZSTD_MIN_LEVEL = -131072;
/** Largest frame window we accept for decompression (zstd's level 19 uses 8 MiB). */
export const ZSTD_MAX_WINDOW_BYTES = 8 * 1024 * 1024;
const CHUNK_BYTES = 128 * 1024;

interface StreamBinding {
  begin(level?: number): boolean;
  transform(chunk: Uint8Array, callback: (out: Uint8Array) => void): boolean;
  end(callback: (out: Uint8Array) => void): boolean;
  delete(): void;
}

interface ZstdModule {
  ZstdCompressStreamBinding: new () => StreamBinding;
  ZstdDecompressStreamBinding: new () => StreamBinding;
}

let zstdModule: ZstdModule | null = null;
let loading: Promise<void> | null = null;
let lastNativeMessage = "";

/** Load the zstd WebAssembly module (idempotent; concurrent calls share one load). */
export function initZstd(): Promise<void> {
  if (zstdModule) return Promise.resolve();
  loading ??= (async () => {
    const imported: unknown = await import("zstd-codec/lib/zstd-codec-binding-wasm.js");
    const factory: unknown =
      typeof imported === "function" ? imported : (imported as { default?: unknown }).default;
    if (typeof factory !== "function")
      throw new Error("zstd-codec binding did not export its module factory");
    await new Promise<void>((resolve, reject) => {
      const m: Record<string, unknown> = {
        print: () => {},
        printErr: (msg: unknown) => {
          lastNativeMessage = String(msg);
        },
        onAbort: (what: unknown) =>
          reject(new Error(`zstd WebAssembly module aborted while loading: ${String(what)}`)),
      };
      m.onRuntimeInitialized = () => {
        zstdModule = m as unknown as ZstdModule;
        resolve();
      };
      (factory as (module: Record<string, unknown>) => void)(m);
    });
  })().catch((e: unknown) => {
    loading = null;
    throw e;
  });
  return loading;
}

export function isZstdReady(): boolean {
  return zstdModule !== null;
}

function ready(): ZstdModule {
  if (!zstdModule) {
    throw new UnsupportedCompressionError(
      "zstd is not initialised: await initCodecs() (or initZstd()) once before compressing or decompressing zstd",
    );
  }
  return zstdModule;
}

/** Growable output with a hard bound. */
class Sink {
  buf: Uint8Array;
  length = 0;
  constructor(
    initial: number,
    private readonly limit: number,
  ) {
    this.buf = new Uint8Array(Math.max(64, Math.min(initial, limit)));
  }
  push(chunk: Uint8Array): void {
    const need = this.length + chunk.length;
    if (need > this.limit) throw limitExceeded("zstd", "output", this.limit);
    if (need > this.buf.length) {
      const next = new Uint8Array(Math.min(this.limit, Math.max(need, this.buf.length * 2)));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    this.buf.set(chunk, this.length);
    this.length = need;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function runStream(stream: StreamBinding, data: Uint8Array, sink: Sink, what: string, level?: number): void {
  const push = (chunk: Uint8Array) => sink.push(chunk);
  lastNativeMessage = "";
  try {
    runStreamSteps(stream, data, push, what, level);
  } catch (e) {
    if (e instanceof KafkaError) throw e;
    // An emscripten abort (a string such as "abort(OOM)") or a binding error.
    const detail = e instanceof Error ? e.message : String(e);
    if (level !== undefined) throw new Error(`zstd compression at level ${level} failed: ${detail}`);
    throw corrupt("zstd", `decompression failed: ${detail}`);
  } finally {
    stream.delete();
  }
}

function runStreamSteps(
  stream: StreamBinding,
  data: Uint8Array,
  push: (chunk: Uint8Array) => void,
  what: string,
  level?: number,
): void {
  if (!(level === undefined ? stream.begin() : stream.begin(level)))
    throw corrupt("zstd", `${what}: stream setup failed`);
  for (let p = 0; p < data.length; p += CHUNK_BYTES) {
    if (!stream.transform(data.subarray(p, Math.min(p + CHUNK_BYTES, data.length)), push)) {
      throw corrupt("zstd", `${what} failed${lastNativeMessage ? ` (${lastNativeMessage})` : ""}`, p);
    }
  }
  if (!stream.end(push)) throw corrupt("zstd", `${what}: stream did not end cleanly`);
}

function checkLevel(level: number): void {
  if (!Number.isInteger(level) || level < ZSTD_MIN_LEVEL || level > ZSTD_MAX_LEVEL) {
    throw new RangeError(
      `zstd level ${level} is not supported here: levels ${ZSTD_MIN_LEVEL}..${ZSTD_MAX_LEVEL} fit zstd-codec's fixed 16 MiB WebAssembly memory (Kafka allows up to 22)`,
    );
  }
}

export function zstdCompress(data: Uint8Array, level = ZSTD_DEFAULT_LEVEL): Uint8Array {
  checkLevel(level);
  const m = ready();
  const sink = new Sink(Math.floor(data.length / 2) + 64, Number.MAX_SAFE_INTEGER);
  runStream(new m.ZstdCompressStreamBinding(), data, sink, "compression", level);
  return sink.result();
}

export function zstdDecompress(data: Uint8Array, maxOutputBytes: number): Uint8Array {
  const m = ready();
  const summary = summarizeZstdFrames(data, ZSTD_MAX_WINDOW_BYTES, maxOutputBytes);
  const sink = new Sink(summary.declaredContentBytes ?? data.length * 4, maxOutputBytes);
  runStream(new m.ZstdDecompressStreamBinding(), data, sink, "decompression");
  if (summary.declaredContentBytes !== undefined && sink.length !== summary.declaredContentBytes) {
    throw corrupt(
      "zstd",
      `frames produced ${sink.length} bytes, their headers declare ${summary.declaredContentBytes}`,
    );
  }
  return sink.result();
}

export function zstdCodec(level = ZSTD_DEFAULT_LEVEL): CompressionCodec {
  checkLevel(level);
  return {
    type: "zstd",
    id: 4,
    compress: (data) => zstdCompress(data, level),
    decompress: zstdDecompress,
  };
}
