/**
 * Lab 07's narration: what the packers did, in plain language, from the run's facts (settings,
 * polls, rebalances, the deploy's steps, the depot's shipments and the verdict). Browser-safe.
 */
import { fmtMs, type Verdict } from "../../src/check";
import type { ResolvedConsumerConfig } from "../../src/client";
import type { TraceEvent } from "../../src/sim";
import { Narration, plural } from "../_lib";
import type { PollStats, Rebalance } from "./scenario";
import type { Depot } from "./services";
import { LAB_GROUP_COORDINATOR, SCENARIO } from "./spec";

/** One packer's restart in the deploy. */
export interface DeployStep {
  packer: string;
  stopAtMs: number;
  restartAtMs: number;
  /** Its loop returned (after closing the consumer, one hopes) at this time. */
  exitedAtMs?: number;
  /** Still running after the grace period: killed at this time. */
  killedAtMs?: number;
}

export interface StoryInput {
  t0: number;
  endMs: number;
  configs: ReadonlyMap<string, ResolvedConsumerConfig>;
  steps: readonly DeployStep[];
  deployEnd: number;
  rebalances: readonly Rebalance[];
  pollStats: ReadonlyMap<string, PollStats>;
  depot: Depot;
  ackedAt: ReadonlyMap<string, number>;
  verdict: Verdict;
  loopErrors: readonly string[];
  loopErrorCount: number;
  sendErrors: readonly string[];
  trace: readonly TraceEvent[];
}

const T = (ms: number): string => `t=${fmtMs(ms)}`;

function assignorNames(c: ResolvedConsumerConfig): string {
  return c.assignors.map((a) => a.name).join(", ");
}

