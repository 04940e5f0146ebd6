/**
 * Lab 05 · Storage. `npx tsx labs/05-storage/lab.ts [--seed N] [--solution] [--verbose]`
 * (or `npm run lab -- 05 ...`): one narrated run with your exercise (or the reference solution).
 */
import { runLabCli } from "../../scripts/lib/cli";

void runLabCli(__dirname);
