/**
 * Lab 01's narration: what the cluster looked like, what failed and when, who led each
 * partition afterwards and why, what the producer saw, and — when acknowledged orders vanished —
 * which broker's failure and which election erased which offsets. Built from the run's facts
 * (scenario.ts), the brokers' own trace events (replica.becomeLeader, controller.fenceStale) and
 * the verdict's anomaly cases. Browser-safe; returns lines.
 */
import {
  fmtMs,
  fmtRanges,
  type Analysis,
  type AnomalyCase,
  type Operation,
  type Verdict,
} from "../../src/check";
import { electLeader as kafkaElectLeader } from "../../src/controller";
import type { TraceEvent } from "../../src/sim";
import { Narration, plural } from "../_lib";
import { explainSingleCopy } from "./judge";
import type { ElectionRecord, FaultEvent, HaRun } from "./scenario";
import { SCENARIO, describeSettings, type HaImpl } from "./spec";

/** A partition's leader as the brokers applied it. */
interface Leadership {
  atMs: number;
  partition: string;
  broker: number;
  epoch: number;
  logEndOffset: number;
}

const LOSS_GROUPS_SHOWN = 6;

export function tellStory(
  run: HaRun,
  impl: HaImpl,
  judged: { verdict: Verdict; analysis: Analysis },
  solution: boolean,
): Narration {
  const n = new Narration();
  const events = run.world.trace.events;
  const leaderships = readLeaderships(events);
  const history = run.recorder.history();

  n.section("The cluster");
  n.say(
    `Brokers 1, 2 and 3, and a KRaft controller quorum on three nodes of its own (controller-1 to controller-3), so that a broker failure never takes the quorum with it.`,
  );
  n.say(
    `Topic ${SCENARIO.topic}, ${SCENARIO.partitions} partitions: ${describeSettings(impl)} (from ${solution ? "solution/" : "exercise/"}topic-config.ts and producer-config.ts). Replicas, the first being the preferred leader: ${run.placement.map((p) => `${p.partition} [${p.replicas.join(", ")}]`).join(", ")}.`,
  );
  n.say(
    `The controller elects leaders with ${solution ? "solution/" : "exercise/"}election.ts. The orders service sends an order every 8-16 ms, keyed by customer; ${run.sendsInvoked} orders in all.`,
  );

  n.section(`Part 1 · one broker at a time (t=${fmtMs(run.t0)}–${fmtMs(run.badDayMs)})`);
  for (const line of faultLines(run, leaderships, run.t0, run.badDayMs)) n.item(line);
  n.say(ackSummary(history, run.t0, run.badDayMs, "Orders sent in part 1"));

  n.section(`Part 2 · a bad day (t=${fmtMs(run.badDayMs)}–${fmtMs(run.allBackMs)})`);
  const [a, b, c] = run.badDayOrder;
  n.say(
    `Broker ${a} crashed, 5 s later broker ${b}, 5 s later broker ${c}: for a few seconds no broker ran. Then broker ${a} restarted, 1.5 s later broker ${b}, 3 s after that broker ${c}, the last to fail. Kafka never empties an ISR: as the controller fenced the failed brokers, each partition's ISR kept the last of its replicas to fail, and a clean election waits for that one.`,
  );
  for (const line of faultLines(run, leaderships, run.badDayMs, run.allBackMs + 6000)) n.item(line);
  n.say(ackSummary(history, run.badDayMs, run.allBackMs, "Orders sent in part 2"));

  n.section(`Recovery (from t=${fmtMs(run.allBackMs)})`);
  n.say(ackSummary(history, run.allBackMs, run.sendsStopMs + 1, "Orders sent once every broker was back"));
  n.say(
    `The audit consumer then read every partition from the beginning: ${plural(run.auditRecords, "record")}${run.auditQuiet ? ", until it found nothing more" : ", and was still finding partitions without a leader at its deadline"}.`,
  );

  const losses = [...judged.analysis.anomalies["lost-write"], ...judged.analysis.anomalies.unseen];
  if (losses.length > 0) {
    n.section("Acknowledged orders that vanished");
    const groups = groupLosses(losses, leaderships);
    groups.slice(0, LOSS_GROUPS_SHOWN).forEach((g) => n.item(describeLoss(g, run, impl, leaderships)));
    if (groups.length > LOSS_GROUPS_SHOWN)
      n.item(
        `... and ${plural(groups.length - LOSS_GROUPS_SHOWN, "more loss")} (the verdict counts them all)`,
      );
  }
  if (run.acks.singleCopy > 0) {
    n.section("Acknowledged on a single broker");
    n.say(`${explainSingleCopy(run.acks.cases, run.acks.singleCopy, run.acks.acknowledged)}.`);
    n.say(singleCopyWhy(impl));
  }
  if (judged.verdict.ok) {
    n.section("Why it held");
    n.say(
      `Every acknowledgement waited for a second in-sync copy (acks=all, min.insync.replicas=2), every election took a live ISR member or none, and while the ISR was down to one broker the leader refused orders (NOT_ENOUGH_REPLICAS) instead of acknowledging them alone. The price: no acknowledgements while two brokers were down, and each partition waited for the last in-sync broker to come back.`,
    );
  }
  return n;
}

