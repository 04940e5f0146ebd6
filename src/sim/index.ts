/**
 * The deterministic simulation runtime: seeded randomness, a virtual clock and scheduler, a
 * simulated network and disk, nodes and async clients, a nemesis, and the run's trace.
 * Browser-safe: no real time, no real randomness, no timers, no Node modules.
 *
 * Usage sketch (see world.ts for the details):
 *   const world = new World({ seed: 42 });
 *   for (const id of ["b1", "b2", "b3"]) world.addNode(id, (nodeId) => new Broker(nodeId));
 *   world.spawn("producer-1", async (ctx) => { ... await ctx.sleep(10); ... });
 *   installNemesis(world, { faultPhaseEndMs: 30_000, leader: () => findLeader(world) });
 *   await world.runUntil(60_000);
 *   console.log(formatTimeline(world.trace.events));
 */
export type {
  ClientContext,
  NodeContext,
  NodeId,
  NodeProcess,
  ProcessFactory,
  TaskHandle,
  TaskState,
  TimerId,
  TraceSink,
} from "./process";
export { SeededRng, type Rng } from "./rng";
export {
  CallbackEvent,
  EVENT_BUDGET_DEFAULT,
  EventBudgetError,
  Scheduler,
  SimEvent,
  formatTimeS,
  roundTimeMs,
  type RunResult,
  type StopReason,
} from "./scheduler";
export {
  LINK_DEFAULTS,
  Network,
  type DropReason,
  type Endpoint,
  type LinkOptions,
  type NetworkOptions,
  type NetworkStats,
  type PartitionId,
} from "./network";
export { copyPlainData, summarizeMessage, type CopyStrategy } from "./message";
export {
  TIMELINE_CATEGORIES,
  Trace,
  formatTimeline,
  formatVerbose,
  jsonSafe,
  type TimelineOptions,
  type TraceCategory,
  type TraceEvent,
  type TraceOptions,
} from "./trace";
export {
  SETTLE_TURNS_MAX,
  World,
  type NodeDisk,
  type NodeInfo,
  type RunOptions,
  type WorldOptions,
} from "./world";
export {
  FAULT_KINDS,
  Nemesis,
  installNemesis,
  type FaultKind,
  type NemesisOptions,
  type NemesisStep,
} from "./nemesis";
export {
  MAX_FILE_BYTES,
  SimDisk,
  type CrashReport,
  type DiskOp,
  type PowerLossFileReport,
  type PowerLossReport,
  type SimDiskOptions,
  type SimDiskStats,
  type SimPathInfo,
} from "./sim-disk";
export type { FileLoss, UnsyncedFate } from "./sim-file";
export type { ClientTask } from "./client-runtime";
export {
  Cluster,
  DEFAULT_CLUSTER_ID,
  createCluster,
  type ClusterOptions,
  type ClusterTopic,
} from "./cluster";
export {
  drainTopic,
  runProducer,
  type DrainOptions,
  type DrainResult,
  type ProducerStats,
  type ProducerWorkloadOptions,
  type RecordOptions,
  type WorkloadRecorder,
} from "./workload";
