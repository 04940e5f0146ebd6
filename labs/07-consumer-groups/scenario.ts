/**
 * Lab 07's scenario: a warehouse's packers on a simulated 3-broker cluster, a morning backlog,
 * then a deploy that restarts every packer.
 *
 * - The cluster: 3 brokers and 3 controller-only nodes; topic `shipments` with 6 partitions,
 *   RF 3, min.insync.replicas=2; every broker runs a group coordinator (with the lab's shortened
 *   group.min.session.timeout.ms, spec.ts).
 * - The dispatcher (`dispatch`, an idempotent producer with acks=all) writes the night's 900
 *   orders at t0, then one order every 15-35 ms until t=34 s.
 * - Three packers in group `packers` run the learner's `runPacker` with `packerConfig(name)`;
 *   shipping a parcel takes 20 ms of virtual time and is an effect in the ledger (not
 *   idempotent).
 * - The deploy, from t=11 s: each packer in turn gets a stop request (`stopping()` turns true),
 *   is killed 2 s later if its loop has not returned, and a new process with the same name
 *   starts 3-4 s after the request; the next packer is asked to stop 2-3 s after that restart.
 *   A loop that throws ends its process, which starts again a second later.
 * - No broker faults. The run ends once every order is shipped and the group's committed offsets
 *   reach the end of every partition, or at t=50 s.
 *
 * Judged by the history checker: effect-duplicated (no crash happens that the packers were not
 * given 2 s to prepare for, so every parcel shipped twice is avoidable), effect-lost and
 * lost-write are forbidden. Liveness: every order acknowledged before the deploy ended is shipped
 * within 8 s of its end; the committed offsets reach the end of every partition; and the lab's
 * own check: the deploy completes at most one rebalance (the solution needs none: static members,
 * the leader included since KIP-814, restart without one; see src/group/membership.ts).
 */
import { analyzeHistory, buildVerdict, fmtMs, type LivenessResult, type Verdict } from "../../src/check";
import {
  Kafka,
  type ClientInstrumentation,
  type ConsumerConfig,
  type ResolvedConsumerConfig,
} from "../../src/client";
import type { TraceEvent } from "../../src/sim";
import {
  committedToEnd,
  highWatermarkOf,
  offsetsCaughtUp,
  errorText,
  labRecorders,
  labWorld,
  learnerConsumerConfig,
  runUntilDone,
  startLabCluster,
  type ClientScenarioOptions,
  type ClientScenarioResult,
  type LearnerConfig,
} from "../_lib";
import { Depot, type PackerServices } from "./services";
import {
  CAUGHT_UP,
  CONSUMER_KEYS,
  DEPLOY_REBALANCES,
  LAB07_FORBIDDEN,
  LAB_CONSUMER_SETTINGS,
  LAB_GROUP_COORDINATOR,
  SCENARIO,
  type ConsumerGroupsImpl,
} from "./spec";
import { tell, type DeployStep } from "./story";

/** Trace kinds the lab records (cat "app"); the timeline shows them. */
export const LAB_EVENT_KINDS: ReadonlySet<string> = new Set([
  "backlog-written",
  "stop-requested",
  "packer-exited",
  "packer-killed",
  "packer-started",
  "loop-threw",
  "removed-slow-poll",
  "orders-stop",
]);

/** One packer's settings merged with the lab's, or why they cannot run. */
export function packerSettings(
  impl: ConsumerGroupsImpl,
  packer: string,
): LearnerConfig<ConsumerConfig, ResolvedConsumerConfig> {
  let config: ConsumerConfig;
  try {
    config = impl.packerConfig(packer);
  } catch (e) {
    return { error: `packerConfig("${packer}") threw: ${errorText(e)}` };
  }
  return learnerConsumerConfig(config, {
    file: "exercise/consumer-config.ts",
    exportName: "packerConfig",
    label: `packerConfig("${packer}")`,
    allowedKeys: CONSUMER_KEYS,
    fixed: { ...LAB_CONSUMER_SETTINGS, groupId: SCENARIO.group },
    fixedNote: "it sets group.id, heartbeat.interval.ms and auto.offset.reset itself",
  });
}

