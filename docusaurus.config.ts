// Docusaurus configuration of the Kafka Labs site: English and Simplified Chinese, mermaid
// diagrams, offline search in both languages, and code shown by reference from src/ and labs/
// (src/node/remark-code-region.ts). Broken links, anchors and Markdown links fail the build.
import path from "node:path";
import type { Config, Plugin } from "@docusaurus/types";
import type * as Preset from "@docusaurus/preset-classic";
import { themes as prismThemes } from "prism-react-renderer";
import remarkCjkSoftBreaks from "./src/node/remark-cjk-soft-breaks";
import remarkCodeRegion, { referencedFilesDigest } from "./src/node/remark-code-region";
import protocolInBrowser from "./src/site/plugins/protocol-in-browser";

const rootDir = __dirname;
// Code shown by reference (src/node/remark-code-region.ts); no stray spaces where a Chinese
// paragraph wraps in the source (src/node/remark-cjk-soft-breaks.ts).
const remarkPlugins = [[remarkCodeRegion, { rootDir }], remarkCjkSoftBreaks];

/**
 * The site's own plugin. It puts src/site/theme on the theme path (components there shadow the
 * themes': see src/site/theme/Mermaid), and adds a digest of every file that pages show by
 * reference to webpack's cache version, so that editing a code region recompiles the pages.
 */
function sitePlugin(): Plugin {
  return {
    name: "kafka-labs-site",
    getThemePath: () => path.join(rootDir, "src/site/theme"),
    configureWebpack(webpackConfig) {
      const cache = webpackConfig.cache;
      if (typeof cache === "object" && cache.type === "filesystem") {
        const digest = referencedFilesDigest(rootDir, ["docs", "i18n", "src/site/pages"]);
        cache.version = `${cache.version ?? ""}-code-${digest}`;
      }
      return {};
    },
  };
}

const config: Config = {
  title: "Kafka Labs",
  tagline: "Learn Apache Kafka by breaking it: topic pages, runnable labs, a reference broker.",
  favicon: "img/favicon.svg",

  // A fork that publishes the site sets these, for example SITE_URL=https://you.github.io and
  // BASE_URL=/kafka-labs/ for GitHub Pages. SITE_URL feeds only the sitemap and canonical links;
  // BASE_URL is the path the site is served under (the browser test expects the default "/").
  url: process.env.SITE_URL ?? "https://kafka-labs.example.org",
  baseUrl: process.env.BASE_URL ?? "/",
  trailingSlash: false,

  onBrokenLinks: "throw",
  onBrokenAnchors: "throw",
  onDuplicateRoutes: "throw",

  i18n: {
    defaultLocale: "en",
    locales: ["en", "zh-Hans"],
    localeConfigs: {
      en: { label: "English", htmlLang: "en" },
      "zh-Hans": { label: "简体中文", htmlLang: "zh-Hans" },
    },
  },

  markdown: {
    mermaid: true,
    hooks: { onBrokenMarkdownLinks: "throw", onBrokenMarkdownImages: "throw" },
  },

  presets: [
    [
      "classic",
      {
        docs: {
          routeBasePath: "docs",
          sidebarPath: "./sidebars.ts",
          remarkPlugins,
          breadcrumbs: true,
        },
        blog: false,
        pages: { path: "src/site/pages", remarkPlugins },
        theme: { customCss: "./src/site/css/custom.css" },
      } satisfies Preset.Options,
    ],
  ],

  themes: [
    "@docusaurus/theme-mermaid",
    [
      "@easyops-cn/docusaurus-search-local",
      {
        // "zh" tokenizes Chinese with @node-rs/jieba (a prebuilt binary; nothing is compiled).
        language: ["en", "zh"],
        hashed: true,
        indexDocs: true,
        indexPages: true,
        indexBlog: false,
        docsRouteBasePath: "docs",
        highlightSearchTermsOnTargetPage: true,
        explicitSearchResultPath: true,
        searchResultLimits: 8,
        searchBarPosition: "right",
      },
    ],
    // Last, so that its components shadow the themes above (see src/site/theme).
    sitePlugin,
  ],

  // src/protocol's codecs in the browser (the storage page's RecordBatch explorer).
  plugins: [protocolInBrowser],

  themeConfig: {
    colorMode: { respectPrefersColorScheme: true },
    docs: { sidebar: { hideable: true, autoCollapseCategories: false } },
    navbar: {
      title: "Kafka Labs",
      logo: { alt: "Kafka Labs", src: "img/logo.svg" },
      hideOnScroll: false,
      items: [
        // Plain links with explicit active paths: a "doc"/"docSidebar" item is active on every
        // page of its sidebar, which would highlight both items on every course page.
        { to: "/docs", label: "Course", position: "left", activeBaseRegex: "/docs(?!/lab-guide)" },
        { to: "/docs/lab-guide", label: "Labs guide", position: "left", activeBaseRegex: "/docs/lab-guide" },
        { type: "localeDropdown", position: "right" },
      ],
    },
    footer: {
      style: "dark",
      links: [
        {
          title: "Course",
          items: [
            { label: "Start here", to: "/docs" },
            { label: "Labs guide", to: "/docs/lab-guide" },
          ],
        },
        {
          title: "Run it",
          items: [
            { label: "Run a lab", to: "/docs/lab-guide#run-a-lab" },
            { label: "Grade your fixes", to: "/docs/lab-guide#grade-your-fixes" },
          ],
        },
        {
          title: "Apache Kafka",
          items: [
            { label: "Documentation", href: "https://kafka.apache.org/documentation/" },
            {
              label: "Improvement proposals (KIPs)",
              href: "https://cwiki.apache.org/confluence/display/KAFKA/Kafka+Improvement+Proposals",
            },
          ],
        },
      ],
      copyright:
        "Kafka Labs · Apache-2.0. Apache Kafka is a trademark of the Apache Software Foundation; this course is not affiliated with it.",
    },
    prism: {
      theme: prismThemes.oneLight,
      darkTheme: prismThemes.oneDark,
      additionalLanguages: ["bash", "java", "properties", "diff", "json"],
    },
    mermaid: {
      // Colours per mode come from src/site/components/mermaid-palette.ts (used by
      // src/site/theme/Mermaid); these themes are the fallback of the stock component.
      theme: { light: "neutral", dark: "dark" },
      // Layout tuned for a ~670 px column: less empty margin around and between shapes. Long
      // sequence labels get line breaks (src/site/theme/Mermaid/break-labels.ts) rather than
      // mermaid's `wrap`, which hyphenates identifiers and Chinese. A diagram still too wide
      // scrolls rather than shrink its text below 12 px (src/site/theme/Mermaid/fit.ts).
      options: {
        fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans SC', sans-serif",
        flowchart: { nodeSpacing: 36, rankSpacing: 40, padding: 12, diagramPadding: 4, wrappingWidth: 200 },
        sequence: { width: 120, actorMargin: 30, diagramMarginX: 4, boxMargin: 8, messageMargin: 32 },
      },
    },
  } satisfies Preset.ThemeConfig,
};

export default config;
