import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  encodeRecordBatch,
  initCodecs,
  setPartitionLeaderEpoch,
  type RecordBatchInput,
} from "../protocol/index";
import { dumpLogCommand, dumpSegment, printable, type SegmentReader } from "./dump-log";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const memReader = (bytes: Uint8Array): SegmentReader => ({
  size: bytes.length,
  read: (position, length) => bytes.slice(position, position + length),
});
function dump(bytes: Uint8Array, records = true): { lines: string[]; problems: number } {
  const lines: string[] = [];
  const summary = dumpSegment(memReader(bytes), { records }, (l) => lines.push(l));
  return { lines, problems: summary.problems.length };
}
const batch = (input: Partial<RecordBatchInput> & Pick<RecordBatchInput, "records">): Uint8Array =>
  encodeRecordBatch(input);

let tmp: string;
beforeAll(async () => {
  await initCodecs();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kafka-labs-dumplog-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("dumpSegment", () => {
  const good = batch({
    baseOffset: 0,
    records: [
      {
        key: enc("k1"),
        value: enc("hello"),
        timestamp: 1000,
        headers: [{ key: "trace", value: enc("abc") }],
      },
      { key: null, value: Uint8Array.of(0, 1, 2, 255), timestamp: 1005 },
    ],
  });
  setPartitionLeaderEpoch(good, 0, 4);
  const zipped = batch({
    baseOffset: 2,
    compression: "gzip",
    producerId: 9,
    producerEpoch: 2,
    baseSequence: 10,
    records: [
      { value: enc("one"), timestamp: 2000 },
      { value: enc("two"), timestamp: 2001 },
    ],
  });
  const later = batch({ baseOffset: 4, records: [{ value: enc("later"), timestamp: 3000 }] });

  it("prints one line per batch with every header field", () => {
    const { lines, problems } = dump(concat(good, zipped), false);
    expect(problems).toBe(0);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^baseOffset: 0 lastOffset: 1 count: 2 position: 0 size: \d+ CreateTime baseTimestamp: 1000 maxTimestamp: 1005 producerId: -1 producerEpoch: -1 baseSequence: -1 lastSequence: -1 partitionLeaderEpoch: 4 magic: 2 codec: none crc: 0x[0-9a-f]{8} crcValid: true isTransactional: false isControl: false$/,
    );
    expect(lines[1]).toContain(
      `baseOffset: 2 lastOffset: 3 count: 2 position: ${good.length} size: ${zipped.length}`,
    );
    expect(lines[1]).toContain("producerId: 9 producerEpoch: 2 baseSequence: 10 lastSequence: 11");
    expect(lines[1]).toContain("codec: gzip");
  });

  it("prints records as text or hex, with headers, including compressed ones", () => {
    const { lines } = dump(concat(good, zipped));
    expect(lines).toContain('| offset: 0 timestamp: 1000 key: "k1" value: "hello" headers: ["trace"="abc"]');
    expect(lines).toContain("| offset: 1 timestamp: 1005 key: null value: 0x000102ff headers: []");
    expect(lines).toContain('| offset: 3 timestamp: 2001 key: null value: "two" headers: []');
  });

  it("reports a batch with a bad CRC, still shows it, and goes on", () => {
    const bad = batch({ baseOffset: 2, records: [{ value: enc("ABCDEFGH"), timestamp: 1 }] });
    bad[bad.length - 3] = bad[bad.length - 3]! ^ 0x01; // inside the value
    const { lines, problems } = dump(concat(good, bad, later));
    expect(problems).toBe(1);
    const badLine = lines.find((l) => l.startsWith("baseOffset: 2"))!;
    expect(badLine).toContain("crcValid: false");
    const corruptLine = lines.find((l) => l.startsWith("CORRUPT"))!;
    expect(corruptLine).toMatch(
      new RegExp(
        `^CORRUPT at position ${good.length + 17}: stored crc 0x[0-9a-f]+ does not match computed 0x[0-9a-f]+$`,
      ),
    );
    // The records still decode: the flipped bit shows in the value ('G' ^ 1 = 'F').
    expect(lines.some((l) => l.includes('value: "ABCDEFFH"'))).toBe(true);
    expect(lines.some((l) => l.startsWith("baseOffset: 4"))).toBe(true);
  });

  it("reports a truncated tail with its position and stops", () => {
    const bytes = concat(good, later.subarray(0, 40));
    const { lines, problems } = dump(bytes);
    expect(problems).toBe(1);
    expect(lines[lines.length - 1]).toBe(
      `TRUNCATED at position ${good.length}: incomplete batch: 40 bytes left, the batch needs ${later.length}`,
    );
    expect(dump(concat(good, later.subarray(0, 5))).lines.pop()).toBe(
      `TRUNCATED at position ${good.length}: incomplete batch: 5 bytes left, a batch needs at least 61`,
    );
  });

  it("reports an impossible batchLength and stops, since the next batch cannot be found", () => {
    const broken = later.slice();
    new DataView(broken.buffer).setInt32(8, 7);
    const { lines, problems } = dump(concat(good, broken, later));
    expect(problems).toBe(1);
    expect(lines[lines.length - 1]).toBe(
      `CORRUPT at position ${good.length}: invalid batchLength 7 (minimum 49); cannot find the next batch`,
    );
  });

  it("skips a batch with a wrong magic and goes on", () => {
    const v1 = later.slice();
    v1[16] = 1;
    const { lines, problems } = dump(concat(v1, good));
    expect(problems).toBe(1);
    expect(lines[0]).toMatch(/^CORRUPT at position 16: magic 1/);
    expect(lines.some((l) => l.startsWith("baseOffset: 0"))).toBe(true);
  });

  it("reports records that do not decode without crashing", () => {
    const lying = batch({ baseOffset: 0, records: [{ value: enc("x"), timestamp: 1 }] });
    new DataView(lying.buffer).setInt32(57, 3); // recordsCount 3, one record present (CRC now wrong too)
    const { lines, problems } = dump(lying);
    expect(problems).toBe(2);
    expect(lines.some((l) => l.startsWith("CORRUPT RECORDS at position"))).toBe(true);
  });

  it("names a zero-filled tail without counting it as a problem", () => {
    const { lines, problems } = dump(concat(good, new Uint8Array(500)));
    expect(problems).toBe(0);
    expect(lines[lines.length - 1]).toBe(`ZERO TAIL at position ${good.length}: 500 zero bytes, no batch`);
  });

  it("flags offsets that go backwards", () => {
    const { lines, problems } = dump(concat(later, good), false);
    expect(problems).toBe(1);
    expect(lines).toContain(
      `OUT OF ORDER at position ${later.length}: baseOffset 0 is below the previous batch's next offset 5`,
    );
  });

  it("shows control records' type", () => {
    const commit = batch({
      baseOffset: 7,
      isControl: true,
      isTransactional: true,
      producerId: 3,
      producerEpoch: 0,
      records: [{ key: Uint8Array.of(0, 0, 0, 1), value: Uint8Array.of(0, 0, 0, 0, 0, 0), timestamp: 5 }],
    });
    const { lines } = dump(commit);
    expect(lines[0]).toContain("isTransactional: true isControl: true");
    expect(lines[1]).toContain("controlType: COMMIT");
  });

  it("printable: text, hex, null, and long values cut", () => {
    expect(printable(null)).toBe("null");
    expect(printable(enc('say "hi"'))).toBe('"say \\"hi\\""');
    expect(printable(Uint8Array.of(0x41, 0x07))).toBe("0x4107");
    expect(printable(new Uint8Array(300).fill(0x61))).toBe(`"${"a".repeat(256)}"...(300 bytes)`);
  });
});

describe("dump-log reads segments written by KafkaJS's RecordBatch encoder", () => {
  it("decodes every field of uncompressed and gzip batches", async () => {
    const req = createRequire(path.join(process.cwd(), "package.json"));
    type Enc = { buffer: Uint8Array };
    const { RecordBatch } = req("kafkajs/src/protocol/recordBatch/v0") as {
      RecordBatch: (o: Record<string, unknown>) => Promise<Enc>;
    };
    const Record = req("kafkajs/src/protocol/recordBatch/record/v0") as (o: Record<string, unknown>) => Enc;
    const Long = req("kafkajs/src/utils/long") as {
      fromInt(n: number): unknown;
      fromValue(n: number): unknown;
    };
    const { Types } = req("kafkajs/src/protocol/message/compression") as {
      Types: { None: number; GZIP: number };
    };
    const first = await RecordBatch({
      firstOffset: Long.fromInt(0),
      firstTimestamp: 1_700_000_000_000,
      maxTimestamp: 1_700_000_000_005,
      partitionLeaderEpoch: 3,
      lastOffsetDelta: 1,
      producerId: Long.fromValue(-1),
      producerEpoch: -1,
      firstSequence: -1,
      records: [
        Record({
          offsetDelta: 0,
          timestampDelta: 0,
          key: Buffer.from("user-1"),
          value: Buffer.from("signed up"),
          headers: { src: "web" },
        }),
        Record({ offsetDelta: 1, timestampDelta: 5, key: null, value: Buffer.from("visited") }),
      ],
    });
    const second = await RecordBatch({
      compression: Types.GZIP,
      firstOffset: Long.fromInt(2),
      firstTimestamp: 1_700_000_000_010,
      maxTimestamp: 1_700_000_000_010,
      partitionLeaderEpoch: 3,
      lastOffsetDelta: 0,
      producerId: Long.fromValue(4000),
      producerEpoch: 1,
      firstSequence: 0,
      records: [
        Record({
          offsetDelta: 0,
          timestampDelta: 0,
          key: Buffer.from("user-2"),
          value: Buffer.from("compressed"),
        }),
      ],
    });
    const file = path.join(tmp, "00000000000000000000.log");
    fs.writeFileSync(file, concat(first.buffer, second.buffer));
    const out: string[] = [];
    const err: string[] = [];
    const code = await dumpLogCommand([file, "--records"], {
      stdout: (l) => out.push(l),
      stderr: (l) => err.push(l),
    });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out[1]).toContain("baseOffset: 0 lastOffset: 1 count: 2 position: 0");
    expect(out[1]).toContain("maxTimestamp: 1700000000005");
    expect(out[1]).toContain("partitionLeaderEpoch: 3 magic: 2 codec: none");
    expect(out[1]).toContain("crcValid: true");
    expect(out[2]).toBe(
      '| offset: 0 timestamp: 1700000000000 key: "user-1" value: "signed up" headers: ["src"="web"]',
    );
    expect(out[3]).toBe('| offset: 1 timestamp: 1700000000005 key: null value: "visited" headers: []');
    expect(out[4]).toContain("baseOffset: 2 lastOffset: 2 count: 1");
    expect(out[4]).toContain("producerId: 4000 producerEpoch: 1 baseSequence: 0");
    expect(out[4]).toContain("codec: gzip");
    expect(out[4]).toContain("crcValid: true");
    expect(out[5]).toBe('| offset: 2 timestamp: 1700000000010 key: "user-2" value: "compressed" headers: []');
    expect(out[6]).toBe(
      `Summary: 2 batches, 3 records, ${first.buffer.length + second.buffer.length} of ${first.buffer.length + second.buffer.length} bytes in valid batches, 0 problems`,
    );
  });
});

