/**
 * The model and operations of the PartitionLog property test (log-partition-model.test.ts).
 *
 * Property test: PartitionLog against a simple in-memory model (offset → record), under random
 * appends (leader and follower), reads at random offsets and limits, rolls (tiny segment.bytes
 * and index sizes), retention, truncation, DeleteRecords, flushes, checkpoints, and process
 * crashes or power losses (SimDisk) followed by reopen + recovery.
 *
 * Invariants checked after every step:
 * - logStartOffset ≤ highWatermark ≤ logEndOffset and recoveryPoint ≤ logEndOffset;
 * - a read returns whole, CRC-valid batches with dense increasing offsets, starting with the
 *   batch holding the fetch offset, never past maxOffsetExclusive, at most maxBytes unless it
 *   is the single first batch, and exactly the model's records;
 * - after a crash nothing is lost; after a power loss every offset below the recovery point at
 *   the time of the loss survives, the log is a prefix of what was written, and no torn or
 *   corrupt byte is served.
 */
import { expect } from "vitest";
import fc from "fast-check";
import { batch, values, openLog, SimDisk, type DecodedValue } from "./log-helpers";
import { SeededRng } from "../src/sim/rng";
import { decodeRecordBatches } from "../src/protocol";
import type { LogConfig, PartitionLog } from "../src/log";

export type Op =
  | { kind: "append"; count: number; width: number; newEpoch: boolean }
  | { kind: "appendFollower"; count: number }
  | { kind: "read"; at: number; maxBytes: number; belowHw: boolean; minOne: boolean }
  | { kind: "advanceHw"; frac: number }
  | { kind: "truncate"; frac: number }
  | { kind: "deleteRecords"; frac: number }
  | { kind: "retention"; advanceMs: number; replicated: boolean }
  | { kind: "flush"; frac: number }
  | { kind: "checkpoint" }
  | { kind: "roll" }
  | { kind: "crash" }
  | { kind: "powerLoss"; fate: "random" | "lose" | "keep" }
  | { kind: "close" };

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      count: fc.integer({ min: 1, max: 6 }),
      width: fc.integer({ min: 1, max: 60 }),
      newEpoch: fc.constant(false),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      count: fc.integer({ min: 1, max: 3 }),
      width: fc.integer({ min: 1, max: 20 }),
      newEpoch: fc.constant(true),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("appendFollower" as const),
      count: fc.integer({ min: 1, max: 4 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("read" as const),
      at: fc.double({ min: -0.1, max: 1.1, noNaN: true }),
      maxBytes: fc.integer({ min: 0, max: 900 }),
      belowHw: fc.boolean(),
      minOne: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("advanceHw" as const),
      frac: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("truncate" as const),
      frac: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("deleteRecords" as const),
      frac: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("retention" as const),
      advanceMs: fc.integer({ min: 0, max: 8000 }),
      replicated: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("flush" as const),
      frac: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: "checkpoint" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "roll" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "crash" as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("powerLoss" as const),
      fate: fc.constantFrom("random" as const, "lose" as const, "keep" as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "close" as const }) },
);

export const configArb: fc.Arbitrary<Partial<LogConfig>> = fc.record({
  segmentBytes: fc.integer({ min: 200, max: 1500 }),
  indexIntervalBytes: fc.integer({ min: 0, max: 300 }),
  segmentIndexBytes: fc.integer({ min: 24, max: 200 }),
  retentionBytes: fc.oneof(fc.constant(-1), fc.integer({ min: 300, max: 3000 })),
  retentionMs: fc.oneof(fc.constant(-1), fc.integer({ min: 500, max: 10000 })),
  fileDeleteDelayMs: fc.constantFrom(0, 2000),
  flushMessages: fc.constantFrom(Number.MAX_SAFE_INTEGER, 7),
});

interface ModelRecord {
  value: string;
  timestamp: number;
}