function readLeaderships(events: readonly TraceEvent[]): Leadership[] {
  const out: Leadership[] = [];
  for (const e of events) {
    if (e.cat !== "app" || e.kind !== "replica.becomeLeader") continue;
    const partition = String(e.partition);
    if (!partition.startsWith(`${SCENARIO.topic}-`)) continue;
    out.push({
      atMs: e.t,
      partition,
      broker: Number(e.broker),
      epoch: Number(e.leaderEpoch),
      logEndOffset: Number(e.logEndOffset),
    });
  }
  return out;
}

function brokerFault(f: FaultEvent): string {
  const leads = f.led.length > 0 ? `, leader of ${f.led.join(" and ")},` : "";
  switch (f.kind) {
    case "links-cut":
      return `t=${fmtMs(f.atMs)} broker ${f.broker}${leads} lost its links to the other brokers (a failing switch): followers stop receiving its records, the producer still reaches it`;
    case "broker-crash":
      return `t=${fmtMs(f.atMs)} broker ${f.broker}${leads} crashed (kill -9: its page cache, and so its log, survives)`;
    case "power-loss":
      return `t=${fmtMs(f.atMs)} broker ${f.broker}${leads} lost power: every record it had not fsynced is gone (Kafka does not fsync each write; replication is what keeps data)`;
    case "broker-restart":
      return `t=${fmtMs(f.atMs)} broker ${f.broker} restarted`;
  }
}

/** Faults in [from, to), each followed by the leader changes before the next one. */
function faultLines(run: HaRun, leaderships: readonly Leadership[], fromMs: number, toMs: number): string[] {
  const lines: string[] = [];
  const faults = run.faults.filter((f) => f.atMs >= fromMs && f.atMs < toMs);
  faults.forEach((f, k) => {
    const next = faults[k + 1]?.atMs ?? toMs;
    const after = leaderships.filter((l) => l.atMs >= f.atMs && l.atMs < next);
    lines.push(
      after.length === 0
        ? `${brokerFault(f)}.`
        : `${brokerFault(f)}. Then ${after.map((l) => describeLeadership(l, run.elections)).join("; ")}.`,
    );
  });
  return lines;
}

function describeLeadership(l: Leadership, elections: readonly ElectionRecord[]): string {
  const d = decisionFor(l, elections);
  const isr =
    d === undefined
      ? ""
      : unclean(d)
        ? ` although the ISR was [${d.input.isr.join(", ")}]`
        : ` (ISR [${d.input.isr.join(", ")}])`;
  return `t=${fmtMs(l.atMs)} broker ${l.broker} leads ${l.partition}${isr}, epoch ${l.epoch}, log end ${l.logEndOffset}`;
}

function decisionFor(l: Leadership, elections: readonly ElectionRecord[]): ElectionRecord | undefined {
  let found: ElectionRecord | undefined;
  for (const e of elections) {
    if (e.atMs > l.atMs) break;
    if (e.partition === l.partition && e.chose === l.broker) found = e;
  }
  return found;
}

function unclean(d: ElectionRecord): boolean {
  return d.chose !== -1 && !d.input.isr.includes(d.chose);
}

function ackSummary(history: readonly Operation[], fromMs: number, toMs: number, what: string): string {
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let unknown = 0;
  let slowest = 0;
  for (const op of history) {
    if (op.type !== "send" || op.invokeMs < fromMs || op.invokeMs >= toMs) continue;
    sent++;
    if (op.outcome === "ok") {
      ok++;
      slowest = Math.max(slowest, (op.completeMs ?? op.invokeMs) - op.invokeMs);
    } else if (op.outcome === "fail") failed++;
    else unknown++;
  }
  if (sent === 0) return `${what}: none.`;
  const parts = [`${ok} acknowledged`];
  if (failed > 0) parts.push(`${failed} refused`);
  if (unknown > 0) parts.push(`${unknown} with no answer (timed out)`);
  return `${what}: ${sent}; ${parts.join(", ")}${ok > 0 ? `; the slowest acknowledgement took ${fmtMs(slowest)}` : ""}.`;
}

interface LossGroup {
  partition: string;
  /** The leadership that did not have these offsets (undefined: not found). */
  erasedBy: Leadership | undefined;
  /** Who led when they were acknowledged. */
  ackedBy: Leadership | undefined;
  offsets: number[];
  firstAckMs: number;
  lastAckMs: number;
}

