// Mermaid colours for the site's light and dark modes, on mermaid's "base" theme (the only one
// whose colours can be set). They follow the palette of src/site/css/custom.css; mermaid derives
// its other colours from these, so they must be hex values, not CSS variables.
import type { MermaidConfig } from "mermaid";

type ThemeVariables = NonNullable<MermaidConfig["themeVariables"]>;

const FONT_FAMILY =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';

const LIGHT: ThemeVariables = {
  darkMode: false,
  fontFamily: FONT_FAMILY,
  background: "#ffffff",
  primaryColor: "#eef1fc",
  primaryBorderColor: "#8c9ee3",
  primaryTextColor: "#1c2333",
  secondaryColor: "#fff0e6",
  tertiaryColor: "#f6f7fb",
  lineColor: "#5c6477",
  textColor: "#1c2333",
  edgeLabelBackground: "#ffffff",
  clusterBkg: "#f6f7fb",
  clusterBorder: "#d5dbeb",
  noteBkgColor: "#fff6db",
  noteBorderColor: "#e3c46b",
  noteTextColor: "#1c2333",
  actorBkg: "#eef1fc",
  actorBorder: "#8c9ee3",
  actorTextColor: "#1c2333",
  actorLineColor: "#b4bdd3",
  signalColor: "#3c4458",
  signalTextColor: "#1c2333",
  labelBoxBkgColor: "#eef1fc",
  labelBoxBorderColor: "#8c9ee3",
  labelTextColor: "#1c2333",
  loopTextColor: "#1c2333",
  activationBkgColor: "#dfe5fa",
  activationBorderColor: "#8c9ee3",
};

const DARK: ThemeVariables = {
  darkMode: true,
  fontFamily: FONT_FAMILY,
  background: "#182036",
  primaryColor: "#212c4d",
  primaryBorderColor: "#6f8cff",
  primaryTextColor: "#e6eaf5",
  secondaryColor: "#3b2a22",
  tertiaryColor: "#141b2d",
  lineColor: "#a3acc2",
  textColor: "#e6eaf5",
  edgeLabelBackground: "#182036",
  clusterBkg: "#141b2d",
  clusterBorder: "#2d3858",
  noteBkgColor: "#3a3522",
  noteBorderColor: "#9c8643",
  noteTextColor: "#f1ecd9",
  actorBkg: "#212c4d",
  actorBorder: "#6f8cff",
  actorTextColor: "#e6eaf5",
  actorLineColor: "#4a5678",
  signalColor: "#c5cce0",
  signalTextColor: "#e6eaf5",
  labelBoxBkgColor: "#212c4d",
  labelBoxBorderColor: "#6f8cff",
  labelTextColor: "#e6eaf5",
  loopTextColor: "#e6eaf5",
  activationBkgColor: "#2b3866",
  activationBorderColor: "#6f8cff",
};

/** The mermaid configuration for a colour mode, on top of the site's mermaid options. */
export function mermaidConfigFor(colorMode: "light" | "dark", options: MermaidConfig): MermaidConfig {
  return { ...options, theme: "base", themeVariables: colorMode === "dark" ? DARK : LIGHT };
}
