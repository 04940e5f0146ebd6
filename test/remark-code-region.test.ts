// Tests for src/node/remark-code-region.ts: regions are cut exactly, and every way a reference
// can go wrong (missing file or region, malformed markers, pasted text) fails with a clear message.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import remarkCodeRegion, {
  extractRegion,
  parseCodeReference,
  referencedFilesDigest,
  scanRegions,
  type MdastNode,
} from "../src/node/remark-code-region";

const SOURCE = [
  "// header",
  "export class Log {",
  "  // #region append",
  "  append(batch: Batch): number {",
  "    // #region check",
  "    if (batch.baseOffset < this.logEndOffset) throw new Error('below LEO');",
  "    // #endregion check",
  "",
  "    return this.write(batch);",
  "  }",
  "  // #endregion append",
  "}",
  "",
].join("\n");

describe("parseCodeReference", () => {
  it("returns null without file=", () => {
    expect(parseCodeReference(null)).toBeNull();
    expect(parseCodeReference('title="x" {1,2}')).toBeNull();
  });

  it("reads file and region and keeps the other tokens in order", () => {
    expect(parseCodeReference("file=src/a.ts region=append {2} showLineNumbers")).toEqual({
      file: "src/a.ts",
      region: "append",
      restMeta: "{2} showLineNumbers",
      hasTitle: false,
    });
  });

  it("accepts quoted values and notices a title", () => {
    const ref = parseCodeReference('title="The append path" file="src/a b.ts"');
    expect(ref).toMatchObject({ file: "src/a b.ts", region: null, hasTitle: true });
    expect(ref?.restMeta).toBe('title="The append path"');
  });
});

describe("scanRegions", () => {
  it("finds nested regions with body lines between their markers", () => {
    const regions = scanRegions(SOURCE, "log.ts");
    expect([...regions.keys()].sort()).toEqual(["append", "check"]);
    expect(regions.get("check")).toEqual({ name: "check", startLine: 5, endLine: 6 });
  });

  it("accepts other comment styles and an unnamed #endregion", () => {
    const src = ["# #region a", "x=1", "# #endregion", "<!-- #region b -->", "<p/>", "<!-- #endregion b -->"];
    expect([...scanRegions(src.join("\n"), "f").keys()]).toEqual(["a", "b"]);
  });

  it.each([
    ["// #region a\n// #region a\n// #endregion a\n// #endregion a", /region "a" is defined twice/],
    ["// #region a\n// #endregion a\n// #region a\n// #endregion a", /region "a" is defined twice/],
    ["// #endregion a", /closes no open region/],
    ["// #region a\nx\n// #endregion b", /does not match the open region "a"/],
    ["x\n// #region a\nx", /region "a" \(line 2\) has no "#endregion"/],
    ["// #region\nx\n// #endregion", /needs a name/],
  ])("rejects malformed markers: %j", (src, message) => {
    expect(() => scanRegions(src, "f.ts")).toThrow(message);
  });
});

