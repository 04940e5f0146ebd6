/**
 * Lab 06, part 3: follower truncation, the two KIP-101 scenarios, randomised. Each run plays a
 * dozen episodes on two replicas of a fresh partition (min.insync.replicas=1, acks=all), with the
 * learner's TruncationPolicy (src/replication/truncation.ts), and judges the history with the
 * checker (src/check): no acknowledged record lost (`lost-write`, `unseen`), replicas agree on
 * every offset consumers read (`inconsistent-offsets`); and, as liveness, a returning replica
 * catches up with the leader (a policy that never truncates a diverged log stays stuck).
 *
 * - "stale high watermark" (KIP-101 scenario 1): the follower fetched the last records, but the
 *   answer that would raise its high watermark was lost; the leader acknowledged them. The
 *   follower restarts (kill -9) with the stale high watermark from its checkpoint and becomes a
 *   follower again; then the leader fails and the follower, still in the ISR, is elected. Later
 *   the old leader returns as a follower.
 * - "power loss together" (scenario 2): both replicas lose power after the last records reached
 *   both page caches (durable on the leader, not on the follower) and before the producer heard
 *   back. The follower returns first and leads a new epoch, taking new records at the offsets
 *   its power loss freed; the old leader returns as a follower with a high watermark past them.
 *
 * Random parts: which broker leads, how many records before and inside the risky window, whether
 * the answer is really lost, extra fetch rounds, what a power loss keeps. Not every episode hits
 * the window; across a seed's episodes both scenarios do.
 */
import { checkHistory, HistoryRecorder, type WitnessEvent } from "../../src/check";
import type { TruncationPolicy } from "../../src/replication";
import { SeededRng, type Rng } from "../../src/sim";
import type { LabTrace, Narration, VerdictBuilder } from "../_lib";
import { ReplicaPair } from "./replicas";

export const KIP101_EPISODES = 12;
/** Virtual ms between episodes on the run's clock. */
const EPISODE_SPAN_MS = 1000;

export interface Kip101Stats {
  episodes: number;
  /** Returning replicas that did not catch up with the leader. */
  stuck: string[];
}

interface PendingSend {
  handle: ReturnType<HistoryRecorder["invoke"]>;
  offset: number;
  value: string;
}

