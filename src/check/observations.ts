/**
 * Observations: one pass over a history that indexes what every client saw, per partition
 * (the version order) and per message value. The anomaly checks read only this index.
 *
 * Version order of a partition: every (offset, value) pair anyone observed — all ok polls and
 * the positions of ok sends. (An `info` send has no known offset until a poll returns its value,
 * and then the poll already placed it.) Offsets may have gaps: transaction markers, compaction
 * and aborted records take offsets no consumer sees. The *dense index* of an observed offset
 * is its rank among the observed offsets of its partition, so "the next message after offset
 * 9" is the next observed offset, whatever its number.
 *
 * Invariant: each (partition, offset) slot remembers the first value seen there and the first
 * operation that saw it; any different value seen there later is kept in `others` (that is an
 * inconsistent offset). Each value keeps its distinct positions (more than one is a duplicate).
 *
 * Cost: O(total records + messages) map operations, plus one sort of the observed offsets of
 * each partition.
 */
import type { History, Operation, TopicPartitionName } from "./history";
import { effectiveOutcome, topicPartitionName } from "./history";

export type ObservationSource = "ack" | "poll";

export interface SlotObservation {
  value: string;
  opId: number;
  source: ObservationSource;
}

export interface Slot extends SlotObservation {
  offset: number;
  /** Rank among the observed offsets of the partition (filled after the pass). */
  denseIndex: number;
  /** Different values observed at the same offset (inconsistent offsets). */
  others?: SlotObservation[];
}

export interface PartitionOrder {
  topicPartition: TopicPartitionName;
  topic: string;
  slots: Map<number, Slot>;
  /** Observed offsets, ascending and distinct; `offsets[slot.denseIndex] === slot.offset`. */
  offsets: number[];
  /** Highest offset any ok poll returned (-1 if none) and the first poll that returned it. */
  highestReadOffset: number;
  highestReadOpId: number;
}

export interface ValuePosition {
  topicPartition: TopicPartitionName;
  offset: number;
  opId: number;
  source: ObservationSource;
}

export interface SendRef {
  opId: number;
  messageIndex: number;
}

export interface ValueInfo {
  value: string;
  key: string | null;
  /** Every send of this value (more than one if the application retried with the same value). */
  sends: SendRef[];
  /** Distinct positions at which the value was observed (acknowledged or polled). */
  positions: ValuePosition[];
  /** First ok poll that returned the value, or -1. */
  firstReadOpId: number;
  /** Completion time of the earliest-completing ok poll that returned the value (Infinity if none). */
  firstReadMs: number;
}

export interface Observations {
  history: History;
  partitions: Map<TopicPartitionName, PartitionOrder>;
  values: Map<string, ValueInfo>;
}

function partitionOf(obs: Observations, tp: TopicPartitionName, topic: string): PartitionOrder {
  let p = obs.partitions.get(tp);
  if (p === undefined) {
    p = {
      topicPartition: tp,
      topic,
      slots: new Map(),
      offsets: [],
      highestReadOffset: -1,
      highestReadOpId: -1,
    };
    obs.partitions.set(tp, p);
  }
  return p;
}

function valueOf(obs: Observations, value: string, key: string | null): ValueInfo {
  let v = obs.values.get(value);
  if (v === undefined) {
    v = { value, key, sends: [], positions: [], firstReadOpId: -1, firstReadMs: Infinity };
    obs.values.set(value, v);
  }
  return v;
}

function observe(
  p: PartitionOrder,
  v: ValueInfo,
  offset: number,
  opId: number,
  source: ObservationSource,
): void {
  const slot = p.slots.get(offset);
  if (slot === undefined) {
    p.slots.set(offset, { offset, value: v.value, opId, source, denseIndex: -1 });
  } else if (slot.value !== v.value) {
    const others = (slot.others ??= []);
    if (!others.some((o) => o.value === v.value)) others.push({ value: v.value, opId, source });
  }
  const tp = p.topicPartition;
  const positions = v.positions;
  for (let i = 0; i < positions.length; i++) {
    if (positions[i]!.offset === offset && positions[i]!.topicPartition === tp) return;
  }
  positions.push({ topicPartition: tp, offset, opId, source });
}

