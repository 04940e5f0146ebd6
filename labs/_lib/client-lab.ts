/**
 * What the client labs' scenarios (02 idempotence, 03 reliability, 04 ordering) share: taking the
 * learner's client settings, starting the lab's cluster, and the recorders of what happened.
 *
 * - `learnerProducerConfig` / `learnerConsumerConfig`: the object the learner exports, checked
 *   (an object, only the keys the lab lets the learner set), merged with the settings the lab
 *   fixes (the lab's wins; the allowed keys and the fixed ones do not overlap), and resolved the
 *   way the client will resolve it, so a config Kafka would refuse fails before the run with a
 *   message naming the file and the export.
 * - `startLabCluster`: the lab's brokers plus 3 controller-only nodes (a crashed broker does not
 *   take the controller quorum with it), short broker session and replica socket timeouts, a
 *   group coordinator on every broker, the lab's topic created; returns once every partition of
 *   that topic has its full ISR (`waitForFullIsr`), so the scenario's t0 is a healthy cluster.
 * - `labRecorders`: the history recorder, the effect ledger and the client-history adapter, all
 *   on the world's clock.
 * - `ClientScenarioOptions` / `ClientScenarioResult`: what a client lab's scenario takes and
 *   returns; `labWorld` makes its world, `runUntilDone` runs it until the lab's work is done.
 *
 * Invariant: these helpers make the same calls on the world, in the same order, as the code the
 * labs had inline, so a seed replays the same run. Browser-safe.
 */
import { EffectLedger, HistoryRecorder, type LivenessResult, type Verdict } from "../../src/check";
import {
  resolveConsumerConfig,
  resolveProducerConfig,
  type ConsumerConfig,
  type ProducerConfig,
  type ResolvedConsumerConfig,
  type ResolvedProducerConfig,
} from "../../src/client";
import { groupCoordinatorComponent, type GroupCoordinatorConfig } from "../../src/group";
import type { LogSeams } from "../../src/log";
import {
  World,
  createCluster,
  type Cluster,
  type ClusterOptions,
  type ClusterTopic,
  type TraceEvent,
} from "../../src/sim";
import { clientHistory, type ClientHistory } from "./client-history";
import type { Narration } from "./narration";
import type { LabRunOptions } from "./types";

// ---- the scenario's terms -----------------------------------------------------------------------

export interface ClientScenarioOptions extends LabRunOptions {
  /** The command that replays this run, put in the verdict. */
  replayCommand: string;
}

export interface ClientScenarioResult {
  /** The checker's verdict, with the lab's own liveness checks among its results. */
  verdict: Verdict;
  narration: Narration;
  trace: readonly TraceEvent[];
}

/** The scenario's world: seeded, recording every message and timer only when `verbose`. */
export function labWorld(options: Pick<ClientScenarioOptions, "seed" | "verbose">): World {
  return new World({
    seed: options.seed,
    trace: { messages: options.verbose === true, timers: options.verbose === true },
  });
}

/** How often (virtual ms) `runUntilDone` looks whether the work is done. */
const DONE_CHECK_INTERVAL_MS = 250;

/**
 * Run the world until `done()` holds, looking only from `fromMs` on (the end of the faults) and at
 * most every 250 ms of virtual time (the predicate would otherwise run after every event, and
 * `done` reads the whole history), or until `limitMs`.
 */
export async function runUntilDone(
  world: World,
  done: () => boolean,
  window: { fromMs: number; limitMs: number },
): Promise<void> {
  let checkedAt = 0;
  await world.runUntil(
    () => {
      if (world.now() < window.fromMs || world.now() - checkedAt < DONE_CHECK_INTERVAL_MS) return false;
      checkedAt = world.now();
      return done();
    },
    { limitMs: window.limitMs },
  );
}

// ---- the learner's client settings --------------------------------------------------------------

export interface LearnerConfigSpec<C> {
  /** The exercise file that exports the object, e.g. "exercise/producer-config.ts". */
  file: string;
  /** The export's name, e.g. "orderProducerConfig". */
  exportName: string;
  /** How the error messages name the object (default: `exportName`). */
  label?: string;
  /** The keys the learner may set. */
  allowedKeys: readonly (keyof C)[];
  /** What the lab sets itself, merged over the learner's object. */
  fixed: Readonly<Partial<C>>;
  /** Said after the list of allowed keys, e.g. "it fixes the timings itself". */
  fixedNote?: string;
}

