/**
 * Lab 06, part B: seeded property runs of the two seams on their own.
 *
 * - The checkpoint writer, exhaustively over cut points: on a fresh simulated disk holding an old
 *   checkpoint (or none), write a new one and cut the power before its k-th disk operation, for
 *   every k, then once more after it returned; each time the disk then loses power (dropping or
 *   tearing what was not fsynced: random, all lost, all kept). Afterwards the file must hold the
 *   old content or the new (`torn-checkpoint` otherwise: empty, a prefix, missing), and the new
 *   one if the write had returned (`lost-checkpoint`). Files next to it must be untouched.
 * - The recovery start, against the model "the segment holding the recovery point, or the first
 *   when the point is below it": an earlier segment rescans fsynced data (`slow-recovery`); a
 *   later one trusts unflushed bytes (`unflushed-data-trusted`).
 */
import { SimDisk, SeededRng, type Rng, type UnsyncedFate } from "../../src/sim";
import { PowerCut, PowerCutDisk, plural, type VerdictBuilder } from "../_lib";
import type { CheckpointImpl } from "./spec";

const enc = new TextEncoder();
const dec = new TextDecoder();
const DIR = "kafka-logs";
const TARGET = `${DIR}/recovery-point-offset-checkpoint`;
const NEIGHBOUR = `${DIR}/orders-0/00000000000000000000.log`;
const FATES: readonly UnsyncedFate[] = ["random", "lose", "keep"];

export interface PropertyStats {
  writerRuns: number;
  recoveryCases: number;
  /** Set when recoveryStartSegment returned something that is not a segment index. */
  invalidRecoveryStart?: string;
}

function checkpointText(rng: Rng): string {
  const n = rng.range(1, 4);
  let text = `0\n${n}\n`;
  for (let p = 0; p < n; p++) text += `orders ${p} ${rng.int(100_000)}\n`;
  return text;
}

/** A disk with the log dir, a neighbour file, and maybe an old checkpoint, all durable. */
function freshDisk(old: string | undefined): SimDisk {
  const disk = new SimDisk();
  disk.mkdirs(`${DIR}/orders-0`);
  disk.fsyncDir("");
  disk.fsyncDir(DIR);
  disk.append(NEIGHBOUR, enc.encode("segment bytes"));
  disk.fsync(NEIGHBOUR);
  disk.fsyncDir(`${DIR}/orders-0`);
  if (old !== undefined) {
    disk.append(TARGET, enc.encode(old));
    disk.fsync(TARGET);
    disk.fsyncDir(DIR);
  }
  return disk;
}

function show(text: string | undefined): string {
  if (text === undefined) return "no file";
  return text.length === 0
    ? "an empty file"
    : JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

export function checkWriter(
  impl: CheckpointImpl,
  seed: number,
  vb: VerdictBuilder,
  stats: PropertyStats,
): void {
  const rng = new SeededRng(seed).split("lab06/writer");
  for (let c = 0; c < 16; c++) {
    const old = rng.chance(0.75) ? checkpointText(rng) : undefined;
    const next = checkpointText(rng);
    // How many disk operations the writer makes, on a disk that never loses power.
    const probe = new PowerCutDisk(freshDisk(old));
    impl.writeCheckpoint(probe, TARGET, enc.encode(next));
    const ops = probe.opsDone;
    for (let k = 0; k <= ops; k++) {
      const fate = FATES[(c + k) % FATES.length]!;
      const sim = freshDisk(old);
      const disk = new PowerCutDisk(sim);
      let returned = true;
      if (k < ops) disk.armAfter(k);
      try {
        impl.writeCheckpoint(disk, TARGET, enc.encode(next));
      } catch (e) {
        if (!(e instanceof PowerCut)) throw e;
        returned = false;
      }
      sim.powerLoss(rng.split(`loss-${c}-${k}`), fate);
      stats.writerRuns++;
      const after = sim.exists(TARGET) ? dec.decode(sim.readAll(TARGET)) : undefined;
      const where = returned ? "after the write returned" : `before disk operation ${k + 1} of ${ops}`;
      const summary = `old ${show(old)}, new ${show(next)}: power lost ${where} (unsynced bytes: ${fate}); the file then held ${show(after)}`;
      if (returned && after !== next)
        vb.add(after === old ? "lost-checkpoint" : "torn-checkpoint", { summary });
      else if (!returned && after !== old && after !== next) vb.add("torn-checkpoint", { summary });
      const neighbour = sim.exists(NEIGHBOUR) ? dec.decode(sim.readAll(NEIGHBOUR)) : undefined;
      if (neighbour !== "segment bytes")
        vb.add("torn-checkpoint", {
          summary: `writing ${TARGET} changed ${NEIGHBOUR} (now ${show(neighbour)})`,
        });
    }
  }
}

export function checkRecoveryStart(
  impl: CheckpointImpl,
  seed: number,
  vb: VerdictBuilder,
  stats: PropertyStats,
): void {
  const rng = new SeededRng(seed).split("lab06/recovery-start");
  for (let c = 0; c < 300; c++) {
    const n = rng.range(1, 2 + Math.min(c >> 4, 40));
    const bases: number[] = [];
    let b = rng.chance(0.6) ? 0 : rng.range(1, 5000);
    for (let i = 0; i < n; i++) {
      bases.push(b);
      b += rng.range(1, 3000);
    }
    const pick = rng.int(4);
    const recoveryPoint =
      pick === 0
        ? bases[rng.int(n)]!
        : pick === 1
          ? Math.max(0, bases[0]! - 1 - rng.int(100))
          : rng.int(b + 100);
    stats.recoveryCases++;
    let want = 0;
    for (let i = 0; i < n; i++) if (bases[i]! <= recoveryPoint) want = i;
    const got = impl.recoveryStartSegment([...bases], recoveryPoint);
    if (got === want) continue;
    const list =
      bases.length <= 8
        ? `[${bases.join(", ")}]`
        : `[${bases.slice(0, 3).join(", ")}, ... ${n} segments, ..., ${bases[n - 1]}]`;
    const below = recoveryPoint < bases[0]!;
    const summary = `recoveryStartSegment(${list}, recovery point ${recoveryPoint}) returned ${got}; ${below ? "the recovery point is below the first segment, so recovery must start at #0" : `the segment holding the recovery point is #${want} (base ${bases[want]})`}`;
    if (!Number.isInteger(got) || got < 0 || got >= n) {
      stats.invalidRecoveryStart ??= `${summary}: not a segment index, so the log refuses to load and the broker cannot start`;
      continue;
    }
    vb.add(got < want ? "slow-recovery" : "unflushed-data-trusted", {
      summary: `${summary}${got < want ? `: it re-reads ${plural(want - got, "segment")} that were fsynced` : below ? ": nothing in the log is vouched for, yet recovery would skip segments" : `: the bytes of segment ${bases[want]} after offset ${recoveryPoint} may never have been fsynced, and recovery would not check them`}`,
    });
  }
}
