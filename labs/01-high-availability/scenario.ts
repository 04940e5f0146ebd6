/**
 * Lab 01's scenario: the `orders` topic on a simulated cluster through a scripted, seeded run of
 * broker failures, with the learner's replication settings, producer acks and election policy.
 *
 * - The cluster: brokers 1-3 and a KRaft controller quorum on three controller-only nodes (a
 *   crashed broker does not take the quorum with it), with lab timings (LAB01_TIMINGS). The
 *   topic `orders` (3 partitions) is created with the learner's replication factor and configs;
 *   the controllers elect leaders with the learner's policy.
 * - The orders service (`orders-app`, the real client producer) sends an order every 8-16 ms,
 *   keyed by customer, whatever happens to earlier ones, with the learner's acks.
 * - Part 1, one broker at a time: the leader of one partition loses its links to the other
 *   brokers (a switch failure) and crashes 0.2-0.4 s later, back after 4-6 s; once the cluster
 *   is whole again (every replica in its ISR) and calm for 5-7 s, the leader of another
 *   partition loses power (its page cache is gone) and stays down 11-13 s.
 * - Part 2, a bad day: once whole and calm again, broker A crashes; 5 s later broker B; 5 s later
 *   broker C, the last one. A restarts 1.5 s later, B 1.5 s after that, C 3 s after B.
 * - Then sends go on for 10 s, the producer waits for its last answers, and an `audit`
 *   consumer reads every partition from the beginning until it finds nothing more.
 *
 * Recorded: the history of sends and polls (src/check), and for every acknowledgement how many
 * brokers held the order at that moment (its offset below their log end; a broker that is down
 * counts with the log end it had when it went down) — see acks.ts.
 */
import { HistoryRecorder, type OpHandle } from "../../src/check";
import { Kafka, type ClientInstrumentation } from "../../src/client";
import type { BrokerConfigOverrides } from "../../src/broker";
import type { LeaderElectionInput, LeaderElectionPolicy } from "../../src/controller";
import { World, createCluster, roundTimeMs, type Cluster, type NodeId, type Rng } from "../../src/sim";
import { clientHistory } from "../_lib";
import { AckCopies } from "./acks";
import { SCENARIO, type HaImpl } from "./spec";

/** Broker timings scaled for a one-minute run; Kafka's defaults are made for longer outages. */
export const LAB01_TIMINGS: BrokerConfigOverrides = Object.freeze({
  brokerHeartbeatIntervalMs: 500,
  /** broker.session.timeout.ms (Kafka 9000): how long the controller waits before fencing a silent broker. */
  brokerSessionTimeoutMs: 3000,
  /** replica.lag.time.max.ms (Kafka 30000). */
  replicaLagTimeMaxMs: 4000,
  replicaSocketTimeoutMs: 2000,
  replicaFetchBackoffMs: 200,
  requestTimeoutMs: 1000,
});

/** The producer settings the lab fixes (the learner chooses acks and idempotence). */
export const LAB01_PRODUCER = Object.freeze({
  requestTimeoutMs: 2000,
  deliveryTimeoutMs: 20_000,
  lingerMs: 5,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 500,
  maxBlockMs: 20_000,
});

/** Trace kinds the lab records (cat "app", node = the broker concerned or "lab"). */
export const LAB_EVENT_KINDS: ReadonlySet<string> = new Set([
  "part",
  "links-cut",
  "broker-crash",
  "power-loss",
  "broker-restart",
  "election",
]);

export interface FaultEvent {
  atMs: number;
  kind: "links-cut" | "broker-crash" | "power-loss" | "broker-restart";
  broker: number;
  /** Partitions the broker led at that moment. */
  led: string[];
}

/** One decision of the election policy that changed a partition's leader (what the active controller asked). */
export interface ElectionRecord {
  atMs: number;
  partition: string;
  input: LeaderElectionInput;
  chose: number;
}

