/**
 * remark-code-region: show real code from the repository on the site, by reference, so that a
 * page can never drift from the code it explains.
 *
 * In Markdown, an empty fenced code block names a file and, optionally, a region of it:
 *
 *     ```ts file=src/log/partition-log.ts region=append
 *     ```
 *
 * and the source file marks the region with comments (VS Code's folding markers):
 *
 *     // #region append
 *     ...the lines shown on the page...
 *     // #endregion append
 *
 * At build time the plugin reads the file, cuts out the region (without its marker lines and
 * without the markers of regions nested inside it), removes the common indentation and puts the
 * result in the code block, titled with the file's path unless the block sets `title=`. Without
 * `region=` the whole file is shown (marker lines removed).
 *
 * Invariant: a block either shows exactly the current text of a region or the build fails. A
 * missing file, a missing, empty, duplicated or unclosed region, a path outside the repository,
 * or a block that still has text of its own (a pasted copy that could go stale) throws an error
 * naming the page, its line, the file and the region.
 *
 * Webpack's persistent cache keys a compiled page by the page's own text, so a changed region
 * would not recompile it. `referencedFilesDigest` hashes every file that pages reference; the site
 * adds it to the cache version (docusaurus.config.ts), so editing a referenced file evicts the cache.
 *
 * Node-only (reads files); it runs inside the Docusaurus build, never in the browser.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** The parts of an mdast node this plugin reads or writes. */
export interface MdastNode {
  type: string;
  children?: MdastNode[];
  lang?: string | null;
  meta?: string | null;
  value?: string;
  position?: { start: { line: number } };
}

/** The parts of a VFile this plugin reads. */
export interface VFileLike {
  path?: string;
}

export interface CodeRegionOptions {
  /** Absolute path of the repository root; `file=` paths are relative to it. */
  rootDir: string;
}

/** One `key=value` (or bare) token of a code block's meta string, in order. */
interface MetaToken {
  key: string | null;
  value: string;
  raw: string;
}

export interface CodeReference {
  file: string;
  region: string | null;
  /** The meta string with `file=` and `region=` removed (highlight ranges, title, ... kept). */
  restMeta: string;
  hasTitle: boolean;
}

