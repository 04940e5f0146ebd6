// Lab 01's grader under vitest: one test per committed seed (see scripts/lib/grade-tests.ts).
// npx vitest run --config vitest.grade.config.ts labs/01-high-availability
import { defineGradeTests } from "../../scripts/lib/grade-tests";

defineGradeTests(__dirname);
