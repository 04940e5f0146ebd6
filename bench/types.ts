/** One row of the benchmark table printed by `npm run bench`. */
export interface BenchRow {
  /** Which benchmark group (e.g. "log", "crc32c", "codec gzip"). */
  group: string;
  /** What was measured (e.g. "append 100-byte records, 16 KiB batches"). */
  name: string;
  value: number;
  unit: string;
  /** Context: comparison ratio, sizes, iterations. */
  note?: string;
}

/** A benchmark module: bench/<name>.bench.ts exports a default function returning rows. */
export type Bench = () => Promise<BenchRow[]> | BenchRow[];
