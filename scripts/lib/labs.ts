/**
 * Node side of the lab framework: find the lab folders, load a lab's definition and the files of
 * one variant (the learner's exercise/, the reference solution/, or any folder with the same
 * file names), and find the pristine starter when the learner has edited exercise/.
 *
 * A lab is a folder `labs/NN-slug/` with an `index.ts` default-exporting a LabDefinition whose
 * id and slug match the folder name. Nothing else registers a lab: adding the folder adds it to
 * `npm run lab`, `npm run grade`, `npm run hint` and the integrity test.
 *
 * Pristine starters: `starter.lock.json` in the lab folder records the SHA-256 of each starter
 * file (line endings normalised). When a working copy differs (a learner edited it), the
 * integrity test looks for the locked content in git history and writes it to
 * `.kafka-labs/NN-slug/exercise/` (gitignored, same depth below the repository root, so the
 * starter's relative imports of ../../../src still resolve). Exercise files may import only from
 * src/ and from their own folder for that reason.
 */
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { LabDefinition } from "../../labs/_lib";

export const REPO_ROOT = resolve(__dirname, "..", "..");
export const LABS_DIR = join(REPO_ROOT, "labs");
/** Local, gitignored state: hint progress, pristine starters. */
export const STATE_DIR = join(REPO_ROOT, ".kafka-labs");

export interface LabFolder {
  id: string;
  slug: string;
  /** "05-storage". */
  name: string;
  dir: string;
}

