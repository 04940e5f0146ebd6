// Lab 06's grader under vitest: one test per committed seed (see scripts/lib/grade-tests.ts).
// npx vitest run --config vitest.grade.config.ts labs/06-checkpoints
import { defineGradeTests } from "../../scripts/lib/grade-tests";

defineGradeTests(__dirname);
