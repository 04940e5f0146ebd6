/**
 * Progressive hints: each lab's hints.md holds its hints as `## ` sections, from a nudge to a
 * near-answer (text before the first section is a preamble and is not shown). Progress — how
 * many hints of each lab the learner has seen — is stored in .kafka-labs/hints.json (gitignored).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { STATE_DIR, type LabFolder } from "./labs";

export interface Hint {
  title: string;
  body: string;
}

export const HINTS_FILE = join(STATE_DIR, "hints.json");

/** The hints of a hints.md text, in order. */
export function parseHints(markdown: string): Hint[] {
  const hints: Hint[] = [];
  let current: { title: string; body: string[] } | undefined;
  let inFence = false;
  for (const line of markdown.replace(/\r\n?/g, "\n").split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^## +(.*)$/.exec(line);
    if (heading !== null) {
      if (current !== undefined) hints.push({ title: current.title, body: current.body.join("\n").trim() });
      current = { title: heading[1]!.trim(), body: [] };
    } else if (current !== undefined) {
      current.body.push(line);
    }
  }
  if (current !== undefined) hints.push({ title: current.title, body: current.body.join("\n").trim() });
  return hints;
}

export function readHints(folder: LabFolder): Hint[] {
  const path = join(folder.dir, "hints.md");
  if (!existsSync(path)) return [];
  return parseHints(readFileSync(path, "utf8"));
}

type Progress = Record<string, number>;

export function readProgress(file = HINTS_FILE): Progress {
  if (!existsSync(file)) return {};
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as unknown;
    if (typeof data !== "object" || data === null || Array.isArray(data)) return {};
    const out: Progress = {};
    for (const [k, v] of Object.entries(data as Record<string, unknown>))
      if (typeof v === "number" && Number.isInteger(v) && v >= 0) out[k] = v;
    return out;
  } catch (_) {
    return {}; // a damaged progress file only costs the learner their place in the hints
  }
}

export function writeProgress(progress: Progress, file = HINTS_FILE): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(progress, null, 2)}\n`);
}

/** How many hints of the lab the learner has seen. */
export function hintsSeen(labId: string, file = HINTS_FILE): number {
  return readProgress(file)[labId] ?? 0;
}

/** Pointer for tables: "npm run hint -- 05 (hint 2 of 4)" or "(all 4 seen; compare with solution/)". */
export function nextHintPointer(folder: LabFolder, file = HINTS_FILE): string {
  const total = readHints(folder).length;
  const seen = Math.min(hintsSeen(folder.id, file), total);
  if (total === 0) return `see labs/${folder.name}/README.md`;
  if (seen >= total) return `npm run hint -- ${folder.id} (all ${total} seen; compare with solution/)`;
  return `npm run hint -- ${folder.id} (hint ${seen + 1} of ${total})`;
}
