/**
 * The grade report in three forms: a terminal table, a Markdown table (for a GitHub Actions job
 * summary) and JSON (reports/grade.json). One row per lab: pass/fail, the first failing seed's
 * anomalies, that seed, the command that replays it, and the hint to read next.
 */
import type { LabGrade } from "../../labs/_lib";

export interface GradeRow {
  lab: string;
  result: "PASS" | "FAIL";
  anomaly: string;
  seed: string;
  replay: string;
  nextHint: string;
}

export interface GradeReport {
  ok: boolean;
  solution: boolean;
  /** Wall-clock seconds for the whole run (measured by the script, not by a test). */
  seconds: number;
  labs: (Omit<LabGrade, "seeds" | "firstFailure"> & {
    seedsRun: number;
    seedsFailed: { seed: number; failing: string[]; summary: string; replayCommand: string }[];
    nextHint: string;
    seconds: number;
  })[];
}

export function gradeRow(g: LabGrade, nextHint: string): GradeRow {
  const f = g.firstFailure;
  return {
    lab: `${g.id} ${g.slug}`,
    result: g.ok ? "PASS" : "FAIL",
    anomaly: f === undefined ? "-" : shortList(f.failing),
    seed: f === undefined ? "-" : String(f.seed),
    replay: f === undefined ? "-" : f.replayCommand,
    nextHint: g.ok ? "-" : nextHint,
  };
}

/** At most three names, then "+N more" (the JSON report lists them all). */
function shortList(names: readonly string[]): string {
  if (names.length === 0) return "failed";
  return names.length <= 3 ? names.join(", ") : `${names.slice(0, 3).join(", ")} +${names.length - 3} more`;
}

const HEAD: GradeRow = {
  lab: "lab",
  result: "PASS",
  anomaly: "failed checks (anomalies, liveness)",
  seed: "seed",
  replay: "replay",
  nextHint: "next hint",
};
const KEYS = ["lab", "result", "anomaly", "seed", "replay", "nextHint"] as const;

export function terminalTable(rows: readonly GradeRow[]): string {
  const head = { ...HEAD, result: "result" } as unknown as GradeRow;
  const all = [head, ...rows];
  const width = KEYS.map((k) => Math.max(...all.map((r) => r[k].length)));
  const line = (r: GradeRow): string =>
    KEYS.map((k, i) => (i === KEYS.length - 1 ? r[k] : r[k].padEnd(width[i]!)))
      .join("  ")
      .trimEnd();
  return [line(head), KEYS.map((_, i) => "-".repeat(width[i]!)).join("  "), ...rows.map(line)].join("\n");
}

function md(text: string): string {
  return text.replace(/\|/g, "\\|");
}

export function markdownTable(
  rows: readonly GradeRow[],
  report: Pick<GradeReport, "ok" | "solution" | "seconds">,
): string {
  const passed = rows.filter((r) => r.result === "PASS").length;
  const out = [
    `## Kafka Labs grade: ${report.ok ? "all labs pass" : `${rows.length - passed} of ${rows.length} labs failing`}`,
    "",
    `Graded ${report.solution ? "the reference solutions" : "your exercises"} in ${report.seconds.toFixed(1)} s.`,
    "",
    "| lab | result | anomaly | seed | replay | next hint |",
    "|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${md(r.lab)} | ${r.result === "PASS" ? "✅ pass" : "❌ fail"} | ${md(r.anomaly)} | ${md(r.seed)} | ${r.replay === "-" ? "-" : `\`${md(r.replay)}\``} | ${r.nextHint === "-" ? "-" : `\`${md(r.nextHint)}\``} |`,
    ),
  ];
  return `${out.join("\n")}\n`;
}
