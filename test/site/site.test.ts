// Browser test of the built site (run `npm run build` first, then `npm run test:site`).
//
// Serves build/ on 127.0.0.1 and opens every page of both locales in headless Chromium (Debian's
// /usr/bin/chromium, or CHROMIUM_PATH) through playwright-core. For each page: HTTP 200, a title
// and a non-empty <h1>, no console errors or uncaught exceptions, no failed or off-host requests,
// and every mermaid diagram rendered to an <svg> whose smallest text is at least 11 px on screen
// at 1280×900 (mermaid scales wide diagrams down to the column). Across pages: every mermaid block in the Markdown
// sources appears on a page of its locale, the sitemaps list only pages that exist, the locale
// switch goes to the Chinese page and back, and the offline search finds English and Chinese words.
//
// Chromium is required: without it the test fails (CI installs it, see .ci/run).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crc32c, encodeRecordBatch, type CompressionType } from "../../src/protocol";
import { serveStatic, type StaticServer } from "./static-server";
import {
  LOCALES,
  countMermaidFrames,
  countSourceMermaid,
  listPages,
  sitemapPaths,
  type SitePage,
} from "./site-files";

const ROOT = path.resolve(__dirname, "../..");
// SITE_BUILD_DIR tests another build (for example one made with `--out-dir`).
const BUILD = process.env.SITE_BUILD_DIR ?? path.join(ROOT, "build");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const DEFAULT_LOCALE = "en";
const MERMAID_TIMEOUT_MS = 30_000;
/** Smallest on-screen text size (CSS px) a diagram may have at 1280×900 or on a phone. */
const MIN_DIAGRAM_TEXT_PX = 11;

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Nothing but the local server resolves: a request to another host cannot leave the machine.
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

const built = existsSync(path.join(BUILD, "index.html"));
const pages: SitePage[] = built ? listPages(BUILD) : [];

let server: StaticServer;
let browser: Browser;
let context: BrowserContext;
/** Requests the pages tried to make to any origin but the local server. */
const offHost: string[] = [];

function sameOrigin(url: string): boolean {
  return url.startsWith(server.origin + "/") || url.startsWith("data:") || url.startsWith("blob:");
}

beforeAll(async () => {
  if (!built) throw new Error(`No site in ${BUILD}: run \`npm run build\` before \`npm run test:site\`.`);
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install it (Debian: apt-get install -y chromium; .ci/run does) ` +
        "or set CHROMIUM_PATH. The site test needs a real browser and does not skip without one.",
    );
  }
  server = await serveStatic(
    BUILD,
    LOCALES.filter((l) => l.prefix !== "").map((l) => l.prefix.slice(1)),
  );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  context = await newContext({ viewport: { width: 1280, height: 900 } });
});

/** A browser context whose requests to other hosts are recorded and blocked. */
async function newContext(options: Parameters<Browser["newContext"]>[0]): Promise<BrowserContext> {
  const created = await browser.newContext(options);
  await created.route("**/*", async (route) => {
    const url = route.request().url();
    if (sameOrigin(url)) return route.continue();
    offHost.push(url);
    return route.abort("blockedbyclient");
  });
  return created;
}

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

interface Watch {
  problems: string[];
  stop(): void;
}

/** Collects console errors, uncaught exceptions and failed same-origin requests of a page. */
function watch(page: Page): Watch {
  const problems: string[] = [];
  const onConsole = (message: { type(): string; text(): string }) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  };
  const onPageError = (error: Error) => problems.push(`uncaught exception: ${error.message}`);
  const onFailed = (request: { url(): string; failure(): { errorText: string } | null }) => {
    if (sameOrigin(request.url())) {
      problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? "?"})`);
    }
  };
  const onResponse = (response: { url(): string; status(): number }) => {
    if (sameOrigin(response.url()) && response.status() >= 400) {
      problems.push(`HTTP ${response.status()} for ${response.url()}`);
    }
  };
  page.on("console", onConsole);
  page.on("pageerror", onPageError);
  page.on("requestfailed", onFailed);
  page.on("response", onResponse);
  return {
    problems,
    stop() {
      page.off("console", onConsole);
      page.off("pageerror", onPageError);
      page.off("requestfailed", onFailed);
      page.off("response", onResponse);
    },
  };
}

/**
 * Waits until no mermaid frame on the page is "pending" (src/site/theme/Mermaid); fails with the
 * mermaid error of any frame in "error". Returns [frames, rendered svgs].
 */
