// Property tests of the checker against a simple model (test/check-model.ts): random VALID
// histories produce no anomaly, and every random single mutation of one is caught with the
// matching anomaly name (and nothing unrelated).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AnomalyName, Operation, PollOp, SendOp } from "../src/check";
import { analyzeHistory } from "../src/check";
import type { Command, ModelRun } from "./check-model";
import { cloneRun, runModel } from "./check-model";

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("send" as const),
      producer: fc.nat(2),
      partitions: fc.array(fc.nat(2), { minLength: 1, maxLength: 3 }),
      keys: fc.array(fc.nat(3), { minLength: 3, maxLength: 3 }),
      outcome: fc.constantFrom("ok", "ok", "ok", "info-written", "info-lost", "fail", "pending-written"),
      latencyMs: fc.integer({ min: 1, max: 40 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("poll" as const),
      consumer: fc.nat(2),
      max: fc.integer({ min: 1, max: 4 }),
      latencyMs: fc.integer({ min: 1, max: 30 }),
      timeout: fc.integer({ min: 0, max: 9 }).map((x) => x < 2),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("reassign" as const), consumer: fc.nat(2), back: fc.nat(3) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("seek" as const),
      consumer: fc.nat(2),
      partition: fc.nat(2),
      back: fc.nat(3),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("crash-consumer" as const),
      consumer: fc.nat(2),
      back: fc.nat(3),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("crash-producer" as const), producer: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("commit" as const), consumer: fc.nat(2) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("gap" as const),
      partition: fc.nat(2),
      size: fc.integer({ min: 1, max: 3 }),
    }),
  },
);

const runArb: fc.Arbitrary<ModelRun> = fc
  .record({
    commands: fc.array(commandArb, { minLength: 15, maxLength: 80 }),
    partitions: fc.integer({ min: 1, max: 3 }),
    effectChoices: fc.array(fc.nat(5), { minLength: 1, maxLength: 10 }),
  })
  .map(({ commands, partitions, effectChoices }) => runModel(commands, { partitions, effectChoices }));

function foundIn(run: ModelRun): AnomalyName[] {
  const a = analyzeHistory(run.history, { ledger: run.ledger });
  return (Object.keys(a.anomalies) as AnomalyName[]).filter((n) => a.anomalies[n].length > 0);
}

const okPolls = (h: readonly Operation[]): PollOp[] =>
  h.filter((op): op is PollOp => op.type === "poll" && op.outcome === "ok");
const sends = (h: readonly Operation[]): SendOp[] => h.filter((op): op is SendOp => op.type === "send");

function pick<T>(items: readonly T[], n: number): T | undefined {
  return items.length === 0 ? undefined : items[n % items.length];
}

interface Mutation {
  /** Anomalies of which at least one must be found. */
  expect: AnomalyName[];
  /** Anomalies that may also appear as a consequence of the same change. */
  allowed: AnomalyName[];
  /** Applies the mutation to a copy; undefined when the run has nothing to mutate. */
  apply(run: ModelRun, n: number): ModelRun | undefined;
}

/** Highest offset read per partition. */
function highestRead(h: readonly Operation[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of okPolls(h))
    for (const [tp, rs] of Object.entries(p.records!))
      for (const [o] of rs) out.set(tp, Math.max(out.get(tp) ?? -1, o));
  return out;
}

