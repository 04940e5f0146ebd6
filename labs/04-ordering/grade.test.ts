// Lab 04's grader under vitest: one test per committed seed (see scripts/lib/grade-tests.ts).
// npx vitest run --config vitest.grade.config.ts labs/04-ordering
import { defineGradeTests } from "../../scripts/lib/grade-tests";

defineGradeTests(__dirname);
