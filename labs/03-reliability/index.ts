/**
 * Lab 03 · Reliability: how not to lose messages (paired with /docs/topics/reliability).
 *
 * The learner writes the relay that moves orders from the shop's outbox to Kafka (its producer
 * settings and its send loop) and the fulfilment consumer (its commit settings and its poll
 * loop). A run is one seeded scenario on a simulated cluster (scenario.ts): leader crashes, a
 * relay crash, consumer crashes and rebalances, then a final drain; the history checker forbids
 * lost-write, unseen and effect-lost. Browser-safe.
 */
import { defineLab, exportOf, parseSeeds, replayCommand, type LabDefinition } from "../_lib";
import type { ConsumerConfig, ProducerConfig } from "../../src/client";
import { LAB_EVENT_KINDS, runReliabilityScenario } from "./scenario";
import type { ConsumeOrders, RelayOrders } from "./services";
import { LAB03_FORBIDDEN, type ReliabilityImpl } from "./spec";
import {
  commitBeforeShipping,
  fireAndForgetRelay,
  idleRelay,
  neverCommit,
  queueAndAutoCommit,
} from "./wrong-fixes";
import seedsJson from "./seeds.json";

const lab: LabDefinition<ReliabilityImpl> = defineLab<ReliabilityImpl>({
  id: "03",
  slug: "reliability",
  title: "Reliability: no order left behind",
  page: "/docs/topics/reliability",
  goal: "get every order from the outbox to the warehouse through leader crashes, a relay crash and consumer crashes: acks=all with retries and an outbox entry removed only once Kafka acknowledged it; offsets committed only for orders shipped, and on revocation.",
  forbidden: LAB03_FORBIDDEN,
  starterFailsWith: ["effect-lost", "lost-write"],
  seeds: parseSeeds(seedsJson, "labs/03-reliability/seeds.json"),
  files: ["order-producer.ts", "order-consumer.ts"],
  implFrom(modules) {
    return {
      producerConfig: exportOf<ProducerConfig>(modules, "order-producer.ts", "relayProducerConfig", "object"),
      relayOrders: exportOf<RelayOrders>(modules, "order-producer.ts", "relayOrders", "function"),
      consumerConfig: exportOf<ConsumerConfig>(
        modules,
        "order-consumer.ts",
        "fulfilmentConsumerConfig",
        "object",
      ),
      consumeOrders: exportOf<ConsumeOrders>(modules, "order-consumer.ts", "consumeOrders", "function"),
    };
  },
  async run(impl, { seed, solution, verbose }) {
    const r = await runReliabilityScenario(impl, {
      seed,
      replayCommand: replayCommand(lab, seed, solution),
      ...(verbose !== undefined ? { verbose } : {}),
    });
    return { verdict: r.verdict, narration: r.narration.lines, trace: r.trace };
  },
  timelineFilter(e) {
    return e.cat === "app" && LAB_EVENT_KINDS.has(e.kind);
  },
  wrongFixes: [
    {
      name: "acks=all and retries, but the relay still fires and forgets",
      build: (s) => ({ ...s, relayOrders: fireAndForgetRelay }),
      failsWith: ["effect-lost"],
    },
    {
      name: "the outbox handled, but acks=1",
      build: (s) => ({ ...s, producerConfig: { ...s.producerConfig, acks: 1, enableIdempotence: false } }),
      failsWith: ["lost-write", "unseen", "effect-lost"],
    },
    {
      name: "a relay that never sends",
      build: (s) => ({ ...s, relayOrders: idleRelay }),
      failsWith: ["effect-lost", "orders are acknowledged once the cluster is whole"],
    },
    {
      name: "manual commit of what was read, before shipping it",
      build: (s) => ({ ...s, consumeOrders: commitBeforeShipping }),
      failsWith: ["effect-lost"],
    },
    {
      name: "the relay fixed, the consumer still auto-commits behind an in-memory queue",
      build: (s) => ({
        ...s,
        consumerConfig: { enableAutoCommit: true, autoCommitIntervalMs: 1000 },
        consumeOrders: queueAndAutoCommit,
      }),
      failsWith: ["effect-lost"],
    },
    {
      name: "auto-commit off and no commit at all",
      build: (s) => ({ ...s, consumeOrders: neverCommit }),
      failsWith: ["committed offsets reach the end of the log"],
    },
  ],
});

export default lab;
