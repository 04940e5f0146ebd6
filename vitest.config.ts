import { defineConfig } from "vitest/config";

// Unit, property, simulation and grader-integrity tests. The browser test of the built site
// has its own config (vitest.site.config.ts) because it needs `npm run build` first.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "labs/**/*.test.ts"],
    // labs/*/grade.test.ts grade the learner's exercises (vitest.grade.config.ts): starters fail by design.
    exclude: ["test/site/**", "node_modules/**", "labs/*/grade.test.ts"],
    pool: "threads",
    testTimeout: 120_000,
  },
});