export function tell(x: StoryInput): Narration {
  const S = SCENARIO;
  const story = new Narration();
  const c = x.configs.get(S.packers[0]!)!;
  const eager = !c.assignors.every((a) => a.supportedProtocols.includes("COOPERATIVE"));
  const statics = S.packers.filter((p) => x.configs.get(p)?.groupInstanceId !== null);

  // ---- the setup
  story.section("The setup");
  story.say(
    `A 3-broker cluster (plus 3 controllers) was ready at ${T(x.t0)}. Topic ${S.topic}: ${S.partitions} partitions, replication factor ${S.replicationFactor}. The dispatcher wrote the night's ${S.backlog} orders at once, then one order every ${S.orderGapMs.min}-${S.orderGapMs.max} ms until ${T(x.t0 + S.ordersUntilMs)}.`,
  );
  story.say(
    `Packers ${S.packers.join(", ")} (group ${S.group}) ship each order; one parcel takes ${S.shipMs} ms. Your settings (exercise/consumer-config.ts): max.poll.records=${c.maxPollRecords}, max.poll.interval.ms=${c.maxPollIntervalMs}, session.timeout.ms=${c.sessionTimeoutMs}, group.instance.id=${statics.length === 0 ? "none (dynamic members)" : statics.map((p) => x.configs.get(p)!.groupInstanceId).join("/")}, partition.assignment.strategy=[${assignorNames(c)}] (${eager ? "eager: every rebalance revokes every partition" : "cooperative: only partitions that move are revoked"}), enable.auto.commit=${c.enableAutoCommit}${c.enableAutoCommit ? `, auto.commit.interval.ms=${c.autoCommitIntervalMs}` : ""}.`,
  );
  const batchMs = c.maxPollRecords * S.shipMs;
  story.say(
    `A full poll is ${c.maxPollRecords} parcels × ${S.shipMs} ms = ${fmtMs(batchMs)} of shipping before the next poll; max.poll.interval.ms allows ${fmtMs(c.maxPollIntervalMs)}${batchMs > c.maxPollIntervalMs ? ": a full poll does not fit" : ""}.`,
  );

  // ---- the morning: polls that do not fit
  story.section(`The backlog (${T(x.t0)} to the deploy at ${T(x.steps[0]!.stopAtMs)})`);
  const beforeDeploy = x.rebalances.filter((r) => r.t < x.steps[0]!.stopAtMs);
  const slowLeaves = x.trace.filter(
    (e) => e.kind === "consumer.leaveGroup" && String(e["reason"]).includes("max.poll.interval.ms"),
  );
  const commitErrors = x.trace.filter(
    (e) => e.kind === "consumer.commitError" || e.kind === "consumer.autoCommitFailed",
  ).length;
  const tooBig = [...x.pollStats.values()].reduce((s, p) => s + p.tooBig, 0);
  const biggest = Math.max(...[...x.pollStats.values()].map((p) => p.biggest));
  if (slowLeaves.length === 0)
    story.say(
      `Every poll fitted in max.poll.interval.ms (the biggest returned ${plural(biggest, "record")}, ${fmtMs(biggest * S.shipMs)} of work). The group completed ${plural(beforeDeploy.length, "rebalance")} before the deploy (the first one forms the group).`,
    );
  else {
    const first = slowLeaves[0]!;
    story.say(
      `${plural(tooBig, "poll")} returned more parcels than fit in ${fmtMs(c.maxPollIntervalMs)} (the biggest: ${biggest} records, ${fmtMs(biggest * S.shipMs)} of shipping). While a packer shipped them it did not call poll(), so its client left the group: ${plural(slowLeaves.length, "time")} in all, first ${first.node} at ${T(first.t)} ("no poll() for more than max.poll.interval.ms=${c.maxPollIntervalMs}").`,
    );
    const commits =
      commitErrors > 0
        ? `its commits for them were refused (${plural(commitErrors, "refused commit")}: the generation was over, so the client raised CommitFailedException)`
        : c.enableAutoCommit
          ? "it never committed them: auto-commit runs inside poll(), and by the time the packer polled again it had already lost its generation, so it gave its partitions up as lost, without committing"
          : "it never committed them";
    story.say(
      `Each departure was a rebalance (${plural(x.rebalances.length, "rebalance")} completed in the whole run). The packer went on shipping a batch whose partitions now belonged to someone else; ${commits}. So the new owner started again from the last committed offset, shipped the same parcels again, and took just as long with its own big batch: a rebalance storm, in which the group ships the same orders over and over and falls further behind.`,
    );
  }

  // ---- the deploy
  story.section(`The deploy (${T(x.steps[0]!.stopAtMs)} to ${T(x.deployEnd)})`);
  for (const st of x.steps) {
    const next = x.steps[x.steps.indexOf(st) + 1];
    const windowEnd = next !== undefined ? next.stopAtMs : x.deployEnd + S.deploySettleMs;
    const rb = x.rebalances.filter((r) => r.t >= st.stopAtMs && r.t < windowEnd).length;
    const how =
      st.killedAtMs !== undefined
        ? `its loop did not stop, so it was killed ${fmtMs(S.graceMs)} later (${T(st.killedAtMs)}) with whatever it shipped since its last commit uncommitted`
        : st.exitedAtMs !== undefined
          ? `its loop returned at ${T(st.exitedAtMs)}`
          : "its process had already ended";
    story.item(
      `${T(st.stopAtMs)}: ${st.packer} was asked to stop; ${how}. A new ${st.packer} started at ${T(st.restartAtMs)}. ${rb === 0 ? "The group did not rebalance." : `The group completed ${plural(rb, "rebalance")} before the next step${eager ? ", each one stopping every packer" : ""}.`}`,
    );
  }
  if (statics.length === 0)
    story.say(
      `Without group.instance.id every restart is a new member: the old one leaves (or is dropped when its session or the rebalance times out), the new one joins, and each change is a rebalance.`,
    );
  else if (
    c.sessionTimeoutMs >= S.restartAfterMs.max &&
    x.rebalances.some((r) => r.t >= x.steps[0]!.stopAtMs && r.t <= x.deployEnd + S.deploySettleMs)
  )
    story.say(
      `Static members came back as themselves and got their partitions back: such a restart does not rebalance a Stable group, not even the return of the group's leader (the member that computes assignments), which keeps the assignment and skips the assignor (KIP-814). The group still rebalanced during the deploy, so something else started it: a restart that arrives while an earlier rebalance is still completing, for instance, starts another.${eager ? "" : " With the cooperative assignor no partition moved, so nobody stopped."}`,
    );
  else if (c.sessionTimeoutMs < S.restartAfterMs.max)
    story.say(
      `Static members come back as themselves, but only if they return within session.timeout.ms=${c.sessionTimeoutMs}: a restart takes ${fmtMs(S.restartAfterMs.min)}-${fmtMs(S.restartAfterMs.max)}, so the coordinator expired the member (a rebalance) and took it back as a new one (another).`,
    );

  // ---- outcome
  const shipments = [...x.depot.shipments.entries()];
  const twice = shipments.filter(([, l]) => l.length > 1);
  const extra = twice.reduce((s, [, l]) => s + l.length - 1, 0);
  story.section("Parcels shipped twice");
  if (twice.length === 0) story.say("None.");
  else {
    const inDeploy = twice.filter(([, l]) => l[1]!.atMs >= x.steps[0]!.stopAtMs).length;
    const [id, l] = twice[0]!;
    story.say(
      `${plural(twice.length, "order")} shipped more than once (${plural(extra, "extra parcel")}): ${twice.length - inDeploy} before the deploy, ${inDeploy} during or after it. For example ${id}: ${l
        .slice(0, 4)
        .map((s) => `${T(s.atMs)} by ${s.by}`)
        .join(
          ", ",
        )}. Nothing crashed on its own: each was shipped again because the group's committed offset was behind what had been shipped when its partition changed hands.`,
    );
  }
  const never = [...x.ackedAt.keys()].filter((id) => !x.depot.shipments.has(id));
  story.section("Orders never shipped");
  story.say(
    never.length === 0
      ? `None: all ${plural(x.ackedAt.size, "acknowledged order")} were shipped (the run ended at ${T(x.endMs)}).`
      : `${plural(never.length, "acknowledged order")} of ${x.ackedAt.size} were never shipped by the end of the run (${T(x.endMs)}), e.g. ${never.slice(0, 3).join(", ")}.`,
  );
  if (x.loopErrorCount > 0)
    story.say(
      `Your code threw ${plural(x.loopErrorCount, "time")}; each time its process exited and restarted a second later. First: ${x.loopErrors[0]}`,
    );
  if (x.sendErrors.length > 0) story.say(`The dispatcher's sends failed: ${x.sendErrors[0]}`);
  story.say(
    `The lab shortens Kafka's timeouts: max.poll.interval.ms stands for 5 minutes, and the coordinator accepts session timeouts from ${LAB_GROUP_COORDINATOR.groupMinSessionTimeoutMs} ms.`,
  );
  return story;
}
