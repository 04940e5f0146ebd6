/**
 * The log anomalies: checks over the observation index (see observations.ts) that find what
 * producers and consumers saw go wrong in the partitions. Definitions follow
 * reference/checker.md and Jepsen's `jepsen.tests.kafka`; anomalies.ts explains each one for
 * learners.
 *
 * Per-process checks walk each client's operations in the order that client experienced them:
 * sends in invoke order (the order the application called `send`), polls in completion order
 * (the order records reached the application). Poll-order tracking of a consumer is reset by
 * `assign`/`subscribe` (every partition: after a rebalance a consumer legitimately resumes from
 * the committed offset), by `seek` (that partition) and by `crash`; send-order tracking is reset
 * by `crash` (a restarted producer is a new producer).
 *
 * Known limits (as in Jepsen): if compaction or retention removes offsets that some poll had
 * already observed, a later consumer jumping over them is reported as poll-skip; scenarios with
 * compaction during the run should not forbid poll-skip. Skips are judged against the version
 * order of the whole run, so they include offsets that became known after the poll.
 *
 * All checks are linear in the number of observations (plus a per-process sort).
 */
import type { AnomalyCase, AnomalyName, WitnessEvent } from "./anomalies";
import { opWitness } from "./anomalies";
import type { History, Operation, TopicPartitionName } from "./history";
import { topicPartitionName } from "./history";
import type { Observations, PartitionOrder, ValueInfo } from "./observations";
import { definitelyFailed, positionOfMessage, slotAt } from "./observations";

/** Offsets listed inside one case (skipped offsets, duplicate positions) are capped at this many. */
export const MAX_OFFSETS_PER_CASE = 20;

type Cases = Record<AnomalyName, AnomalyCase[]>;

function q(value: string): string {
  return JSON.stringify(value);
}

function observerWitness(
  history: History,
  o: { opId: number; source: string },
  role: string,
  tp: TopicPartitionName,
  offset: number,
  value: string,
): WitnessEvent {
  return opWitness(history[o.opId]!, role, { topicPartition: tp, offset, value });
}

function sortedPartitions(obs: Observations): PartitionOrder[] {
  return [...obs.partitions.values()].sort((a, b) =>
    a.topicPartition < b.topicPartition ? -1 : a.topicPartition > b.topicPartition ? 1 : 0,
  );
}

/** inconsistent-offsets: one (partition, offset) observed with two or more values. */
export function findInconsistentOffsets(obs: Observations, out: Cases): void {
  for (const p of sortedPartitions(obs)) {
    for (const offset of p.offsets) {
      const slot = slotAt(p, offset);
      if (slot.others === undefined) continue;
      const all = [slot, ...slot.others];
      const role = (s: { source: string }): string => (s.source === "ack" ? "acknowledged send" : "poll");
      out["inconsistent-offsets"].push({
        name: "inconsistent-offsets",
        summary: `${p.topicPartition} offset ${offset} held ${all.map((s) => `${q(s.value)} (${role(s)} op ${s.opId})`).join(" and ")}`,
        topicPartition: p.topicPartition,
        offset,
        events: all.map((s) =>
          observerWitness(
            obs.history,
            s,
            `${role(s)} that saw ${q(s.value)} at offset ${offset}`,
            p.topicPartition,
            offset,
            s.value,
          ),
        ),
      });
    }
  }
}

/** duplicate: one value observed at two or more distinct positions. */
export function findDuplicates(obs: Observations, out: Cases): void {
  for (const v of obs.values.values()) {
    if (v.positions.length < 2) continue;
    const positions = v.positions
      .slice()
      .sort((a, b) =>
        a.topicPartition === b.topicPartition
          ? a.offset - b.offset
          : a.topicPartition < b.topicPartition
            ? -1
            : 1,
      );
    const first = positions[0]!;
    out.duplicate.push({
      name: "duplicate",
      summary: `${q(v.value)} is stored ${positions.length} times: ${positions.map((p) => `${p.topicPartition}@${p.offset}`).join(", ")}`,
      topicPartition: first.topicPartition,
      offset: first.offset,
      value: v.value,
      key: v.key,
      offsets: positions.slice(0, MAX_OFFSETS_PER_CASE).map((p) => p.offset),
      events: positions
        .slice(0, MAX_OFFSETS_PER_CASE)
        .map((p) =>
          observerWitness(
            obs.history,
            p,
            p.source === "ack"
              ? `acknowledged send placing it at ${p.topicPartition}@${p.offset}`
              : `poll that read it at ${p.topicPartition}@${p.offset}`,
            p.topicPartition,
            p.offset,
            v.value,
          ),
        ),
    });
  }
}

