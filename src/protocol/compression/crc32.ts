/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum in a gzip trailer
 * (RFC 1952). Not the batch checksum: RecordBatch v2 uses CRC-32C (../crc32c.ts).
 * Slice-by-4 tables; check value crc32("123456789") = 0xCBF43926.
 */

function makeTables(): Uint32Array[] {
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t0[n] = c >>> 0;
  }
  const tables = [t0];
  for (let t = 1; t < 4; t++) {
    const prev = tables[t - 1]!;
    const cur = new Uint32Array(256);
    for (let n = 0; n < 256; n++) cur[n] = (prev[n]! >>> 8) ^ t0[prev[n]! & 0xff]!;
    tables.push(cur);
  }
  return tables;
}

const [T0, T1, T2, T3] = makeTables() as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];

/** CRC-32 of bytes[start, end), unsigned. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = ~0;
  let i = start;
  const fastEnd = end - ((end - start) & 3);
  while (i < fastEnd) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    c = T3[c & 0xff]! ^ T2[(c >>> 8) & 0xff]! ^ T1[(c >>> 16) & 0xff]! ^ T0[c >>> 24]!;
    i += 4;
  }
  while (i < end) c = T0[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
