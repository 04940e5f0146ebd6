// The site's mermaid diagram component (shadows @theme/Mermaid of @docusaurus/theme-mermaid; see
// sitePlugin in docusaurus.config.ts). It renders through the theme's public client API, in the
// site's colours for the current colour mode (components/mermaid-palette.ts), inside a frame that
// is present in the server-rendered HTML. Mermaid draws only in the browser; the frame's
// `data-kl-mermaid` attribute says where a diagram must appear and how it went ("pending",
// "rendered", "error"), so the browser test (test/site) can check that every diagram on every
// page became an <svg>. A diagram that fails to parse shows mermaid's error in place.
import { useEffect, useMemo, useRef, type ReactNode } from "react";
import ErrorBoundary from "@docusaurus/ErrorBoundary";
import { ErrorBoundaryErrorMessageFallback, useColorMode } from "@docusaurus/theme-common";
import {
  MermaidContainerClassName,
  useMermaidConfig,
  useMermaidRenderResult,
} from "@docusaurus/theme-mermaid/client";
import type { Props } from "@theme/Mermaid";
import { mermaidConfigFor } from "../../components/mermaid-palette";

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
  const result = useMermaidRenderResult({ text: value, config });
  return result === null ? null : <Rendered result={result} />;
}

export default function Mermaid({ value }: Props): ReactNode {
  const ref = useRef<HTMLElement>(null);
  // Marks the frame "rendered" once an <svg> is inside it (the render is asynchronous), or
  // "error" once the error boundary shows why the diagram could not be drawn.
  useEffect(() => {
    const frame = ref.current;
    if (frame === null) return undefined;
    const update = (): void => {
      if (frame.querySelector("[data-kl-mermaid-error]") !== null) frame.dataset.klMermaid = "error";
      else if (frame.querySelector(`.${MermaidContainerClassName} svg`) !== null)
        frame.dataset.klMermaid = "rendered";
      else frame.dataset.klMermaid = "pending";
    };
    update();
    const observer = new MutationObserver(update);
    observer.observe(frame, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [value]);
  return (
    <figure ref={ref} className="kl-diagram" data-kl-mermaid="pending">
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
