// Unit tests of the diagram layout helpers of src/site/theme/Mermaid: when a diagram scrolls
// instead of shrinking (fit.ts) and where sequence-diagram labels are broken (break-labels.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { breakLabel, breakSequenceLabels } from "../../src/site/theme/Mermaid/break-labels";
import { MIN_TEXT_PX, fitDiagram } from "../../src/site/theme/Mermaid/fit";

describe("fitDiagram", () => {
  it("shrinks a diagram to the column while its text stays legible", () => {
    expect(fitDiagram(800, 16, 669)).toEqual({ mode: "fit" }); // 13.4 px text
    expect(fitDiagram(300, 16, 669)).toEqual({ mode: "fit" }); // drawn at its own size
  });

  it("scrolls a wide diagram at the smallest legible text size", () => {
    expect(fitDiagram(3473, 16, 669)).toEqual({
      mode: "scroll",
      widthPx: Math.ceil((3473 * MIN_TEXT_PX) / 16),
    });
  });

  it("never enlarges, and never draws text below the floor unless the diagram's own text is smaller", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 50, max: 5000 }),
        fc.integer({ min: 6, max: 24 }),
        fc.integer({ min: 200, max: 1400 }),
        (natural, font, column) => {
          const fit = fitDiagram(natural, font, column);
          const drawn = fit.mode === "scroll" ? fit.widthPx : Math.min(natural, column);
          expect(drawn).toBeLessThanOrEqual(natural);
          if (fit.mode === "scroll") expect(drawn).toBeGreaterThan(column);
          const textPx = (font * drawn) / natural;
          expect(textPx).toBeGreaterThanOrEqual(Math.min(font, MIN_TEXT_PX) - 0.01);
        },
      ),
    );
  });
});

describe("breakLabel", () => {
  it("breaks at spaces and keeps identifiers whole", () => {
    const out = breakLabel("KRaft: UNKNOWN_TOPIC_OR_PARTITION, ZooKeeper mode: LEADER_NOT_AVAILABLE", 200);
    expect(out.split("<br/>")).toEqual([
      "KRaft:",
      "UNKNOWN_TOPIC_OR_PARTITION,",
      "ZooKeeper mode:",
      "LEADER_NOT_AVAILABLE",
    ]);
  });

  it("breaks Chinese between characters, never before closing punctuation, and keeps the text", () => {
    const label =
      "追加记录：隔离 broker 2，orders-1 的新 leader 为 broker 1，leaderEpoch 从 7 变为 8，ISR 中去掉 broker 2";
    const lines = breakLabel(label, 200).split("<br/>");
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).not.toMatch(/^[，。：；）]/u);
    expect(lines.join("").replace(/ /g, "")).toBe(label.replace(/ /g, ""));
    expect(lines.join(" ")).not.toMatch(/-$/m);
  });

  it("leaves short labels and existing breaks alone", () => {
    expect(breakLabel("poll()", 200)).toBe("poll()");
    expect(breakLabel("a<br/>b", 200)).toBe("a<br/>b");
  });

  it("keeps every word, in order, for any text", () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-zA-Z_.=]{1,30}$/), { maxLength: 30 }), (words) => {
        const label = words.join(" ");
        expect(breakLabel(label, 200).split("<br/>").join(" ").split(" ").filter(Boolean)).toEqual(words);
      }),
    );
  });
});

describe("breakSequenceLabels", () => {
  it("breaks messages, notes and participants of sequence diagrams only", () => {
    const seq = [
      "sequenceDiagram",
      "    participant B as Broker (from bootstrap.servers)",
      "    P->>B: Metadata(topics=[ordrs], allowAutoTopicCreation=true)",
      "    Note over P,B: KRaft: UNKNOWN_TOPIC_OR_PARTITION, ZooKeeper mode: LEADER_NOT_AVAILABLE",
      "    alt auto.create.topics.enable=true (default)",
    ].join("\n");
    const out = breakSequenceLabels(seq).split("\n");
    expect(out[1]).toBe("    participant B as Broker (from<br/>bootstrap.servers)");
    expect(out[2]).toBe("    P->>B: Metadata(topics=[ordrs],<br/>allowAutoTopicCreation=true)");
    expect(out[3]).toContain("<br/>");
    expect(out[4]).toBe("    alt auto.create.topics.enable=true (default)");
    const flow = 'flowchart LR\n    A["a long label that is far wider than two hundred pixels"] --> B';
    expect(breakSequenceLabels(flow)).toBe(flow);
  });
});