describe("dumpLogCommand arguments", () => {
  const call = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await dumpLogCommand(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    return { code, out, err: err.join("\n") };
  };

  it("rejects a wrong number of files, index files and directories", async () => {
    expect((await call()).code).toBe(2);
    expect((await call("a.log", "b.log")).err).toContain("expected one segment file, got 2");
    expect((await call("00000000000000000000.index")).err).toContain("is an index or snapshot file");
    expect(await call(tmp)).toMatchObject({ code: 1, out: [] });
  });

  it("accepts Kafka's --print-data-log for --records", async () => {
    const file = path.join(tmp, "alias.log");
    fs.writeFileSync(file, batch({ baseOffset: 0, records: [{ value: enc("v"), timestamp: 1 }] }));
    const r = await call(file, "--print-data-log");
    expect(r.code).toBe(0);
    expect(r.out).toContain('| offset: 0 timestamp: 1 key: null value: "v" headers: []');
  });
});

describe("cli.ts as a process", () => {
  const tsx = path.join(process.cwd(), "node_modules", "tsx", "dist", "cli.mjs");
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [tsx, path.join(process.cwd(), "src", "node", "cli.ts"), ...args], {
      encoding: "utf8",
    });

  it("dumps a file with a good batch, a corrupt one and a truncated tail, exiting 3", () => {
    const good = batch({ baseOffset: 0, records: [{ value: enc("fine"), timestamp: 1 }] });
    const bad = batch({ baseOffset: 1, records: [{ value: enc("flipped"), timestamp: 2 }] });
    bad[bad.length - 2] = bad[bad.length - 2]! ^ 0x20;
    const file = path.join(tmp, "mixed.log");
    fs.writeFileSync(file, concat(good, bad, good.subarray(0, 30)));
    const r = run("dump-log", file, "--records");
    expect(r.status).toBe(3);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe(`Dumping ${file}`);
    expect(lines[1]).toContain("baseOffset: 0");
    expect(lines[2]).toBe('| offset: 0 timestamp: 1 key: null value: "fine" headers: []');
    expect(lines[3]).toContain("baseOffset: 1");
    expect(lines[3]).toContain("crcValid: false");
    expect(lines[4]).toMatch(/^CORRUPT at position \d+: stored crc/);
    expect(lines[5]).toBe('| offset: 1 timestamp: 2 key: null value: "flippeD" headers: []');
    expect(lines[6]).toBe(
      `TRUNCATED at position ${good.length + bad.length}: incomplete batch: 30 bytes left, the batch needs ${good.length}`,
    );
    expect(lines[7]).toMatch(
      /^Summary: 2 batches, 2 records, \d+ of \d+ bytes in valid batches, 2 problems$/,
    );
  });

  it("prints usage and exits 2 on wrong arguments; exits 1 on a missing file", () => {
    const none = run();
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("Usage: cli <command>");
    const unknown = run("dump-log", "x.log", "--frobnicate");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown option --frobnicate");
    expect(unknown.stderr).toContain("Usage: dump-log <segment.log> [--records]");
    const missing = run("dump-log", path.join(tmp, "nope.log"));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`dump-log: cannot read ${path.join(tmp, "nope.log")}: no such file\n`);
  });
});
