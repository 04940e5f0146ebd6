/**
 * Lab 05 · Storage: segments, indexes and retention (paired with /docs/topics/storage).
 *
 * The learner implements three storage seams (src/log/seams.ts) — the segment lookup, the index
 * lookup and retention's choice of segments — and the `orders` topic's configuration. A run is
 * Part A, twelve simulated days of one partition (scenario.ts), plus Part B, seeded property runs of
 * each seam against a model (properties.ts). Browser-safe.
 */
import { VerdictBuilder, defineLab, exportOf, plural, replayCommand, type LabDefinition } from "../_lib";
import { checkFindSegment, checkLookupIndex, checkRetention, type PropertyStats } from "./properties";
import { LAB05_FORBIDDEN, runStorageScenario } from "./scenario";
import { LAB05_DOCS, type StorageImpl } from "./spec";
import seedsJson from "./seeds.json";
import { parseSeeds } from "../_lib";

const lab: LabDefinition<StorageImpl> = defineLab<StorageImpl>({
  id: "05",
  slug: "storage",
  title: "Storage: segments, indexes and retention",
  page: "/docs/topics/storage",
  goal: "find any offset with a floor lookup and a binary search of the sparse index, and let retention delete only whole, inactive, eligible segments; configure retention.ms and index.interval.bytes to the topic's requirements.",
  forbidden: LAB05_FORBIDDEN,
  starterFailsWith: [
    "poll-skip",
    "lost-write",
    "slow-lookup",
    "active-segment-deleted",
    "retention-keeps-up",
  ],
  seeds: parseSeeds(seedsJson, "labs/05-storage/seeds.json"),
  files: ["segment-lookup.ts", "retention.ts", "topic-config.ts"],
  implFrom(modules) {
    return {
      findSegment: exportOf(modules, "segment-lookup.ts", "findSegment", "function"),
      lookupIndex: exportOf(modules, "segment-lookup.ts", "lookupIndex", "function"),
      selectSegmentsForRetention: exportOf(modules, "retention.ts", "selectSegmentsForRetention", "function"),
      topicConfig: exportOf(modules, "topic-config.ts", "ordersTopicConfig", "object"),
    };
  },
  run(impl, { seed, solution }) {
    const vb = new VerdictBuilder(LAB05_DOCS, LAB05_FORBIDDEN);
    const a = runStorageScenario(impl, seed, vb, solution);
    const p: PropertyStats = {
      findSegmentCases: 0,
      lookupIndexCases: 0,
      retentionCases: 0,
      retentionStalls: 0,
    };
    checkFindSegment(impl, seed, vb, p);
    checkLookupIndex(impl, seed, vb, p);
    checkRetention(impl, seed, vb, p);
    const stalls = a.retentionStalls + p.retentionStalls;
    vb.liveness(
      "retention-keeps-up",
      stalls === 0,
      stalls === 0
        ? `every retention decision deleted each segment the rules made eligible (${a.retentionRuns} checks over twelve days, ${p.retentionCases} property cases)`
        : [
            a.retentionStalls > 0
              ? `${plural(a.retentionStalls, "retention check")} of ${a.retentionRuns} in the twelve days kept segments the rules made eligible (expired, or wholly below the log start offset): that disk space is never reclaimed`
              : "",
            p.firstStall !== undefined
              ? `${plural(p.retentionStalls, "property case")} of ${p.retentionCases} kept too much, e.g. ${p.firstStall}`
              : "",
          ]
            .filter((x) => x.length > 0)
            .join("; "),
    );
    const story = a.narration;
    story.section("Property checks");
    story.say(
      `Each seam was also run against a model on ${p.findSegmentCases} segment lookups, ${p.lookupIndexCases} index lookups (up to 16,000 entries, counting the entries read) and ${p.retentionCases} retention decisions (size limits hit exactly, a log start offset inside a segment, a lagging high watermark, compacted topics).`,
    );
    return {
      verdict: vb.build({ seed, replayCommand: replayCommand(lab, seed, solution) }),
      narration: story.lines,
      trace: a.trace.trace.events,
    };
  },
  timelineClock: "day",
  timelineFilter(e) {
    return e.cat === "app" && e.kind !== "append" && e.kind !== "read" && e.kind !== "roll";
  },
  wrongFixes: [
    {
      name: "retention that never deletes",
      build: (s) => ({ ...s, selectSegmentsForRetention: () => [] }),
      failsWith: ["retention-keeps-up", "deleted-within-8-days"],
    },
    {
      name: "lookupIndex that always scans from the segment start",
      build: (s) => ({ ...s, lookupIndex: () => 0 }),
      failsWith: ["slow-lookup"],
    },
    {
      name: "a linear floor search over the base offsets",
      build: (s) => ({
        ...s,
        findSegment: (bases, target) => {
          let found = -1;
          for (let i = 0; i < bases.length && bases[i]! <= target; i++) found = i;
          return found;
        },
      }),
      failsWith: ["slow-lookup"],
    },
    {
      name: "retention.ms in seconds",
      build: (s) => ({ ...s, topicConfig: { ...s.topicConfig, "retention.ms": "604800" } }),
      failsWith: ["lost-write"],
    },
    {
      name: "index.interval.bytes = 0 (an entry per batch)",
      build: (s) => ({ ...s, topicConfig: { ...s.topicConfig, "index.interval.bytes": "0" } }),
      failsWith: ["index-size-budget"],
    },
  ],
});

export default lab;
