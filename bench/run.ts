/**
 * `npm run bench [-- name ...]`: runs every bench/*.bench.ts (or the named ones), prints one
 * table, and writes reports/bench.json. Benchmarks measure; tests never time anything.
 */
import { readdirSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Bench, BenchRow } from "./types";

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const dir = __dirname;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".bench.ts"))
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
    .sort();
  if (files.length === 0) {
    console.error(`No benchmark matches ${only.join(", ")}. Available: ${readdirSync(dir).filter((f) => f.endsWith(".bench.ts")).join(", ")}`);
    process.exit(2);
  }
  const rows: BenchRow[] = [];
  for (const f of files) {
    const mod = (await import(join(dir, f))) as { default: Bench };
    process.stderr.write(`running ${f} ...\n`);
    rows.push(...(await mod.default()));
  }
  const w = [
    Math.max(5, ...rows.map((r) => r.group.length)),
    Math.max(4, ...rows.map((r) => r.name.length)),
  ] as const;
  console.log(`${"group".padEnd(w[0])}  ${"what".padEnd(w[1])}  ${"value".padStart(12)}  unit        note`);
  for (const r of rows) {
    const v = r.value >= 100 ? r.value.toFixed(0) : r.value.toFixed(2);
    console.log(`${r.group.padEnd(w[0])}  ${r.name.padEnd(w[1])}  ${v.padStart(12)}  ${r.unit.padEnd(10)}  ${r.note ?? ""}`);
  }
  mkdirSync("reports", { recursive: true });
  writeFileSync("reports/bench.json", JSON.stringify({ node: process.version, rows }, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