const mutations: Record<string, Mutation> = {
  "drop an acknowledged value from all polls": {
    expect: ["lost-write"],
    allowed: ["lost-write", "poll-skip"],
    apply(run, n) {
      const top = highestRead(run.history);
      const candidates = sends(run.history)
        .filter((op) => op.outcome === "ok")
        .flatMap((op) =>
          op.messages.map((m, i) => ({
            value: m.value,
            tp: `${m.topic}-${op.positions![i]!.partition}`,
            offset: op.positions![i]!.offset,
          })),
        )
        .filter((c) => c.offset < (top.get(c.tp) ?? -1));
      const c = pick(candidates, n);
      if (c === undefined) return undefined;
      const out = cloneRun(run);
      for (const p of okPolls(out.history))
        for (const tp of Object.keys(p.records!))
          p.records![tp] = p.records![tp]!.filter((r) => r[2] !== c.value);
      return out;
    },
  },
  "duplicate a value at a second offset": {
    expect: ["duplicate"],
    allowed: ["duplicate"],
    apply(run, n) {
      const out = cloneRun(run);
      const drain = okPolls(out.history).at(-1)!;
      const tps = Object.keys(drain.records!).filter((tp) => drain.records![tp]!.length > 0);
      const tp = pick(tps, n);
      if (tp === undefined) return undefined;
      const records = drain.records![tp]!;
      const [, key, value] = records[Math.floor(n / tps.length) % records.length]!;
      records.push([records.at(-1)![0] + 1, key, value]);
      return out;
    },
  },
  "swap the offsets of two values of one producer": {
    expect: ["nonmonotonic-send", "int-nonmonotonic-send"],
    allowed: ["nonmonotonic-send", "int-nonmonotonic-send", "int-send-skip"],
    apply(run, n) {
      const drain = okPolls(run.history).at(-1)!;
      const where = new Map<string, { tp: string; offset: number }>();
      for (const [tp, rs] of Object.entries(drain.records!))
        for (const [o, , v] of rs) where.set(v, { tp, offset: o });
      const groups = new Map<string, string[]>();
      const epoch = new Map<string, number>();
      for (const op of run.history) {
        if (op.type === "crash") epoch.set(op.process, (epoch.get(op.process) ?? 0) + 1);
        if (op.type !== "send" || op.outcome === "fail") continue;
        for (const m of op.messages) {
          const w = where.get(m.value);
          if (w === undefined) continue;
          const g = `${op.process}/${epoch.get(op.process) ?? 0}/${w.tp}`;
          groups.set(g, [...(groups.get(g) ?? []), m.value]);
        }
      }
      const group = pick(
        [...groups.values()].filter((g) => g.length >= 2),
        n,
      );
      if (group === undefined) return undefined;
      const i = n % (group.length - 1);
      const j = i + 1 + (Math.floor(n / 7) % (group.length - 1 - i));
      const [a, b] = [group[i]!, group[j]!];
      const [pa, pb] = [where.get(a)!, where.get(b)!];
      const out = cloneRun(run);
      for (const op of sends(out.history)) {
        op.messages.forEach((m, k) => {
          if (op.positions === undefined) return;
          if (m.value === a) op.positions[k]!.offset = pb.offset;
          if (m.value === b) op.positions[k]!.offset = pa.offset;
        });
      }
      // Whoever read offset pa now saw b there, and whoever read pb saw a.
      const keyOf = new Map(
        sends(run.history).flatMap((op) => op.messages.map((m) => [m.value, m.key] as const)),
      );
      for (const p of okPolls(out.history)) {
        for (const r of p.records![pa.tp] ?? []) {
          if (r[2] === a) [r[1], r[2]] = [keyOf.get(b)!, b];
          else if (r[2] === b) [r[1], r[2]] = [keyOf.get(a)!, a];
        }
      }
      return out;
    },
  },
  "make a consumer's poll skip an offset": {
    expect: ["poll-skip"],
    allowed: ["poll-skip", "lost-write"],
    apply(run, n) {
      const acked = new Set(
        sends(run.history)
          .filter((op) => op.outcome === "ok")
          .flatMap((op) => op.messages.map((m) => m.value)),
      );
      const readers = new Map<string, Set<number>>();
      for (const p of okPolls(run.history))
        for (const rs of Object.values(p.records!))
          for (const r of rs) readers.set(r[2], (readers.get(r[2]) ?? new Set()).add(p.id));
      // Reads of each consumer per partition, split where tracking resets; a candidate has a read before and after it.
      const candidates: { opId: number; tp: string; index: number }[] = [];
      const segments = new Map<string, { opId: number; tp: string; index: number; value: string }[]>();
      const flush = (key: string): void => {
        const seg = segments.get(key) ?? [];
        for (let k = 1; k + 1 < seg.length; k++) {
          const r = seg[k]!;
          if (acked.has(r.value) || [...readers.get(r.value)!].some((id) => id !== r.opId))
            candidates.push(r);
        }
        segments.delete(key);
      };
      for (const op of run.history) {
        if (op.type === "assign" || op.type === "crash")
          for (const key of [...segments.keys()]) if (key.startsWith(`${op.process}/`)) flush(key);
        if (op.type === "seek") flush(`${op.process}/${op.topicPartition}`);
        if (op.type !== "poll" || op.outcome !== "ok") continue;
        for (const [tp, rs] of Object.entries(op.records!)) {
          const key = `${op.process}/${tp}`;
          rs.forEach((r, index) =>
            segments.set(key, [...(segments.get(key) ?? []), { opId: op.id, tp, index, value: r[2] }]),
          );
        }
      }
      for (const key of [...segments.keys()]) flush(key);
      const c = pick(candidates, n);
      if (c === undefined) return undefined;
      const out = cloneRun(run);
      (out.history[c.opId] as PollOp).records![c.tp]!.splice(c.index, 1);
      return out;
    },
  },
  "make a consumer re-read an offset": {
    expect: ["nonmonotonic-poll"],
    allowed: ["nonmonotonic-poll"],
    apply(run, n) {
      const out = cloneRun(run);
      const reads = okPolls(out.history).flatMap((p) =>
        Object.values(p.records!).filter((rs) => rs.length > 0),
      );
      const rs = pick(reads, n);
      if (rs === undefined) return undefined;
      rs.push([...rs.at(-1)!]);
      return out;
    },
  },
  "mark a send whose values were read as failed": {
    expect: ["aborted-read"],
    allowed: ["aborted-read"],
    apply(run, n) {
      const read = new Set(
        okPolls(run.history).flatMap((p) => Object.values(p.records!).flatMap((rs) => rs.map((r) => r[2]))),
      );
      const op = pick(
        sends(run.history).filter(
          (s) => (s.outcome === "ok" || s.outcome === "info") && s.messages.some((m) => read.has(m.value)),
        ),
        n,
      );
      if (op === undefined) return undefined;
      const out = cloneRun(run);
      const target = out.history[op.id] as SendOp;
      target.outcome = "fail";
      target.error = "INVALID_PRODUCER_EPOCH";
      delete target.positions;
      return out;
    },
  },
  "change the value a consumer saw at one offset": {
    expect: ["inconsistent-offsets"],
    allowed: ["inconsistent-offsets"],
    apply(run, n) {
      const out = cloneRun(run);
      const reads = okPolls(out.history)
        .filter((p) => p.process !== "drain")
        .flatMap((p) => Object.values(p.records!).flatMap((rs) => rs));
      const r = pick(reads, n);
      if (r === undefined) return undefined;
      r[2] = `corrupt-${r[2]}`;
      return out;
    },
  },
  "reorder two effects of one key": {
    expect: ["effect-reordered"],
    allowed: ["effect-reordered"],
    apply(run, n) {
      const groups = new Map<string, number[]>();
      run.ledger.entries.forEach((e, i) =>
        groups.set(`${e.key}/${e.topicPartition}`, [
          ...(groups.get(`${e.key}/${e.topicPartition}`) ?? []),
          i,
        ]),
      );
      const group = pick(
        [...groups.values()].filter((g) => g.length >= 2),
        n,
      );
      if (group === undefined) return undefined;
      const i = n % (group.length - 1);
      const j = i + 1 + (Math.floor(n / 7) % (group.length - 1 - i));
      const out = cloneRun(run);
      const [a, b] = [out.ledger.entries[group[i]!]!, out.ledger.entries[group[j]!]!];
      [a.atMs, b.atMs, a.seq, b.seq] = [b.atMs, a.atMs, b.seq, a.seq];
      return out;
    },
  },
  "apply an effect twice": {
    expect: ["effect-duplicated"],
    allowed: ["effect-duplicated"],
    apply(run, n) {
      const e = pick(run.ledger.entries, n);
      if (e === undefined) return undefined;
      const out = cloneRun(run);
      const last = out.ledger.entries.at(-1)!;
      out.ledger.entries.push({
        ...e,
        seq: out.ledger.entries.length,
        atMs: last.atMs + 1,
        consumer: "w-retry",
      });
      return out;
    },
  },
  "remove an effect": {
    expect: ["effect-lost"],
    allowed: ["effect-lost"],
    apply(run, n) {
      if (run.ledger.entries.length === 0) return undefined;
      const out = cloneRun(run);
      out.ledger.entries.splice(n % out.ledger.entries.length, 1);
      return out;
    },
  },
};

describe("checker properties", () => {
  it("random valid histories from the model have no anomaly", () => {
    fc.assert(
      fc.property(runArb, (run) => {
        expect(foundIn(run)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  for (const [name, m] of Object.entries(mutations)) {
    it(`catches a random mutation: ${name}`, () => {
      fc.assert(
        fc.property(runArb, fc.nat(1_000_000), (run, n) => {
          const mutated = m.apply(run, n);
          fc.pre(mutated !== undefined);
          const found = foundIn(mutated!);
          expect(
            found.some((a) => m.expect.includes(a)),
            `expected one of ${m.expect.join(", ")}, found [${found.join(", ")}]`,
          ).toBe(true);
          expect(found.filter((a) => !m.allowed.includes(a))).toEqual([]);
        }),
        { numRuns: 150 },
      );
    });
  }
});