const META_TOKEN = /([A-Za-z][\w-]*)=("([^"]*)"|'([^']*)'|(\S+))|(\S+)/g;
const MARKER = /^\s*(?:\/\/|#|\/\*|<!--|--|;)\s*#(region|endregion)\b[ \t]*([A-Za-z0-9_.-]*)/;
const REGION_NAME = /^[A-Za-z0-9_.-]+$/;

const LANG_BY_EXTENSION: Record<string, string> = {
  ".ts": "ts",
  ".tsx": "tsx",
  ".mts": "ts",
  ".cts": "ts",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".json": "json",
  ".sh": "bash",
  ".yml": "yaml",
  ".yaml": "yaml",
  ".md": "md",
  ".css": "css",
};

function tokenizeMeta(meta: string): MetaToken[] {
  const tokens: MetaToken[] = [];
  for (const match of meta.matchAll(META_TOKEN)) {
    if (match[1] !== undefined) {
      tokens.push({ key: match[1], value: match[3] ?? match[4] ?? match[5] ?? "", raw: match[0] });
    } else {
      tokens.push({ key: null, value: match[0], raw: match[0] });
    }
  }
  return tokens;
}

/** Reads `file=` and `region=` from a code block's meta string; null when there is no `file=`. */
export function parseCodeReference(meta: string | null | undefined): CodeReference | null {
  if (!meta) return null;
  const tokens = tokenizeMeta(meta);
  const fileToken = tokens.find((t) => t.key === "file");
  if (fileToken === undefined) return null;
  const regionToken = tokens.find((t) => t.key === "region");
  const rest = tokens.filter((t) => t.key !== "file" && t.key !== "region");
  return {
    file: fileToken.value,
    region: regionToken === undefined ? null : regionToken.value,
    restMeta: rest.map((t) => t.raw).join(" "),
    hasTitle: rest.some((t) => t.key === "title"),
  };
}

/** A region found in a source file: its body lines (0-based, end exclusive), markers excluded. */
interface RegionSpan {
  name: string;
  startLine: number;
  endLine: number;
}

/**
 * Finds every region of a source file. Throws on malformed markers: an unnamed `#region`, a
 * duplicate name, an `#endregion` that closes nothing or names another region, an unclosed region.
 * An `#endregion` without a name closes the innermost open region.
 */
export function scanRegions(source: string, fileLabel: string): Map<string, RegionSpan> {
  const lines = source.split(/\r?\n/);
  const open: { name: string; startLine: number }[] = [];
  const regions = new Map<string, RegionSpan>();
  lines.forEach((line, index) => {
    const marker = MARKER.exec(line);
    if (marker === null) return;
    const [, kind, name = ""] = marker;
    const where = `${fileLabel}:${index + 1}`;
    if (kind === "region") {
      if (!REGION_NAME.test(name)) {
        throw new Error(`Cannot read regions of ${where}: "#region" needs a name (letters, digits, _ . -).`);
      }
      if (regions.has(name) || open.some((o) => o.name === name)) {
        throw new Error(`Cannot read regions of ${where}: region "${name}" is defined twice.`);
      }
      open.push({ name, startLine: index + 1 });
      return;
    }
    const innermost = open.pop();
    if (innermost === undefined) {
      throw new Error(`Cannot read regions of ${where}: "#endregion ${name}" closes no open region.`);
    }
    if (name !== "" && name !== innermost.name) {
      throw new Error(
        `Cannot read regions of ${where}: "#endregion ${name}" does not match the open region "${innermost.name}".`,
      );
    }
    regions.set(innermost.name, { name: innermost.name, startLine: innermost.startLine, endLine: index });
  });
  const unclosed = open.pop();
  if (unclosed !== undefined) {
    throw new Error(
      `Cannot read regions of ${fileLabel}: region "${unclosed.name}" (line ${unclosed.startLine}) has no "#endregion".`,
    );
  }
  return regions;
}

function dedent(lines: string[]): string[] {
  let common = Infinity;
  for (const line of lines) {
    if (line.trim() === "") continue;
    common = Math.min(common, line.length - line.trimStart().length);
  }
  if (!Number.isFinite(common) || common === 0) return lines;
  return lines.map((line) => (line.trim() === "" ? "" : line.slice(common)));
}

function trimBlankEdges(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === "") start++;
  while (end > start && lines[end - 1]!.trim() === "") end--;
  return lines.slice(start, end);
}

/**
 * The text shown for `region` of `source` (or the whole file when `region` is null): marker lines
 * dropped, common indentation removed, blank edge lines trimmed. Throws if the region is missing
 * or empty.
 */
export function extractRegion(source: string, region: string | null, fileLabel: string): string {
  const lines = source.split(/\r?\n/);
  const regions = scanRegions(source, fileLabel);
  let body: string[];
  if (region === null) {
    body = lines;
  } else {
    const span = regions.get(region);
    if (span === undefined) {
      const known = [...regions.values()].sort((a, b) => a.startLine - b.startLine).map((r) => r.name);
      throw new Error(
        `region "${region}" is not in ${fileLabel} (${
          known.length === 0 ? "it marks no regions" : `its regions: ${known.join(", ")}`
        }). Mark it with "// #region ${region}" ... "// #endregion ${region}".`,
      );
    }
    body = lines.slice(span.startLine, span.endLine);
  }
  const shown = trimBlankEdges(dedent(body.filter((line) => !MARKER.test(line))));
  if (shown.length === 0) {
    throw new Error(
      region === null ? `${fileLabel} is empty.` : `region "${region}" of ${fileLabel} is empty.`,
    );
  }
  return shown.join("\n");
}

function visitCode(node: MdastNode, visit: (code: MdastNode) => void): void {
  if (node.type === "code") visit(node);
  for (const child of node.children ?? []) visitCode(child, visit);
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}