/** The merged config and its resolved form, or why the learner's object cannot run. */
export type LearnerConfig<C, R> = { config: C; resolved: R } | { error: string };

function learnerConfig<C extends object, R>(
  config: C,
  spec: LearnerConfigSpec<C>,
  resolve: (merged: C) => R,
): LearnerConfig<C, R> {
  if (config === null || typeof config !== "object")
    return { error: `${spec.file} must export an object ${spec.exportName}` };
  const label = spec.label ?? spec.exportName;
  const allowed = spec.allowedKeys as readonly PropertyKey[];
  const extra = Object.keys(config).filter((k) => !allowed.includes(k));
  if (extra.length > 0)
    return {
      error: `${label} sets ${extra.join(", ")}; this lab lets you set only ${spec.allowedKeys.join(", ")}${spec.fixedNote !== undefined ? ` (${spec.fixedNote})` : ""}`,
    };
  const merged = { ...config, ...spec.fixed } as C;
  try {
    return { config: merged, resolved: resolve(merged) };
  } catch (e) {
    return { error: `${label} cannot be used: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The learner's producer settings merged with the lab's, or why they cannot run. */
export function learnerProducerConfig(
  config: ProducerConfig,
  spec: LearnerConfigSpec<ProducerConfig>,
): LearnerConfig<ProducerConfig, ResolvedProducerConfig> {
  return learnerConfig(config, spec, resolveProducerConfig);
}

/** The learner's consumer settings merged with the lab's, or why they cannot run. */
export function learnerConsumerConfig(
  config: ConsumerConfig,
  spec: LearnerConfigSpec<ConsumerConfig>,
): LearnerConfig<ConsumerConfig, ResolvedConsumerConfig> {
  return learnerConfig(config, spec, resolveConsumerConfig);
}

// ---- the cluster --------------------------------------------------------------------------------

/**
 * Broker settings of every client lab. Kafka's broker.session.timeout.ms is 9 s; a follower
 * whose Fetch was in flight to a crashed leader waits replica.socket.timeout.ms (Kafka: 30 s)
 * before it fetches again, because the simulator does not reset connections.
 */
export const LAB_BROKER_CONFIG = Object.freeze({
  brokerSessionTimeoutMs: 3000,
  replicaSocketTimeoutMs: 3000,
  offsetsTopicNumPartitions: 3,
});

export interface LabClusterSpec {
  brokers: number;
  /** The lab's topic, created once the cluster runs. */
  topic: ClusterTopic;
  /** Broker settings beyond LAB_BROKER_CONFIG (e.g. `log: { minInsyncReplicas }`). */
  brokerConfig?: ClusterOptions["brokerConfig"];
  /** Storage seams of every broker (lab 02's sequence check). */
  logSeams?: LogSeams;
  /**
   * Group coordinator settings beyond the labs' group.initial.rebalance.delay.ms=200 (lab 07's
   * shortened group.min.session.timeout.ms).
   */
  groupCoordinator?: Partial<GroupCoordinatorConfig>;
}

/** How long the cluster may take to become ready (else waitUntilReady throws), then to fill the ISR. */
const CLUSTER_START_LIMIT_MS = 30_000;

/** Start the lab's cluster and run the world until every partition of the topic has a full ISR. */
export async function startLabCluster(world: World, spec: LabClusterSpec): Promise<Cluster> {
  const cluster = createCluster(world, {
    brokers: spec.brokers,
    controllers: 3,
    brokerConfig: { ...LAB_BROKER_CONFIG, ...spec.brokerConfig },
    topics: [spec.topic],
    ...(spec.logSeams !== undefined ? { logSeams: spec.logSeams } : {}),
    components: (b) => [
      groupCoordinatorComponent(b, { groupInitialRebalanceDelayMs: 200, ...spec.groupCoordinator }),
    ],
  });
  await cluster.waitUntilReady({ timeoutMs: CLUSTER_START_LIMIT_MS });
  await waitForFullIsr(cluster, spec.topic, CLUSTER_START_LIMIT_MS);
  return cluster;
}

/**
 * Run the world until every partition of `topic` has all `replicationFactor` replicas in its ISR
 * in the committed metadata, or `limitMs` has passed (it does not throw: the caller's run goes on).
 */
export async function waitForFullIsr(
  cluster: Cluster,
  topic: Pick<ClusterTopic, "name" | "replicationFactor">,
  limitMs: number,
): Promise<void> {
  const fullIsr = (): boolean => {
    const img = cluster.image();
    const id = img?.topicIdsByName.get(topic.name);
    const t = id === undefined ? undefined : img!.topics.get(id);
    return t !== undefined && t.partitions.every((p) => p.isr.length === topic.replicationFactor);
  };
  await cluster.world.runUntil(fullIsr, { limitMs: cluster.world.now() + limitMs });
}

// ---- the recorders ------------------------------------------------------------------------------

export interface LabRecorders {
  /** Operations of the clients (sends, polls, commits...) for the history checker. */
  rec: HistoryRecorder;
  /** The effects the application applied (and those it expected). */
  ledger: EffectLedger;
  /** Client instrumentation hooks feeding `rec`. */
  history: ClientHistory;
}

export function labRecorders(world: World): LabRecorders {
  const rec = new HistoryRecorder(() => world.now());
  const ledger = new EffectLedger(() => world.now());
  return { rec, ledger, history: clientHistory(rec) };
}

/** The liveness check both consumer labs end with: a restart would resume from the end of the log. */
export const OFFSETS_CAUGHT_UP = "committed offsets reach the end of the log";

/**
 * OFFSETS_CAUGHT_UP: at `endAt`, did the group's last committed offset of every partition reach
 * the partition's log end offset? `notes` finish the explanation (after "every partition" when it
 * passed, after the lagging partitions when it failed); `listAtMost` caps the partitions named.
 */
export function offsetsCaughtUp(o: {
  topic: string;
  group: string;
  partitions: number;
  logEnd: (partition: number) => number | undefined;
  lastCommit: ReadonlyMap<number, { offset: number }>;
  endAt: string;
  notes?: { ok?: string; lagging?: string };
  listAtMost?: number;
}): LivenessResult {
  const behind: string[] = [];
  for (let p = 0; p < o.partitions; p++) {
    const end = o.logEnd(p);
    const c = o.lastCommit.get(p);
    if (end === undefined || (c?.offset ?? 0) < end)
      behind.push(
        `${o.topic}-${p} committed ${c === undefined ? "nothing" : `offset ${c.offset}`}, log ends at ${end ?? "?"}`,
      );
  }
  const cap = o.listAtMost ?? behind.length;
  const listed =
    behind.slice(0, cap).join("; ") + (behind.length > cap ? `; and ${behind.length - cap} more` : "");
  return {
    name: OFFSETS_CAUGHT_UP,
    // The group drained the topic as far as its committed offsets tell (what a restart resumes from).
    kind: "drained-within",
    ok: behind.length === 0,
    measured: behind.length,
    examples: [],
    explanation:
      behind.length === 0
        ? `at the end the group ${o.group} had committed the end of every partition${o.notes?.ok ?? ""}`
        : `at the end (${o.endAt}) the group ${o.group} lagged: ${listed}${o.notes?.lagging ?? ""}`,
  };
}

/** The high watermark of each partition of `topic` at its current leader (undefined without one). */
export function highWatermarkOf(cluster: Cluster, topic: string): (partition: number) => number | undefined {
  return (p) => {
    const leader = cluster.leaderOf(topic, p);
    return leader === undefined
      ? undefined
      : cluster.broker(leader)?.replicaManager.partitionInfo(topic, p)?.highWatermark;
  };
}

/** True when the last committed offset of every partition 0..partitions-1 has reached `logEnd`. */
export function committedToEnd(
  partitions: number,
  logEnd: (partition: number) => number | undefined,
  lastCommit: ReadonlyMap<number, { offset: number }>,
): boolean {
  for (let p = 0; p < partitions; p++) {
    const end = logEnd(p);
    if (end === undefined || (lastCommit.get(p)?.offset ?? 0) < end) return false;
  }
  return true;
}
