/**
 * The vitest form of a lab's grader: each lab's grade.test.ts is one call,
 * `defineGradeTests(__dirname)`, giving one test per committed seed. Run them with
 * `npx vitest run --config vitest.grade.config.ts` (all labs) or add a path for one lab; set
 * KAFKA_LABS_SOLUTION=1 to grade the reference solutions. A failing test prints the verdict, the
 * seed and the command that replays it. `npm test` does not run these (the starters fail by
 * design); test/labs-integrity.test.ts checks the graders themselves.
 */
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { beforeAll, describe, test } from "vitest";
import { formatLabVerdict, parseSeeds, runSeed, type LabDefinition } from "../../labs/_lib";
import { discoverLabs, loadDefinition, loadImpl } from "./labs";
import { nextHintPointer } from "./hints";

export function defineGradeTests(labDir: string): void {
  const name = basename(labDir);
  const folder = discoverLabs().find((l) => l.name === name);
  if (folder === undefined) throw new Error(`${labDir} is not a lab folder (labs/NN-slug with an index.ts)`);
  const solution = process.env.KAFKA_LABS_SOLUTION === "1";
  const seeds = parseSeeds(
    JSON.parse(readFileSync(join(labDir, "seeds.json"), "utf8")),
    `labs/${name}/seeds.json`,
  );
  let def: LabDefinition;
  let impl: unknown;
  describe(`lab ${name} (${solution ? "reference solution" : "your exercise"})`, () => {
    beforeAll(async () => {
      def = await loadDefinition(folder);
      impl = await loadImpl(folder, def, solution ? "solution" : "exercise");
    });
    test.each(seeds)("seed %i", async (seed) => {
      const r = await runSeed(def, impl, seed, solution);
      if (!r.ok) {
        throw new Error(`${formatLabVerdict(r.verdict, 2)}\nnext: ${nextHintPointer(folder)}`);
      }
    });
  });
}
