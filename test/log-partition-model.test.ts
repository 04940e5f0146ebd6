/**
 * Property test: PartitionLog against a simple in-memory model; see test/log-model.ts for the
 * operations and the invariants checked after each of them.
 */
import { describe, it } from "vitest";
import fc from "fast-check";
import { configArb, opArb, run } from "./log-model";

describe("PartitionLog against an in-memory model", () => {
  it("keeps every acknowledged-and-flushed record and serves exactly the model's records", () => {
    fc.assert(
      fc.property(
        configArb,
        fc.array(opArb, { minLength: 20, maxLength: 150, size: "max" }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (config, ops, seed) => {
          run(config, ops, seed);
        },
      ),
      { numRuns: 200 },
    );
  });
});
