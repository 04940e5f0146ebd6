import { defineConfig } from "vitest/config";

// The learners' graders: one test per committed seed of every lab (labs/*/grade.test.ts).
// `npm run grade` is the usual entry (a table and a JSON report); this config serves editors
// and `npx vitest run --config vitest.grade.config.ts [labs/NN-slug]`. KAFKA_LABS_SOLUTION=1
// grades the reference solutions instead. Not part of `npm test`: starters fail by design.
export default defineConfig({
  test: {
    include: ["labs/*/grade.test.ts"],
    pool: "threads",
    testTimeout: 120_000,
  },
});
