// The site's mermaid diagram component (shadows @theme/Mermaid of @docusaurus/theme-mermaid; see
// sitePlugin in docusaurus.config.ts). It renders through the theme's public client API, in the
// site's colours for the current colour mode (components/mermaid-palette.ts), inside a frame that
// is present in the server-rendered HTML. Mermaid draws only in the browser; the frame's
// `data-kl-mermaid` attribute says where a diagram must appear and how it went ("pending",
// "rendered", "error"), so the browser test (test/site) can check that every diagram on every
// page became an <svg>. A diagram that fails to parse shows mermaid's error in place.
// Sequence-diagram labels are broken into lines first (break-labels.ts).
// A diagram is shrunk to the column only while its text stays legible (fit.ts); a wider one keeps
// that text size and its frame scrolls sideways, focusable from the keyboard. The choice is made
// again whenever the frame changes width (window resize, sidebar hidden, phone rotated).
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import ErrorBoundary from "@docusaurus/ErrorBoundary";
import { translate } from "@docusaurus/Translate";
import { ErrorBoundaryErrorMessageFallback, useColorMode } from "@docusaurus/theme-common";
import {
  MermaidContainerClassName,
  useMermaidConfig,
  useMermaidRenderResult,
} from "@docusaurus/theme-mermaid/client";
import type { Props } from "@theme/Mermaid";
import { mermaidConfigFor } from "../../components/mermaid-palette";
import { breakSequenceLabels } from "./break-labels";
import { fitDiagram, minFontPx, type DiagramFit } from "./fit";

type RenderResult = NonNullable<ReturnType<typeof useMermaidRenderResult>>;

function Rendered({ result }: { result: RenderResult }): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (ref.current !== null) result.bindFunctions?.(ref.current);
  }, [result]);
  return (
    <div ref={ref} className={MermaidContainerClassName} dangerouslySetInnerHTML={{ __html: result.svg }} />
  );
}

function Renderer({ value }: Props): ReactNode {
  const { colorMode } = useColorMode();
  const siteConfig = useMermaidConfig();
  const config = useMemo(() => mermaidConfigFor(colorMode, siteConfig), [colorMode, siteConfig]);
  // Long sequence-diagram labels get line breaks, so messages do not push lifelines apart.
  const text = useMemo(() => breakSequenceLabels(value), [value]);
  const result = useMermaidRenderResult({ text, config });
  return result === null ? null : <Rendered result={result} />;
}

/** Width of the frame's content box: the room a diagram has before the frame must scroll. */
function contentWidth(frame: HTMLElement): number {
  const style = getComputedStyle(frame);
  return frame.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
}

/** Applies a fit to the diagram's <svg>; the stylesheet scales it to the column otherwise. */
function applyFit(svg: SVGSVGElement, fit: DiagramFit): void {
  if (fit.mode === "scroll") {
    svg.style.width = `${fit.widthPx}px`;
    svg.style.maxWidth = "none";
  } else {
    svg.style.removeProperty("width");
    // Mermaid's own inline max-width (the diagram's natural width) keeps small diagrams unscaled.
    const natural = svg.viewBox.baseVal?.width;
    svg.style.maxWidth = natural ? `${natural}px` : "";
  }
}

export default function Mermaid({ value }: Props): ReactNode {
  const ref = useRef<HTMLElement>(null);
  const [scrolls, setScrolls] = useState(false);
  const fit = useCallback(() => {
    const frame = ref.current;
    const svg = frame?.querySelector<SVGSVGElement>(`.${MermaidContainerClassName} svg`);
    if (frame == null || svg == null) return;
    const natural = svg.viewBox.baseVal?.width ?? 0;
    const chosen = fitDiagram(natural, minFontPx(svg), contentWidth(frame));
    applyFit(svg, chosen);
    setScrolls(chosen.mode === "scroll");
  }, []);
  // Marks the frame "rendered" once an <svg> is inside it (the render is asynchronous), or
  // "error" once the error boundary shows why the diagram could not be drawn.
  useEffect(() => {
    const frame = ref.current;
    if (frame === null) return undefined;
    const update = (): void => {
      if (frame.querySelector("[data-kl-mermaid-error]") !== null) frame.dataset.klMermaid = "error";
      else if (frame.querySelector(`.${MermaidContainerClassName} svg`) !== null) {
        fit();
        frame.dataset.klMermaid = "rendered";
      } else frame.dataset.klMermaid = "pending";
    };
    update();
    const observer = new MutationObserver(update);
    observer.observe(frame, { childList: true, subtree: true });
    // Only a change of width matters; a new height (after a fit) must not refit.
    let width = frame.clientWidth;
    const resized = new ResizeObserver(() => {
      if (frame.clientWidth === width) return;
      width = frame.clientWidth;
      fit();
    });
    resized.observe(frame);
    return () => {
      observer.disconnect();
      resized.disconnect();
    };
  }, [value, fit]);
  return (
    <figure
      ref={ref}
      className={scrolls ? "kl-diagram kl-diagram--scroll" : "kl-diagram"}
      data-kl-mermaid="pending"
      tabIndex={scrolls ? 0 : undefined}
      aria-label={
        scrolls
          ? translate({
              id: "diagram.scroll.label",
              message: "Diagram, wider than the page: scroll sideways to see all of it",
              description: "Accessible name of a mermaid diagram frame that scrolls horizontally",
            })
          : undefined
      }
    >
      <ErrorBoundary
        fallback={(params) => (
          <div data-kl-mermaid-error="">
            <ErrorBoundaryErrorMessageFallback {...params} />
          </div>
        )}
      >
        <Renderer value={value} />
      </ErrorBoundary>
    </figure>
  );
}
