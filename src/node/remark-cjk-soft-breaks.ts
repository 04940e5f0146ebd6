/**
 * remark-cjk-soft-breaks: drop the line breaks that wrap a Chinese paragraph in the Markdown
 * source, so they do not show as spaces between characters on the page.
 *
 * Markdown turns a line break inside a paragraph into a space. Between two Chinese characters
 * that space is wrong (CSS Text 3 says a browser should remove such a break, but Chromium and
 * WebKit do not). This plugin removes a soft line break, and the spaces around it, when the
 * characters on both sides are wide CJK characters or CJK punctuation, also across inline
 * markup (`**强调**\n文字`). Breaks next to Latin text are kept: "Kafka\n集群" still reads
 * "Kafka 集群". Code and hard breaks are not touched.
 *
 * Node-only by location (src/node holds build tooling), though it uses no Node API.
 */
import type { MdastNode } from "./remark-code-region";

const WIDE =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d\u2026\u2014]/u;
const INNER_BREAK = new RegExp(`(${WIDE.source})[ \\t]*\\r?\\n[ \\t]*(?=${WIDE.source})`, "gu");
const LEADING_BREAK = /^[ \t]*\r?\n[ \t]*/;
const TRAILING_BREAK = /[ \t]*\r?\n[ \t]*$/;

/** The text a node shows last (or first), looking into inline children; "" for code and breaks. */
function edgeText(node: MdastNode | undefined, side: "first" | "last"): string {
  if (node === undefined) return "";
  if (node.type === "text") return node.value ?? "";
  if (node.type === "inlineCode") return node.value ?? "";
  const children = node.children ?? [];
  return edgeText(side === "first" ? children[0] : children[children.length - 1], side);
}

function isWide(char: string | undefined): boolean {
  return char !== undefined && WIDE.test(char);
}

function joinBreaks(parent: MdastNode): void {
  const children = parent.children ?? [];
  children.forEach((child, index) => {
    if (child.type !== "text" || child.value === undefined) return;
    let value = child.value.replace(INNER_BREAK, "$1");
    const leading = LEADING_BREAK.exec(value);
    if (leading !== null) {
      const before = edgeText(children[index - 1], "last");
      if (isWide(before.at(-1)) && isWide(value.charAt(leading[0].length)))
        value = value.slice(leading[0].length);
    }
    const trailing = TRAILING_BREAK.exec(value);
    if (trailing !== null && trailing.index > 0) {
      const after = edgeText(children[index + 1], "first");
      if (isWide(value.charAt(trailing.index - 1)) && isWide(after.charAt(0)))
        value = value.slice(0, trailing.index);
    }
    child.value = value;
  });
  for (const child of children) {
    if (child.type !== "code" && child.type !== "inlineCode") joinBreaks(child);
  }
}

/** The remark plugin: `[remarkCjkSoftBreaks]` in a Docusaurus content plugin's remarkPlugins. */
export default function remarkCjkSoftBreaks(): (tree: MdastNode) => void {
  return (tree) => joinBreaks(tree);
}
