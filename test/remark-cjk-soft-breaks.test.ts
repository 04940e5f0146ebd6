// Tests for src/node/remark-cjk-soft-breaks.ts on hand-built mdast trees.
import { describe, expect, it } from "vitest";
import remarkCjkSoftBreaks from "../src/node/remark-cjk-soft-breaks";
import type { MdastNode } from "../src/node/remark-code-region";

const text = (value: string): MdastNode => ({ type: "text", value });
const paragraph = (...children: MdastNode[]): MdastNode => ({ type: "paragraph", children });

function run(node: MdastNode): MdastNode {
  remarkCjkSoftBreaks()({ type: "root", children: [node] });
  return node;
}

describe("remarkCjkSoftBreaks", () => {
  it("joins a break between two Chinese characters or punctuation", () => {
    expect(run(paragraph(text("注入与本主题相关的故障，\n把丢失的消息摆在你面前。\n  它")))).toEqual(
      paragraph(text("注入与本主题相关的故障，把丢失的消息摆在你面前。它")),
    );
  });

  it("keeps a break next to Latin text or digits", () => {
    const node = paragraph(text("一个小型 Kafka\n集群，共 3\n个 broker"));
    expect(run(node)).toEqual(paragraph(text("一个小型 Kafka\n集群，共 3\n个 broker")));
  });

  it("joins across inline markup on either side", () => {
    const node = paragraph(
      { type: "strong", children: [text("动手跑起来")] },
      text("\n而不只是读，"),
      { type: "emphasis", children: [text("\n")] },
      text("然后\n"),
      { type: "strong", children: [text("证明")] },
    );
    expect(run(node)).toEqual(
      paragraph(
        { type: "strong", children: [text("动手跑起来")] },
        text("而不只是读，"),
        { type: "emphasis", children: [text("\n")] },
        text("然后"),
        { type: "strong", children: [text("证明")] },
      ),
    );
  });

  it("does not look into code", () => {
    const code: MdastNode = { type: "code", value: "中\n文" };
    const inline: MdastNode = { type: "inlineCode", value: "npm run grade" };
    expect(run({ type: "root", children: [code] })).toEqual({ type: "root", children: [code] });
    expect(run(paragraph(text("运行\n"), inline))).toEqual(paragraph(text("运行\n"), inline));
  });

  it("leaves English paragraphs unchanged", () => {
    expect(run(paragraph(text("Kafka stays available\nwhen brokers fail.")))).toEqual(
      paragraph(text("Kafka stays available\nwhen brokers fail.")),
    );
  });
});
