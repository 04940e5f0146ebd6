// Lab 02's grader under vitest: one test per committed seed (see scripts/lib/grade-tests.ts).
// npx vitest run --config vitest.grade.config.ts labs/02-idempotence
import { defineGradeTests } from "../../scripts/lib/grade-tests";

defineGradeTests(__dirname);
