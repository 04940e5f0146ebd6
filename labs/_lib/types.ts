/**
 * The shape of a lab, as the runner (`lab.ts`), the grader (`npm run grade`) and the integrity
 * test (`test/labs-integrity.test.ts`) see it. Browser-safe: no Node, no real time or randomness.
 *
 * A lab is one folder `labs/NN-slug/` whose `index.ts` default-exports a `LabDefinition` (built
 * with `defineLab`). The learner's files live in `exercise/`, the reference fix in `solution/`
 * with the same file names; the Node side loads one of the two folders and hands the modules to
 * `implFrom`, which turns them into the lab's `Impl` (its seams and configs). `run` plays one
 * seeded scenario with that Impl and returns a verdict, the narration and the trace.
 *
 * A verdict has the shape of the history checker's (src/check `Verdict`): labs that judge a
 * client history return the checker's verdict as is; labs that judge storage directly (05, 06)
 * build the same shape with `VerdictBuilder` (verdict.ts).
 */
import type { TraceEvent } from "../../src/sim";

/** One case of an anomaly: a sentence, and optionally the few facts that show it. */
export interface LabWitness {
  summary: string;
  /** Extra lines (the operations or file states that show the case). */
  details?: readonly string[];
}

/** Every case of one anomaly in a run (src/check's AnomalyReport has this shape and more). */
export interface LabAnomaly {
  name: string;
  title: string;
  /** Only forbidden anomalies fail the run. */
  forbidden: boolean;
  count: number;
  /** One plain-language paragraph for all cases. */
  explanation: string;
  whyItMatters: string;
  witnesses: readonly LabWitness[];
  witnessesOmitted: number;
}

/** A progress requirement (src/check's LivenessResult has this shape and more). */
export interface LabLiveness {
  name: string;
  ok: boolean;
  explanation: string;
}

/** Pass or fail for one run. A src/check `Verdict` is one. */
export interface LabVerdict {
  ok: boolean;
  seed?: number | string;
  replayCommand?: string;
  /** One line: PASS/FAIL and why. */
  summary: string;
  /** Every anomaly found, forbidden ones first. */
  anomalies: readonly LabAnomaly[];
  liveness: readonly LabLiveness[];
  forbidden: readonly string[];
}

export interface LabRunOptions {
  seed: number;
  /** The run uses the reference solution (only changes the replay command and the header). */
  solution?: boolean;
  /** The caller will print the full trace: a lab may record more detail. */
  verbose?: boolean;
}

export interface LabRun {
  verdict: LabVerdict;
  /** The story, one short line each (blank lines separate paragraphs). */
  narration: string[];
  /** The run's trace; the compact timeline is the events that `timelineFilter` keeps. */
  trace: readonly TraceEvent[];
}

export interface LabDefinition<Impl = unknown> {
  /** Two digits: "05". */
  id: string;
  /** Folder name after the number: "storage" for labs/05-storage. */
  slug: string;
  title: string;
  /** The paired topic page as a site path: "/docs/topics/storage". */
  page: string;
  /** One sentence: what the learner fixes. */
  goal: string;
  /** Anomalies (and only these) fail a run; liveness failures always fail it. */
  forbidden: readonly string[];
  /**
   * What the starter must show (integrity): each name appears among the failures of at least
   * one committed seed, and every committed seed fails.
   */
  starterFailsWith: readonly string[];
  /** The committed seeds the grader runs (from the lab's seeds.json). */
  seeds: readonly number[];
  /** File names in exercise/ and solution/ (mirrored), e.g. ["segment-lookup.ts"]. */
  files: readonly string[];
  /** The Impl from the loaded modules, keyed by file name. Throws a clear Error if one is malformed. */
  implFrom(modules: Readonly<Record<string, unknown>>): Impl;
  run(impl: Impl, options: LabRunOptions): LabRun | Promise<LabRun>;
  /** Which trace events the compact timeline shows (default: all but `cat` "net"/"timer"). */
  timelineFilter?(event: TraceEvent): boolean;
  /** How times read in the timeline (default src/sim's seconds: "t=1.500s"; "day" for multi-day runs). */
  timelineClock?: "seconds" | "day";
  /**
   * Known-wrong fixes (integrity): each variant, built from the solution, must fail with one of
   * `failsWith` on at least one seed. This is how a lab proves that do-nothing or half fixes fail.
   */
  wrongFixes?: readonly WrongFix<Impl>[];
}

export interface WrongFix<Impl> {
  name: string;
  build(solution: Impl): Impl;
  /** At least one of these names (anomaly or liveness check) must fail. */
  failsWith: readonly string[];
}

/** Identity with type inference, so a lab file reads `export default defineLab({...})`. */
export function defineLab<Impl>(definition: LabDefinition<Impl>): LabDefinition<Impl> {
  if (!/^[0-9]{2}$/.test(definition.id))
    throw new Error(`Cannot define lab "${definition.id}": the id must be two digits`);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(definition.slug))
    throw new Error(
      `Cannot define lab ${definition.id}: slug "${definition.slug}" must be lower-case words joined by "-"`,
    );
  if (definition.seeds.length === 0)
    throw new Error(`Cannot define lab ${definition.id}: it has no committed seeds`);
  for (const s of definition.seeds)
    if (!Number.isSafeInteger(s) || s < 0)
      throw new Error(`Cannot define lab ${definition.id}: seed ${s} is not a non-negative integer`);
  return definition;
}

/** The command that replays one run exactly. */
export function replayCommand(
  lab: Pick<LabDefinition, "id" | "slug">,
  seed: number,
  solution = false,
): string {
  return `npx tsx labs/${lab.id}-${lab.slug}/lab.ts --seed ${seed}${solution ? " --solution" : ""}`;
}

/** The command that shows the lab's next hint. */
export function hintCommand(lab: Pick<LabDefinition, "id">): string {
  return `npm run hint -- ${lab.id}`;
}

/** Seeds from a lab's seeds.json: `{"seeds": [1, 2, 3]}`, validated. */
export function parseSeeds(json: unknown, what = "seeds.json"): number[] {
  const seeds = (json as { seeds?: unknown } | null)?.seeds;
  if (!Array.isArray(seeds) || seeds.length === 0)
    throw new Error(`Cannot read ${what}: expected {"seeds": [non-negative integers]}`);
  for (const s of seeds)
    if (typeof s !== "number" || !Number.isSafeInteger(s) || s < 0)
      throw new Error(`Cannot read ${what}: ${JSON.stringify(s)} is not a non-negative integer seed`);
  if (new Set(seeds).size !== seeds.length) throw new Error(`Cannot read ${what}: a seed is listed twice`);
  return seeds as number[];
}

/** A module export of the expected kind, or a clear error naming the file and the export. */
export function exportOf<T>(
  modules: Readonly<Record<string, unknown>>,
  file: string,
  name: string,
  kind: "function" | "object",
): T {
  const mod = modules[file] as Record<string, unknown> | undefined;
  if (mod === undefined) throw new Error(`Cannot load the lab: ${file} was not loaded`);
  const value = mod[name];
  if (kind === "function" ? typeof value !== "function" : typeof value !== "object" || value === null) {
    throw new Error(
      `Cannot load the lab: ${file} must export ${kind === "function" ? "a function" : "an object"} named ${name}`,
    );
  }
  return value as T;
}
