// Line breaks for the text of sequence diagrams, added before mermaid lays them out. Without
// them a long message pushes its two lifelines apart and the diagram grows past the column;
// mermaid's own `wrap` breaks inside identifiers ("UNKNOWN_TOPIC_OR_PAR-TITION") and between
// any two Chinese characters with a hyphen. Here a label is broken only at a space, or between
// two CJK characters (never before closing or after opening CJK punctuation), into lines of
// similar length no wider than a budget. A token wider than the budget (an identifier) stays
// whole on its own line. Breaks already in the source (<br/>) are kept.
// Widths are estimates for a 16 px sans-serif; mermaid measures the real text afterwards.

/** Budgets in CSS px of 16 px text: messages and one-lifeline notes, notes over several, actors. */
export const LABEL_WIDTH_PX = { message: 200, note: 200, wideNote: 300, actor: 150 } as const;

const CJK = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/u;
// Array.from, not spread: the site's Babel build spreads iterables as arrays (loose mode).
/** CJK punctuation that must not start a line. */
const NO_LINE_START = new Set(Array.from("，。、：；！？）》」』】〕…·"));
/** CJK punctuation that must not end a line. */
const NO_LINE_END = new Set(Array.from("（《「『【〔"));

/** Estimated width in px of one character of 16 px system sans-serif. */
function charWidth(ch: string): number {
  if (CJK.test(ch)) return 16;
  if (ch === " ") return 4.5;
  if (/[ijlI.,:;'|!()[\]{}]/.test(ch)) return 5;
  if (/[A-Z0-9_=@#%&mwMW]/.test(ch)) return 10.5;
  return 8.6;
}

function textWidth(s: string): number {
  let w = 0;
  for (const ch of Array.from(s)) w += charWidth(ch);
  return w;
}

/** A piece that is never split, and whether a space precedes it. */
interface Unit {
  text: string;
  spaceBefore: boolean;
}

/** Splits a line into units: latin words whole, CJK characters one by one (with punctuation glued). */
function units(line: string): Unit[] {
  const out: Unit[] = [];
  let word = "";
  let space = false;
  const flush = (): void => {
    if (word === "") return;
    const last = out[out.length - 1];
    // A short number stays on the line of the word before it ("broker 2", "epoch 5").
    if (last !== undefined && space && /^[\d.,:;)，。：；）]{1,5}$/u.test(word)) last.text += " " + word;
    else out.push({ text: word, spaceBefore: space });
    word = "";
    space = false;
  };
  const onlyOpeners = (w: string): boolean => w !== "" && Array.from(w).every((c) => NO_LINE_END.has(c));
  for (const ch of Array.from(line)) {
    const last = out[out.length - 1];
    if (ch === " ") {
      flush();
      space = out.length > 0;
    } else if (NO_LINE_START.has(ch)) {
      // Closing punctuation stays with what it closes.
      if (word === "" && last !== undefined && !space) last.text += ch;
      else word += ch;
    } else if (CJK.test(ch)) {
      // A break is allowed before a CJK character, except right after an opening bracket.
      if (!onlyOpeners(word)) flush();
      word += ch;
      if (!NO_LINE_END.has(ch)) flush();
    } else {
      // A latin character right after a CJK one (no space): a break is allowed between them.
      const prev = word.slice(-1);
      if (prev !== "" && CJK.test(prev) && !NO_LINE_END.has(prev)) flush();
      word += ch;
    }
  }
  flush();
  return out;
}

/** Greedy fill of units into lines no wider than maxPx (a wider unit gets a line of its own). */
function fill(list: Unit[], maxPx: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const u of list) {
    const joined = current === "" ? u.text : current + (u.spaceBefore ? " " : "") + u.text;
    if (current !== "" && textWidth(joined) > maxPx) {
      lines.push(current);
      current = u.text;
    } else current = joined;
  }
  if (current !== "") lines.push(current);
  return lines;
}

/**
 * Breaks one label into lines no wider than maxPx where it can, as even as the greedy count of
 * lines allows, joined with <br/>.
 */
export function breakLabel(label: string, maxPx: number): string {
  return label
    .split(/<br\s*\/?>/i)
    .map((segment) => {
      const list = units(segment.trim());
      const greedy = fill(list, maxPx);
      if (greedy.length <= 1) return greedy.join("");
      // The narrowest budget that still needs no more lines gives the most even lines.
      let lo = Math.max(...list.map((u) => textWidth(u.text)));
      let hi = maxPx;
      while (hi - lo > 2) {
        const mid = (lo + hi) / 2;
        if (fill(list, mid).length <= greedy.length) hi = mid;
        else lo = mid;
      }
      return fill(list, hi).join("<br/>");
    })
    .join("<br/>");
}

const MESSAGE = /^(\s*[^\s:;-]+\s*(?:<<)?--?(?:>>|>|x|\))[+-]?\s*[^\s:;]+\s*:\s*)(.+)$/;
const NOTE = /^(\s*note\s+(?:left of|right of|over)\s+([^:]+):\s*)(.+)$/i;
const ACTOR = /^(\s*(?:participant|actor)\s+\S+\s+as\s+)(.+)$/;

/**
 * Adds line breaks to the messages, notes and participant names of a sequence diagram; other
 * diagrams are returned unchanged.
 */
export function breakSequenceLabels(source: string): string {
  const lines = source.split("\n");
  const first = lines.findIndex((l) => l.trim() !== "" && !l.trim().startsWith("%%"));
  if (first < 0 || !/^\s*sequenceDiagram\b/.test(lines[first] ?? "")) return source;
  return lines
    .map((line) => {
      const note = NOTE.exec(line);
      if (note !== null) {
        const wide = (note[2] ?? "").includes(",");
        return note[1] + breakLabel(note[3] ?? "", wide ? LABEL_WIDTH_PX.wideNote : LABEL_WIDTH_PX.note);
      }
      const actor = ACTOR.exec(line);
      if (actor !== null) return actor[1] + breakLabel(actor[2] ?? "", LABEL_WIDTH_PX.actor);
      const message = MESSAGE.exec(line);
      if (message !== null) return message[1] + breakLabel(message[2] ?? "", LABEL_WIDTH_PX.message);
      return line;
    })
    .join("\n");
}