class Model {
  /** Every record ever written at an offset that was not truncated away (retention keeps them here). */
  readonly records = new Map<number, ModelRecord>();
  /** Base offsets of batches, for truncation points. */
  readonly batchStarts = new Set<number>();
  logStartOffset = 0;
  logEndOffset = 0;

  /** Exclusive end of the batch holding `offset`: the next batch start, or the log end. */
  batchEnd(offset: number): number {
    let end = this.logEndOffset;
    for (const b of this.batchStarts) if (b > offset && b < end) end = b;
    return end;
  }

  truncate(newEnd: number): void {
    for (const o of [...this.records.keys()]) if (o >= newEnd) this.records.delete(o);
    for (const b of [...this.batchStarts]) if (b >= newEnd) this.batchStarts.delete(b);
    this.logEndOffset = newEnd;
  }
}

function checkRecords(got: DecodedValue[], model: Model, from: number): void {
  for (const r of got) {
    if (r.offset < from) continue;
    const m = model.records.get(r.offset);
    expect(m, `record at offset ${r.offset} is not in the model`).toBeDefined();
    expect(r.value).toBe(m!.value);
    expect(r.timestamp).toBe(m!.timestamp);
  }
}

function checkInvariants(log: PartitionLog, model: Model): void {
  expect(log.logStartOffset).toBeLessThanOrEqual(log.highWatermark);
  expect(log.highWatermark).toBeLessThanOrEqual(log.logEndOffset);
  expect(log.recoveryPoint).toBeLessThanOrEqual(log.logEndOffset);
  expect(log.logEndOffset).toBe(model.logEndOffset);
  expect(log.logStartOffset).toBe(model.logStartOffset);
}

/** Read the whole log from the log start offset and compare with the model. */
function readAll(log: PartitionLog, model: Model): void {
  let offset = log.logStartOffset;
  const seen: number[] = [];
  while (offset < log.logEndOffset) {
    const r = log.read(offset, 700);
    expect(r.error.name).toBe("NONE");
    const got = values(r.records);
    expect(got.length).toBeGreaterThan(0);
    checkRecords(got, model, offset);
    for (const v of got) if (v.offset >= offset) seen.push(v.offset);
    offset = got[got.length - 1]!.offset + 1;
  }
  expect(seen).toEqual(
    Array.from({ length: log.logEndOffset - log.logStartOffset }, (_, i) => log.logStartOffset + i),
  );
}

