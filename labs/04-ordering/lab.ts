/**
 * Lab 04 · Ordering. `npx tsx labs/04-ordering/lab.ts [--seed N] [--solution] [--verbose]`
 * (or `npm run lab -- 04 ...`): one narrated run with your exercise (or the reference solution).
 */
import { runLabCli } from "../../scripts/lib/cli";

void runLabCli(__dirname);
