/**
 * The replication scenario behind the HA proof (test/ha-proof.test.ts), the configuration
 * matrix (scripts/matrix.ts) and the cluster benchmark (bench/cluster.bench.ts): a cluster, a
 * topic with a chosen replication factor, min.insync.replicas and unclean election, producers
 * with a chosen acks, a nemesis from the seed, a quiet phase, then a drain of every partition.
 * Same seed and options, same run, byte for byte.
 *
 * Timeline (defaults): cluster ready (~2 s) → faults and sends for `faultPhaseMs` (30 s) →
 * quiet phase: faults healed, nodes restarted, sends continue for `quietSendMs` (15 s) → drain.
 *
 * Fault schedules (the nemesis: crash, crash-leader, single-node power loss, isolation both ways
 * and one way, slow nodes; at most one node impaired at a time, so a majority is always up):
 * - "single": one failure at a time. A node is crashed or powered off only once the cluster has
 *   fully recovered from the previous failure (every broker back and every replica back in its
 *   ISR; Cluster.isHealthy); network faults and slowness are not held back. This is the fault
 *   model replication factor 3 with min.insync.replicas 2 is designed for.
 * - "overlapping": the same faults without waiting for recovery: a second ISR member may fail
 *   (uncleanly, and Kafka cannot tell a crash from a power loss) while the first is still
 *   catching up. Kafka may lose acknowledged data here, even with min.insync.replicas 2: the
 *   last replica in the ISR can be one that lost its unflushed tail (KIP-966's motivation).
 * - "power-loss-all": "single" plus whole-cluster power losses (every broker at once), which
 *   Kafka does not survive without loss when acks come before fsync.
 *
 * Timings: Kafka's defaults are made for minutes-long outages; a 45 s simulated run uses lab
 * timings (LAB_TIMINGS), each the Kafka setting scaled down, with the same relations Kafka
 * requires (session timeout > heartbeat interval, replica.socket.timeout.ms ≥
 * replica.fetch.wait.max.ms, ISR shrink before the producer's delivery timeout).
 */
import type { BrokerConfigOverrides } from "../broker";
import type { HighWatermarkRule, TruncationPolicy } from "../replication";
import { createCluster, type Cluster } from "./cluster";
import { installNemesis, type FaultKind, type Nemesis } from "./nemesis";
import { World } from "./world";
import {
  drainTopic,
  runProducer,
  type DrainResult,
  type ProducerStats,
  type WorkloadRecorder,
} from "./workload";

/** Broker settings for short simulated runs (see the header). */
export const LAB_TIMINGS: BrokerConfigOverrides = Object.freeze({
  brokerHeartbeatIntervalMs: 500,
  brokerSessionTimeoutMs: 3000,
  replicaLagTimeMaxMs: 4000,
  replicaSocketTimeoutMs: 2000,
  replicaFetchBackoffMs: 200,
  requestTimeoutMs: 1000,
});

export type FaultSchedule = "single" | "overlapping" | "power-loss-all" | "none";

export interface ReplicationScenarioOptions {
  seed: number;
  replicationFactor: number;
  minInsyncReplicas: number;
  acks: -1 | 1;
  uncleanLeaderElectionEnable: boolean;
  /** KIP-966 Eligible Leader Replicas on the controllers (default false). */
  eligibleLeaderReplicasEnabled?: boolean;
  /** With ELR: whether the last known leader may be elected when ISR and ELR are empty (Kafka: yes). */
  electLastKnownLeader?: boolean;
  faults?: FaultSchedule;
  brokers?: number;
  /** "combined" (default): brokers 1–3 also run the controller quorum; a number: separate controller nodes, which the nemesis leaves alone. */
  controllers?: "combined" | number;
  partitions?: number;
  producers?: number;
  recordsPerSend?: number;
  /** Sends and faults run this long after the cluster is ready (default 30000). */
  faultPhaseMs?: number;
  /** Sends go on this long into the quiet phase (default 15000). */
  quietSendMs?: number;
  /** Extra broker config (on top of LAB_TIMINGS and the scenario's topic settings). */
  brokerConfig?: BrokerConfigOverrides;
  truncation?: TruncationPolicy;
  highWatermarkRule?: HighWatermarkRule;
  recorder: WorkloadRecorder;
  /** Record every message in the trace (default false: faster). */
  traceMessages?: boolean;
}

export interface ReplicationScenarioResult {
  world: World;
  cluster: Cluster;
  nemesis: Nemesis | undefined;
  topic: string;
  /** When the fault phase started and ended (quiet phase start), virtual ms. */
  faultStartMs: number;
  quietStartMs: number;
  /** When the producers stopped invoking sends. */
  sendsStopMs: number;
  endMs: number;
  producers: ProducerStats[];
  drain: DrainResult | undefined;
  /** Events the scheduler ran. */
  events: number;
}

