/**
 * The consumer-group scenario behind test/groups-proof.test.ts (and the reliability and
 * idempotence labs): a 3-broker cluster (RF 3, min.insync.replicas 2), a producer writing unique
 * values with acks=all, and a group of three consumers that apply one effect per message to an
 * EffectLedger, while a nemesis crashes and restarts consumers and crashes, isolates and slows
 * brokers (coordinator failovers included). Then a quiet phase: every node and consumer comes
 * back, and the run goes on until every acknowledged message has an effect or the time is up.
 *
 * Two ways to consume:
 * - "commit-after-processing": enable.auto.commit=false; poll, apply each record's effect, then
 *   commitSync; onPartitionsRevoked commits too. A crash can only repeat effects.
 * - "auto-commit-queue": enable.auto.commit=true (1 s); eachMessage only pushes the record to an
 *   in-memory queue that a separate async worker drains slowly. Auto-commit commits positions of
 *   records still in the queue; a crash loses them: effect-lost.
 *
 * Timings are Kafka's defaults scaled down for a 60-simulated-second run (session.timeout.ms
 * 6000 = group.min.session.timeout.ms, heartbeat 1000, max.poll.interval.ms 10000,
 * group.initial.rebalance.delay.ms 500), with Kafka's relations kept.
 */
import { World } from "../src/sim/world";
import { createCluster, installNemesis, runProducer, type Cluster, type FaultKind } from "../src/sim";
import { LAB_TIMINGS } from "../src/sim/replication-scenario";
import { groupCoordinatorComponent, groupPartitionFor, OFFSETS_TOPIC_NAME } from "../src/group";
import { Kafka } from "../src/client/kafka";
import type { ConsumerConfig } from "../src/client/consumer-config";
import type { ConsumerRecord } from "../src/client/consumer-types";
import { EffectLedger, HistoryRecorder, checkHistory, type Verdict } from "../src/check";
import type { ClientContext } from "../src/sim/process";
import { recordingInstrumentation } from "./consumer-harness";

export type ConsumeMode = "commit-after-processing" | "auto-commit-queue";

export interface GroupScenarioOptions {
  seed: number;
  mode: ConsumeMode;
  /** Faults and sends run this long after the cluster is ready (default 20000). */
  faultPhaseMs?: number;
  /** Longest quiet phase before the verdict (default 30000). */
  quietMaxMs?: number;
  consumers?: number;
  partitions?: number;
  /** Broker faults on (default true). */
  brokerFaults?: boolean;
}

export interface GroupScenarioResult {
  verdict: Verdict;
  acknowledged: number;
  effects: number;
  distinctEffects: number;
  consumerCrashes: number;
  brokerFaults: number;
  /** Times a broker finished loading the group's __consumer_offsets partition after the first (coordinator failovers). */
  coordinatorFailovers: number;
  /** Rebalances completed by the consumers (JoinGroup + SyncGroup rounds). */
  rebalances: number;
  simulatedMs: number;
  events: number;
  complete: boolean;
}

const TOPIC = "orders";
const GROUP = "billing";
const OFFSETS_PARTITIONS = 3;

const CONSUMER_CONFIG: ConsumerConfig = {
  groupId: GROUP,
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 1000,
  maxPollIntervalMs: 10_000,
  autoOffsetReset: "earliest",
  requestTimeoutMs: 5000,
  defaultApiTimeoutMs: 15_000,
  partitionAssignmentStrategy: ["range"],
};

