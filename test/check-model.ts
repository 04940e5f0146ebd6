/**
 * A simple, obviously correct model of a Kafka-like system that produces VALID histories for the
 * checker's property tests and benchmark: producers append unique values to per-partition logs
 * (batches contiguous, occasional offset gaps as from transaction markers or compaction), some
 * sends time out (written or not), some fail (not written), some never complete; consumers poll
 * contiguous runs from their positions, get reassigned, seek and crash; a final drain reads every
 * partition; effects are applied once per written message, in offset order per partition.
 *
 * Each producer's sends are pipelined (invoked in order, completing in any order); each consumer
 * is sequential (its next call starts after the previous one completed), as real clients are.
 */
import type { EffectEntry, EffectLedgerJSON, History, Operation } from "../src/check";
import { HistoryRecorder } from "../src/check";

export type SendOutcome = "ok" | "info-written" | "info-lost" | "fail" | "pending-written";

export type Command =
  | {
      kind: "send";
      producer: number;
      partitions: number[];
      keys: number[];
      outcome: SendOutcome;
      latencyMs: number;
    }
  | { kind: "poll"; consumer: number; max: number; latencyMs: number; timeout: boolean }
  | { kind: "reassign"; consumer: number; back: number }
  | { kind: "seek"; consumer: number; partition: number; back: number }
  | { kind: "crash-consumer"; consumer: number; back: number }
  | { kind: "crash-producer"; producer: number }
  | { kind: "commit"; consumer: number }
  | { kind: "gap"; partition: number; size: number };

export interface ModelConfig {
  partitions: number;
  topic?: string;
  /** Choices that interleave the effects of different partitions (cycled). */
  effectChoices?: number[];
}

export interface ModelRun {
  history: Operation[];
  ledger: EffectLedgerJSON;
}

interface Rec {
  offset: number;
  key: string;
  value: string;
}

/** Index of the first record with offset >= `offset` (logs are sorted by offset). */
function firstAtOrAfter(log: readonly Rec[], offset: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid]!.offset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

type Event = { t: number; step: number; phase: number; run: () => void };