async function waitForMermaid(page: Page): Promise<[number, number]> {
  const count = await page.locator("[data-kl-mermaid]").count();
  if (count > 0) {
    await page
      .waitForFunction(
        () =>
          [...document.querySelectorAll("[data-kl-mermaid]")].every(
            (frame) => frame.getAttribute("data-kl-mermaid") !== "pending",
          ),
        null,
        { timeout: MERMAID_TIMEOUT_MS },
      )
      .catch(async () => {
        const pending = await page.locator('[data-kl-mermaid="pending"]').count();
        throw new Error(`${pending} mermaid diagram(s) still not drawn after ${MERMAID_TIMEOUT_MS} ms`);
      });
    const errors = await page.locator('[data-kl-mermaid="error"]').allInnerTexts();
    expect(errors, "mermaid diagrams that failed to render").toEqual([]);
  }
  const svgs = await page.locator("[data-kl-mermaid] .docusaurus-mermaid-container > svg").count();
  return [count, svgs];
}

interface DiagramSize {
  /** Index of the diagram on its page, from 0. */
  index: number;
  /** Width of the SVG's viewBox: the width mermaid laid the diagram out at. */
  viewBoxWidth: number;
  /** Width the SVG is drawn at on the page. */
  renderedWidth: number;
  /** Smallest font size of any text in the diagram, times renderedWidth / viewBoxWidth. */
  textPx: number;
  /** The diagram is wider than its frame, so the frame scrolls sideways. */
  scrolls: boolean;
  /** The frame can take keyboard focus (tabindex >= 0) and has an accessible name. */
  focusableWithName: boolean;
}

/** Measures every rendered mermaid diagram of the page: how large its text is on screen. */
async function diagramSizes(page: Page): Promise<DiagramSize[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("[data-kl-mermaid]")].flatMap((frame, index) => {
      const svg = frame.querySelector<SVGSVGElement>(".docusaurus-mermaid-container > svg");
      if (svg === null) return [];
      const viewBoxWidth = svg.viewBox.baseVal.width;
      const renderedWidth = svg.getBoundingClientRect().width;
      // Every element that holds text of its own: SVG <text>/<tspan> and the HTML labels that
      // flowcharts put in <foreignObject>.
      const sizes = [...svg.querySelectorAll("*")]
        .filter(
          (el) =>
            !["style", "title", "desc"].includes(el.localName) &&
            [...el.childNodes].some(
              (n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? "").trim() !== "",
            ),
        )
        .map((el) => parseFloat(getComputedStyle(el).fontSize))
        .filter((px) => px > 0);
      const fontPx = sizes.length > 0 ? Math.min(...sizes) : 0;
      return [
        {
          index,
          viewBoxWidth: Math.round(viewBoxWidth),
          renderedWidth: Math.round(renderedWidth),
          textPx: Math.round(((fontPx * renderedWidth) / viewBoxWidth) * 10) / 10,
          scrolls: frame.scrollWidth > frame.clientWidth + 1,
          focusableWithName: frame.tabIndex >= 0 && (frame.getAttribute("aria-label") ?? "").trim() !== "",
        },
      ];
    }),
  );
}

/** Diagrams of a page that break a rule of legibility, described for the failure message. */
function illegible(sizes: DiagramSize[]): string[] {
  return sizes.flatMap((d) => {
    const where = `diagram #${d.index} (${d.viewBoxWidth} px laid out, drawn ${d.renderedWidth} px)`;
    const problems: string[] = [];
    if (d.textPx < MIN_DIAGRAM_TEXT_PX) problems.push(`${where}: smallest text ${d.textPx} px`);
    if (d.renderedWidth > d.viewBoxWidth + 1) problems.push(`${where}: enlarged beyond its own size`);
    if (d.scrolls && !d.focusableWithName)
      problems.push(`${where}: scrolls but is not focusable with a name`);
    return problems;
  });
}

describe("built site", () => {
  it("has pages in every locale", () => {
    expect(built, "build/ is missing: run `npm run build` first").toBe(true);
    for (const { locale } of LOCALES) {
      expect(pages.filter((p) => p.locale === locale).length, `pages of ${locale}`).toBeGreaterThan(2);
    }
  });

  it.each(LOCALES)("lists only existing pages in the $locale sitemap", (locale) => {
    const urls = new Set(pages.map((p) => p.url));
    const listed = sitemapPaths(BUILD, locale);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.filter((url) => !urls.has(url))).toEqual([]);
  });

  it.each(LOCALES)("shows every mermaid block of the $locale sources on a page", (locale) => {
    const inSources = countSourceMermaid(ROOT, locale, DEFAULT_LOCALE);
    const onPages = pages
      .filter((p) => p.locale === locale.locale)
      .reduce((sum, p) => sum + countMermaidFrames(readFileSync(p.file, "utf8")), 0);
    expect(onPages, `mermaid frames in the built ${locale.locale} pages vs blocks in the sources`).toBe(
      inSources,
    );
  });
});

