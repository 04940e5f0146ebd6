// Lab 07's grader under vitest: one test per committed seed (see scripts/lib/grade-tests.ts).
// npx vitest run --config vitest.grade.config.ts labs/07-consumer-groups
import { defineGradeTests } from "../../scripts/lib/grade-tests";

defineGradeTests(__dirname);
