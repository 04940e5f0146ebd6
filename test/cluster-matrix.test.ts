/**
 * The configuration matrix (scripts/matrix.ts) on a small number of seeds: the faults bite. The
 * safe configuration (RF 3, min.insync.replicas 2, acks=all, unclean election off) loses nothing
 * under one failure at a time (test/ha-proof.test.ts runs 200 seeds of it), while each unsafe
 * setting loses acknowledged writes on some seeds of some schedule:
 * - replication factor 1, and acks=1, already with one failure at a time;
 * - min.insync.replicas 1 and unclean leader election when failures overlap;
 * - and even the safe configuration when every broker loses power at once (acks come before
 *   fsync).
 */
import { describe, expect, it } from "vitest";
import {
  formatMatrix,
  matrixConfigs,
  parseMatrixArgs,
  runMatrixCell,
  type MatrixConfig,
} from "../scripts/matrix";

const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);
const SAFE: MatrixConfig = {
  replicationFactor: 3,
  minInsyncReplicas: 2,
  acks: -1,
  uncleanLeaderElectionEnable: false,
};

describe("configuration matrix", () => {
  it("lists the meaningful combinations of RF × min.insync.replicas × acks × unclean election", () => {
    const configs = matrixConfigs();
    expect(configs).toHaveLength(10);
    expect(configs).toContainEqual(SAFE);
    expect(configs.some((c) => c.replicationFactor === 1 && c.uncleanLeaderElectionEnable)).toBe(false);
  });

  it("the faults bite: each unsafe setting loses acknowledged writes on some seeds", async () => {
    const rows = [
      await runMatrixCell(SAFE, "single", SEEDS.slice(0, 4)),
      await runMatrixCell({ ...SAFE, replicationFactor: 1, minInsyncReplicas: 1 }, "single", SEEDS),
      await runMatrixCell({ ...SAFE, acks: 1 }, "single", SEEDS),
      await runMatrixCell({ ...SAFE, minInsyncReplicas: 1 }, "overlapping", SEEDS),
      await runMatrixCell(
        { ...SAFE, minInsyncReplicas: 1, uncleanLeaderElectionEnable: true },
        "overlapping",
        SEEDS,
      ),
      await runMatrixCell(SAFE, "power-loss-all", SEEDS.slice(0, 6)),
    ];
    const table = formatMatrix(rows);
    expect(rows[0]!.lostWriteSeeds, table).toBe(0);
    expect(rows[0]!.livenessFailureSeeds, table).toBe(0);
    for (const row of rows.slice(1)) expect(row.lostWriteSeeds, table).toBeGreaterThan(0);
  }, 300_000);
});

describe("npm run matrix arguments", () => {
  it("parses the flags and refuses unknown flags, missing values and unknown schedules", () => {
    expect(parseMatrixArgs([])).toEqual({
      n: 20,
      first: 1,
      schedules: ["single", "overlapping", "power-loss-all"],
    });
    expect(parseMatrixArgs(["--seeds", "3", "--first-seed", "0", "--schedules", "overlapping"])).toEqual({
      n: 3,
      first: 0,
      schedules: ["overlapping"],
    });
    expect(parseMatrixArgs(["--seed", "3"])).toEqual({ error: "unknown argument --seed" });
    expect(parseMatrixArgs(["--seeds"])).toEqual({ error: "--seeds needs a value" });
    expect(parseMatrixArgs(["--seeds", "0"])).toEqual({ error: "--seeds must be a positive integer, got 0" });
    expect(parseMatrixArgs(["--first-seed", "-1"])).toEqual({
      error: "--first-seed must be a non-negative integer, got -1",
    });
    expect(parseMatrixArgs(["--schedules", "single,nope"])).toEqual({ error: "unknown schedule nope" });
  });
});