function topicOfName(tp: TopicPartitionName): string {
  return tp.slice(0, tp.lastIndexOf("-"));
}

function indexOp(obs: Observations, op: Operation): void {
  if (op.type === "send") {
    const acked = effectiveOutcome(op) === "ok";
    for (let i = 0; i < op.messages.length; i++) {
      const m = op.messages[i]!;
      const v = valueOf(obs, m.value, m.key);
      v.sends.push({ opId: op.id, messageIndex: i });
      const pos = acked ? op.positions?.[i] : undefined;
      if (pos !== undefined) {
        const tp = topicPartitionName(m.topic, pos.partition);
        observe(partitionOf(obs, tp, m.topic), v, pos.offset, op.id, "ack");
      }
    }
  } else if (op.type === "poll" && op.outcome === "ok" && op.records !== undefined) {
    for (const tp of Object.keys(op.records)) {
      const records = op.records[tp]!;
      if (records.length === 0) continue;
      const p = partitionOf(obs, tp, topicOfName(tp));
      for (let r = 0; r < records.length; r++) {
        const record = records[r]!;
        const offset = record[0];
        const v = valueOf(obs, record[2], record[1]);
        observe(p, v, offset, op.id, "poll");
        if (v.firstReadOpId < 0) v.firstReadOpId = op.id;
        if (op.completeMs! < v.firstReadMs) v.firstReadMs = op.completeMs!;
        if (offset > p.highestReadOffset) {
          p.highestReadOffset = offset;
          p.highestReadOpId = op.id;
        }
      }
    }
  }
}

/** Builds the observation index of a (valid) history. */
export function buildObservations(history: History): Observations {
  const obs: Observations = { history, partitions: new Map(), values: new Map() };
  for (const op of history) indexOp(obs, op);
  for (const p of obs.partitions.values()) {
    p.offsets = [...p.slots.keys()].sort((a, b) => a - b);
    for (let i = 0; i < p.offsets.length; i++) slotAt(p, p.offsets[i]!).denseIndex = i;
  }
  return obs;
}

/** The slot of an observed offset; a missing one means the index is broken (a checker bug). */
export function slotAt(p: PartitionOrder, offset: number): Slot {
  const slot = p.slots.get(offset);
  if (slot === undefined)
    throw new Error(
      `Checker invariant broken: offset ${offset} of ${p.topicPartition} was observed but not indexed`,
    );
  return slot;
}

/** True if some send of the value was acknowledged (ok). */
export function isAcknowledged(obs: Observations, v: ValueInfo): boolean {
  return v.sends.some((s) => obs.history[s.opId]!.outcome === "ok");
}

/** True if every send of the value definitely failed (and there was at least one). */
export function definitelyFailed(obs: Observations, v: ValueInfo): boolean {
  return v.sends.length > 0 && v.sends.every((s) => obs.history[s.opId]!.outcome === "fail");
}

/**
 * Where a send's message is, if known: the acknowledged position of an ok send, otherwise the
 * lowest position in its topic at which its value was observed (how an `info` send gets placed:
 * by a poll that returned it, or by the acknowledgement of a retry with the same value).
 */
export function positionOfMessage(
  obs: Observations,
  opId: number,
  messageIndex: number,
): { topicPartition: TopicPartitionName; offset: number } | undefined {
  const op = obs.history[opId]!;
  if (op.type !== "send") return undefined;
  const m = op.messages[messageIndex]!;
  const pos = op.outcome === "ok" ? op.positions?.[messageIndex] : undefined;
  if (pos !== undefined)
    return { topicPartition: topicPartitionName(m.topic, pos.partition), offset: pos.offset };
  const v = obs.values.get(m.value);
  let best: ValuePosition | undefined;
  for (const p of v?.positions ?? []) {
    if (topicOfName(p.topicPartition) !== m.topic) continue;
    if (best === undefined || p.offset < best.offset) best = p;
  }
  return best === undefined ? undefined : { topicPartition: best.topicPartition, offset: best.offset };
}
