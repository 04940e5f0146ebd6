/**
 * `npm run grade [-- NN ...] [-- --solution]`: grade the learner's exercises (or the reference
 * solutions) of every lab, or of the labs named, over each lab's committed seeds. Prints one row
 * per lab (result, anomaly, seed, replay command, next hint), writes reports/grade.json and
 * reports/grade.md (the Markdown table CI appends to the job summary), and exits 1 if any lab
 * fails (2 on wrong arguments).
 *
 * Each lab folder also has a grade.test.ts doing the same per seed under vitest
 * (`npx vitest run --config vitest.grade.config.ts`); this script is the fast path with the table.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gradeLab, type LabGrade } from "../labs/_lib";
import { REPO_ROOT, discoverLabs, findLab, loadDefinition, loadImpl, type LabFolder } from "./lib/labs";
import { nextHintPointer } from "./lib/hints";
import { gradeRow, markdownTable, terminalTable, type GradeReport } from "./lib/report";

const USAGE = `usage: npm run grade [-- NN ...] [-- --solution]
  NN          grade only these labs (a number like 05, or a folder name)
  --solution  grade the reference solutions instead of your exercises`;

async function main(): Promise<number> {
  const argv = process.argv.slice(2).filter((a) => a !== "--");
  const solution = argv.includes("--solution");
  const unknown = argv.filter((a) => a.startsWith("-") && a !== "--solution");
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown[0]}\n\n${USAGE}`);
    return 2;
  }
  const names = argv.filter((a) => !a.startsWith("-"));
  let folders: LabFolder[];
  try {
    folders = names.length === 0 ? discoverLabs() : names.map((n) => findLab(n));
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const started = performance.now();
  const report: GradeReport = { ok: true, solution, seconds: 0, labs: [] };
  const rows = [];
  for (const folder of folders) {
    const t0 = performance.now();
    let grade: LabGrade;
    try {
      const def = await loadDefinition(folder);
      const impl = await loadImpl(folder, def, solution ? "solution" : "exercise");
      process.stderr.write(`grading ${folder.name} (${def.seeds.length} seeds) `);
      grade = await gradeLab(def, impl, { solution, onSeed: (r) => process.stderr.write(r.ok ? "." : "F") });
      process.stderr.write("\n");
    } catch (e) {
      // The learner's files did not load (syntax error, missing export): a failing row that says why.
      const message = e instanceof Error ? e.message : String(e);
      process.stderr.write(`\n${folder.name}: ${message}\n`);
      grade = {
        id: folder.id,
        slug: folder.slug,
        title: folder.slug,
        ok: false,
        solution,
        seeds: [],
        error: message,
      };
    }
    const seconds = (performance.now() - t0) / 1000;
    const hint = nextHintPointer(folder);
    const row = gradeRow(grade, hint);
    if (grade.error !== undefined) {
      row.anomaly = "does not load";
      row.replay = `npx tsx labs/${folder.name}/lab.ts`;
    }
    rows.push(row);
    report.ok &&= grade.ok;
    const failed = grade.seeds.filter((s) => !s.ok);
    report.labs.push({
      id: grade.id,
      slug: grade.slug,
      title: grade.title,
      ok: grade.ok,
      solution,
      ...(grade.error !== undefined ? { error: grade.error } : {}),
      seedsRun: grade.seeds.length,
      seedsFailed: failed.map((s) => ({
        seed: s.seed,
        failing: s.failing,
        summary: s.summary,
        replayCommand: s.replayCommand,
      })),
      nextHint: hint,
      seconds: +seconds.toFixed(2),
    });
  }
  report.seconds = +((performance.now() - started) / 1000).toFixed(2);
  console.log(terminalTable(rows));
  const failing = rows.filter((r) => r.result === "FAIL").length;
  const what = `${solution ? "reference solutions" : "your exercises"}, ${report.seconds.toFixed(1)} s`;
  const n = rows.length;
  console.log(
    failing === 0
      ? `\n${n === 1 ? "The lab passes" : `All ${n} labs pass`} (${what}).`
      : `\n${failing} of ${n} ${n === 1 ? "lab" : "labs"} failing (${what}).`,
  );
  const dir = join(REPO_ROOT, "reports");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "grade.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, "grade.md"), markdownTable(rows, report));
  console.log("Report: reports/grade.json (and reports/grade.md)");
  return report.ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