export function run(config: Partial<LogConfig>, ops: readonly Op[], seed: number): void {
  const disk = new SimDisk();
  const rng = new SeededRng(seed);
  const model = new Model();
  let now = 10_000;
  let epoch = 0;
  let counter = 0;
  let checkpoint: { recoveryPoint: number; logStartOffset: number; highWatermark: number } | undefined;
  let clean = false;
  let log = openLog(disk, config, { now });
  const reopen = (durableFloor: number, hwBefore: number): void => {
    log = openLog(disk, config, {
      now,
      recoveryPoint: checkpoint?.recoveryPoint,
      logStartOffset: checkpoint?.logStartOffset,
      highWatermark: Math.min(hwBefore, checkpoint?.highWatermark ?? hwBefore),
      hadCleanShutdown: clean,
    });
    clean = false;
    // Durable data survived; nothing beyond what was written appeared.
    expect(log.logEndOffset).toBeGreaterThanOrEqual(durableFloor);
    expect(log.logEndOffset).toBeLessThanOrEqual(model.logEndOffset);
    expect(log.recoveryReport.dropped.every((d) => d.bytes >= 0)).toBe(true);
    model.truncate(log.logEndOffset);
    // The log start offset may move back (a retention deletion that was not yet durable), never past the end.
    model.logStartOffset = log.logStartOffset;
    readAll(log, model);
  };

  for (const op of ops) {
    now += 100;
    switch (op.kind) {
      case "append": {
        if (op.newEpoch) epoch++;
        const vals = Array.from({ length: op.count }, () => `v${counter++}-${"x".repeat(op.width)}`);
        const r = log.appendAsLeader(batch(vals, { timestamp: now }), { now, leaderEpoch: epoch });
        if (r.error.name === "RECORD_LIST_TOO_LARGE") {
          expect(batch(vals).length).toBeGreaterThan(config.segmentBytes!);
          break;
        }
        expect(r.error.name, r.errorMessage).toBe("NONE");
        expect(r.firstOffset).toBe(model.logEndOffset);
        model.batchStarts.add(r.firstOffset);
        vals.forEach((value, i) => model.records.set(r.firstOffset + i, { value, timestamp: now }));
        model.logEndOffset = r.lastOffset + 1;
        break;
      }
      case "appendFollower": {
        const vals = Array.from({ length: op.count }, () => `f${counter++}`);
        const bytes = batch(vals, {
          timestamp: now,
          baseOffset: model.logEndOffset,
          partitionLeaderEpoch: epoch,
        });
        const wrong = log.appendAsFollower(
          batch(vals, { timestamp: now, baseOffset: model.logEndOffset + 1 }),
          { now },
        );
        expect(wrong.error.name).not.toBe("NONE");
        const r = log.appendAsFollower(bytes, { now });
        expect(r.error.name, r.errorMessage).toBe("NONE");
        model.batchStarts.add(model.logEndOffset);
        vals.forEach((value, i) => model.records.set(model.logEndOffset + i, { value, timestamp: now }));
        model.logEndOffset += vals.length;
        break;
      }
      case "read": {
        const span = model.logEndOffset - model.logStartOffset;
        const at = model.logStartOffset + Math.floor(op.at * (span + 1));
        const maxOffsetExclusive = op.belowHw ? log.highWatermark : log.logEndOffset;
        const r = log.read(at, op.maxBytes, maxOffsetExclusive, op.minOne);
        if (at < model.logStartOffset || at > model.logEndOffset) {
          expect(r.error.name).toBe("OFFSET_OUT_OF_RANGE");
          expect(r.records.length).toBe(0);
          break;
        }
        expect(r.error.name, r.errorMessage).toBe("NONE");
        const batches = decodeRecordBatches(r.records); // verifies every CRC
        const got = values(r.records);
        if (got.length === 0) {
          // Nothing to return only at the limit, or when the batch holding `at` ends at or above
          // it (a high watermark inside a batch), or without minOneMessage.
          const batchEnd = model.batchEnd(at);
          if (at < maxOffsetExclusive && batchEnd <= maxOffsetExclusive && op.minOne) {
            expect.fail(
              `empty read at ${at}: its batch ends at ${batchEnd}, below the limit ${maxOffsetExclusive}`,
            );
          }
          break;
        }
        expect(got[0]!.offset).toBeLessThanOrEqual(at);
        expect(
          batches[batches.length - 1]!.header.baseOffset +
            batches[batches.length - 1]!.header.lastOffsetDelta,
        ).toBeLessThan(maxOffsetExclusive);
        got.forEach((v, i) => i > 0 && expect(v.offset).toBe(got[i - 1]!.offset + 1));
        expect(got.some((v) => v.offset === at)).toBe(true);
        if (batches.length > 1) expect(r.records.length).toBeLessThanOrEqual(op.maxBytes);
        checkRecords(got, model, 0);
        break;
      }
      case "advanceHw": {
        // Replicas fetch whole batches, so a high watermark always falls on a batch boundary.
        const boundaries = [...model.batchStarts, model.logEndOffset]
          .filter((b) => b >= log.highWatermark)
          .sort((a, b) => a - b);
        const target = boundaries[Math.floor(op.frac * (boundaries.length - 1))] ?? log.highWatermark;
        log.updateHighWatermark(target);
        break;
      }
      case "truncate": {
        const target = Math.floor(op.frac * model.logEndOffset);
        const firstBase = log.firstSegmentBaseOffset;
        const r = log.truncateTo(target, now);
        expect(r.error.name).toBe("NONE");
        // As LogManager does after every truncation (Kafka's LogManager.truncateTo): a stale
        // recovery point above the new end would vouch for offsets rewritten after the truncation.
        if (r.truncated)
          checkpoint = {
            recoveryPoint: log.recoveryPoint,
            logStartOffset: log.logStartOffset,
            highWatermark: log.highWatermark,
          };
        if (target >= model.logEndOffset) break;
        if (target < firstBase) {
          // Below the first segment: the log restarts empty at the target (truncateFullyAndStartAt).
          expect(r.logEndOffset).toBe(target);
          expect(log.logStartOffset).toBe(target);
          model.truncate(target);
          model.logStartOffset = target;
          break;
        }
        // Otherwise the batch holding the target goes, with everything after it.
        const expected = Math.max(...[...model.batchStarts].filter((b) => b <= target));
        expect(r.logEndOffset).toBe(expected);
        model.truncate(expected);
        model.logStartOffset = Math.min(model.logStartOffset, expected);
        break;
      }
      case "deleteRecords": {
        const target =
          model.logStartOffset + Math.floor(op.frac * (log.highWatermark - model.logStartOffset + 1));
        const r = log.deleteRecordsBefore(target);
        if (target > log.highWatermark) {
          expect(r.error.name).toBe("OFFSET_OUT_OF_RANGE");
        } else {
          expect(r.error.name).toBe("NONE");
          model.logStartOffset = Math.max(model.logStartOffset, target);
        }
        break;
      }
      case "retention": {
        now += op.advanceMs;
        if (op.replicated) log.updateHighWatermark(log.logEndOffset); // every replica caught up
        const before = log.logStartOffset;
        const r = log.deleteOldSegments(now);
        expect(r.error.name).toBe("NONE");
        expect(log.logStartOffset).toBeGreaterThanOrEqual(before);
        expect(log.logStartOffset).toBeLessThanOrEqual(log.highWatermark);
        expect(log.numberOfSegments).toBeGreaterThanOrEqual(1);
        model.logStartOffset = log.logStartOffset;
        break;
      }
      case "flush": {
        const upTo = Math.floor(op.frac * (log.logEndOffset + 1));
        const before = log.recoveryPoint;
        const r = log.flush(now, upTo);
        expect(r.error.name).toBe("NONE");
        expect(log.recoveryPoint).toBe(Math.max(before, Math.min(upTo, log.logEndOffset)));
        break;
      }
      case "checkpoint":
        checkpoint = {
          recoveryPoint: log.recoveryPoint,
          logStartOffset: log.logStartOffset,
          highWatermark: log.highWatermark,
        };
        break;
      case "roll": {
        const before = log.numberOfSegments;
        const size = log.segmentList()[log.numberOfSegments - 1]!.sizeInBytes;
        log.roll(now);
        expect(log.numberOfSegments).toBe(size > 0 ? before + 1 : before);
        break;
      }
      case "crash": {
        const end = model.logEndOffset;
        const hw = log.highWatermark;
        disk.crash();
        reopen(end, hw);
        expect(log.logEndOffset).toBe(end);
        break;
      }
      case "powerLoss": {
        const durable = log.recoveryPoint;
        const hw = log.highWatermark;
        disk.powerLoss(rng.split(`loss-${now}`), op.fate);
        reopen(durable, hw);
        break;
      }
      case "close": {
        const r = log.close(now);
        expect(r.error.name).toBe("NONE");
        expect(log.recoveryPoint).toBe(log.logEndOffset);
        checkpoint = {
          recoveryPoint: log.recoveryPoint,
          logStartOffset: log.logStartOffset,
          highWatermark: log.highWatermark,
        };
        clean = true;
        const end = model.logEndOffset;
        const hw = log.highWatermark;
        reopen(end, hw);
        expect(log.recoveryReport.segmentsRecovered).toEqual([]);
        expect(log.logEndOffset).toBe(end);
        break;
      }
    }
    checkInvariants(log, model);
  }
  readAll(log, model);
}
