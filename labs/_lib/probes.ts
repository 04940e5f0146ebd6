/**
 * Counting how many elements of an array a learner's function looks at, so a grader can tell a
 * binary search (about log2 n reads) from a linear scan (up to n) without timing anything.
 *
 * `probeArray` wraps a plain array in a Proxy: every element read counts one, whether it comes
 * from `a[i]`, a for-of loop or an Array method (they all read through the proxy).
 * `probeTypedArray` does the same for an Int32Array; typed-array methods need the real array as
 * `this`, so they run on it: `at(i)` counts one, and each call of any other method (indexOf,
 * findIndex, forEach, iteration, subarray/slice copies...) counts as the array's length.
 */

export interface ProbeCounter {
  reads: number;
}

function isIndexKey(key: string | symbol): boolean {
  return typeof key === "string" && key.length > 0 && key.length < 16 && /^[0-9]+$/.test(key);
}

/** A read-only view of `items` that counts element reads into `counter`. */
export function probeArray<T>(items: readonly T[], counter: ProbeCounter): readonly T[] {
  return new Proxy(items as T[], {
    get(target, key, receiver) {
      if (isIndexKey(key)) counter.reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
    set() {
      throw new TypeError("Cannot modify an array handed to a lookup: it is the log's own state");
    },
  });
}

/** Typed-array members that are cheap (no element visited). Anything else that is a function costs `length`. */
const CHEAP_MEMBERS = new Set<string | symbol>([
  "length",
  "byteLength",
  "byteOffset",
  "buffer",
  "BYTES_PER_ELEMENT",
  "constructor",
]);

/** A view of `items` that counts element reads into `counter` (see the header for methods). */
export function probeTypedArray(items: Int32Array, counter: ProbeCounter): Int32Array {
  return new Proxy(items, {
    get(target, key) {
      if (isIndexKey(key)) {
        counter.reads++;
        return Reflect.get(target, key) as unknown;
      }
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== "function" || CHEAP_MEMBERS.has(key)) return value;
      return (...args: unknown[]) => {
        counter.reads += key === "at" ? 1 : target.length;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
    set() {
      throw new TypeError("Cannot modify an index handed to a lookup: it is the log's own state");
    },
  });
}

/** Reads a binary search may make over n sorted elements, with room for a few extra checks. */
export function binarySearchProbeBound(n: number): number {
  return 2 * Math.ceil(Math.log2(n + 1)) + 4;
}
