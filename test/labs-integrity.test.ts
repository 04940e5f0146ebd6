/**
 * Grader integrity, for every lab folder (labs/NN-slug with an index.ts), in the spirit of
 * Rustlings' check that every unsolved exercise fails and every solution passes:
 *
 * - the pristine starter fails every committed seed, and each anomaly the lab is about
 *   (`starterFailsWith`) shows up on at least one seed;
 * - the reference solution passes every committed seed;
 * - the same seed gives the same verdict and story twice (starter and solution);
 * - each known-wrong fix (`wrongFixes`: do-nothing and half fixes) fails with what it should;
 * - the folder is complete: README, lab.ts, grade.test.ts, seeds, at least two hints, a starter
 *   lock covering the exercise files, TODO(lab-NN) markers in every exercise file and none in
 *   the solution files.
 *
 * "Pristine starter": when a learner has edited exercise/ (npm test in a fork), the locked
 * starter is taken from git history (scripts/lib/labs.ts, pristineStarter), so this test still
 * judges the graders, not the learner's progress.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { failingNames, runSeed, type LabDefinition, type SeedResult } from "../labs/_lib";
import {
  STATE_DIR,
  discoverLabs,
  loadDefinition,
  loadImpl,
  pristineStarter,
  readStarterLock,
  type PristineStarter,
} from "../scripts/lib/labs";
import { readHints } from "../scripts/lib/hints";

const labs = discoverLabs();

test("at least one lab is discovered", () => {
  expect(labs.map((l) => l.name)).toContain("05-storage");
});

function explain(results: readonly SeedResult[]): string {
  return results.map((r) => `  seed ${r.seed}: ${r.summary}`).join("\n");
}

describe.each(labs)("lab $name", (folder) => {
  let def: LabDefinition;
  let starter: unknown;
  let solution: unknown;
  let pristine: PristineStarter;
  let starterResults: SeedResult[] = [];

  beforeAll(async () => {
    def = await loadDefinition(folder);
    pristine = pristineStarter(folder, def);
    if (pristine.fromGit.length > 0) {
      console.info(
        `lab ${folder.name}: exercise/ was edited; judging the pristine starter (${pristine.fromGit.map((f) => `${f.file} from ${f.commit.slice(0, 10)}`).join(", ")})`,
      );
    }
    starter = await loadImpl(folder, def, "exercise", pristine.dir);
    solution = await loadImpl(folder, def, "solution");
  });

  afterAll(() => {
    if (pristine?.fromGit.length > 0) rmSync(join(STATE_DIR, folder.name), { recursive: true, force: true });
  });

  test("the folder is complete: README, lab.ts, grader, seeds, hints, starter lock, TODO markers", () => {
    for (const f of ["README.md", "lab.ts", "grade.test.ts", "seeds.json", "hints.md", "index.ts"])
      expect(existsSync(join(folder.dir, f)), `${folder.name}/${f}`).toBe(true);
    expect(readHints(folder).length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(readStarterLock(folder).files).sort()).toEqual([...def.files].sort());
    const marker = `TODO(lab-${def.id})`;
    for (const file of def.files) {
      expect(readFileSync(join(pristine.dir, file), "utf8"), `exercise/${file} has ${marker}`).toContain(
        marker,
      );
      expect(
        readFileSync(join(folder.dir, "solution", file), "utf8"),
        `solution/${file} has no ${marker}`,
      ).not.toContain(marker);
    }
    expect(readFileSync(join(folder.dir, "README.md"), "utf8")).toContain(def.page);
  });

  test("the pristine starter fails every committed seed, with the anomalies the lab is about", async () => {
    starterResults = [];
    for (const seed of def.seeds) starterResults.push(await runSeed(def, starter, seed));
    const passing = starterResults.filter((r) => r.ok);
    expect(
      passing.map((r) => r.seed),
      `starter passed seeds:\n${explain(passing)}`,
    ).toEqual([]);
    const seen = new Set(starterResults.flatMap((r) => r.failing));
    for (const name of def.starterFailsWith)
      expect(seen.has(name), `no seed showed ${name}:\n${explain(starterResults)}`).toBe(true);
    // A crash is not a verdict: the starter must fail through the grader's checks.
    expect(seen.has("scenario-completes"), explain(starterResults)).toBe(false);
  });

  test("the reference solution passes every committed seed", async () => {
    const results: SeedResult[] = [];
    for (const seed of def.seeds) results.push(await runSeed(def, solution, seed, true));
    const failing = results.filter((r) => !r.ok);
    expect(
      failing.map((r) => r.seed),
      `solution failed:\n${explain(failing)}`,
    ).toEqual([]);
  });

  test("the same seed gives the same verdict and story twice", async () => {
    const seed = def.seeds[def.seeds.length - 1]!;
    for (const impl of [starter, solution]) {
      const a = await def.run(impl, { seed });
      const b = await def.run(impl, { seed });
      expect(JSON.stringify(b.verdict)).toBe(JSON.stringify(a.verdict));
      expect(b.narration).toEqual(a.narration);
      expect(b.trace.length).toBe(a.trace.length);
    }
  });

  test("known-wrong fixes fail with the anomalies that catch them", async () => {
    for (const wrong of def.wrongFixes ?? []) {
      const impl = wrong.build(solution);
      const seen: string[] = [];
      for (const seed of def.seeds) {
        const r = await def.run(impl, { seed });
        const names = failingNames(r.verdict);
        seen.push(`seed ${seed}: ${r.verdict.summary}`);
        if (names.some((n) => wrong.failsWith.includes(n))) break;
        if (seed === def.seeds[def.seeds.length - 1])
          throw new Error(
            `wrong fix "${wrong.name}" never failed with ${wrong.failsWith.join(" or ")}:\n${seen.join("\n")}`,
          );
      }
    }
  });
});
