// What the browser test needs to know from the files on disk: the pages of the built site per
// locale, the URLs of the sitemaps, and how many mermaid diagrams the Markdown sources hold, so the
// number rendered can be checked against the number written.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface Locale {
  locale: string;
  /** URL prefix of the locale ("" for the default locale). */
  prefix: string;
}

export const LOCALES: readonly Locale[] = [
  { locale: "en", prefix: "" },
  { locale: "zh-Hans", prefix: "/zh-Hans" },
];

export interface SitePage {
  locale: string;
  /** URL path, for example "/docs/lab-guide" or "/zh-Hans/". */
  url: string;
  /** HTML file in the build directory. */
  file: string;
}

function walk(dir: string, keep: (file: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full, keep));
    else if (keep(full)) out.push(full);
  }
  return out.sort();
}

function localeOfUrl(url: string): string {
  const other = LOCALES.find((l) => l.prefix !== "" && (url === l.prefix || url.startsWith(l.prefix + "/")));
  return other?.locale ?? LOCALES.find((l) => l.prefix === "")!.locale;
}

/** Every HTML page of the build (both locales), except the 404 pages. */
export function listPages(buildDir: string): SitePage[] {
  return walk(buildDir, (file) => file.endsWith(".html"))
    .map((file) => {
      const rel = path.relative(buildDir, file).split(path.sep).join("/");
      return { file, rel };
    })
    .filter(({ rel }) => !LOCALES.some((l) => rel === path.posix.join(l.prefix.slice(1), "404.html")))
    .map(({ file, rel }) => {
      let url = "/" + rel.replace(/\.html$/, "");
      if (url.endsWith("/index")) url = url.slice(0, -"index".length);
      if (url !== "/" && url.endsWith("/") && !LOCALES.some((l) => l.prefix + "/" === url))
        url = url.slice(0, -1);
      return { locale: localeOfUrl(url), url, file };
    });
}

/** URL paths listed in a locale's sitemap.xml. */
export function sitemapPaths(buildDir: string, locale: Locale): string[] {
  const file = path.join(buildDir, locale.prefix.slice(1), "sitemap.xml");
  const xml = readFileSync(file, "utf8");
  return [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]!).pathname);
}

/** How many mermaid frames (src/site/theme/Mermaid) a built page's server-rendered HTML holds. */
export function countMermaidFrames(html: string): number {
  return html.match(/data-kl-mermaid="/g)?.length ?? 0;
}

const FENCE = /^\s*(?:>\s*)*(`{3,}|~{3,})(.*)$/;

/** Number of ```mermaid fenced blocks in a Markdown text (fences inside other fences ignored). */
export function countMermaidFences(markdown: string): number {
  let open: { char: string; length: number } | null = null;
  let count = 0;
  for (const line of markdown.split(/\r?\n/)) {
    const match = FENCE.exec(line);
    if (match === null) continue;
    const fence = match[1]!;
    const info = match[2]!.trim();
    if (open === null) {
      if (fence[0] === "`" && info.includes("`")) continue;
      open = { char: fence[0]!, length: fence.length };
      if (info.split(/\s+/)[0] === "mermaid") count++;
    } else if (fence[0] === open.char && fence.length >= open.length && info === "") {
      open = null;
    }
  }
  return count;
}

function isDraft(markdown: string): boolean {
  const frontMatter = /^---\r?\n([\s\S]*?)\r?\n---/.exec(markdown);
  return frontMatter !== null && /^draft:\s*true\s*$/m.test(frontMatter[1]!);
}

function markdownFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return walk(dir, (file) => /\.mdx?$/.test(file))
    .map((file) => path.relative(dir, file))
    .filter((rel) => !rel.split(path.sep).some((part) => part.startsWith("_")));
}

/**
 * Mermaid diagrams the sources give a locale: every docs page (and Markdown page), taking the
 * locale's translation where one exists and the original otherwise, as Docusaurus does. Drafts
 * and partials (files starting with "_") are not pages and are not counted.
 */
export function countSourceMermaid(rootDir: string, locale: Locale, defaultLocale: string): number {
  const sources: [original: string, translated: string][] = [
    ["docs", "docusaurus-plugin-content-docs/current"],
    ["src/site/pages", "docusaurus-plugin-content-pages"],
  ];
  let total = 0;
  for (const [original, translated] of sources) {
    const originalDir = path.join(rootDir, original);
    for (const rel of markdownFiles(originalDir)) {
      const localized = path.join(rootDir, "i18n", locale.locale, translated, rel);
      const file =
        locale.locale !== defaultLocale && existsSync(localized) ? localized : path.join(originalDir, rel);
      const markdown = readFileSync(file, "utf8");
      if (!isDraft(markdown)) total += countMermaidFences(markdown);
    }
  }
  return total;
}
