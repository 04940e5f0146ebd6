import { describe, expect, it } from "vitest";
import { encodeRecordBatch, CRC_OFFSET } from "../protocol";
import { validateAppend } from "./append-validation";
import { logConfig } from "./log-config";

const NOW = 1_000_000;
const cfg = logConfig({ maxMessageBytes: 500, segmentBytes: 2000 });

function batch(n: number, o: { baseOffset?: number; ts?: number; pad?: number } = {}): Uint8Array {
  return encodeRecordBatch({
    baseOffset: o.baseOffset ?? 0,
    records: Array.from({ length: n }, () => ({
      value: new Uint8Array(o.pad ?? 10),
      timestamp: o.ts ?? NOW,
    })),
  });
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe("validateAppend", () => {
  it("accepts whole valid batches and describes each", () => {
    const v = validateAppend(concat(batch(2), batch(3)), "client", cfg, NOW);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.batches.map((b) => [b.lastOffsetDelta, b.recordsCount])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    expect(v.offsetCount).toBe(5);
    expect(v.batches[1]!.position).toBe(batch(2).length);
  });

  it("MESSAGE_TOO_LARGE for a batch above max.message.bytes, even after valid ones", () => {
    const v = validateAppend(concat(batch(1), batch(1, { pad: 600 })), "client", cfg, NOW);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.error.name).toBe("MESSAGE_TOO_LARGE");
    expect(v.message).toMatch(/batch 1 .*above max\.message\.bytes 500/);
  });

  it("CORRUPT_MESSAGE for a CRC mismatch, a torn batch, trailing bytes, or another magic", () => {
    const bad = batch(2);
    bad[bad.length - 1]! ^= 1;
    expect(validateAppend(bad, "client", cfg, NOW)).toMatchObject({
      ok: false,
      error: { name: "CORRUPT_MESSAGE" },
    });
    const crcOnly = batch(2);
    crcOnly[CRC_OFFSET]! ^= 0x80;
    expect(validateAppend(crcOnly, "replication", cfg, NOW)).toMatchObject({
      ok: false,
      error: { name: "CORRUPT_MESSAGE" },
    });
    expect(validateAppend(batch(2).subarray(0, 70), "client", cfg, NOW)).toMatchObject({
      ok: false,
      error: { name: "CORRUPT_MESSAGE" },
    });
    expect(validateAppend(concat(batch(1), new Uint8Array(5)), "client", cfg, NOW)).toMatchObject({
      ok: false,
      error: { name: "CORRUPT_MESSAGE" },
    });
    const v1 = batch(1);
    v1[16] = 1;
    const r = validateAppend(v1, "client", cfg, NOW);
    expect(r).toMatchObject({ ok: false, error: { name: "CORRUPT_MESSAGE" } });
    if (!r.ok) expect(r.message).toMatch(/magic 1/);
  });

  it("INVALID_RECORD for a client batch with a base offset other than 0", () => {
    expect(validateAppend(batch(1, { baseOffset: 7 }), "client", cfg, NOW)).toMatchObject({
      ok: false,
      error: { name: "INVALID_RECORD" },
    });
    expect(validateAppend(batch(1, { baseOffset: 7 }), "coordinator", cfg, NOW).ok).toBe(true);
  });

  it("INVALID_TIMESTAMP outside message.timestamp.after.max.ms (CreateTime only)", () => {
    const future = batch(1, { ts: NOW + 3_600_001 });
    expect(validateAppend(future, "client", cfg, NOW)).toMatchObject({
      ok: false,
      error: { name: "INVALID_TIMESTAMP" },
    });
    expect(
      validateAppend(future, "client", logConfig({ messageTimestampType: "LogAppendTime" }), NOW).ok,
    ).toBe(true);
    expect(validateAppend(future, "replication", cfg, NOW).ok).toBe(true);
  });

  it("follower batches must have dense offsets", () => {
    const ok = validateAppend(
      concat(batch(2, { baseOffset: 10 }), batch(1, { baseOffset: 12 })),
      "replication",
      cfg,
      NOW,
    );
    expect(ok.ok).toBe(true);
    const gap = validateAppend(
      concat(batch(2, { baseOffset: 10 }), batch(1, { baseOffset: 13 })),
      "replication",
      cfg,
      NOW,
    );
    expect(gap).toMatchObject({ ok: false });
    if (!gap.ok) expect(gap.message).toMatch(/out of order: base offset 13 follows last offset 11/);
  });

  it("RECORD_LIST_TOO_LARGE when the whole append exceeds segment.bytes", () => {
    const many = concat(...Array.from({ length: 12 }, () => batch(4, { pad: 30 })));
    expect(many.length).toBeGreaterThan(2000);
    expect(validateAppend(many, "client", cfg, NOW)).toMatchObject({
      ok: false,
      error: { name: "RECORD_LIST_TOO_LARGE" },
    });
  });

  it("accepts an empty append", () => {
    expect(validateAppend(new Uint8Array(0), "client", cfg, NOW)).toMatchObject({ ok: true, batches: [] });
  });
});
