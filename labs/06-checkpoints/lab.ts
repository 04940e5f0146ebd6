/**
 * Lab 06 · Checkpoints and recovery. `npx tsx labs/06-checkpoints/lab.ts [--seed N] [--solution] [--verbose]`
 * (or `npm run lab -- 06 ...`): one narrated run with your exercise (or the reference solution).
 */
import { runLabCli } from "../../scripts/lib/cli";

void runLabCli(__dirname);