/** aborted-read: an ok poll returned a value whose every send definitely failed. */
export function findAbortedReads(obs: Observations, out: Cases): void {
  for (const v of obs.values.values()) {
    if (v.firstReadOpId < 0 || !definitelyFailed(obs, v)) continue;
    const send = obs.history[v.sends[0]!.opId]!;
    const read = v.positions.find((p) => p.opId === v.firstReadOpId) ?? v.positions[0]!;
    out["aborted-read"].push({
      name: "aborted-read",
      summary: `${q(v.value)} was read at ${read.topicPartition}@${read.offset} although its send failed (${send.error ?? "fail"})`,
      topicPartition: read.topicPartition,
      offset: read.offset,
      value: v.value,
      key: v.key,
      events: [
        opWitness(send, "send that definitely failed", { value: v.value, key: v.key }),
        opWitness(obs.history[v.firstReadOpId]!, "poll that returned it anyway", {
          topicPartition: read.topicPartition,
          offset: read.offset,
          value: v.value,
        }),
      ],
    });
  }
}

/**
 * The acknowledged position of a value to judge it by: one at or below its partition's highest
 * read offset if any (that is a lost write), otherwise the lowest. Several acknowledgements
 * only happen when the application retried with the same value.
 */
function judgedAck(
  obs: Observations,
  v: ValueInfo,
): { tp: TopicPartitionName; offset: number; op: Operation; lost: boolean } | undefined {
  let best: { tp: TopicPartitionName; offset: number; op: Operation; lost: boolean } | undefined;
  for (const s of v.sends) {
    const op = obs.history[s.opId]!;
    if (op.type !== "send" || op.outcome !== "ok") continue;
    const pos = op.positions![s.messageIndex]!;
    const tp = topicPartitionName(op.messages[s.messageIndex]!.topic, pos.partition);
    const lost = pos.offset <= obs.partitions.get(tp)!.highestReadOffset;
    if (best === undefined || (lost && !best.lost) || (lost === best.lost && pos.offset < best.offset))
      best = { tp, offset: pos.offset, op, lost };
  }
  return best;
}

/**
 * lost-write: acknowledged, never returned by an ok poll, at or below the highest offset read in
 * its partition. unseen: acknowledged, never returned, above it (only for topics in
 * `unseenTopics`, all topics when undefined). An uncertain (`info`) send counts as written once a poll returned it, so it is
 * never lost by this definition; its unread batch-mates have no known offset and are not judged.
 */
export function findLostAndUnseen(
  obs: Observations,
  unseenTopics: ReadonlySet<string> | undefined,
  out: Cases,
): void {
  for (const v of obs.values.values()) {
    if (v.firstReadOpId >= 0) continue;
    const ack = judgedAck(obs, v);
    if (ack === undefined) continue;
    const p = obs.partitions.get(ack.tp)!;
    const sendEvent = opWitness(ack.op, "acknowledged send", {
      topicPartition: ack.tp,
      offset: ack.offset,
      key: v.key,
      value: v.value,
    });
    const highestEvents =
      p.highestReadOpId >= 0
        ? [
            opWitness(
              obs.history[p.highestReadOpId]!,
              `poll that read the highest offset, ${p.highestReadOffset}`,
              { topicPartition: ack.tp, offset: p.highestReadOffset },
            ),
          ]
        : [];
    const base = {
      topicPartition: ack.tp,
      offset: ack.offset,
      value: v.value,
      key: v.key,
      highestOffsetRead: p.highestReadOffset,
    };
    if (ack.lost) {
      out["lost-write"].push({
        name: "lost-write",
        summary: `${q(v.value)} acknowledged at ${ack.tp}@${ack.offset} was never returned by any poll, though polls read up to offset ${p.highestReadOffset}`,
        ...base,
        events: [sendEvent, ...highestEvents],
      });
    } else if (unseenTopics === undefined || unseenTopics.has(p.topic)) {
      out.unseen.push({
        name: "unseen",
        summary: `${q(v.value)} acknowledged at ${ack.tp}@${ack.offset} was never returned by any poll (highest offset read ${p.highestReadOffset})`,
        ...base,
        events: [sendEvent, ...highestEvents],
      });
    }
  }
}