describe.concurrent("every page renders", () => {
  it.for(pages)("$url", async (sitePage) => {
    const page = await context.newPage();
    const watcher = watch(page);
    try {
      const response = await page.goto(server.origin + sitePage.url, { waitUntil: "load" });
      expect(response?.status(), "HTTP status").toBe(200);
      expect((await page.title()).trim(), "document title").not.toBe("");
      expect(await page.locator("html").getAttribute("lang")).toBe(sitePage.locale);
      const h1 = page.locator("h1").first();
      expect(await h1.count(), "an <h1>").toBe(1);
      expect((await h1.innerText()).trim(), "text of the <h1>").not.toBe("");

      const [frames, svgs] = await waitForMermaid(page);
      expect(frames, "mermaid frames in the page vs in its server-rendered HTML").toBe(
        countMermaidFrames(readFileSync(sitePage.file, "utf8")),
      );
      expect(svgs, "mermaid diagrams rendered to <svg>").toBe(frames);
      expect(
        illegible(await diagramSizes(page)),
        `illegible diagrams on ${sitePage.url} at 1280×900`,
      ).toEqual([]);

      await page.waitForLoadState("networkidle");
      expect(watcher.problems).toEqual([]);
    } finally {
      watcher.stop();
      await page.close();
    }
  });
});

describe("navigation and search", () => {
  it("switches from an English page to its Chinese page and back", async () => {
    const page = await context.newPage();
    const watcher = watch(page);
    try {
      const pick = async (lang: string, expectedPath: string) => {
        await page.locator(".navbar .dropdown > .navbar__link").first().hover();
        await page.locator(`a.dropdown__link[lang="${lang}"]`).click();
        await page.waitForURL(server.origin + expectedPath);
        expect(await page.locator("html").getAttribute("lang")).toBe(lang);
      };
      await page.goto(server.origin + "/docs/lab-guide");
      const english = (await page.locator("h1").innerText()).trim();
      await pick("zh-Hans", "/zh-Hans/docs/lab-guide");
      const chinese = (await page.locator("h1").innerText()).trim();
      expect(chinese).toMatch(/[\u4e00-\u9fff]/);
      await pick("en", "/docs/lab-guide");
      expect((await page.locator("h1").innerText()).trim()).toBe(english);
      expect(watcher.problems).toEqual([]);
    } finally {
      watcher.stop();
      await page.close();
    }
  });

  it.each([
    { start: "/", query: "partition", lang: "en" },
    { start: "/zh-Hans/", query: "分区", lang: "zh-Hans" },
  ])("finds '$query' with the search box ($lang)", async ({ start, query }) => {
    const page = await context.newPage();
    const watcher = watch(page);
    try {
      await page.goto(server.origin + start);
      const input = page.locator("input.navbar__search-input");
      await input.click();
      await input.fill(query);
      const hits = page.locator(".navbar__search [role=listbox] [role=option]");
      await hits.first().waitFor({ timeout: 20_000 });
      const marked = await hits.locator("mark").allInnerTexts();
      expect(marked.map((m) => m.toLowerCase())).toContain(query);
      expect(watcher.problems).toEqual([]);
    } finally {
      watcher.stop();
      await page.close();
    }
  });

  it("renders mermaid diagrams in dark mode too", async () => {
    const withDiagram = pages.find((p) => countMermaidFrames(readFileSync(p.file, "utf8")) > 0);
    expect(withDiagram, "a page with a mermaid diagram").toBeDefined();
    const dark = await newContext({ colorScheme: "dark" });
    const page = await dark.newPage();
    const watcher = watch(page);
    try {
      await page.goto(server.origin + withDiagram!.url);
      expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
      const [frames, svgs] = await waitForMermaid(page);
      expect(svgs).toBe(frames);
      expect(watcher.problems).toEqual([]);
    } finally {
      watcher.stop();
      await dark.close();
    }
  });

  it.each(LOCALES)(
    "keeps diagram text legible on a 390 px phone, scrolling wide diagrams and tables ($locale)",
    async ({ prefix }) => {
      const phone = await newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
      });
      const page = await phone.newPage();
      const watcher = watch(page);
      try {
        // The page with the widest diagrams, and one with narrow ones.
        for (const url of ["/docs/topics/reliability", "/docs/topics/checkpoints"]) {
          await page.goto(server.origin + prefix + url);
          const [frames, svgs] = await waitForMermaid(page);
          expect(svgs).toBe(frames);
          const sizes = await diagramSizes(page);
          expect(sizes.length, `diagrams on ${prefix}${url}`).toBeGreaterThan(0);
          expect(illegible(sizes), `illegible diagrams on ${prefix}${url} at 390 px`).toEqual([]);
          // Reliability's first diagram is wider than a phone: it must scroll, not shrink.
          if (url.endsWith("reliability")) expect(sizes.some((d) => d.scrolls)).toBe(true);
          // A diagram's frame stays inside the phone's width: the frame scrolls, not the page.
          const frameRights = await page
            .locator("[data-kl-mermaid]")
            .evaluateAll((frames) => frames.map((f) => Math.round(f.getBoundingClientRect().right)));
          expect(
            frameRights.filter((right) => right > 390),
            "right edges of diagram frames past 390 px",
          ).toEqual([]);
          // Nor does the page itself grow wider than the phone (wide tables scroll inside themselves).
          const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
          expect(pageWidth, `page width of ${prefix}${url} on a 390 px phone`).toBeLessThanOrEqual(390);
        }
        expect(watcher.problems).toEqual([]);
      } finally {
        watcher.stop();
        await phone.close();
      }
    },
  );

  it("made no request to another host", () => {
    expect(offHost).toEqual([]);
  });
});

