/**
 * Grading one lab: run its scenario with an implementation over the committed seeds and sum up.
 * Browser-safe and pure apart from what `lab.run` does; the Node scripts (scripts/grade.ts,
 * each lab's grade.test.ts, test/labs-integrity.test.ts) load the implementation and print.
 *
 * A lab passes when every seed passes. The first failing seed is what the table shows, with the
 * command that replays it; the JSON report lists every failing seed.
 */
import { errorText } from "./narration";
import { failingNames } from "./verdict";
import { replayCommand, type LabDefinition, type LabVerdict } from "./types";

export interface SeedResult {
  seed: number;
  ok: boolean;
  /** The verdict's one-line summary. */
  summary: string;
  /** Forbidden anomalies found and failed liveness checks, in verdict order. */
  failing: string[];
  replayCommand: string;
  verdict: LabVerdict;
}

export interface LabGrade {
  id: string;
  slug: string;
  title: string;
  ok: boolean;
  /** Graded the reference solution rather than the exercise. */
  solution: boolean;
  seeds: SeedResult[];
  /** The first failing seed, if any. */
  firstFailure?: SeedResult;
  /** The run threw (a bug in the learner's code, such as an exception in a seam). */
  error?: string;
}

export interface GradeOptions {
  /** Seeds to run (default: the lab's committed seeds). */
  seeds?: readonly number[];
  solution?: boolean;
  /** Stop at the first failing seed (the table needs only one; default false). */
  stopAtFirstFailure?: boolean;
  /** Called after each seed (progress output). */
  onSeed?(result: SeedResult): void;
}

/** Run one seed; an exception thrown by the scenario becomes a failing result that says so. */
export async function runSeed<Impl>(
  lab: LabDefinition<Impl>,
  impl: Impl,
  seed: number,
  solution = false,
): Promise<SeedResult> {
  const replay = replayCommand(lab, seed, solution);
  try {
    const run = await lab.run(impl, { seed, solution });
    const v = run.verdict;
    return {
      seed,
      ok: v.ok,
      summary: v.summary,
      failing: failingNames(v),
      replayCommand: replay,
      verdict: v,
    };
  } catch (e) {
    const message = errorText(e);
    const verdict: LabVerdict = {
      ok: false,
      seed,
      replayCommand: replay,
      summary: `FAIL seed=${seed}: the scenario stopped with an error (${message})`,
      anomalies: [],
      liveness: [{ name: "scenario-completes", ok: false, explanation: `the run threw ${message}` }],
      forbidden: lab.forbidden,
    };
    return {
      seed,
      ok: false,
      summary: verdict.summary,
      failing: ["scenario-completes"],
      replayCommand: replay,
      verdict,
    };
  }
}

export async function gradeLab<Impl>(
  lab: LabDefinition<Impl>,
  impl: Impl,
  options: GradeOptions = {},
): Promise<LabGrade> {
  const solution = options.solution ?? false;
  const grade: LabGrade = { id: lab.id, slug: lab.slug, title: lab.title, ok: true, solution, seeds: [] };
  for (const seed of options.seeds ?? lab.seeds) {
    const r = await runSeed(lab, impl, seed, solution);
    grade.seeds.push(r);
    options.onSeed?.(r);
    if (!r.ok) {
      grade.ok = false;
      grade.firstFailure ??= r;
      if (options.stopAtFirstFailure) break;
    }
  }
  return grade;
}

/** One line for a failing seed: what failed and how to replay it. */
export function describeFailure(r: SeedResult): string {
  return `seed ${r.seed}: ${r.failing.join(", ") || "failed"} — replay: ${r.replayCommand}`;
}