interface SendMark {
  opId: number;
  messageIndex: number;
  key: string | null;
  value: string;
  offset: number;
  denseIndex: number;
}

interface ReadMark {
  opId: number;
  offset: number;
  denseIndex: number;
}

/** Operations of each process in the order that process experienced them. */
function perProcess(history: History): Map<string, { key: number; op: Operation }[]> {
  const byProcess = new Map<string, { key: number; op: Operation }[]>();
  for (const op of history) {
    let key: number | undefined;
    if (op.type === "send") key = op.outcome === "fail" ? undefined : op.invokeIndex;
    else if (op.type === "poll") key = op.outcome === "ok" ? op.completeIndex : undefined;
    else if (op.type === "commit") key = undefined;
    else key = op.outcome === "fail" ? undefined : (op.completeIndex ?? op.invokeIndex);
    if (key === undefined) continue;
    let list = byProcess.get(op.process);
    if (list === undefined) byProcess.set(op.process, (list = []));
    list.push({ key, op });
  }
  for (const list of byProcess.values()) list.sort((a, b) => a.key - b.key);
  return byProcess;
}

function checkSend(
  obs: Observations,
  op: Operation & { type: "send" },
  last: Map<TopicPartitionName, SendMark>,
  out: Cases,
): void {
  for (let i = 0; i < op.messages.length; i++) {
    const pos = positionOfMessage(obs, op.id, i);
    if (pos === undefined) continue;
    const p = obs.partitions.get(pos.topicPartition)!;
    const denseIndex = slotAt(p, pos.offset).denseIndex;
    const m = op.messages[i]!;
    const mark: SendMark = {
      opId: op.id,
      messageIndex: i,
      key: m.key,
      value: m.value,
      offset: pos.offset,
      denseIndex,
    };
    const prev = last.get(pos.topicPartition);
    last.set(pos.topicPartition, mark);
    if (prev === undefined || prev.value === m.value) continue;
    const sameOp = prev.opId === op.id;
    const delta = denseIndex - prev.denseIndex;
    const inOrder = sameOp ? delta === 1 : pos.offset > prev.offset;
    if (!inOrder) reportSendOrder(obs, op, p, prev, mark, m.key, out);
  }
}

function reportSendOrder(
  obs: Observations,
  op: Operation & { type: "send" },
  p: PartitionOrder,
  prev: SendMark,
  mark: SendMark,
  key: string | null,
  out: Cases,
): void {
  const tp = p.topicPartition;
  const sameOp = prev.opId === op.id;
  const prevEvent = (role: string): WitnessEvent =>
    opWitness(obs.history[prev.opId]!, role, {
      topicPartition: tp,
      offset: prev.offset,
      key: prev.key,
      value: prev.value,
    });
  const thisEvent = (role: string): WitnessEvent =>
    opWitness(op, role, { topicPartition: tp, offset: mark.offset, key, value: mark.value });
  const base = { topicPartition: tp, offset: mark.offset, value: mark.value, key, process: op.process };
  if (!sameOp) {
    out["nonmonotonic-send"].push({
      name: "nonmonotonic-send",
      summary: `${op.process} sent ${q(mark.value)} after ${q(prev.value)}, but it landed at ${tp}@${mark.offset}, not after offset ${prev.offset}`,
      ...base,
      events: [prevEvent("earlier send"), thisEvent("later send, written at or before it")],
    });
    return;
  }
  const delta = mark.denseIndex - prev.denseIndex;
  const events = [
    prevEvent(`message ${prev.messageIndex} of the send`),
    thisEvent(`message ${mark.messageIndex} of the same send`),
  ];
  if (delta <= 0) {
    out["int-nonmonotonic-send"].push({
      name: "int-nonmonotonic-send",
      summary: `one send by ${op.process} gave ${q(prev.value)} then ${q(mark.value)}, but they landed at ${tp} offsets ${prev.offset} and ${mark.offset}`,
      ...base,
      events,
    });
  } else {
    const between = p.offsets.slice(
      prev.denseIndex + 1,
      Math.min(mark.denseIndex, prev.denseIndex + 1 + MAX_OFFSETS_PER_CASE),
    );
    out["int-send-skip"].push({
      name: "int-send-skip",
      summary: `one send by ${op.process} landed at ${tp} offsets ${prev.offset} and ${mark.offset} with ${delta - 1} other message(s) between`,
      ...base,
      offsets: between,
      events,
    });
  }
}

