// How wide a mermaid diagram is drawn in its frame. Mermaid gives every SVG a viewBox in its own
// pixels and lets the page scale it down to the column, so a wide diagram ends up with 3–9 px
// text. Here a diagram is shrunk to the column only while its smallest text stays at least
// MIN_TEXT_PX; past that it keeps that text size and the frame scrolls sideways instead.
// Invariant: a diagram is never drawn larger than mermaid laid it out (scale <= 1).

/** The smallest on-screen text size (CSS px) a diagram is shrunk to before the frame scrolls. */
export const MIN_TEXT_PX = 12;

export type DiagramFit =
  /** Scaled to the column (or drawn at its own size if narrower): the stylesheet's max-width: 100%. */
  | { mode: "fit" }
  /** Drawn widthPx wide, wider than the column; the frame scrolls sideways. */
  | { mode: "scroll"; widthPx: number };

/**
 * Chooses how to draw a diagram laid out naturalWidthPx wide (its viewBox) whose smallest text is
 * minFontPx (in viewBox pixels), in a column availableWidthPx wide.
 */
export function fitDiagram(naturalWidthPx: number, minFontPx: number, availableWidthPx: number): DiagramFit {
  if (!(naturalWidthPx > 0) || !(minFontPx > 0) || !(availableWidthPx > 0)) return { mode: "fit" };
  const fitScale = Math.min(1, availableWidthPx / naturalWidthPx);
  if (minFontPx * fitScale >= MIN_TEXT_PX) return { mode: "fit" };
  const scale = Math.min(1, MIN_TEXT_PX / minFontPx);
  const widthPx = Math.ceil(naturalWidthPx * scale);
  // A diagram whose text is already below the floor at its own size is not enlarged: it is drawn
  // at its own size, which may still fit the column.
  return widthPx <= availableWidthPx ? { mode: "fit" } : { mode: "scroll", widthPx };
}

/** Elements of an SVG that hold text of their own (not <style>, <title>, <desc>). */
function textElements(svg: SVGSVGElement): Element[] {
  const skip = new Set(["style", "title", "desc", "script"]);
  // Array.from, not spread: the site's Babel build spreads array-likes as arrays (loose mode).
  return Array.from(svg.querySelectorAll("*")).filter(
    (el) =>
      !skip.has(el.localName) &&
      Array.from(el.childNodes).some(
        (n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? "").trim() !== "",
      ),
  );
}

/** The smallest computed font size (CSS px, before the SVG is scaled) of the diagram's text. */
export function minFontPx(svg: SVGSVGElement): number {
  let min = Number.POSITIVE_INFINITY;
  for (const el of textElements(svg)) {
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px > 0 && px < min) min = px;
  }
  return Number.isFinite(min) ? min : 16;
}