/** Resolves a `file=` path against the root, refusing absolute paths and paths that leave it. */
export function resolveInside(rootDir: string, file: string): string {
  if (file === "" || path.isAbsolute(file)) {
    throw new Error(`file="${file}" must be a path relative to the repository root.`);
  }
  const absolute = path.resolve(rootDir, file);
  const relative = path.relative(rootDir, absolute);
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) {
    throw new Error(`file="${file}" points outside the repository.`);
  }
  return absolute;
}

function readSource(absolute: string, file: string): string {
  let isFile = false;
  try {
    isFile = statSync(absolute).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) throw new Error(`${file} does not exist (paths are relative to the repository root).`);
  return readFileSync(absolute, "utf8");
}

/** The remark plugin. Register it with `[remarkCodeRegion, { rootDir }]`. */
export default function remarkCodeRegion(
  options: CodeRegionOptions,
): (tree: MdastNode, file: VFileLike) => void {
  if (!options || !path.isAbsolute(options.rootDir)) {
    throw new Error("remark-code-region needs { rootDir } as an absolute path.");
  }
  const rootDir = options.rootDir;
  return (tree, vfile) => {
    visitCode(tree, (code) => {
      // "```file=src/x.ts" (no language) parses as lang "file=src/x.ts": read it as meta.
      const langIsMeta = (code.lang ?? "").includes("=");
      const reference = parseCodeReference(langIsMeta ? `${code.lang} ${code.meta ?? ""}` : code.meta);
      if (reference === null) return;
      if (langIsMeta) code.lang = null;
      const page = vfile.path ? toPosix(path.relative(rootDir, vfile.path)) : "<markdown>";
      const where = `${page}:${code.position?.start.line ?? "?"}`;
      const what =
        reference.region === null ? reference.file : `region "${reference.region}" of ${reference.file}`;
      try {
        if (reference.region !== null && !REGION_NAME.test(reference.region)) {
          throw new Error(
            `region="${reference.region}" is not a valid region name (letters, digits, _ . -).`,
          );
        }
        if ((code.value ?? "").trim() !== "") {
          throw new Error("the code block must be empty: its text comes from the file.");
        }
        const absolute = resolveInside(rootDir, reference.file);
        const source = readSource(absolute, reference.file);
        code.value = extractRegion(source, reference.region, reference.file);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`Cannot include ${what} in ${where}: ${reason}`, { cause: error });
      }
      code.lang = code.lang || LANG_BY_EXTENSION[path.extname(reference.file)] || "text";
      const title = reference.hasTitle ? "" : `title="${reference.file}"`;
      code.meta = [title, reference.restMeta].filter((part) => part !== "").join(" ");
    });
  };
}

const MARKDOWN_FILE = /\.mdx?$/;
const FENCE_INFO = /^\s*(?:`{3,}|~{3,})(.*)$/;

function markdownFilesUnder(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : markdownFilesUnder(full);
    return MARKDOWN_FILE.test(entry.name) ? [full] : [];
  });
}

/**
 * A digest of the paths and contents of every file named by a `file=` code block in the Markdown
 * files under `markdownDirs` (relative to `rootDir`). It changes when a referenced file changes,
 * appears or disappears.
 */
export function referencedFilesDigest(rootDir: string, markdownDirs: readonly string[]): string {
  const referenced = new Set<string>();
  for (const dir of markdownDirs) {
    for (const file of markdownFilesUnder(path.join(rootDir, dir))) {
      for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
        const info = FENCE_INFO.exec(line)?.[1];
        const reference = info === undefined ? null : parseCodeReference(info);
        if (reference !== null) referenced.add(reference.file);
      }
    }
  }
  const hash = createHash("sha256");
  for (const file of [...referenced].sort()) {
    hash.update(file).update("\0");
    try {
      hash.update(readFileSync(resolveInside(rootDir, file)));
    } catch {
      hash.update("<missing>");
    }
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}