export interface HaRun {
  world: World;
  cluster: Cluster;
  recorder: HistoryRecorder;
  acks: AckCopies;
  faults: FaultEvent[];
  elections: ElectionRecord[];
  /** Replicas of each partition, as created. */
  placement: { partition: string; replicas: number[] }[];
  /** When the sends began (the cluster was ready). */
  t0: number;
  /** Part 2 begins (first crash), the second broker goes down, the last broker is back. */
  badDayMs: number;
  secondDownMs: number;
  allBackMs: number;
  sendsStopMs: number;
  /** The bad day's brokers, in the order they fail. */
  badDayOrder: number[];
  sendsInvoked: number;
  /** The audit consumer stopped because it found nothing more (not at its deadline). */
  auditQuiet: boolean;
  auditRecords: number;
}

/** `verbose` records every message and timer in the trace too (same run, a longer trace). */
export async function runHaScenario(impl: HaImpl, seed: number, verbose = false): Promise<HaRun> {
  const world = new World({
    seed,
    trace: { messages: verbose, timers: verbose },
    network: { copy: "fast" },
  });
  const elections: ElectionRecord[] = [];
  const policy = recordingPolicy(impl.electLeader, world, elections);
  const cluster = createCluster(world, {
    brokers: SCENARIO.brokers,
    controllers: 3,
    brokerConfig: { ...LAB01_TIMINGS },
    controller: { electLeader: policy },
    topics: [
      {
        name: SCENARIO.topic,
        partitions: SCENARIO.partitions,
        replicationFactor: impl.topic.replicationFactor,
        configs: { ...impl.topic.configs },
      },
    ],
  });
  await cluster.waitUntilReady({ timeoutMs: 30_000 });
  const placement = readPlacement(cluster);
  await runUntilPolled(world, () => cluster.isHealthy(), world.now() + 20_000);

  // Whole milliseconds from here on, so that the story's times read cleanly.
  const t0 = Math.ceil(world.now());
  await world.runUntil(t0);
  const rec = new HistoryRecorder(() => world.now());
  const history = clientHistory(rec);
  const acks = new AckCopies(cluster, placement);
  const rng = world.rng("lab01-faults");
  const faults: FaultEvent[] = [];
  const mark = (kind: string, node: string, detail: Record<string, unknown>): void =>
    world.trace.record("app", kind, node, detail);
  const state = { sendsStopMs: Infinity, sendsInvoked: 0, producerDone: false };

  // ---- the orders service -------------------------------------------------------------------------
  const hooks: ClientInstrumentation = {
    ...history.hooks,
    onSendComplete(token, outcome) {
      history.hooks.onSendComplete!(token, outcome);
      if (outcome.outcome === "ok") acks.onAck((token as OpHandle).id, outcome.positions, world.now());
    },
  };
  world.spawn("orders-app", async (ctx) => {
    const kafka = new Kafka(ctx, {
      clientId: "orders-app",
      bootstrapServers: [...cluster.brokerNodes],
      instrumentation: hooks,
    });
    const producer = kafka.producer({ ...impl.producer, ...LAB01_PRODUCER });
    await producer.connect();
    let pending = 0;
    const all: Promise<unknown>[] = [];
    for (let n = 1; ctx.now() < state.sendsStopMs; n++) {
      if (pending < SCENARIO.maxPending) {
        pending++;
        state.sendsInvoked++;
        const customer = `customer-${String(1 + ctx.rng.int(SCENARIO.customers)).padStart(2, "0")}`;
        const value = `order-${String(n).padStart(5, "0")}`;
        all.push(
          producer
            .send({ topic: SCENARIO.topic, messages: [{ key: customer, value }] })
            .catch(() => undefined) // the history has the outcome
            .finally(() => {
              pending--;
            }),
        );
      }
      await ctx.sleep(ctx.rng.range(SCENARIO.thinkMs.min, SCENARIO.thinkMs.max));
    }
    await Promise.all(all);
    await producer.disconnect();
    state.producerDone = true;
  });

  // ---- faults ---------------------------------------------------------------------------------------
  const brokers = [...cluster.brokerNodes];
  const led = (node: NodeId): string[] =>
    placement
      .filter((_, p) => cluster.leaderOf(SCENARIO.topic, p) === node && world.isUp(node))
      .map((p) => p.partition);
  const fault = (kind: FaultEvent["kind"], node: NodeId, detail: Record<string, unknown> = {}): void => {
    const broker = cluster.brokerIdOf(node)!;
    const leads = led(node);
    faults.push({ atMs: world.now(), kind, broker, led: leads });
    if (kind === "broker-crash" || kind === "power-loss") acks.brokerDown(broker);
    mark(kind, node, { ...(leads.length > 0 ? { leads: leads.join(",") } : {}), ...detail });
    if (kind === "broker-crash") world.crash(node);
    else if (kind === "power-loss") world.powerLoss(node, "lose");
    else if (kind === "broker-restart") world.start(node);
  };
  const calmAfterRecovery = async (): Promise<void> => {
    await runUntilPolled(world, () => cluster.isHealthy(), world.now() + SCENARIO.recoveryWaitMs);
    await world.runUntil(roundTimeMs(world.now() + within(rng, SCENARIO.calmMs)));
  };
  const partitionOrder = shuffled(rng, [0, 1, 2]);
  const leaderOf = (p: number): NodeId => cluster.leaderOf(SCENARIO.topic, p) ?? rng.pick(brokers);

  mark("part", "lab", { part: 1, what: "one broker at a time" });
  await world.runUntil(roundTimeMs(t0 + within(rng, SCENARIO.firstFaultMs)));
  // A leader cut off from its followers by a failing switch, then crashed.
  let node = leaderOf(partitionOrder[0]!);
  fault("links-cut", node);
  const cut = world.network.partition(
    [node],
    brokers.filter((b) => b !== node),
  );
  await world.runUntil(roundTimeMs(world.now() + within(rng, SCENARIO.cutMs)));
  fault("broker-crash", node);
  world.network.removePartition(cut);
  await world.runUntil(roundTimeMs(world.now() + within(rng, SCENARIO.crashDownMs)));
  fault("broker-restart", node);
  await calmAfterRecovery();
  // A leader loses power (its page cache with it) and stays down longer than the ack bound.
  node = leaderOf(partitionOrder[1]!);
  fault("power-loss", node);
  await world.runUntil(roundTimeMs(world.now() + within(rng, SCENARIO.powerDownMs)));
  fault("broker-restart", node);
  await calmAfterRecovery();

  // Part 2: a bad day. Every broker fails, one after the other.
  const order = shuffled(rng, brokers);
  const [a, b, c] = order as [NodeId, NodeId, NodeId];
  const badDayMs = world.now();
  mark("part", "lab", { part: 2, what: "a bad day: brokers fail one after another" });
  fault("broker-crash", a);
  await world.runUntil(roundTimeMs(world.now() + SCENARIO.badDayGapMs));
  const secondDownMs = world.now();
  fault("broker-crash", b);
  await world.runUntil(roundTimeMs(world.now() + SCENARIO.badDayGapMs));
  fault("broker-crash", c);
  await world.runUntil(roundTimeMs(world.now() + SCENARIO.badDayRestartGapsMs[0]));
  fault("broker-restart", a);
  await world.runUntil(roundTimeMs(world.now() + SCENARIO.badDayRestartGapsMs[1]));
  fault("broker-restart", b);
  await world.runUntil(roundTimeMs(world.now() + SCENARIO.badDayRestartGapsMs[2]));
  fault("broker-restart", c);
  const allBackMs = world.now();
  mark("part", "lab", { part: 3, what: "every broker is back: recovery" });
  state.sendsStopMs = allBackMs + SCENARIO.quietSendMs;
  await runUntilPolled(
    world,
    () => state.producerDone,
    state.sendsStopMs + LAB01_PRODUCER.deliveryTimeoutMs + 5000,
  );

  // ---- the audit: read everything -------------------------------------------------------------------
  const audit = { done: false, quiet: false, records: 0 };
  world.spawn("audit", async (ctx) => {
    const kafka = new Kafka(ctx, {
      clientId: "audit",
      bootstrapServers: [...cluster.brokerNodes],
      instrumentation: history.hooks,
    });
    const consumer = kafka.consumer({
      enableAutoCommit: false,
      autoOffsetReset: "earliest",
      fetchMaxWaitMs: 100,
      requestTimeoutMs: 2000,
    });
    await consumer.connect();
    const tps = placement.map((_, p) => ({ topic: SCENARIO.topic, partition: p }));
    consumer.assign(tps);
    consumer.seekToBeginning(tps);
    const deadline = ctx.now() + SCENARIO.auditMaxMs;
    let empty = 0;
    while (empty < SCENARIO.auditEmptyPolls && ctx.now() < deadline) {
      const records = await consumer.poll({ timeoutMs: 250 });
      audit.records += records.length;
      empty = records.length === 0 ? empty + 1 : 0;
    }
    audit.quiet = empty >= SCENARIO.auditEmptyPolls;
    await consumer.disconnect();
    audit.done = true;
  });
  await runUntilPolled(world, () => audit.done, world.now() + SCENARIO.auditMaxMs + 5000);

  return {
    world,
    cluster,
    recorder: rec,
    acks,
    faults,
    elections,
    placement,
    t0,
    badDayMs,
    secondDownMs,
    allBackMs,
    sendsStopMs: state.sendsStopMs,
    badDayOrder: order.map((n) => cluster.brokerIdOf(n)!),
    sendsInvoked: state.sendsInvoked,
    auditQuiet: audit.quiet,
    auditRecords: audit.records,
  };
}

