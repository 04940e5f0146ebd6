/**
 * `npm run hint -- NN`: print the next hint of lab NN (one more each time; progress is kept in
 * .kafka-labs/hints.json). `npm run hint -- NN --all` prints the hints seen so far again;
 * `npm run hint -- NN --reset` (or `--reset` alone, for every lab) starts over.
 */
import { discoverLabs, findLab } from "./lib/labs";
import { readHints, readProgress, writeProgress } from "./lib/hints";

const USAGE = "usage: npm run hint -- NN [--all | --reset]\n       npm run hint -- --reset   (every lab)";

function main(): number {
  const argv = process.argv.slice(2).filter((a) => a !== "--");
  const reset = argv.includes("--reset");
  const all = argv.includes("--all");
  const unknown = argv.filter((a) => a.startsWith("-") && a !== "--reset" && a !== "--all");
  const names = argv.filter((a) => !a.startsWith("-"));
  if (unknown.length > 0 || names.length > 1 || (names.length === 0 && !reset) || (reset && all)) {
    console.error(
      `${unknown.length > 0 ? `unknown argument ${unknown[0]}\n\n` : ""}${USAGE}\nLabs: ${discoverLabs()
        .map((l) => l.name)
        .join(", ")}`,
    );
    return 2;
  }
  const progress = readProgress();
  if (names.length === 0) {
    writeProgress({});
    console.log("Hint progress reset for every lab.");
    return 0;
  }
  let folder;
  try {
    folder = findLab(names[0]!);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  if (reset) {
    delete progress[folder.id];
    writeProgress(progress);
    console.log(`Hint progress reset for lab ${folder.name}.`);
    return 0;
  }
  const hints = readHints(folder);
  if (hints.length === 0) {
    console.log(`Lab ${folder.name} has no hints yet: read labs/${folder.name}/README.md.`);
    return 0;
  }
  const seen = Math.min(progress[folder.id] ?? 0, hints.length);
  const show = all ? Math.max(seen, 1) : Math.min(seen + 1, hints.length);
  const from = all ? 0 : show - 1;
  for (let i = from; i < show; i++) {
    const h = hints[i]!;
    console.log(`Lab ${folder.id} · hint ${i + 1} of ${hints.length}: ${h.title}\n`);
    console.log(`${h.body}\n`);
  }
  if (!all && seen >= hints.length)
    console.log(
      "That was the last hint. The reference fix is in solution/ (npm run lab -- " +
        `${folder.id} --solution).`,
    );
  else if (show < hints.length)
    console.log(`More: npm run hint -- ${folder.id}   (start over: npm run hint -- ${folder.id} --reset)`);
  progress[folder.id] = Math.max(seen, show);
  writeProgress(progress);
  return 0;
}

process.exitCode = main();