describe("RecordBatch explorer (storage page)", () => {
  const cases = LOCALES.flatMap((l) =>
    (["none", "gzip"] as const).map((compression) => ({ locale: l.locale, prefix: l.prefix, compression })),
  );

  it.each(cases)(
    "encodes the reader's record like src/protocol does ($locale, $compression)",
    async ({ prefix, compression }: { prefix: string; compression: CompressionType }) => {
      // A value long enough (> 256 bytes) that the browser computes the CRC in WebAssembly.
      const record = { key: "order-7", value: "paid: 12.50 EUR; ".repeat(20), timestamp: 1_712_345_678_901 };
      const header = { key: "source", value: "web" };
      const page = await context.newPage();
      const watcher = watch(page);
      try {
        await page.goto(`${server.origin}${prefix}/docs/topics/storage`);
        const explorer = page.locator("[data-kl-explorer]");
        await explorer.waitFor();
        const input = (name: string) => explorer.locator(`[data-kl-input="${name}"]`);
        await input("key").fill(record.key);
        await input("value").fill(record.value);
        await input("timestamp").fill(String(record.timestamp));
        // Replace the default header with ours, so the test states every input it relies on.
        while ((await input("header-key-0").count()) > 0) {
          await input("header-remove-0").click();
        }
        await input("add-header").click();
        await input("header-key-0").fill(header.key);
        await input("header-value-0").fill(header.value);
        await input("compression").selectOption(compression);

        const utf8 = (s: string) => new TextEncoder().encode(s);
        const expected = encodeRecordBatch({
          compression,
          records: [
            {
              key: utf8(record.key),
              value: utf8(record.value),
              headers: [{ key: header.key, value: utf8(header.value) }],
              timestamp: record.timestamp,
            },
          ],
        });
        const expectedCrc = `0x${crc32c(expected, 21, expected.length).toString(16).padStart(8, "0")}`;

        const crc = explorer.locator("[data-kl-crc]");
        await expect.poll(() => crc.getAttribute("data-kl-crc")).toBe(expectedCrc);
        expect(await crc.getAttribute("data-kl-crc-valid")).toBe("true");
        expect(await crc.getAttribute("data-kl-crc-backend"), "CRC-32C loop in the browser").toBe("wasm");
        const dump = explorer.locator('[data-kl-pane="batch"] [data-kl-byte]');
        expect(await dump.count(), "bytes in the hex dump vs the batch size").toBe(expected.length);
        const hex = (await dump.allInnerTexts()).join("");
        expect(hex).toBe(Array.from(expected, (b) => b.toString(16).padStart(2, "0")).join(""));

        // Pointing at a field highlights exactly its bytes (the crc: bytes 17..20).
        await explorer.locator('[data-kl-field="crc"]').hover();
        const active = await explorer
          .locator('[data-kl-pane="batch"] [data-kl-byte][data-kl-active]')
          .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute("data-kl-byte"))));
        expect(active).toEqual([17, 18, 19, 20]);
        expect(watcher.problems).toEqual([]);
      } finally {
        watcher.stop();
        await page.close();
      }
    },
  );
});
