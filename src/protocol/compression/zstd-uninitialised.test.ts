// A separate file: vitest gives each file fresh modules, so zstd has not been initialised here.
import { describe, expect, it } from "vitest";
import { UnsupportedCompressionError } from "../errors";
import { encodeRecordBatch } from "../record-batch";
import { getCodec, initCodecs, isZstdReady } from "./index";

describe("zstd before initCodecs()", () => {
  it("throws UnsupportedCompressionError with the fix in the message, then works after init", async () => {
    expect(isZstdReady()).toBe(false);
    const data = new TextEncoder().encode("x".repeat(100));
    expect(() => getCodec("zstd").compress(data)).toThrow(UnsupportedCompressionError);
    expect(() => getCodec("zstd").decompress(data, 1000)).toThrow(/await initCodecs\(\)/);
    expect(() =>
      encodeRecordBatch({ compression: "zstd", records: [{ value: data, timestamp: 1 }] }),
    ).toThrow(/zstd is not initialised/);
    await Promise.all([initCodecs(), initCodecs()]);
    expect(isZstdReady()).toBe(true);
    expect(getCodec("zstd").decompress(getCodec("zstd").compress(data), 1000)).toEqual(data);
  });
});
