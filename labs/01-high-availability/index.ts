/**
 * Lab 01 · High availability: replicas, ISR and leader election (paired with
 * /docs/topics/high-availability).
 *
 * The learner configures the `orders` topic (replication factor, min.insync.replicas, unclean
 * leader election), the producer's acks, and implements the controller's leader election policy
 * (the seam of src/controller/election.ts). A run is one seeded scenario on a simulated cluster
 * (scenario.ts): a leader cut off and crashed, a leader losing power for longer than the ack
 * bound, then all three brokers failing one after the other; the verdict (judge.ts) forbids
 * lost-write, unseen, inconsistent-offsets and acked-on-one-broker, and requires orders to be
 * acknowledged while at most one broker is down and after recovery. Browser-safe.
 */
import type { LeaderElectionPolicy } from "../../src/controller";
import { defineLab, exportOf, parseSeeds, replayCommand, type LabDefinition } from "../_lib";
import { LAB01_FORBIDDEN, LIVENESS, SINGLE_COPY, judge } from "./judge";
import { LAB_EVENT_KINDS, runHaScenario } from "./scenario";
import { checkProducerSettings, checkTopicSettings, type HaImpl } from "./spec";
import { tellStory } from "./story";
import seedsJson from "./seeds.json";

const LOSS = ["lost-write", "unseen", "inconsistent-offsets"];

/** The starter's policy, for the "right config, wrong policy" wrong fix. */
const anyLiveReplica: LeaderElectionPolicy = ({ replicas, liveBrokers, currentLeader }) => {
  if (currentLeader !== -1 && liveBrokers.has(currentLeader)) return currentLeader;
  return replicas.find((id) => liveBrokers.has(id)) ?? -1;
};

const lab: LabDefinition<HaImpl> = defineLab<HaImpl>({
  id: "01",
  slug: "high-availability",
  title: "High availability: replicas, ISR and leader election",
  page: "/docs/topics/high-availability",
  goal: "keep every acknowledged order through crashes, a power cut and a bad day on which all three brokers fail, while orders keep flowing with one broker down: choose the replication factor, min.insync.replicas, acks and unclean election, and elect only live in-sync replicas.",
  forbidden: LAB01_FORBIDDEN,
  starterFailsWith: ["lost-write", "acked-on-one-broker", LIVENESS.oneDown],
  seeds: parseSeeds(seedsJson, "labs/01-high-availability/seeds.json"),
  files: ["topic-config.ts", "producer-config.ts", "election.ts"],
  implFrom(modules) {
    return {
      topic: checkTopicSettings(exportOf(modules, "topic-config.ts", "ordersTopic", "object")),
      producer: checkProducerSettings(
        exportOf(modules, "producer-config.ts", "ordersProducerConfig", "object"),
      ),
      electLeader: exportOf<LeaderElectionPolicy>(modules, "election.ts", "electLeader", "function"),
    };
  },
  async run(impl, { seed, solution, verbose }) {
    const r = await runHaScenario(impl, seed, verbose ?? false);
    const judged = judge(r, seed, replayCommand(lab, seed, solution));
    const story = tellStory(r, impl, judged, solution ?? false);
    return { verdict: judged.verdict, narration: story.lines, trace: r.world.trace.events };
  },
  timelineFilter(e) {
    if (e.cat !== "app") return false;
    return LAB_EVENT_KINDS.has(e.kind) || e.kind === "controller.fenceStale" || e.kind === "replica.truncate";
  },
  wrongFixes: [
    {
      name: "replication factor 3 and min.insync.replicas=2, but acks=1",
      build: (s) => ({ ...s, producer: { acks: 1 } }),
      failsWith: [...LOSS, SINGLE_COPY.name],
    },
    {
      name: "replication factor 3 and acks=all, but min.insync.replicas=1 and unclean election on",
      build: (s) => ({
        ...s,
        topic: {
          replicationFactor: 3,
          configs: { "min.insync.replicas": "1", "unclean.leader.election.enable": "true" },
        },
      }),
      failsWith: LOSS,
    },
    {
      name: "everything right but min.insync.replicas=1",
      build: (s) => ({
        ...s,
        topic: { ...s.topic, configs: { ...s.topic.configs, "min.insync.replicas": "1" } },
      }),
      failsWith: [SINGLE_COPY.name],
    },
    {
      name: "everything right but unclean.leader.election.enable=true",
      build: (s) => ({
        ...s,
        topic: { ...s.topic, configs: { ...s.topic.configs, "unclean.leader.election.enable": "true" } },
      }),
      failsWith: LOSS,
    },
    {
      name: "the right configuration with the starter's election policy (any live replica)",
      build: (s) => ({ ...s, electLeader: anyLiveReplica }),
      failsWith: LOSS,
    },
    {
      name: "an election policy that falls back to any live replica even with unclean election off",
      build: (s) => ({
        ...s,
        electLeader: (input) => {
          const clean = s.electLeader(input);
          return clean !== -1 ? clean : (input.replicas.find((id) => input.liveBrokers.has(id)) ?? -1);
        },
      }),
      failsWith: LOSS,
    },
    {
      name: "an election policy that never elects",
      build: (s) => ({ ...s, electLeader: () => -1 }),
      failsWith: [LIVENESS.oneDown, LIVENESS.recovered, "unseen"],
    },
    {
      name: "min.insync.replicas=3 (every replica must be in sync)",
      build: (s) => ({
        ...s,
        topic: { ...s.topic, configs: { ...s.topic.configs, "min.insync.replicas": "3" } },
      }),
      failsWith: [LIVENESS.oneDown],
    },
    {
      name: "replication factor 2 with min.insync.replicas=2",
      build: (s) => ({ ...s, topic: { ...s.topic, replicationFactor: 2 } }),
      failsWith: [LIVENESS.oneDown],
    },
  ],
});

export default lab;
