/**
 * `npx tsx scripts/lock-starters.ts [NN ...]`: record the current exercise files of the labs (all,
 * or those named) as their pristine starters in labs/NN-slug/starter.lock.json. Run it after
 * changing a starter, and commit the lock with the change: the integrity test judges the locked
 * starter even when a learner has edited exercise/ (see scripts/lib/labs.ts).
 */
import { discoverLabs, findLab, loadDefinition, writeStarterLock } from "./lib/labs";

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => a !== "--");
  const folders = names.length === 0 ? discoverLabs() : names.map((n) => findLab(n));
  for (const folder of folders) {
    const def = await loadDefinition(folder);
    const lock = writeStarterLock(folder, def);
    console.log(`${folder.name}: locked ${Object.keys(lock.files).join(", ")}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
