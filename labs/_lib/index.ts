/**
 * The lab framework, browser-safe part: what a lab folder's `index.ts` builds on. The Node side
 * (loading exercise files, command-line flags, hints, the grade table) is in scripts/lib/.
 *
 * To add a lab, see labs/README.md ("Adding a lab").
 */
export * from "./types";
export * from "./verdict";
export * from "./narration";
export * from "./grading";
export * from "./power-cut-disk";
export * from "./probes";
export * from "./client-history";
export * from "./client-lab";
