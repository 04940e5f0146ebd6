/**
 * The command line of every lab entry script (`labs/NN-slug/lab.ts`), so that each lab.ts is
 * two lines: parse `--seed N`, `--solution`, `--verbose` (anything else: usage and exit 2), run
 * the scenario, print header, story, timeline (the full trace with --verbose), verdict and what
 * to do next. Exit status: 0 when the scenario ran (whatever the verdict: `npm run grade` is the
 * command that fails on a failing verdict), 1 when it crashed, 2 on wrong arguments.
 */
import { basename } from "node:path";
import { formatVerbose, type TraceEvent } from "../../src/sim";
import { formatLabVerdict, labHeader, labTimeline, replayCommand, type LabDefinition } from "../../labs/_lib";
import { discoverLabs, loadDefinition, loadImpl, type LabFolder } from "./labs";
import { nextHintPointer } from "./hints";

export interface LabArgs {
  seed: number | undefined;
  solution: boolean;
  verbose: boolean;
}

export function labUsage(folderName: string): string {
  return [
    `usage: npx tsx labs/${folderName}/lab.ts [--seed N] [--solution] [--verbose]`,
    "  --seed N     replay the run with seed N (a non-negative integer; default: the first committed seed)",
    "  --solution   run the reference solution instead of your exercise",
    "  --verbose    print the full trace, not only the timeline",
  ].join("\n");
}

/** Parsed flags, or an error message for the usage text. */
export function parseLabArgs(argv: readonly string[]): LabArgs | { error: string } {
  const out: LabArgs = { seed: undefined, solution: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--solution") out.solution = true;
    else if (a === "--verbose" || a === "-v") out.verbose = true;
    else if (a === "--seed" || a.startsWith("--seed=")) {
      const text = a === "--seed" ? argv[++i] : a.slice("--seed=".length);
      if (text === undefined || !/^[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text)))
        return {
          error: `--seed needs a non-negative integer, got ${text === undefined ? "nothing" : JSON.stringify(text)}`,
        };
      out.seed = Number(text);
    } else return { error: `unknown argument ${JSON.stringify(a)}` };
  }
  return out;
}

function defaultTimelineFilter(e: TraceEvent): boolean {
  return e.cat !== "net" && e.cat !== "timer";
}

/** The whole output of one run, as lines (lab.ts prints it; tests can call it). */
export async function renderLabRun(
  folder: LabFolder,
  def: LabDefinition,
  args: LabArgs,
): Promise<{ text: string; ok: boolean }> {
  const seed = args.seed ?? def.seeds[0]!;
  const impl = await loadImpl(folder, def, args.solution ? "solution" : "exercise");
  const run = await def.run(impl, { seed, solution: args.solution, verbose: args.verbose });
  const out: string[] = [...labHeader(def, seed, args.solution), "", ...run.narration];
  const filter = def.timelineFilter?.bind(def) ?? defaultTimelineFilter;
  const timeline = labTimeline(run.trace, filter, def.timelineClock ?? "seconds");
  if (timeline.length > 0) out.push("", "Timeline", ...timeline.split("\n").map((l) => `  ${l}`));
  if (args.verbose) out.push("", "Full trace", formatVerbose(run.trace));
  out.push("", "Verdict", formatLabVerdict(run.verdict));
  out.push("");
  if (run.verdict.ok) {
    out.push(
      args.solution
        ? `This is what passing looks like. Your version: npx tsx labs/${folder.name}/lab.ts --seed ${seed}`
        : `This seed passes. Grade every committed seed: npm run grade -- ${def.id}`,
    );
  } else {
    out.push(`next: ${nextHintPointer(folder)}`, `replay: ${replayCommand(def, seed, args.solution)}`);
  }
  return { text: out.join("\n"), ok: run.verdict.ok };
}

/** Entry point of labs/NN-slug/lab.ts: `void runLabCli(__dirname)`. */
export async function runLabCli(
  labDir: string,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  const name = basename(labDir);
  const folder = discoverLabs().find((l) => l.name === name);
  const args = parseLabArgs(argv);
  if ("error" in args || folder === undefined) {
    console.error(`${"error" in args ? args.error : `${name} is not a lab folder`}\n\n${labUsage(name)}`);
    process.exitCode = 2;
    return;
  }
  try {
    const def = await loadDefinition(folder);
    const { text } = await renderLabRun(folder, def, args);
    console.log(text);
  } catch (e) {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    console.error(
      `\nThe scenario stopped with an error. If it comes from your exercise code, the stack above shows where.`,
    );
    process.exitCode = 1;
  }
}