function within(rng: { int(n: number): number }, r: { min: number; max: number }): number {
  return r.min + rng.int(r.max - r.min + 1);
}

/** What the story needs to know about each packer's polls. */
export interface PollStats {
  polls: number;
  biggest: number;
  /** Polls whose batch took longer to ship than max.poll.interval.ms allows. */
  tooBig: number;
}

export async function runConsumerGroupsScenario(
  impl: ConsumerGroupsImpl,
  options: ClientScenarioOptions,
): Promise<ClientScenarioResult> {
  const { seed } = options;
  const S = SCENARIO;
  const settings = new Map<string, ResolvedConsumerConfig>();
  const configs = new Map<string, ConsumerConfig>();
  for (const p of S.packers) {
    const c = packerSettings(impl, p);
    if ("error" in c) throw new Error(c.error);
    settings.set(p, c.resolved);
    configs.set(p, c.config);
  }

  const world = labWorld(options);
  const cluster = await startLabCluster(world, {
    brokers: S.brokers,
    topic: {
      name: S.topic,
      partitions: S.partitions,
      replicationFactor: S.replicationFactor,
      configs: { "min.insync.replicas": String(S.minInsyncReplicas) },
    },
    groupCoordinator: LAB_GROUP_COORDINATOR,
  });
  const t0 = world.now();
  const at = (ms: number): number => t0 + ms;

  // ---- recorders and hooks ----------------------------------------------------------------------
  const { rec, ledger, history } = labRecorders(world);
  const depot = new Depot(ledger, S.shipMs);
  const lastCommit = new Map<number, { offset: number; atMs: number; by: string }>();
  const pollStats = new Map<string, PollStats>(
    S.packers.map((p) => [p, { polls: 0, biggest: 0, tooBig: 0 }]),
  );
  const hooks: ClientInstrumentation = {
    ...history.hooks,
    onPoll(clientId, records) {
      history.hooks.onPoll!(clientId, records);
      const st = pollStats.get(clientId);
      if (st === undefined || records.length === 0) return;
      st.polls++;
      st.biggest = Math.max(st.biggest, records.length);
      const cfg = settings.get(clientId)!;
      if (records.length * S.shipMs > cfg.maxPollIntervalMs) st.tooBig++;
    },
    onCommit(clientId, offsets) {
      history.hooks.onCommit!(clientId, offsets);
      for (const o of offsets) {
        const prev = lastCommit.get(o.partition);
        if (prev === undefined || prev.offset <= o.offset)
          lastCommit.set(o.partition, { offset: o.offset, atMs: world.now(), by: clientId });
      }
    },
  };

  // ---- the dispatcher ---------------------------------------------------------------------------
  const rng = world.rng("dispatch");
  const ackedAt = new Map<string, number>();
  let placed = 0;
  let dispatchDone = false;
  const sendErrors: string[] = [];
  world.spawn(S.dispatcher, async (ctx) => {
    const kafka = new Kafka(ctx, {
      clientId: S.dispatcher,
      bootstrapServers: [...cluster.brokerNodes],
      instrumentation: hooks,
    });
    const producer = kafka.producer({ acks: -1, enableIdempotence: true, lingerMs: 5 });
    await producer.connect();
    const pending: Promise<unknown>[] = [];
    const place = (): void => {
      const orderId = `order-${String(++placed).padStart(4, "0")}`;
      const customer = `customer-${String(1 + rng.int(S.customers)).padStart(2, "0")}`;
      pending.push(
        producer.send({ topic: S.topic, messages: [{ key: customer, value: orderId }] }).then(
          () => ackedAt.set(orderId, ctx.now()),
          (e: unknown) => {
            if (sendErrors.length < 10) sendErrors.push(`${orderId}: ${errorText(e)}`);
          },
        ),
      );
    };
    for (let i = 0; i < S.backlog; i++) place();
    world.trace.record("app", "backlog-written", S.dispatcher, { orders: S.backlog });
    while (ctx.now() < at(S.ordersUntilMs)) {
      await ctx.sleep(within(rng, S.orderGapMs));
      place();
    }
    world.trace.record("app", "orders-stop", S.dispatcher, { placed });
    await Promise.all(pending);
    dispatchDone = true;
  });

  // ---- the packers ------------------------------------------------------------------------------
  const loopErrors: string[] = [];
  let loopErrorCount = 0;
  const LOOP_RESTARTS_MAX = 40;
  /** The stop flag of each packer's current process. */
  const stopFlags = new Map<string, { stopping: boolean; exited: boolean }>();
  const startPacker = (name: string): void => {
    const flag = { stopping: false, exited: false };
    stopFlags.set(name, flag);
    world.trace.record("app", "packer-started", name, {});
    world.spawn(name, async (ctx) => {
      const kafka = new Kafka(ctx, {
        clientId: name,
        bootstrapServers: [...cluster.brokerNodes],
        instrumentation: hooks,
      });
      const consumer = kafka.consumer(configs.get(name)!);
      const services: PackerServices = {
        topic: S.topic,
        name,
        ship: depot.ship(ctx, name),
        stopping: () => flag.stopping,
        sleep: (ms) => ctx.sleep(ms),
        now: () => ctx.now(),
      };
      try {
        await consumer.connect();
        await impl.runPacker(consumer, services);
        if (!flag.stopping) throw new Error("runPacker returned before the packer was asked to stop");
        flag.exited = true;
        world.trace.record("app", "packer-exited", name, { closed: consumer.isClosed });
        world.after(0, `${name} exits`, () => world.crash(name));
      } catch (e) {
        loopErrorCount++;
        if (loopErrors.length < 3) loopErrors.push(`${name} at t=${fmtMs(world.now())}: ${errorText(e)}`);
        world.trace.record("app", "loop-threw", name, { error: errorText(e) });
        flag.exited = true;
        if (loopErrorCount > LOOP_RESTARTS_MAX) return;
        world.after(0, `${name} exits`, () => {
          if (world.crash(name)) history.crashed(name);
          // A deploy restarts it anyway; otherwise the supervisor does, a second later.
          if (!flag.stopping) world.after(1000, `${name} restarts`, () => startPacker(name));
        });
      }
    });
  };

  // ---- the deploy -------------------------------------------------------------------------------
  const deployRng = world.rng("deploy");
  const steps: DeployStep[] = [];
  let stopAt = S.deployAtMs;
  for (const name of S.packers) {
    const restartAt = stopAt + within(deployRng, S.restartAfterMs);
    const step: DeployStep = { packer: name, stopAtMs: at(stopAt), restartAtMs: at(restartAt) };
    steps.push(step);
    world.at(at(stopAt), `stop ${name}`, () => {
      const flag = stopFlags.get(name);
      world.trace.record("app", "stop-requested", name, { graceMs: S.graceMs });
      if (flag !== undefined) flag.stopping = true;
      world.after(S.graceMs, `kill ${name}`, () => {
        if (flag === undefined || flag.exited || !world.isUp(name)) return;
        flag.exited = true;
        step.killedAtMs = world.now();
        world.crash(name);
        history.crashed(name);
        world.trace.record("app", "packer-killed", name, { afterGraceMs: S.graceMs });
      });
    });
    world.at(at(restartAt), `restart ${name}`, () => {
      if (world.isUp(name)) world.crash(name);
      startPacker(name);
    });
    stopAt = restartAt + within(deployRng, S.nextAfterMs);
  }
  const deployEnd = steps[steps.length - 1]!.restartAtMs;
  function exitTime(name: string, fromMs: number): number | undefined {
    return world.trace.events.find((e) => e.kind === "packer-exited" && e.node === name && e.t >= fromMs)?.t;
  }

  for (const p of S.packers) startPacker(p);

  // ---- run --------------------------------------------------------------------------------------
  const logEnd = highWatermarkOf(cluster, S.topic);
  const committedCaughtUp = (): boolean => committedToEnd(S.partitions, logEnd, lastCommit);
  const allShipped = (): boolean => {
    if (!dispatchDone) return false;
    for (const id of ackedAt.keys()) if (!depot.shipments.has(id)) return false;
    return true;
  };
  await runUntilDone(world, () => allShipped() && committedCaughtUp(), {
    fromMs: at(S.ordersUntilMs),
    limitMs: at(S.deadlineMs),
  });
  await world.runUntil(world.now() + 500);
  const endMs = world.now();

  // ---- verdict ----------------------------------------------------------------------------------
  const analysis = analyzeHistory(rec.history(), {
    ledger,
    unseenTopics: [S.topic],
    effectTopics: [S.topic],
  });
  const liveness: LivenessResult[] = [];

  // Caught up after the deploy: orders acknowledged before it ended, shipped soon after it.
  const catchUpBy = deployEnd + S.catchUpWithinMs;
  let late = 0;
  let firstLate: string | undefined;
  for (const [id, ack] of ackedAt) {
    if (ack > deployEnd) continue;
    const first = depot.shipments.get(id)?.[0];
    if (first === undefined || first.atMs > catchUpBy) {
      late++;
      firstLate ??= `${id} (acknowledged at t=${fmtMs(ack)}, ${first === undefined ? "never shipped" : `shipped at t=${fmtMs(first.atMs)}`})`;
    }
  }
  liveness.push({
    name: CAUGHT_UP,
    kind: "drained-within",
    ok: late === 0,
    measured: late,
    examples: [],
    explanation:
      late === 0
        ? `every order acknowledged before the deploy ended (t=${fmtMs(deployEnd)}) was shipped by t=${fmtMs(catchUpBy)}`
        : `${late} orders acknowledged before the deploy ended (t=${fmtMs(deployEnd)}) were not shipped by t=${fmtMs(catchUpBy)} (${S.catchUpWithinMs / 1000} s later), e.g. ${firstLate}: the group never caught up`,
  });

  liveness.push(
    offsetsCaughtUp({
      topic: S.topic,
      group: S.group,
      partitions: S.partitions,
      logEnd,
      lastCommit,
      endAt: `t=${fmtMs(endMs)}`,
      listAtMost: 3,
    }),
  );

  const rebalances = completedRebalances(world.trace.events);
  const deployFrom = steps[0]!.stopAtMs;
  const deployTo = deployEnd + S.deploySettleMs;
  const during = rebalances.filter((r) => r.t >= deployFrom && r.t <= deployTo);
  liveness.push({
    name: DEPLOY_REBALANCES,
    kind: "drained-within",
    ok: during.length <= S.maxDeployRebalances,
    measured: during.length,
    examples: [],
    explanation: `from the first stop request (t=${fmtMs(deployFrom)}) to ${S.deploySettleMs / 1000} s after the last restart (t=${fmtMs(deployTo)}) the group completed ${during.length} rebalance${during.length === 1 ? "" : "s"} (at most ${S.maxDeployRebalances} allowed)${during.length > 0 ? `: generations ${during.map((r) => `${r.generation} at t=${fmtMs(r.t)}`).join(", ")}` : ""}`,
  });

  const verdict: Verdict = buildVerdict(analysis, liveness, {
    forbid: LAB07_FORBIDDEN,
    seed,
    replayCommand: options.replayCommand,
  });

  for (const st of steps)
    st.exitedAtMs ??= st.killedAtMs === undefined ? exitTime(st.packer, st.stopAtMs) : undefined;
  const story = tell({
    t0,
    endMs,
    configs: settings,
    steps,
    deployEnd,
    rebalances,
    pollStats,
    depot,
    ackedAt,
    verdict,
    loopErrors,
    loopErrorCount,
    sendErrors,
    trace: world.trace.events,
  });
  return { verdict, narration: story, trace: world.trace.events };
}

/** A rebalance the coordinator completed: the join phase ended and a new generation began. */
export interface Rebalance {
  t: number;
  generation: number;
  members: number;
}

export function completedRebalances(events: readonly TraceEvent[]): Rebalance[] {
  const out: Rebalance[] = [];
  for (const e of events)
    if (e.kind === "group.completeJoin" && e["group"] === SCENARIO.group)
      out.push({
        t: e.t,
        generation: Number(e["generation"]),
        members: Array.isArray(e["members"]) ? (e["members"] as unknown[]).length : 0,
      });
  return out;
}
