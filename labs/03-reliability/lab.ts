/**
 * Lab 03 · Reliability. `npx tsx labs/03-reliability/lab.ts [--seed N] [--solution] [--verbose]`
 * (or `npm run lab -- 03 ...`): one narrated run with your exercise (or the reference solution).
 */
import { runLabCli } from "../../scripts/lib/cli";

void runLabCli(__dirname);
