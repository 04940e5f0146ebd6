/**
 * The built-in partitioner: Kafka's murmur2 vectors (UtilsTest#testMurmur2) through the keyed
 * path, and the KIP-794 sticky rules for keyless records (switch after batch.size bytes when
 * the partition's batches are full, after 2 × batch.size regardless; draw among partitions with
 * a leader).
 */
import { describe, expect, it } from "vitest";
import { BuiltInPartitioner } from "../src/client/partitioner";
import { murmur2, toPositive } from "../src/protocol";
import { SeededRng } from "../src/sim/rng";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("BuiltInPartitioner", () => {
  it("routes keys to toPositive(murmur2(key)) % n, with Kafka's published murmur2 vectors", () => {
    const vectors: [string, number][] = [
      ["21", -973932308],
      ["foobar", -790332482],
      ["a-little-bit-long-string", -985981536],
      ["a-little-bit-longer-string", -1486304829],
      ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
      ["abc", 479470107],
    ];
    const p = new BuiltInPartitioner(new SeededRng(1), 16384);
    for (const [key, hash] of vectors) {
      expect(murmur2(utf8(key))).toBe(hash);
      for (const n of [1, 3, 7, 50]) expect(p.partition("t", utf8(key), n, [])).toBe(toPositive(hash) % n);
    }
    expect(p.partition("t", utf8("foobar"), 3, [0, 1, 2])).toBe(0);
    expect(p.partition("t", utf8("a"), 3, [0, 1, 2])).toBe(1);
  });

  it("counts every partition for keys, even those without a leader", () => {
    const p = new BuiltInPartitioner(new SeededRng(1), 16384);
    // "a" → partition 1 of 3 whether or not partition 1 has a leader.
    expect(p.partition("t", utf8("a"), 3, [0, 2])).toBe(1);
  });

  it("keeps keyless records on the sticky partition until batch.size bytes and full batches", () => {
    const p = new BuiltInPartitioner(new SeededRng(2), 1000);
    const all = [0, 1, 2, 3];
    const first = p.partition("t", null, 4, all);
    for (let i = 0; i < 9; i++) {
      p.onAppend("t", first, 100, true, 4, all);
      expect(p.partition("t", null, 4, all)).toBe(first);
    }
    // The 10th record reaches 1000 bytes with every batch full: a new draw.
    let switched = false;
    for (let seed = 0; seed < 20 && !switched; seed++) {
      const q = new BuiltInPartitioner(new SeededRng(seed), 1000);
      const s = q.partition("t", null, 4, all);
      for (let i = 0; i < 10; i++) q.onAppend("t", s, 100, true, 4, all);
      switched = q.partition("t", null, 4, all) !== s;
    }
    expect(switched).toBe(true);
  });

  it("waits for 2 × batch.size when the last batch is not full", () => {
    const draws: number[] = [];
    for (let seed = 0; seed < 30; seed++) {
      const p = new BuiltInPartitioner(new SeededRng(seed), 1000);
      const s = p.partition("t", null, 4, [0, 1, 2, 3]);
      let n = 0;
      while (p.partition("t", null, 4, [0, 1, 2, 3]) === s && n < 100) {
        p.onAppend("t", s, 100, false, 4, [0, 1, 2, 3]);
        n++;
      }
      draws.push(n);
    }
    // The first possible switch is after the 20th record (2000 bytes); a draw may repeat the partition.
    expect(Math.min(...draws)).toBe(20);
    expect(draws.every((n) => n % 20 === 0)).toBe(true);
  });

  it("draws new sticky partitions only among partitions with a leader", () => {
    const p = new BuiltInPartitioner(new SeededRng(3), 100);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const s = p.partition("t", null, 6, [1, 4]);
      seen.add(s);
      p.onAppend("t", s, 100, true, 6, [1, 4]);
    }
    expect([...seen].sort()).toEqual([1, 4]);
  });

  it("with partitioner.ignore.keys routes keyed records like keyless ones", () => {
    const p = new BuiltInPartitioner(new SeededRng(4), 16384, true);
    const s = p.partition("t", null, 8, [0, 1, 2, 3, 4, 5, 6, 7]);
    expect(p.partition("t", utf8("foobar"), 8, [0, 1, 2, 3, 4, 5, 6, 7])).toBe(s);
  });
});