export function runKip101(
  truncation: TruncationPolicy,
  seed: number,
  vb: VerdictBuilder,
  story: Narration,
  trace: LabTrace,
  startMs: number,
  solution: boolean,
): Kip101Stats {
  const rng: Rng = new SeededRng(seed).split("lab06/kip101");
  const stats: Kip101Stats = { episodes: 0, stuck: [] };
  let clock = startMs;
  const rec = new HistoryRecorder(() => clock);
  const yours = solution ? "the solution's" : "your";
  story.section("Part 3: followers after a failover (the KIP-101 scenarios)");
  story.say(
    `${KIP101_EPISODES} episodes on two replicas (min.insync.replicas=1, acks=all), each broker truncating through ${yours} TruncationPolicy "${truncation.name}" (fetchesWithLastEpoch=${truncation.fetchesWithLastEpoch}).`,
  );
  const told: string[] = [];
  for (let e = 1; e <= KIP101_EPISODES; e++) {
    const topic = `episode-${e}`;
    const tp = `${topic}-0`;
    const pair = new ReplicaPair(topic, truncation);
    const base = startMs + (e - 1) * EPISODE_SPAN_MS;
    const tick = (): void => {
      pair.now += 5;
      clock = base + pair.now;
      trace.now = clock;
    };
    const lines: string[] = [];
    const pending: PendingSend[] = [];
    let seq = 0;
    const send = (): void => {
      tick();
      const value = `e${e}-m${++seq}`;
      const h = rec.invoke("send", "producer", { messages: [{ topic, partition: 0, key: null, value }] });
      const r = pair.produce(value);
      if ("error" in r) rec.fail(h, r.error.name);
      else pending.push({ handle: h, offset: r.offset, value });
    };
    /** Acknowledge what the leader's high watermark has passed. */
    const settle = (): void => {
      for (let i = 0; i < pending.length;) {
        const s = pending[i]!;
        if (pair.acknowledged(s.offset)) {
          rec.ok(s.handle, { positions: [{ partition: 0, offset: s.offset }] });
          pending.splice(i, 1);
        } else i++;
      }
    };
    const noAnswer = (why: string): void => {
      for (const s of pending.splice(0)) rec.info(s.handle, why);
    };
    const event = (kind: string, detail: Record<string, unknown>): void =>
      trace.record("app", kind, topic, { episode: e, ...detail });

    const L = rng.pick([1, 2]);
    const F = 3 - L;
    const template = rng.chance(0.5) ? "stale high watermark" : "power loss together";
    pair.elect(L, [1, 2], [1, 2]);
    const warm = rng.range(1, 4);
    for (let i = 0; i < warm; i++) {
      send();
      pair.fetch(F);
      pair.fetch(F);
      settle();
    }
    if (rng.chance(0.7)) {
      pair.r(L).checkpointHighWatermark();
      pair.r(F).checkpointHighWatermark();
    }
    const risk = rng.range(1, 3);
    if (template === "stale high watermark") {
      for (let i = 0; i < risk; i++) send();
      pair.fetch(F); // the follower gets them, with the old high watermark
      const lost = rng.chance(0.85);
      pair.fetch(F, !lost); // the leader's HW moves; maybe the answer never arrives
      settle();
      pair.r(F).checkpointHighWatermark();
      const hw = pair.r(F).log.highWatermark;
      const leo = pair.r(F).log.logEndOffset;
      tick();
      pair.r(F).crash();
      pair.r(F).start(pair.now);
      const cut = pair.tell([F]).get(F) ?? null;
      event("restart", { broker: F, highWatermark: hw, logEndOffset: leo, truncatedTo: cut });
      lines.push(
        `Broker ${F} restarts with high watermark ${hw} from its checkpoint (log end ${leo}); ${yours} policy ${cut === null ? "keeps its log" : `truncates it to ${cut}`}.`,
      );
      if (rng.chance(0.25)) pair.replicate(F); // sometimes the follower catches up in time
      tick();
      pair.r(L).crash();
      noAnswer(`broker ${L} failed before answering`);
      pair.elect(F, [F], [F]);
      event("leader-fails", { failed: L, newLeader: F, leaderEpoch: pair.state.leaderEpoch });
      lines.push(
        `Broker ${L} fails; broker ${F}, in the ISR, leads epoch ${pair.state.leaderEpoch} from offset ${pair.r(F).log.logEndOffset}.`,
      );
    } else {
      pair.r(F).log.flush(pair.now); // the early records are durable on the follower
      for (let i = 0; i < risk; i++) send();
      pair.fetch(F);
      pair.fetch(F);
      pair.r(L).log.flush(pair.now); // durable on the leader only
      pair.r(L).checkpointHighWatermark();
      pair.r(F).checkpointHighWatermark();
      tick();
      pair.r(L).powerLoss(rng.split(`e${e}/L`));
      pair.r(F).powerLoss(rng.split(`e${e}/F`));
      noAnswer("both brokers lost power before answering");
      pair.r(F).start(pair.now);
      pair.elect(F, [F], [F]);
      event("power-loss-both", {
        newLeader: F,
        leaderEpoch: pair.state.leaderEpoch,
        leaderLogEnd: pair.r(F).log.logEndOffset,
      });
      lines.push(
        `Both brokers lose power; broker ${F} (its unflushed records gone, log end ${pair.r(F).log.logEndOffset}) returns first and leads epoch ${pair.state.leaderEpoch}.`,
      );
    }
    const after = rng.range(1, 3);
    for (let i = 0; i < after; i++) {
      send();
      settle();
    }
    tick();
    pair.r(L).start(pair.now);
    const hwL = pair.r(L).log.highWatermark;
    const leoL = pair.r(L).log.logEndOffset;
    const cutL = pair.tell([L]).get(L) ?? null;
    const { caughtUp: caught, truncatedTo: later } = pair.replicate(L);
    settle();
    event("follower-returns", {
      broker: L,
      highWatermark: hwL,
      logEndOffset: leoL,
      truncatedTo: cutL,
      ...(later.length > 0 ? { laterTruncatedTo: later } : {}),
      caughtUp: caught,
    });
    const onFetch =
      later.length > 0
        ? `, then truncates to ${later.join(", then to ")} when the leader's answers show where the logs diverge`
        : "";
    lines.push(
      `Broker ${L} returns as a follower (high watermark ${hwL}, log end ${leoL}); ${yours} policy ${cutL === null ? "keeps its log" : `truncates it to ${cutL}`}${onFetch}${caught ? "" : "; it never catches up with the leader"}.`,
    );
    if (!caught)
      stats.stuck.push(`episode ${e}: broker ${L} did not catch up with leader ${F} after 20 fetch rounds`);
    noAnswer("the episode ended");
    // Consumers read each replica up to its high watermark (as its leader, or by follower fetching, KIP-392).
    for (const id of [1, 2]) {
      const r = pair.r(id);
      const h = rec.invoke("poll", `consumer-of-broker-${id}`, {});
      rec.ok(h, {
        records: {
          [tp]: r.records(r.log.highWatermark).map(([o, v]) => [o, null, v] as [number, null, string]),
        },
      });
    }
    stats.episodes++;
    told.push(`Episode ${e} (${template}, broker ${L} leads): ${lines.join(" ")}`);
  }
  const verdict = checkHistory(rec.history(), {
    forbid: ["lost-write", "unseen", "inconsistent-offsets"],
    maxWitnesses: 1000,
  });
  for (const a of verdict.anomalies) {
    if (!a.forbidden) continue;
    for (const c of a.witnesses) vb.add(a.name, { summary: c.summary, details: c.events.map(describeEvent) });
  }
  // Tell the episodes where something went wrong first, then the others briefly.
  const bad = new Set(verdict.anomalies.flatMap((a) => a.witnesses.map((c) => c.topicPartition)));
  const shown = told.filter((_, i) => bad.has(`episode-${i + 1}-0`)).slice(0, 3);
  // With nothing wrong, one episode of each kind.
  const calm = [told.find((t) => t.includes("(stale high")), told.find((t) => t.includes("(power loss"))];
  for (const line of shown.length > 0 ? shown : calm) if (line !== undefined) story.item(line);
  story.say(
    bad.size === 0
      ? `No episode lost an acknowledged record or let the replicas disagree.`
      : `${bad.size} of ${KIP101_EPISODES} episodes lost acknowledged records or left the replicas disagreeing.`,
  );
  return stats;
}

function describeEvent(e: WitnessEvent): string {
  const where =
    e.offset !== undefined
      ? ` ${e.topicPartition ?? ""}@${e.offset}`
      : e.topicPartition !== undefined
        ? ` ${e.topicPartition}`
        : "";
  const value = e.value !== undefined ? ` ${JSON.stringify(e.value)}` : "";
  return `${e.role}: ${e.type ?? "op"} by ${e.process}, ${e.outcome ?? "pending"}${where}${value}`;
}
