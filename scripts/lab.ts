/**
 * `npm run lab -- NN [--seed N] [--solution] [--verbose]`: the short alias of
 * `npx tsx labs/NN-slug/lab.ts ...`. NN may be a number (5, 05) or a folder name.
 */
import { discoverLabs, findLab } from "./lib/labs";
import { runLabCli } from "./lib/cli";

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((a) => a !== "--");
  // The lab is the first argument that is neither a flag nor the value of --seed.
  let at = -1;
  for (let i = 0; i < argv.length && at < 0; i++) {
    if (argv[i] === "--seed") i++;
    else if (!argv[i]!.startsWith("-")) at = i;
  }
  if (at < 0) {
    const names = discoverLabs().map((l) => l.name);
    console.error(`usage: npm run lab -- NN [--seed N] [--solution] [--verbose]\nLabs: ${names.join(", ")}`);
    process.exitCode = 2;
    return;
  }
  let dir: string;
  try {
    dir = findLab(argv[at]!).dir;
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 2;
    return;
  }
  await runLabCli(dir, [...argv.slice(0, at), ...argv.slice(at + 1)]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