describe("extractRegion", () => {
  it("cuts a region, drops nested markers and removes common indentation", () => {
    expect(extractRegion(SOURCE, "append", "log.ts")).toBe(
      [
        "append(batch: Batch): number {",
        "  if (batch.baseOffset < this.logEndOffset) throw new Error('below LEO');",
        "",
        "  return this.write(batch);",
        "}",
      ].join("\n"),
    );
  });

  it("cuts an inner region on its own", () => {
    expect(extractRegion(SOURCE, "check", "log.ts")).toBe(
      "if (batch.baseOffset < this.logEndOffset) throw new Error('below LEO');",
    );
  });

  it("shows the whole file without markers when no region is asked", () => {
    const whole = extractRegion(SOURCE, null, "log.ts");
    expect(whole).not.toMatch(/#(end)?region/);
    expect(whole.split("\n")).toHaveLength(8);
  });

  it("names the known regions when one is missing", () => {
    expect(() => extractRegion(SOURCE, "truncate", "src/log.ts")).toThrow(
      'region "truncate" is not in src/log.ts (its regions: append, check)',
    );
    expect(() => extractRegion("x", "a", "f.ts")).toThrow("it marks no regions");
  });

  it("refuses an empty region", () => {
    expect(() => extractRegion("// #region a\n\n// #endregion a", "a", "f.ts")).toThrow(
      'region "a" of f.ts is empty',
    );
  });

  it("handles CRLF files", () => {
    expect(extractRegion("// #region a\r\n  one\r\n// #endregion a\r\n", "a", "f")).toBe("one");
  });
});

describe("remarkCodeRegion (transformer)", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "code-region-"));
    mkdirSync(path.join(root, "src", "log"), { recursive: true });
    mkdirSync(path.join(root, "docs"), { recursive: true });
    writeFileSync(path.join(root, "src", "log", "log.ts"), SOURCE);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function code(lang: string | null, meta: string | null, value = "", line = 7): MdastNode {
    return { type: "code", lang, meta, value, position: { start: { line } } };
  }

  function run(...nodes: MdastNode[]): MdastNode[] {
    const tree: MdastNode = { type: "root", children: [{ type: "mdxJsxFlowElement", children: nodes }] };
    remarkCodeRegion({ rootDir: root })(tree, { path: path.join(root, "docs", "page.md") });
    return nodes;
  }

  it("fills the block, titles it with the path and keeps other meta", () => {
    const [node] = run(code("ts", "file=src/log/log.ts region=check {1}"));
    expect(node).toMatchObject({
      lang: "ts",
      meta: 'title="src/log/log.ts" {1}',
      value: "if (batch.baseOffset < this.logEndOffset) throw new Error('below LEO');",
    });
  });

  it("keeps an explicit title and infers the language from the extension", () => {
    const [node] = run(code("file=src/log/log.ts", 'region=check title="Check"'));
    expect(node).toMatchObject({ lang: "ts", meta: 'title="Check"' });
  });

  it("leaves ordinary code blocks alone", () => {
    const [node] = run(code("ts", "{1}", "const x = 1;"));
    expect(node).toEqual(code("ts", "{1}", "const x = 1;"));
  });

  it.each([
    [
      "file=src/log/nope.ts region=a",
      "",
      /Cannot include region "a" of src\/log\/nope.ts in docs\/page.md:7: src\/log\/nope.ts does not exist/,
    ],
    [
      "file=src/log/log.ts region=truncate",
      "",
      /in docs\/page.md:7: region "truncate" is not in src\/log\/log.ts/,
    ],
    ["file=src/log region=a", "", /src\/log does not exist/],
    ["file=../outside.ts", "", /points outside the repository/],
    ["file=/etc/passwd", "", /must be a path relative to the repository root/],
    ["file=src/log/log.ts region=check", "stale copy", /the code block must be empty/],
    ["file=src/log/log.ts region=a/b", "", /not a valid region name/],
  ])("fails the build for %j", (meta, value, message) => {
    expect(() => run(code("ts", meta, value))).toThrow(message);
  });

  it("requires an absolute rootDir", () => {
    expect(() => remarkCodeRegion({ rootDir: "relative" })).toThrow(/absolute path/);
  });
});

describe("referencedFilesDigest", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "code-digest-"));
    mkdirSync(path.join(root, "docs", "topics"), { recursive: true });
    mkdirSync(path.join(root, "src"), { recursive: true });
    writeFileSync(path.join(root, "src", "a.ts"), "// #region r\nconst a = 1;\n// #endregion r\n");
    writeFileSync(path.join(root, "src", "b.ts"), "const b = 1;\n");
    writeFileSync(
      path.join(root, "docs", "topics", "page.md"),
      "# Page\n\n```ts file=src/a.ts region=r\n```\n\n```ts\nconst pasted = 1;\n```\n",
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("changes when a referenced file changes, and only then", () => {
    const before = referencedFilesDigest(root, ["docs", "i18n"]);
    expect(referencedFilesDigest(root, ["docs", "i18n"])).toBe(before);
    writeFileSync(path.join(root, "src", "b.ts"), "const b = 2;\n");
    expect(referencedFilesDigest(root, ["docs", "i18n"])).toBe(before);
    writeFileSync(path.join(root, "src", "a.ts"), "// #region r\nconst a = 2;\n// #endregion r\n");
    expect(referencedFilesDigest(root, ["docs", "i18n"])).not.toBe(before);
  });

  it("changes when a referenced file disappears", () => {
    const before = referencedFilesDigest(root, ["docs"]);
    rmSync(path.join(root, "src", "a.ts"));
    expect(referencedFilesDigest(root, ["docs"])).not.toBe(before);
  });
});