export const SCENARIO_TOPIC = "ha-topic";
/** Faults that kill a node (and may lose its unflushed data): held back until the cluster is healthy. */
const NODE_FAULTS: ReadonlySet<FaultKind> = new Set([
  "crash",
  "crash-leader",
  "power-loss",
  "power-loss-all",
]);

/** Run one seed of the scenario. */
export async function runReplicationScenario(
  o: ReplicationScenarioOptions,
): Promise<ReplicationScenarioResult> {
  const world = new World({
    seed: o.seed,
    trace: { messages: o.traceMessages ?? false, timers: false },
    network: { copy: "fast" },
  });
  const partitions = o.partitions ?? 3;
  const brokers = o.brokers ?? 3;
  const cluster = createCluster(world, {
    brokers,
    controllers: o.controllers ?? "combined",
    brokerConfig: {
      ...LAB_TIMINGS,
      ...o.brokerConfig,
      log: {
        ...(o.brokerConfig?.log ?? {}),
        minInsyncReplicas: o.minInsyncReplicas,
        uncleanLeaderElectionEnable: o.uncleanLeaderElectionEnable,
      },
    },
    topics: [{ name: SCENARIO_TOPIC, partitions, replicationFactor: o.replicationFactor }],
    ...(o.eligibleLeaderReplicasEnabled ? { eligibleLeaderReplicasEnabled: true } : {}),
    ...(o.electLastKnownLeader !== undefined
      ? { controller: { electLastKnownLeader: o.electLastKnownLeader } }
      : {}),
    ...(o.truncation ? { truncation: o.truncation } : {}),
    ...(o.highWatermarkRule ? { highWatermarkRule: o.highWatermarkRule } : {}),
  });
  await cluster.waitUntilReady({ timeoutMs: 60_000 });
  const faultStartMs = world.now();
  const quietStartMs = faultStartMs + (o.faultPhaseMs ?? 30_000);
  const sendsStopMs = quietStartMs + (o.quietSendMs ?? 15_000);
  const faults = o.faults ?? "single";
  let nemesis: Nemesis | undefined;
  if (faults !== "none") {
    const mix: Partial<Record<FaultKind, number>> = {
      crash: 2,
      "crash-leader": 3,
      "power-loss": 2,
      isolate: 2,
      "isolate-one-way": 1,
      slow: 1,
    };
    if (faults === "power-loss-all") mix["power-loss-all"] = 2;
    nemesis = installNemesis(world, {
      nodes: cluster.brokerNodes,
      leader: () => cluster.anyLeader([SCENARIO_TOPIC]),
      startMs: faultStartMs + 500,
      faultPhaseEndMs: quietStartMs,
      // Overlapping faults come faster: the point is to hit a node while another recovers.
      meanIntervalMs: faults === "overlapping" ? 1500 : 2500,
      durationMs: { min: 500, max: 4000 },
      // Slow enough to fall out of the ISR (replica.lag.time.max.ms 4000) when it lasts.
      slowDelayMs: { min: 100, max: 2000 },
      mix,
      ...(faults === "power-loss-all" ? { maxNodesDown: cluster.brokerNodes.length } : {}),
      ...(faults === "overlapping"
        ? {}
        : {
            veto: (action: FaultKind) =>
              NODE_FAULTS.has(action) && !cluster.isHealthy([SCENARIO_TOPIC])
                ? "the cluster has not recovered from the previous failure yet"
                : undefined,
          }),
    });
  }
  const producers: ProducerStats[] = [];
  const nProducers = o.producers ?? 2;
  for (let i = 1; i <= nProducers; i++) {
    world.spawn(`producer-${i}`, async (ctx) => {
      producers.push(
        await runProducer(ctx, {
          bootstrapServers: cluster.brokerNodes,
          topic: SCENARIO_TOPIC,
          partitions,
          acks: o.acks,
          recorder: o.recorder,
          stopAtMs: sendsStopMs,
          recordsPerSend: o.recordsPerSend ?? 1,
          requestTimeoutMs: 3000,
          deliveryTimeoutMs: 12_000,
          valuePrefix: `p${i}`,
        }),
      );
    });
  }
  await world.runUntil(() => producers.length === nProducers, { limitMs: sendsStopMs + 20_000 });
  let drain: DrainResult | undefined;
  world.spawn("drain", async (ctx) => {
    drain = await drainTopic(ctx, {
      bootstrapServers: cluster.brokerNodes,
      topic: SCENARIO_TOPIC,
      partitions,
      recorder: o.recorder,
      deadlineMs: ctx.now() + 30_000,
    });
  });
  await world.runUntil(() => drain !== undefined, { limitMs: world.now() + 31_000 });
  return {
    world,
    cluster,
    nemesis,
    topic: SCENARIO_TOPIC,
    faultStartMs,
    quietStartMs,
    sendsStopMs,
    endMs: world.now(),
    producers,
    drain,
    events: world.scheduler.eventsExecuted,
  };
}
