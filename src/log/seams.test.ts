import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  DEFAULT_LOG_SEAMS,
  defaultFindSegment,
  defaultRecoveryStartSegment,
  defaultSelectSegmentsForRetention,
  logSeams,
  type RetentionConfig,
  type SegmentInfo,
} from "./seams";
import { atomicWriteFile } from "./checkpoint-file";

describe("defaultFindSegment", () => {
  it("returns the floor segment by base offset, -1 below the first", () => {
    const bases = [0, 100, 250];
    expect(defaultFindSegment(bases, 0)).toBe(0);
    expect(defaultFindSegment(bases, 99)).toBe(0);
    expect(defaultFindSegment(bases, 100)).toBe(1);
    expect(defaultFindSegment(bases, 249)).toBe(1);
    expect(defaultFindSegment(bases, 250)).toBe(2);
    expect(defaultFindSegment(bases, 10_000)).toBe(2);
    expect(defaultFindSegment([50, 60], 10)).toBe(-1);
    expect(defaultFindSegment([], 10)).toBe(-1);
  });

  it("agrees with a linear scan (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(10_000), { maxLength: 100 }), fc.nat(12_000), (raw, target) => {
        const bases = [...raw].sort((a, b) => a - b);
        let expected = -1;
        bases.forEach((b, i) => {
          if (b <= target) expected = i;
        });
        expect(defaultFindSegment(bases, target)).toBe(expected);
      }),
    );
  });
});

describe("defaultRecoveryStartSegment", () => {
  it("starts at the segment holding the recovery point", () => {
    expect(defaultRecoveryStartSegment([0, 100, 200], 150)).toBe(1);
    expect(defaultRecoveryStartSegment([0, 100, 200], 200)).toBe(2);
    expect(defaultRecoveryStartSegment([0, 100, 200], 5000)).toBe(2);
    expect(defaultRecoveryStartSegment([50, 100], 0)).toBe(0);
  });
});

function seg(
  baseOffset: number,
  endOffset: number,
  sizeInBytes: number,
  largestTimestamp: number,
  isActive = false,
): SegmentInfo {
  return { baseOffset, endOffset, sizeInBytes, largestTimestamp, isActive };
}

const noLimits: RetentionConfig = { retentionMs: -1, retentionBytes: -1, deleteEnabled: true };

describe("defaultSelectSegmentsForRetention", () => {
  const segments = [
    seg(0, 10, 100, 1000),
    seg(10, 20, 100, 2000),
    seg(20, 30, 100, 3000),
    seg(30, 35, 50, 4000, true),
  ];

  it("deletes nothing without limits", () => {
    expect(defaultSelectSegmentsForRetention(segments, 10_000, noLimits, 0, 35)).toEqual([]);
  });

  it("retention.ms: segments whose largest timestamp is older than now − retention.ms", () => {
    const c = { ...noLimits, retentionMs: 1500 };
    expect(defaultSelectSegmentsForRetention(segments, 3500, c, 0, 35)).toEqual([0]);
    expect(defaultSelectSegmentsForRetention(segments, 3501, c, 0, 35)).toEqual([0, 10]);
  });

  it("retention.ms never deletes the active segment, however old", () => {
    const c = { ...noLimits, retentionMs: 1 };
    expect(defaultSelectSegmentsForRetention(segments, 1_000_000, c, 0, 35)).toEqual([0, 10, 20]);
  });

  it("stops at the first segment it keeps (Kafka deletes a prefix)", () => {
    const mixed = [seg(0, 10, 100, 5000), seg(10, 20, 100, 1000), seg(20, 25, 10, 6000, true)];
    expect(defaultSelectSegmentsForRetention(mixed, 6000, { ...noLimits, retentionMs: 2000 }, 0, 25)).toEqual(
      [],
    );
  });

  it("retention.bytes: oldest first while the rest still holds at least retention.bytes", () => {
    const c = { ...noLimits, retentionBytes: 150 };
    // total 350: dropping 100 leaves 250, 100 more leaves 150, the next 100 would leave 50 < 150.
    expect(defaultSelectSegmentsForRetention(segments, 0, c, 0, 35)).toEqual([0, 10]);
    expect(
      defaultSelectSegmentsForRetention(segments, 0, { ...noLimits, retentionBytes: 350 }, 0, 35),
    ).toEqual([]);
  });

  it("log start offset: deletes segments that end at or below it", () => {
    expect(defaultSelectSegmentsForRetention(segments, 0, noLimits, 20, 35)).toEqual([0, 10]);
    expect(defaultSelectSegmentsForRetention(segments, 0, noLimits, 19, 35)).toEqual([0]);
  });

  it("never deletes a segment that ends above the high watermark", () => {
    const c = { ...noLimits, retentionMs: 1 };
    expect(defaultSelectSegmentsForRetention(segments, 1_000_000, c, 0, 15)).toEqual([0]);
    expect(defaultSelectSegmentsForRetention(segments, 1_000_000, c, 0, 0)).toEqual([]);
  });

  it("without delete in cleanup.policy, only the log-start-offset rule applies", () => {
    const c: RetentionConfig = { retentionMs: 1, retentionBytes: 0, deleteEnabled: false };
    expect(defaultSelectSegmentsForRetention(segments, 1_000_000, c, 0, 35)).toEqual([]);
    expect(defaultSelectSegmentsForRetention(segments, 1_000_000, c, 10, 35)).toEqual([0]);
  });

  it("always returns a prefix of the inactive segments (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ size: fc.nat(500), ts: fc.nat(10_000), len: fc.integer({ min: 1, max: 20 }) }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.nat(20_000),
        fc.integer({ min: -1, max: 3000 }),
        fc.integer({ min: -1, max: 10_000 }),
        fc.nat(300),
        fc.nat(300),
        (raw, now, bytes, ms, lso, hw) => {
          let base = 0;
          const list = raw.map((r, i) => {
            const s = seg(base, base + r.len, r.size, r.ts, i === raw.length - 1);
            base += r.len;
            return s;
          });
          const out = defaultSelectSegmentsForRetention(
            list,
            now,
            { retentionMs: ms, retentionBytes: bytes, deleteEnabled: true },
            lso,
            hw,
          );
          expect(out).toEqual(list.slice(0, out.length).map((s) => s.baseOffset));
          expect(out.length).toBeLessThan(list.length);
          for (const s of list.slice(0, out.length)) expect(s.endOffset).toBeLessThanOrEqual(hw);
        },
      ),
    );
  });
});

describe("logSeams", () => {
  it("replaces only the seams given", () => {
    const find = (): number => 0;
    const s = logSeams({ findSegment: find });
    expect(s.findSegment).toBe(find);
    expect(s.lookupIndex).toBe(DEFAULT_LOG_SEAMS.lookupIndex);
    expect(s.writeCheckpoint).toBe(atomicWriteFile);
  });
});
