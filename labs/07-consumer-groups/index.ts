/**
 * Lab 07 · Consumer groups: cheap and safe rebalances (paired with /docs/topics/consumer-groups).
 *
 * The learner configures the packers' consumers (max.poll.records against max.poll.interval.ms,
 * static membership and its session timeout, the cooperative assignor) and writes their loop
 * (commit what was shipped on revocation and before closing; stop when asked). A run is one
 * seeded scenario (scenario.ts): a morning backlog, then a rolling restart of every packer; the
 * history checker forbids effect-duplicated, effect-lost and lost-write. Browser-safe.
 */
import { defineLab, exportOf, parseSeeds, replayCommand, type LabDefinition } from "../_lib";
import { LAB_EVENT_KINDS, runConsumerGroupsScenario } from "./scenario";
import type { RunPacker } from "./services";
import {
  CAUGHT_UP,
  DEPLOY_REBALANCES,
  LAB07_FORBIDDEN,
  OFFSETS_CAUGHT_UP,
  type ConsumerGroupsImpl,
  type PackerConfig,
} from "./spec";
import {
  commitBeforeShipping,
  commitOnRevokeOnly,
  pollAndShipForever,
  shortStaticSessions,
  starterSettingsWithSmallBatches,
} from "./wrong-fixes";
import seedsJson from "./seeds.json";

const lab: LabDefinition<ConsumerGroupsImpl> = defineLab<ConsumerGroupsImpl>({
  id: "07",
  slug: "consumer-groups",
  title: "Consumer groups: rebalances that cost nothing",
  page: "/docs/topics/consumer-groups",
  goal: "keep a group of packers shipping every order exactly once through a backlog and a rolling restart: polls that fit in max.poll.interval.ms, static membership with a session that outlasts a restart, the cooperative assignor, and commits of what was shipped on revocation and before closing.",
  forbidden: LAB07_FORBIDDEN,
  starterFailsWith: ["effect-duplicated", CAUGHT_UP],
  seeds: parseSeeds(seedsJson, "labs/07-consumer-groups/seeds.json"),
  files: ["consumer-config.ts", "packer.ts"],
  implFrom(modules) {
    return {
      packerConfig: exportOf<PackerConfig>(modules, "consumer-config.ts", "packerConfig", "function"),
      runPacker: exportOf<RunPacker>(modules, "packer.ts", "runPacker", "function"),
    };
  },
  async run(impl, { seed, solution, verbose }) {
    const r = await runConsumerGroupsScenario(impl, {
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
      name: "only a smaller max.poll.records (dynamic members, eager assignor, auto-commit, no stop handling)",
      build: () => ({ packerConfig: starterSettingsWithSmallBatches(), runPacker: pollAndShipForever }),
      failsWith: ["effect-duplicated", DEPLOY_REBALANCES],
    },
    {
      name: "commit on revocation and on stop, but polls still too big for max.poll.interval.ms",
      build: (s) => commitOnRevokeOnly(s),
      failsWith: ["effect-duplicated", CAUGHT_UP, OFFSETS_CAUGHT_UP],
    },
    {
      name: "static membership with session.timeout.ms shorter than a restart",
      build: (s) => shortStaticSessions(s),
      failsWith: [DEPLOY_REBALANCES],
    },
    {
      name: "commit what poll() returned before shipping it",
      build: (s) => ({ ...s, runPacker: commitBeforeShipping }),
      failsWith: ["effect-lost"],
    },
  ],
});

export default lab;
