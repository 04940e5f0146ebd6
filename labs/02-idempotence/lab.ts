/**
 * Lab 02 · Idempotence. `npx tsx labs/02-idempotence/lab.ts [--seed N] [--solution] [--verbose]`
 * (or `npm run lab -- 02 ...`): one narrated run with your exercise (or the reference solution).
 */
import { runLabCli } from "../../scripts/lib/cli";

void runLabCli(__dirname);
