/**
 * Kafka's murmur2 hash (Utils.murmur2 in clients/.../common/utils/Utils.java) and the keyed
 * partition choice of the default partitioner (BuiltInPartitioner.partitionForKey):
 *   partition = toPositive(murmur2(keyBytes)) % numPartitions
 * The modulus counts every partition, available or not, so a key's partition depends only on
 * the key and the partition count.
 *
 * murmur2: seed 0x9747b28c, m = 0x5bd1e995, r = 24, h = seed ^ length; 4-byte little-endian
 * words; the 1-3 tail bytes fall through (byte 2, then 1, then 0 and a multiply); final mix
 * h ^= h >>> 13; h *= m; h ^= h >>> 15. All arithmetic is int32 (Math.imul).
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** Kafka's murmur2 of `data`, as a signed int32. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const words = length >>> 2;
  for (let i = 0; i < words; i++) {
    const j = i << 2;
    let k = data[j]! | (data[j + 1]! << 8) | (data[j + 2]! << 16) | (data[j + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = words << 2;
  // Tail bytes, falling through as in Kafka's switch.
  const rest = length & 3;
  if (rest === 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    h ^= data[tail]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's Utils.toPositive: clear the sign bit (not Math.abs, which overflows on MIN_VALUE). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition of a keyed record: toPositive(murmur2(key)) % numPartitions. */
export function partitionForKey(keyBytes: Uint8Array, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions <= 0) {
    throw new RangeError(
      `Cannot choose a partition: numPartitions is ${numPartitions}, must be a positive integer`,
    );
  }
  return toPositive(murmur2(keyBytes)) % numPartitions;
}
