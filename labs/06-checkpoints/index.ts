/**
 * Lab 06 · Checkpoints and recovery (paired with /docs/topics/checkpoints).
 *
 * The learner implements the checkpoint writer and the recovery start (src/log/seams.ts), sets
 * the recovery-point checkpoint interval, and writes the follower truncation policy
 * (src/replication/truncation.ts). A run is: a broker's log dir through four power losses at
 * random disk operations, half of them inside a checkpoint write, and a clean restart
 * (scenario.ts); the writer and the recovery start on their own (properties.ts); and a dozen
 * randomised KIP-101 episodes on two replicas (kip101.ts). Browser-safe.
 */
import {
  VerdictBuilder,
  defineLab,
  exportOf,
  parseSeeds,
  plural,
  replayCommand,
  type LabDefinition,
} from "../_lib";
import { checkRecoveryStart, checkWriter, type PropertyStats } from "./properties";
import { runKip101 } from "./kip101";
import { LAB06_FORBIDDEN, runCheckpointScenario } from "./scenario";
import { LAB06_DOCS, REQUIREMENTS, type CheckpointImpl } from "./spec";
import seedsJson from "./seeds.json";

const lab: LabDefinition<CheckpointImpl> = defineLab<CheckpointImpl>({
  id: "06",
  slug: "checkpoints",
  title: "Checkpoints and recovery",
  page: "/docs/topics/checkpoints",
  goal: "write checkpoints atomically (temp file, fsync, rename, fsync the directory), start recovery at the segment holding the recovery point, checkpoint often enough that a restart re-reads little, and truncate followers by leader epoch instead of to their high watermark.",
  forbidden: LAB06_FORBIDDEN,
  starterFailsWith: [
    "torn-checkpoint",
    "lost-checkpoint",
    "unflushed-data-trusted",
    "deleted-records-returned",
    "restart-budget",
    "lost-write",
    "inconsistent-offsets",
  ],
  seeds: parseSeeds(seedsJson, "labs/06-checkpoints/seeds.json"),
  files: ["checkpoint-writer.ts", "recovery.ts", "broker-config.ts", "truncation.ts"],
  implFrom(modules) {
    return {
      writeCheckpoint: exportOf(modules, "checkpoint-writer.ts", "writeCheckpoint", "function"),
      recoveryStartSegment: exportOf(modules, "recovery.ts", "recoveryStartSegment", "function"),
      brokerConfig: exportOf(modules, "broker-config.ts", "brokerConfig", "object"),
      truncation: exportOf(modules, "truncation.ts", "truncation", "object"),
    };
  },
  run(impl, { seed, solution }) {
    const vb = new VerdictBuilder(LAB06_DOCS, LAB06_FORBIDDEN);
    const a = runCheckpointScenario(impl, seed, vb, solution);
    const p: PropertyStats = { writerRuns: 0, recoveryCases: 0 };
    checkWriter(impl, seed, vb, p);
    checkRecoveryStart(impl, seed, vb, p);
    const started = !a.narration.lines.some((l) => l.startsWith("The broker does not start"));
    vb.liveness(
      "broker-restarts",
      started && p.invalidRecoveryStart === undefined,
      p.invalidRecoveryStart ??
        (started
          ? `the broker restarted after each of ${plural(a.restarts, "power loss", "power losses")} and after a clean shutdown`
          : "the broker could not start (see the story)"),
    );
    if (a.runMs > 0) {
      vb.liveness(
        "restart-budget",
        a.overBudget.length === 0,
        a.overBudget.length === 0
          ? `every restart after a power loss re-read at most ${REQUIREMENTS.restartScanBudgetBytes / 1024} KiB of log`
          : `${a.overBudget.join("; ")} (budget ${REQUIREMENTS.restartScanBudgetBytes / 1024} KiB)`,
      );
      const perSecond = a.checkpointFsyncs / (a.runMs / 1000);
      vb.liveness(
        "checkpoint-cost",
        perSecond <= REQUIREMENTS.checkpointFsyncsPerSecondMax,
        `checkpoint writes made ${a.checkpointFsyncs} fsyncs in ${(a.runMs / 1000).toFixed(1)} s (${perSecond.toFixed(1)} per second, budget ${REQUIREMENTS.checkpointFsyncsPerSecondMax})`,
      );
    }
    const story = a.narration;
    story.section("Property checks");
    story.say(
      `The writer was also cut before each of its disk operations and after it returned, ${p.writerRuns} times, with every unsynced byte dropped, kept or torn; the recovery start was checked on ${p.recoveryCases} segment lists.`,
    );
    const k = runKip101(impl.truncation, seed, vb, story, a.trace, a.runMs + 1000, solution ?? false);
    vb.liveness(
      "replicas-catch-up",
      k.stuck.length === 0,
      k.stuck.length === 0
        ? `in all ${k.episodes} failover episodes the returning replica caught up with the leader`
        : `${k.stuck.join("; ")}${k.stuck.length > 1 ? "" : ""} (a diverged follower must truncate, or it fetches the same diverging answer for ever)`,
    );
    return {
      verdict: vb.build({ seed, replayCommand: replayCommand(lab, seed, solution) }),
      narration: story.lines,
      trace: a.trace.trace.events,
    };
  },
  timelineFilter(e) {
    if (e.kind === "checkpoint" || e.kind === "delete-records") return false;
    // Part 3: the first three episodes (--verbose shows all of them).
    return typeof e.episode !== "number" || e.episode <= 3;
  },
  wrongFixes: [
    {
      name: "recovery that rescans every segment",
      build: (s) => ({ ...s, recoveryStartSegment: () => 0 }),
      failsWith: ["slow-recovery"],
    },
    {
      name: "a writer that fsyncs in place (no temporary file)",
      build: (s) => ({
        ...s,
        writeCheckpoint: (disk, path, content) => {
          if (!disk.exists(path)) disk.create(path);
          disk.truncate(path, 0);
          disk.append(path, content);
          disk.fsync(path);
          disk.fsyncDir(path.slice(0, path.lastIndexOf("/")));
        },
      }),
      failsWith: ["torn-checkpoint"],
    },
    {
      name: "a writer that renames without fsyncing the directory",
      build: (s) => ({
        ...s,
        writeCheckpoint: (disk, path, content) => {
          const tmp = `${path}.tmp`;
          disk.create(tmp);
          disk.truncate(tmp, 0);
          disk.append(tmp, content);
          disk.fsync(tmp);
          disk.rename(tmp, path);
        },
      }),
      failsWith: ["lost-checkpoint"],
    },
    {
      name: "truncation that never cuts (but fetches with epochs)",
      build: (s) => ({
        ...s,
        truncation: { name: "never", fetchesWithLastEpoch: true, truncate: () => null },
      }),
      failsWith: ["replicas-catch-up"],
    },
    {
      name: "truncation to the high watermark on becoming a follower, with epochs otherwise",
      build: (s) => ({
        ...s,
        truncation: {
          name: "hw-then-epochs",
          fetchesWithLastEpoch: true,
          truncate: (view, trigger) =>
            trigger.kind === "become-follower" ? view.highWatermark : s.truncation.truncate(view, trigger),
        },
      }),
      failsWith: ["lost-write", "unseen"],
    },
    {
      name: "a checkpoint after every append (interval 1 ms)",
      build: (s) => ({ ...s, brokerConfig: { "log.flush.offset.checkpoint.interval.ms": "1" } }),
      failsWith: ["checkpoint-cost"],
    },
  ],
});

export default lab;
