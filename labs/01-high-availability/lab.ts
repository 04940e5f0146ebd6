/**
 * Lab 01 · High availability. `npx tsx labs/01-high-availability/lab.ts [--seed N] [--solution] [--verbose]`
 * (or `npm run lab -- 01 ...`): one narrated run with your exercise (or the reference solution).
 */
import { runLabCli } from "../../scripts/lib/cli";

void runLabCli(__dirname);