function checkPoll(
  obs: Observations,
  op: Operation & { type: "poll" },
  last: Map<TopicPartitionName, ReadMark>,
  out: Cases,
): void {
  for (const tp of Object.keys(op.records!)) {
    const records = op.records![tp]!;
    if (records.length === 0) continue;
    const p = obs.partitions.get(tp)!;
    let prev = last.get(tp);
    for (let r = 0; r < records.length; r++) {
      const offset = records[r]![0];
      const slot = slotAt(p, offset);
      if (prev === undefined) {
        prev = { opId: op.id, offset, denseIndex: slot.denseIndex };
        last.set(tp, prev);
        continue;
      }
      const delta = slot.denseIndex - prev.denseIndex;
      if (delta !== 1) reportPollOrder(obs, op, tp, p, prev, offset, slot.denseIndex, delta, out);
      // The mark is updated in place: one allocation per partition, not per record.
      prev.opId = op.id;
      prev.offset = offset;
      prev.denseIndex = slot.denseIndex;
    }
  }
}

function reportPollOrder(
  obs: Observations,
  op: Operation & { type: "poll" },
  tp: TopicPartitionName,
  p: PartitionOrder,
  prev: ReadMark,
  offset: number,
  denseIndex: number,
  delta: number,
  out: Cases,
): void {
  const same = prev.opId === op.id;
  const prevEvent = opWitness(
    obs.history[prev.opId]!,
    same ? `poll that read offset ${prev.offset} and then ${offset}` : `poll that read offset ${prev.offset}`,
    { topicPartition: tp, offset: prev.offset },
  );
  const thisEvent = opWitness(op, `next poll, which read offset ${offset}`, {
    topicPartition: tp,
    offset,
  });
  const pollEvents = same ? [prevEvent] : [prevEvent, thisEvent];
  if (delta > 1) {
    const skipped = p.offsets.slice(
      prev.denseIndex + 1,
      Math.min(denseIndex, prev.denseIndex + 1 + MAX_OFFSETS_PER_CASE),
    );
    const firstSkipped = slotAt(p, skipped[0]!);
    out["poll-skip"].push({
      name: "poll-skip",
      process: op.process,
      summary: `${op.process} read ${tp} offset ${prev.offset} then ${offset}, skipping ${delta - 1} offset(s) that exist`,
      topicPartition: tp,
      offset,
      offsets: skipped,
      events: [
        ...pollEvents,
        observerWitness(
          obs.history,
          firstSkipped,
          `shows offset ${firstSkipped.offset} exists`,
          tp,
          firstSkipped.offset,
          firstSkipped.value,
        ),
      ],
    });
  } else {
    out["nonmonotonic-poll"].push({
      name: "nonmonotonic-poll",
      process: op.process,
      summary: `${op.process} read ${tp} offset ${prev.offset} then ${offset}${offset === prev.offset ? " again" : ", going backwards"} with no reassignment or seek between`,
      topicPartition: tp,
      offset,
      offsets: [prev.offset, offset],
      events: pollEvents,
    });
  }
}

/** nonmonotonic-send, int-nonmonotonic-send, int-send-skip, poll-skip, nonmonotonic-poll. */
export function findOrderAnomalies(obs: Observations, out: Cases): void {
  const processes = [...perProcess(obs.history).entries()].sort((a, b) =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0,
  );
  for (const [, ops] of processes) {
    const lastSend = new Map<TopicPartitionName, SendMark>();
    const lastRead = new Map<TopicPartitionName, ReadMark>();
    for (const { op } of ops) {
      switch (op.type) {
        case "send":
          checkSend(obs, op, lastSend, out);
          break;
        case "poll":
          checkPoll(obs, op, lastRead, out);
          break;
        case "assign":
        case "subscribe":
          lastRead.clear();
          break;
        case "seek":
          lastRead.delete(op.topicPartition);
          break;
        case "crash":
          lastRead.clear();
          lastSend.clear();
          break;
        case "commit":
          break;
      }
    }
  }
}