const LAB_FOLDER = /^([0-9]{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$/;

/** Every lab folder with an index.ts, sorted by number. */
export function discoverLabs(labsDir = LABS_DIR): LabFolder[] {
  const out: LabFolder[] = [];
  for (const name of readdirSync(labsDir).sort()) {
    const m = LAB_FOLDER.exec(name);
    if (m === null || !existsSync(join(labsDir, name, "index.ts"))) continue;
    out.push({ id: m[1]!, slug: m[2]!, name, dir: join(labsDir, name) });
  }
  return out;
}

/** The lab folder for "05", "5", "05-storage" or "storage". Throws with the list when unknown. */
export function findLab(which: string, labs = discoverLabs()): LabFolder {
  const w = which.trim().toLowerCase();
  const n = /^[0-9]{1,2}$/.test(w) ? w.padStart(2, "0") : undefined;
  const hit = labs.find((l) => l.id === n || l.name === w || l.slug === w);
  if (hit === undefined) {
    throw new Error(`No lab "${which}". Labs: ${labs.map((l) => l.name).join(", ") || "(none)"}`);
  }
  return hit;
}

export async function loadDefinition(folder: LabFolder): Promise<LabDefinition> {
  const mod = (await import(join(folder.dir, "index.ts"))) as { default?: LabDefinition };
  const def = mod.default;
  if (def === undefined || typeof def.run !== "function")
    throw new Error(
      `Cannot load lab ${folder.name}: index.ts must default-export a LabDefinition (defineLab({...}))`,
    );
  if (def.id !== folder.id || def.slug !== folder.slug)
    throw new Error(`Cannot load lab ${folder.name}: its definition says ${def.id}-${def.slug}`);
  return def;
}

export type Variant = "exercise" | "solution";

/** Import the lab's files from `dir` (default: the variant's folder) and build the Impl. */
export async function loadImpl(
  folder: LabFolder,
  def: LabDefinition,
  variant: Variant,
  dir?: string,
): Promise<unknown> {
  const from = dir ?? join(folder.dir, variant);
  const modules: Record<string, unknown> = {};
  for (const file of def.files) {
    const path = join(from, file);
    if (!existsSync(path)) throw new Error(`Cannot load lab ${folder.name}: ${path} is missing`);
    modules[file] = await import(path);
  }
  return def.implFrom(modules);
}

// ---- pristine starters ---------------------------------------------------------------------

export const STARTER_LOCK = "starter.lock.json";

export interface StarterLock {
  /** SHA-256 (hex) of each exercise file, line endings normalised to \n. */
  files: Record<string, string>;
}

export function contentHash(text: string): string {
  return createHash("sha256").update(text.replace(/\r\n?/g, "\n")).digest("hex");
}

export function readStarterLock(folder: LabFolder): StarterLock {
  const path = join(folder.dir, STARTER_LOCK);
  if (!existsSync(path))
    throw new Error(
      `Lab ${folder.name} has no ${STARTER_LOCK}: run npx tsx scripts/lock-starters.ts ${folder.id}`,
    );
  return JSON.parse(readFileSync(path, "utf8")) as StarterLock;
}

/** Record the current exercise files as the pristine starter. */
export function writeStarterLock(folder: LabFolder, def: LabDefinition): StarterLock {
  const lock: StarterLock = { files: {} };
  for (const file of def.files)
    lock.files[file] = contentHash(readFileSync(join(folder.dir, "exercise", file), "utf8"));
  writeFileSync(join(folder.dir, STARTER_LOCK), `${JSON.stringify(lock, null, 2)}\n`);
  return lock;
}

export interface PristineStarter {
  /** Folder to load the starter from. */
  dir: string;
  /** Files whose pristine copy came from git history, with the commit. */
  fromGit: { file: string; commit: string }[];
}

/**
 * The folder holding the pristine starter: exercise/ itself when every file matches the lock,
 * else a copy under .kafka-labs/ with the locked versions found in git history.
 */
export function pristineStarter(folder: LabFolder, def: LabDefinition): PristineStarter {
  const lock = readStarterLock(folder);
  const missing = def.files.filter((f) => lock.files[f] === undefined);
  if (missing.length > 0)
    throw new Error(`${STARTER_LOCK} of lab ${folder.name} lacks ${missing.join(", ")}: relock it`);
  const exerciseDir = join(folder.dir, "exercise");
  const changed = def.files.filter(
    (f) => contentHash(readFileSync(join(exerciseDir, f), "utf8")) !== lock.files[f],
  );
  if (changed.length === 0) return { dir: exerciseDir, fromGit: [] };
  const outDir = join(STATE_DIR, folder.name, "exercise");
  mkdirSync(outDir, { recursive: true });
  const fromGit: PristineStarter["fromGit"] = [];
  for (const file of def.files) {
    let text = readFileSync(join(exerciseDir, file), "utf8");
    if (changed.includes(file)) {
      const found = findInHistory(`labs/${folder.name}/exercise/${file}`, lock.files[file]!);
      if (found === undefined) {
        throw new Error(
          `labs/${folder.name}/exercise/${file} was edited and no commit holds the pristine starter recorded in ${STARTER_LOCK} ` +
            `(a shallow clone? run git fetch --unshallow; a changed starter? run npx tsx scripts/lock-starters.ts ${folder.id})`,
        );
      }
      text = found.text;
      fromGit.push({ file, commit: found.commit });
    }
    writeFileSync(join(outDir, file), text);
  }
  return { dir: outDir, fromGit };
}

function git(args: string[]): string {
  return execFileSync("git", args, {
    cwd: REPO_ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "ignore"],
  });
}

/** The newest commit whose version of `path` has the given hash. Bounded to the last 500 commits touching it. */
function findInHistory(path: string, hash: string): { commit: string; text: string } | undefined {
  let commits: string[];
  try {
    commits = git(["log", "--format=%H", "-n", "500", "--all", "--", path])
      .split("\n")
      .filter((c) => c.length > 0);
  } catch (_) {
    return undefined;
  }
  for (const commit of commits) {
    let text: string;
    try {
      text = git(["show", `${commit}:${path}`]);
    } catch (_) {
      continue; // the commit deleted the file
    }
    if (contentHash(text) === hash) return { commit, text };
  }
  return undefined;
}
