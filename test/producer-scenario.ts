/**
 * The producer proof scenario (test-only): a 3-broker cluster (RF 3, min.insync.replicas 2,
 * acks=all), a producer keeping a window of concurrent keyed sends in flight, the network
 * dropping a share of the answers from brokers to the producer, and the nemesis crashing the
 * leader of a partition now and then (leader changes, retries). Afterwards a drain reads every
 * partition and the checker judges the history.
 */
import { HistoryRecorder, analyzeHistory, type AnomalyName } from "../src/check";
import { Kafka, type ProducerOptions } from "../src/client";
import { World, createCluster, drainTopic, installNemesis, type Cluster } from "../src/sim";
import { recordSends, sendWindowed } from "./producer-helpers";

export interface ProducerScenarioResult {
  seed: number;
  anomalies: Record<AnomalyName, number>;
  sendsOk: number;
  sendsTotal: number;
  retries: number;
  requestTimeouts: number;
  drainComplete: boolean;
  /** Leader crashes the nemesis planned. */
  crashes: number;
  /** Leader elections during the run (sum over partitions of the leader-epoch increase). */
  leaderChanges: number;
  /** Resends the brokers answered as duplicates (running incarnations at the end). */
  brokerDuplicates: number;
}

export interface ProducerScenarioOptions {
  seed: number;
  producer: ProducerOptions;
  /** Share of broker→producer messages lost (default 0.05). */
  responseLoss?: number;
  sends?: number;
  window?: number;
  /** Called once the cluster is ready, before faults and sends start (tests that watch the run). */
  observe?: (world: World, cluster: Cluster) => void;
}

const TOPIC = "orders";
const PARTITIONS = 3;

export async function runProducerScenario(o: ProducerScenarioOptions): Promise<ProducerScenarioResult> {
  const world = new World({ seed: o.seed, trace: { messages: false, timers: false } });
  const cluster = createCluster(world, {
    brokers: 3,
    // Controllers on their own nodes: crashing a leader broker does not also cost the quorum.
    controllers: 3,
    // broker.session.timeout.ms 3000 (Kafka: 9000): a crashed leader is replaced sooner.
    brokerConfig: { brokerSessionTimeoutMs: 3000, log: { minInsyncReplicas: 2 } },
    topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 3 }],
  });
  await cluster.waitUntilReady({ timeoutMs: 30_000 });
  // Start with every partition fully replicated (ISR = all 3), so that a crashed leader has
  // in-sync followers to hand over to.
  const partitionsOf = () => {
    const img = cluster.image();
    const id = img?.topicIdsByName.get(TOPIC);
    return id === undefined ? undefined : img!.topics.get(id)?.partitions;
  };
  const leaderEpochSum = (): number => (partitionsOf() ?? []).reduce((n, p) => n + p.leaderEpoch, 0);
  const fullIsr = (): boolean => {
    const img = cluster.image();
    const id = img?.topicIdsByName.get(TOPIC);
    const t = id === undefined ? undefined : img!.topics.get(id);
    return t !== undefined && t.partitions.every((p) => p.isr.length === 3);
  };
  await world.runUntil(fullIsr, { limitMs: world.now() + 30_000 });
  const t0 = world.now();
  o.observe?.(world, cluster);
  const epochsAtStart = leaderEpochSum();
  const faultEnd = t0 + 10_000;
  for (const b of cluster.brokerNodes)
    world.network.setLink(b, "producer", { lossProbability: o.responseLoss ?? 0.05 });
  const pick = world.rng("leader-pick");
  const nemesis = installNemesis(world, {
    startMs: t0 + 300,
    faultPhaseEndMs: faultEnd,
    meanIntervalMs: 2500,
    // Longer than broker.session.timeout.ms, so the controller fences the crashed leader and
    // elects another one (a leader change), then the broker comes back as a follower.
    durationMs: { min: 3500, max: 6000 },
    mix: { "crash-leader": 1 },
    leader: () => cluster.leaderOf(TOPIC, pick.int(PARTITIONS)) ?? cluster.anyLeader(),
    nodes: cluster.brokerNodes,
    maxNodesDown: 1,
  });
  const rec = new HistoryRecorder(() => world.now());
  let sendsOk = 0;
  let sendsTotal = 0;
  let retries = 0;
  let requestTimeouts = 0;
  world.spawn("producer", async (ctx) => {
    const kafka = new Kafka(ctx, {
      clientId: "producer",
      bootstrapServers: [...cluster.brokerNodes],
      instrumentation: recordSends(rec),
    });
    const producer = kafka.producer(o.producer);
    await producer.connect();
    const r = await sendWindowed(ctx, producer, {
      topic: TOPIC,
      count: o.sends ?? 400,
      window: o.window ?? 12,
      prefix: `s${o.seed}`,
      keys: 9,
      thinkMs: 10,
      stopAtMs: faultEnd,
    });
    sendsOk = r.ok;
    sendsTotal = r.ok + r.failed.length;
    await producer.disconnect();
    retries = producer.sender.stats.retries;
    requestTimeouts = producer.sender.stats.requestTimeouts;
  });
  await world.runUntilTasksDone({ limitMs: faultEnd + 40_000 });
  await world.runUntil(Math.max(world.now(), faultEnd + 1000));
  let drainComplete = false;
  world.spawn("drain", async (ctx) => {
    const d = await drainTopic(ctx, {
      bootstrapServers: cluster.brokerNodes,
      topic: TOPIC,
      partitions: PARTITIONS,
      recorder: rec,
      deadlineMs: world.now() + 30_000,
    });
    drainComplete = d.complete;
  });
  await world.runUntilTasksDone({ limitMs: world.now() + 31_000 });
  const analysis = analyzeHistory(rec.history());
  const anomalies = Object.fromEntries(
    Object.entries(analysis.anomalies).map(([k, v]) => [k, v.length]),
  ) as Record<AnomalyName, number>;
  const crashes = nemesis.steps.filter((s) => s.action === "crash-leader").length;
  let brokerDuplicates = 0;
  for (const node of cluster.brokerNodes)
    for (let p = 0; p < PARTITIONS; p++)
      brokerDuplicates +=
        cluster.broker(node)?.replicaManager.localLog(TOPIC, p)?.producerState.stats.duplicates ?? 0;
  return {
    seed: o.seed,
    anomalies,
    sendsOk,
    sendsTotal,
    retries,
    requestTimeouts,
    drainComplete,
    crashes,
    leaderChanges: leaderEpochSum() - epochsAtStart,
    brokerDuplicates,
  };
}