export function runModel(commands: readonly Command[], config: ModelConfig): ModelRun {
  const topic = config.topic ?? "orders";
  const P = config.partitions;
  const tpName = (p: number): string => `${topic}-${p}`;
  const logs: Rec[][] = Array.from({ length: P }, () => []);
  const next: number[] = new Array<number>(P).fill(0);
  const positions = new Map<number, number[]>();
  const posOf = (c: number): number[] => {
    let p = positions.get(c);
    if (p === undefined) positions.set(c, (p = new Array<number>(P).fill(0)));
    return p;
  };
  const consumerFree = new Map<number, number>();
  const rec = new HistoryRecorder();
  const events: Event[] = [];
  let valueCounter = 0;

  commands.forEach((cmd, step) => {
    const t0 = step * 10;
    const consumerStart = (c: number): number => Math.max(t0, (consumerFree.get(c) ?? -1) + 1);
    switch (cmd.kind) {
      case "send": {
        const messages = cmd.partitions.map((p, i) => ({
          topic,
          partition: p % P,
          key: `k${(cmd.keys[i] ?? 0) % 4}`,
          value: `m${valueCounter++}`,
        }));
        const written =
          cmd.outcome === "ok" || cmd.outcome === "info-written" || cmd.outcome === "pending-written";
        const positionsOut = messages.map((m) => {
          if (!written) return { partition: m.partition, offset: -1 };
          const offset = next[m.partition]!++;
          logs[m.partition]!.push({ offset, key: m.key, value: m.value });
          return { partition: m.partition, offset };
        });
        let handle: ReturnType<typeof rec.invoke<"send">> | undefined;
        events.push({
          t: t0,
          step,
          phase: 0,
          run: () => (handle = rec.invoke("send", `p${cmd.producer}`, { messages }, { atMs: t0 })),
        });
        if (cmd.outcome === "pending-written") break;
        events.push({
          t: t0 + cmd.latencyMs,
          step,
          phase: 1,
          run: () => {
            const at = { atMs: t0 + cmd.latencyMs };
            if (cmd.outcome === "ok") rec.ok(handle!, { positions: positionsOut }, at);
            else if (cmd.outcome === "fail") rec.fail(handle!, "NOT_LEADER_OR_FOLLOWER", at);
            else rec.info(handle!, "timed out", at);
          },
        });
        break;
      }
      case "poll": {
        const start = consumerStart(cmd.consumer);
        const end = start + cmd.latencyMs;
        consumerFree.set(cmd.consumer, end);
        const pos = posOf(cmd.consumer);
        const records: Record<string, [number, string, string][]> = {};
        if (!cmd.timeout) {
          for (let p = 0; p < P; p++) {
            const log = logs[p]!;
            const got = log.slice(firstAtOrAfter(log, pos[p]!), firstAtOrAfter(log, pos[p]!) + cmd.max);
            if (got.length === 0) continue;
            records[tpName(p)] = got.map((r) => [r.offset, r.key, r.value]);
            pos[p] = got.at(-1)!.offset + 1;
          }
        }
        let handle: ReturnType<typeof rec.invoke<"poll">> | undefined;
        events.push({
          t: start,
          step,
          phase: 0,
          run: () => (handle = rec.invoke("poll", `c${cmd.consumer}`, {}, { atMs: start })),
        });
        events.push({
          t: end,
          step,
          phase: 1,
          run: () =>
            cmd.timeout
              ? rec.info(handle!, "timed out", { atMs: end })
              : rec.ok(handle!, { records }, { atMs: end }),
        });
        break;
      }
      case "reassign":
      case "crash-consumer": {
        const at = consumerStart(cmd.consumer);
        consumerFree.set(cmd.consumer, at);
        const pos = posOf(cmd.consumer);
        for (let p = 0; p < P; p++) pos[p] = Math.max(0, pos[p]! - cmd.back);
        const c = `c${cmd.consumer}`;
        events.push({
          t: at,
          step,
          phase: 0,
          run: () =>
            cmd.kind === "reassign"
              ? rec.record(
                  "assign",
                  c,
                  { partitions: Array.from({ length: P }, (_, p) => tpName(p)) },
                  { atMs: at },
                )
              : rec.record("crash", c, {}, { atMs: at }),
        });
        break;
      }
      case "seek": {
        const at = consumerStart(cmd.consumer);
        consumerFree.set(cmd.consumer, at);
        const pos = posOf(cmd.consumer);
        const p = cmd.partition % P;
        pos[p] = Math.max(0, pos[p]! - cmd.back);
        const offset = pos[p]!;
        events.push({
          t: at,
          step,
          phase: 0,
          run: () =>
            rec.record("seek", `c${cmd.consumer}`, { topicPartition: tpName(p), offset }, { atMs: at }),
        });
        break;
      }
      case "commit": {
        const at = consumerStart(cmd.consumer);
        consumerFree.set(cmd.consumer, at);
        const offsets: Record<string, number> = {};
        posOf(cmd.consumer).forEach((o, p) => (offsets[tpName(p)] = o));
        events.push({
          t: at,
          step,
          phase: 0,
          run: () => rec.record("commit", `c${cmd.consumer}`, { offsets }, { atMs: at }),
        });
        break;
      }
      case "crash-producer":
        events.push({
          t: t0,
          step,
          phase: 0,
          run: () => rec.record("crash", `p${cmd.producer}`, {}, { atMs: t0 }),
        });
        break;
      case "gap":
        next[cmd.partition % P]! += cmd.size;
        break;
    }
  });

  events.sort((a, b) => a.t - b.t || a.step - b.step || a.phase - b.phase);
  for (const e of events) e.run();

  // Final drain by a fresh consumer: every partition, from the start, in one poll.
  let t = commands.length * 10;
  for (const e of events) t = Math.max(t, e.t);
  t += 100;
  rec.record("assign", "drain", { partitions: Array.from({ length: P }, (_, p) => tpName(p)) }, { atMs: t });
  const drain = rec.invoke("poll", "drain", {}, { atMs: t });
  const all: Record<string, [number, string, string][]> = {};
  logs.forEach((log, p) => {
    if (log.length > 0) all[tpName(p)] = log.map((r) => [r.offset, r.key, r.value]);
  });
  rec.ok(drain, { records: all }, { atMs: t + 5 });

  // Effects: once per written message, in offset order within a partition, partitions interleaved.
  const entries: EffectEntry[] = [];
  const cursor = new Array<number>(P).fill(0);
  const choices = config.effectChoices?.length ? config.effectChoices : [0];
  t += 100;
  for (let i = 0; entries.length < logs.reduce((n, l) => n + l.length, 0); i++) {
    const choice = choices[i % choices.length]!;
    let p = choice % P;
    while (cursor[p]! >= logs[p]!.length) p = (p + 1) % P;
    const r = logs[p]![cursor[p]!++]!;
    t += choice % 2; // equal times happen: order then comes from the ledger sequence
    entries.push({
      seq: entries.length,
      value: r.value,
      key: r.key,
      topicPartition: tpName(p),
      offset: r.offset,
      atMs: t,
      consumer: `w${choice % 3}`,
    });
  }
  return { history: rec.history() as Operation[], ledger: { entries, expected: [] } };
}

/** A deep copy, so a mutation never touches the original run. */
export function cloneRun(run: ModelRun): ModelRun {
  return structuredClone(run);
}

export type { History };