function groupLosses(cases: readonly AnomalyCase[], leaderships: readonly Leadership[]): LossGroup[] {
  const groups = new Map<string, LossGroup>();
  for (const c of cases) {
    const partition = c.topicPartition;
    const offset = c.offset;
    const ackMs = c.events[0]?.completeMs;
    if (partition === undefined || offset === undefined || ackMs === undefined) continue;
    const mine = leaderships.filter((l) => l.partition === partition);
    // The leader that acknowledged: the last one applied before the answer reached the producer.
    let ackedBy: Leadership | undefined;
    for (const l of mine) if (l.atMs <= ackMs) ackedBy = l;
    // The first later leader whose log ended at or below the offset: it never had the order.
    const erasedBy = mine.find(
      (l) => l.atMs > (ackedBy?.atMs ?? -1) && l !== ackedBy && l.logEndOffset <= offset,
    );
    const key = `${partition}/${erasedBy?.atMs ?? "?"}/${ackedBy?.atMs ?? "?"}`;
    let g = groups.get(key);
    if (g === undefined)
      groups.set(
        key,
        (g = { partition, erasedBy, ackedBy, offsets: [], firstAckMs: ackMs, lastAckMs: ackMs }),
      );
    g.offsets.push(offset);
    g.firstAckMs = Math.min(g.firstAckMs, ackMs);
    g.lastAckMs = Math.max(g.lastAckMs, ackMs);
  }
  return [...groups.values()].sort(
    (x, y) => y.offsets.length - x.offsets.length || x.firstAckMs - y.firstAckMs,
  );
}

function describeLoss(g: LossGroup, run: HaRun, impl: HaImpl, leaderships: readonly Leadership[]): string {
  const what = `${plural(g.offsets.length, "acknowledged order")} of ${g.partition}, offsets ${fmtRanges(g.offsets, 3)} (acknowledged at t=${fmtMs(g.firstAckMs)}–${fmtMs(g.lastAckMs)}${g.ackedBy !== undefined ? ` by broker ${g.ackedBy.broker}` : ""})`;
  const e = g.erasedBy;
  if (e === undefined) return `${what}: never read back, and no later leader is known to have lacked them.`;
  // The leader just before the one that lacked them, and what happened to it.
  let prev: Leadership | undefined;
  for (const l of leaderships) if (l.partition === g.partition && l.atMs < e.atMs) prev = l;
  const prevFault =
    prev === undefined
      ? undefined
      : [...run.faults]
          .reverse()
          .find(
            (f) =>
              f.broker === prev.broker &&
              f.atMs <= e.atMs &&
              (f.kind === "broker-crash" || f.kind === "power-loss"),
          );
  const after =
    prev === undefined || prevFault === undefined
      ? ""
      : `, after broker ${prev.broker}${prev.broker === e.broker ? "" : ", the leader before it,"} ${prevFault.kind === "power-loss" ? "lost power" : "crashed"} at t=${fmtMs(prevFault.atMs)}`;
  const head = `${what}: gone when broker ${e.broker} became leader at t=${fmtMs(e.atMs)} with its log ending at offset ${e.logEndOffset}${after}.`;
  if (prev !== undefined && e.broker === prev.broker)
    return `${head} It came back${prevFault?.kind === "power-loss" ? " from its power loss" : ""} without them: ${impl.topic.replicationFactor === 1 ? "with replication factor 1 it held the only copy, and Kafka had not fsynced it" : "no other replica had them"}.`;
  const d = decisionFor(e, run.elections);
  if (d !== undefined && unclean(d)) {
    const kafka = kafkaElectLeader(d.input);
    const rule =
      kafka === d.chose
        ? "unclean.leader.election.enable=true allowed it"
        : `your election policy chose it; Kafka's rule would have ${kafka === -1 ? `left ${g.partition} without a leader until an in-sync replica returned` : `chosen broker ${kafka}`}`;
    return `${head} Broker ${e.broker} was not in sync (${isrText(d)}): it had missed those orders while it was down or cut off, and ${rule}. The other replicas then truncated their logs to match broker ${e.broker}'s.`;
  }
  const acks = String(impl.producer.acks);
  if (acks === "1")
    return `${head} Broker ${e.broker} was in sync, but it never had them: acks=1 let broker ${g.ackedBy?.broker ?? "?"} answer as soon as it had written them, before any follower copied them.`;
  return `${head} Broker ${e.broker} was an eligible replica that never received them: they had been acknowledged while only broker ${g.ackedBy?.broker ?? "?"} held them.`;
}

/** The ISR an election saw, in words: the fenced last member when the input's ISR is empty. */
function isrText(d: ElectionRecord): string {
  if (d.input.isr.length > 0) return `the ISR was [${d.input.isr.join(", ")}]`;
  return d.input.currentLeader !== -1
    ? `the last in-sync replica, broker ${d.input.currentLeader}, had just been fenced`
    : "no replica was in sync";
}

function singleCopyWhy(impl: HaImpl): string {
  const acks = String(impl.producer.acks);
  const minIsr = impl.topic.configs["min.insync.replicas"] ?? "1";
  if (impl.topic.replicationFactor === 1)
    return "With replication factor 1 there is only ever one copy: every acknowledgement is a promise one machine keeps alone.";
  if (acks !== "all" && acks !== "-1")
    return `With acks=${acks} the leader answers once it has written the order itself, before any follower fetched it.`;
  if (minIsr === "1")
    return "With acks=all and min.insync.replicas=1 a leader whose ISR has shrunk to itself (its followers down or lagging) acknowledges alone: acks=all means all of the current ISR, however small.";
  return "An acknowledgement found fewer than two copies.";
}
