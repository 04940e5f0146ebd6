import { describe, expect, it } from "vitest";
import { murmur2, partitionForKey, toPositive } from "./murmur2";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("murmur2", () => {
  // Kafka's UtilsTest#testMurmur2 vectors (kafka-facts B4).
  const vectors: [string, number][] = [
    ["21", -973932308],
    ["foobar", -790332482],
    ["a-little-bit-long-string", -985981536],
    ["a-little-bit-longer-string", -1486304829],
    ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
    ["abc", 479470107],
  ];
  for (const [key, hash] of vectors) {
    it(`murmur2("${key}") = ${hash}`, () => expect(murmur2(utf8(key))).toBe(hash));
  }

  it("covers every tail length (0-3 leftover bytes) consistently with the vectors' lengths", () => {
    // "21" (2), "abc" (3), "foobar" (6 = 4+2), 24- and 26-byte strings (tail 0 and 2), 48 bytes (0).
    expect(vectors.map(([k]) => k.length % 4).sort()).toEqual([0, 0, 2, 2, 2, 3]);
    expect(murmur2(utf8("a"))).toBe(murmur2(Uint8Array.of(0x61)));
  });

  it("toPositive clears only the sign bit (Integer.MIN_VALUE maps to 0, unlike Math.abs)", () => {
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(-1)).toBe(2147483647);
    expect(toPositive(5)).toBe(5);
  });

  it('partitionForKey: "foobar" → partition 0 of 3, "a" → 584102524 → partition 1 of 3', () => {
    expect(toPositive(murmur2(utf8("foobar")))).toBe(1357151166);
    expect(partitionForKey(utf8("foobar"), 3)).toBe(0);
    expect(toPositive(murmur2(utf8("a")))).toBe(584102524);
    expect(partitionForKey(utf8("a"), 3)).toBe(1);
  });

  it("rejects a non-positive partition count", () => {
    expect(() => partitionForKey(utf8("a"), 0)).toThrow(/numPartitions is 0/);
  });
});