export async function runGroupScenario(o: GroupScenarioOptions): Promise<GroupScenarioResult> {
  const world = new World({
    seed: o.seed,
    trace: { messages: false, timers: false },
    network: { copy: "fast" },
  });
  const partitions = o.partitions ?? 6;
  const cluster: Cluster = createCluster(world, {
    brokers: 3,
    brokerConfig: {
      ...LAB_TIMINGS,
      offsetsTopicNumPartitions: OFFSETS_PARTITIONS,
      log: { minInsyncReplicas: 2 },
    },
    topics: [{ name: TOPIC, partitions, replicationFactor: 3 }],
    components: (b) => [groupCoordinatorComponent(b, { groupInitialRebalanceDelayMs: 500 })],
  });
  await cluster.waitUntilReady({ timeoutMs: 60_000 });
  const rec = new HistoryRecorder(() => world.now());
  const ledger = new EffectLedger(() => world.now());
  const instrumentation = recordingInstrumentation(rec);
  const t0 = world.now();
  const quietStart = t0 + (o.faultPhaseMs ?? 20_000);
  const sendsStop = quietStart + 3000;
  const brokers = [...cluster.brokerNodes];

  // ---- the consumers -----------------------------------------------------------------------
  const consumer = (name: string) => async (ctx: ClientContext) => {
    const kafka = new Kafka(ctx, { clientId: name, bootstrapServers: brokers, instrumentation });
    const apply = (r: ConsumerRecord): void => {
      ledger.apply({
        value: r.value ?? "",
        key: r.key,
        topicPartition: `${r.topic}-${r.partition}`,
        offset: r.offset,
        consumer: name,
      });
    };
    if (o.mode === "commit-after-processing") {
      const c = kafka.consumer({ ...CONSUMER_CONFIG, enableAutoCommit: false });
      await c.connect();
      await c.subscribe({
        topics: [TOPIC],
        listener: {
          onPartitionsRevoked: async () => {
            await c.commitSync().catch(() => undefined); // commit what was processed before giving it away
          },
        },
      });
      while (ctx.alive) {
        const records = await c.poll({ timeoutMs: 500 }).catch(() => [] as ConsumerRecord[]);
        for (const r of records) apply(r);
        if (records.length > 0) {
          await ctx.sleep(ctx.rng.range(1, 20)); // the work takes a while; a crash may land here
          await c.commitSync().catch(() => undefined);
        }
      }
    } else {
      const c = kafka.consumer({ ...CONSUMER_CONFIG, enableAutoCommit: true, autoCommitIntervalMs: 1000 });
      await c.connect();
      await c.subscribe({ topics: [TOPIC] });
      const queue: ConsumerRecord[] = [];
      ctx.spawn("worker", async (w) => {
        while (w.alive) {
          const r = queue.shift();
          if (r === undefined) await w.sleep(20);
          else {
            await w.sleep(w.rng.range(20, 100)); // about as slow as the records arrive: a backlog builds up
            apply(r);
          }
        }
      });
      await c.run({ eachMessage: async ({ message }) => void queue.push(message) });
    }
  };
  const names = Array.from({ length: o.consumers ?? 3 }, (_, i) => `consumer-${i + 1}`);
  for (const n of names) world.spawn(n, consumer(n));

  // ---- the producer ------------------------------------------------------------------------
  let produced = false;
  world.spawn("producer-1", async (ctx) => {
    await runProducer(ctx, {
      bootstrapServers: brokers,
      topic: TOPIC,
      partitions,
      acks: -1,
      recorder: rec,
      stopAtMs: sendsStop,
      requestTimeoutMs: 3000,
      deliveryTimeoutMs: 12_000,
      thinkTimeMs: { min: 10, max: 30 },
      valuePrefix: "order",
    });
    produced = true;
  });

  // ---- consumer crashes and restarts -----------------------------------------------------------
  const rng = world.rng("consumer-nemesis");
  let consumerCrashes = 0;
  const down = new Set<string>();
  const scheduleCrash = (at: number): void => {
    if (at >= quietStart) return;
    world.at(at, "consumer-crash", () => {
      const up = names.filter((n) => !down.has(n));
      if (up.length > 0) {
        const victim = rng.pick(up);
        world.crash(victim);
        rec.record("crash", victim, {});
        down.add(victim);
        consumerCrashes++;
        const back = Math.min(world.now() + rng.range(500, 4000), quietStart);
        world.at(back, "consumer-restart", () => {
          if (!down.delete(victim)) return;
          world.spawn(victim, consumer(victim));
        });
      }
      scheduleCrash(world.now() + rng.range(1500, 4500));
    });
  };
  scheduleCrash(t0 + rng.range(1500, 3000));

  // ---- broker faults (one node at a time; the coordinator is a favourite target) -------------
  let brokerFaults = 0;
  if (o.brokerFaults ?? true) {
    const coordinatorPartition = groupPartitionFor(GROUP, OFFSETS_PARTITIONS);
    const nodeFaults = new Set<FaultKind>(["crash", "crash-leader", "power-loss"]);
    const nemesis = installNemesis(world, {
      nodes: brokers,
      leader: () => cluster.leaderOf(OFFSETS_TOPIC_NAME, coordinatorPartition) ?? cluster.anyLeader([TOPIC]),
      startMs: t0 + 1000,
      faultPhaseEndMs: quietStart,
      meanIntervalMs: 3000,
      durationMs: { min: 500, max: 4000 },
      mix: { crash: 2, "crash-leader": 3, "power-loss": 1, isolate: 2, slow: 1 },
      veto: (action) =>
        nodeFaults.has(action) && !cluster.isHealthy([TOPIC])
          ? "the cluster has not recovered yet"
          : undefined,
    });
    brokerFaults = nemesis.steps.filter((st) => st.untilMs !== undefined).length;
  }

  // ---- run, then wait for every acknowledged message to have an effect -----------------------
  await world.runUntil(quietStart);
  const deadline = quietStart + (o.quietMaxMs ?? 30_000);
  let complete = false;
  while (world.now() < deadline) {
    await world.runFor(1000);
    if (!produced) continue;
    const acked = acknowledgedValues(rec);
    const applied = new Set(ledger.entries().map((e) => e.value));
    if ([...acked].every((v) => applied.has(v))) {
      complete = true;
      break;
    }
  }
  const verdict = checkHistory(rec.history(), {
    forbid: ["effect-lost"],
    ledger,
    effectTopics: [TOPIC],
    seed: o.seed,
    replayCommand: `npx vitest run test/groups-proof.test.ts -t "seed ${o.seed}"`,
  });
  const distinct = new Set(ledger.entries().map((e) => e.value)).size;
  const coordinatorPartition = groupPartitionFor(GROUP, OFFSETS_PARTITIONS);
  const loads = world.trace.events.filter(
    (e) => e.kind === "group.loaded" && (e as { partition?: unknown }).partition === coordinatorPartition,
  ).length;
  const rebalances = world.trace.events.filter((e) => e.kind === "consumer.joined").length;
  return {
    verdict,
    acknowledged: acknowledgedValues(rec).size,
    effects: ledger.size,
    distinctEffects: distinct,
    consumerCrashes,
    brokerFaults,
    coordinatorFailovers: Math.max(0, loads - 1),
    rebalances,
    simulatedMs: world.now(),
    events: world.scheduler.eventsExecuted,
    complete,
  };
}

function acknowledgedValues(rec: HistoryRecorder): Set<string> {
  const out = new Set<string>();
  for (const op of rec.history()) {
    if (op.type !== "send" || op.outcome !== "ok") continue;
    for (const m of op.messages) out.add(m.value);
  }
  return out;
}
