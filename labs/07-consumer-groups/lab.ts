/**
 * Lab 07 · Consumer groups. `npx tsx labs/07-consumer-groups/lab.ts [--seed N] [--solution] [--verbose]`
 * (or `npm run lab -- 07 ...`): one narrated run with your exercise (or the reference solution).
 */
import { runLabCli } from "../../scripts/lib/cli";

void runLabCli(__dirname);
