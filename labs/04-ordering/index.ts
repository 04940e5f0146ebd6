/**
 * Lab 04 · Ordering: keyed events from producer retries to a multi-threaded consumer (paired
 * with /docs/topics/ordering).
 *
 * The learner fixes the order service's producer settings (exercise/producer-config.ts) and the
 * fulfilment consumer's worker pool (exercise/worker-pool.ts). A run is one seeded scenario on
 * a simulated cluster (scenario.ts), judged by the history checker with an effect ledger.
 * Browser-safe.
 */
import { defineLab, exportOf, parseSeeds, replayCommand, type LabDefinition } from "../_lib";
import type { ProducerConfig } from "../../src/client";
import type { CreateWorkerPool, PoolServices, WorkerPool } from "./pool";
import { LAB_EVENT_KINDS, runOrderingScenario } from "./scenario";
import { LAB04_FORBIDDEN, LIVENESS, type OrderingImpl } from "./spec";
import seedsJson from "./seeds.json";

/** A wrong fix: per-key routing is easy to skip by using a single worker for everything. */
function singleWorker(pool: CreateWorkerPool): CreateWorkerPool {
  return (services: PoolServices): WorkerPool => pool({ ...services, workers: 1 });
}

const lab: LabDefinition<OrderingImpl> = defineLab<OrderingImpl>({
  id: "04",
  slug: "ordering",
  title: "Ordering: keyed events through retries and a worker pool",
  page: "/docs/topics/ordering",
  goal: "keep each order's events in order end to end: a producer that keeps send order across retries with several requests in flight, and a consumer pool that runs different keys in parallel but one key's events one after another, committing only what is fully handled.",
  forbidden: LAB04_FORBIDDEN,
  starterFailsWith: ["effect-reordered", "nonmonotonic-send", "effect-lost"],
  seeds: parseSeeds(seedsJson, "labs/04-ordering/seeds.json"),
  files: ["producer-config.ts", "worker-pool.ts"],
  implFrom(modules) {
    return {
      producerConfig: exportOf<ProducerConfig>(
        modules,
        "producer-config.ts",
        "orderProducerConfig",
        "object",
      ),
      createWorkerPool: exportOf<CreateWorkerPool>(modules, "worker-pool.ts", "createWorkerPool", "function"),
    };
  },
  async run(impl, { seed, solution, verbose }) {
    const r = await runOrderingScenario(impl, {
      seed,
      replayCommand: replayCommand(lab, seed, solution),
      verbose: verbose === true,
    });
    return { verdict: r.verdict, narration: r.narration.lines, trace: r.trace };
  },
  timelineFilter(e) {
    if (e.cat === "nemesis") return e.kind !== "schedule" && e.kind !== "quiet";
    if (e.cat === "node")
      return e.node.startsWith("broker-") && (e.kind !== "start" || (e["incarnation"] as number) > 1);
    return e.cat === "app" && LAB_EVENT_KINDS.has(e.kind);
  },
  wrongFixes: [
    {
      name: "one worker for everything (order kept, throughput lost)",
      build: (s) => ({ ...s, createWorkerPool: singleWorker(s.createWorkerPool) }),
      failsWith: [LIVENESS.throughput],
    },
    {
      name: "per-key queues, but the producer still non-idempotent with 5 requests in flight",
      build: (s) => ({
        ...s,
        producerConfig: {
          ...s.producerConfig,
          enableIdempotence: false,
          maxInFlightRequestsPerConnection: 5,
        },
      }),
      failsWith: ["nonmonotonic-send"],
    },
    {
      name: "retries=0 (no resend, so no reordering, but lost answers fail sends)",
      build: (s) => ({
        ...s,
        producerConfig: { ...s.producerConfig, enableIdempotence: false, retries: 0 },
      }),
      failsWith: [LIVENESS.allSent],
    },
    {
      name: "idempotent producer, but the starter's shared queue",
      build: (s) => ({ ...s, createWorkerPool: STARTER_SHARED_QUEUE }),
      failsWith: ["effect-reordered"],
    },
    {
      name: "per-key queues that commit what was queued, not what was handled",
      build: (s) => ({ ...s, createWorkerPool: commitsQueued(s.createWorkerPool) }),
      failsWith: ["effect-lost"],
    },
  ],
});

/** The starter's pool, for the wrong fix above (the learner's exercise file may have changed). */
const STARTER_SHARED_QUEUE: CreateWorkerPool = (services) => {
  const shared = services.queue<Parameters<WorkerPool["submit"]>[0]>(100);
  const done = new Map<number, number>();
  for (let w = 0; w < services.workers; w++)
    services.startWorker(`worker-${w}`, async () => {
      for (;;) {
        const e = await shared.take();
        await services.handle(e);
        done.set(e.partition, Math.max(done.get(e.partition) ?? 0, e.offset + 1));
      }
    });
  return {
    submit: (e) => shared.put(e),
    committable: () => [...done].map(([partition, offset]) => ({ topic: "orders", partition, offset })),
  };
};

/** The solution's routing with a commit of everything submitted. */
function commitsQueued(pool: CreateWorkerPool): CreateWorkerPool {
  return (services) => {
    const inner = pool(services);
    const submitted = new Map<number, number>();
    return {
      async submit(e) {
        await inner.submit(e);
        submitted.set(e.partition, e.offset + 1);
      },
      committable: () =>
        [...submitted].map(([partition, offset]) => ({ topic: "orders", partition, offset })),
    };
  };
}

export default lab;