/**
 * The learner's policy as the controller calls it, with every decision that changes a leader
 * recorded (for the story) and a clear error when the policy throws or answers nonsense.
 */
function recordingPolicy(
  policy: LeaderElectionPolicy,
  world: World,
  elections: ElectionRecord[],
): LeaderElectionPolicy {
  return (input) => {
    const partition =
      input.partition !== undefined
        ? `${input.partition.topic}-${input.partition.partition}`
        : `replicas [${input.replicas.join(", ")}]`;
    let chose: number;
    try {
      chose = policy(input);
    } catch (e) {
      throw new Error(
        `exercise/election.ts threw for ${partition} (replicas [${input.replicas}], isr [${input.isr}], live brokers [${[...input.liveBrokers].sort()}]): ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (!Number.isInteger(chose) || (chose !== -1 && !input.replicas.includes(chose)))
      throw new Error(
        `exercise/election.ts returned ${String(chose)} for ${partition}: it must return one of the replicas [${input.replicas}] or -1 (no leader)`,
      );
    const last = elections[elections.length - 1];
    const repeat =
      last !== undefined &&
      last.atMs === world.now() &&
      last.partition === partition &&
      last.chose === chose &&
      last.input.isr.join() === input.isr.join();
    if (chose !== input.currentLeader && !repeat && elections.length < SCENARIO.maxElectionsRecorded) {
      elections.push({ atMs: world.now(), partition, input, chose });
      world.trace.record("app", "election", "controller", {
        partition,
        chose: chose === -1 ? "none" : `broker ${chose}`,
        isr: `[${input.isr.join(",")}]`,
        live: `[${[...input.liveBrokers].sort().join(",")}]`,
      });
    }
    return chose;
  };
}

function readPlacement(cluster: Cluster): { partition: string; replicas: number[] }[] {
  const img = cluster.image();
  const id = img?.topicIdsByName.get(SCENARIO.topic);
  const topic = id === undefined ? undefined : img!.topics.get(id);
  if (topic === undefined) throw new Error(`Topic ${SCENARIO.topic} was not created`);
  return topic.partitions.map((p, i) => ({ partition: `${SCENARIO.topic}-${i}`, replicas: [...p.replicas] }));
}

function within(rng: Rng, r: { min: number; max: number }): number {
  return rng.range(r.min, r.max);
}

function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Run until `cond` holds, checking it every `stepMs` of virtual time (cheaper than per event). */
async function runUntilPolled(
  world: World,
  cond: () => boolean,
  limitMs: number,
  stepMs = 100,
): Promise<boolean> {
  const limit = roundTimeMs(limitMs);
  while (!cond()) {
    if (world.now() >= limit) return false;
    const r = await world.runUntil(roundTimeMs(Math.min(limit, world.now() + stepMs)));
    if (r.reason === "quiet")
      throw new Error(`The simulation went quiet at t=${world.now()} ms: nothing is scheduled`);
  }
  return true;
}
