import { describe, expect, it } from "vitest";
import { KafkaError } from "../protocol/errors";
import { SeededRng } from "../sim/rng";
import {
  InvalidLogDirNameError,
  MAX_TOPIC_NAME_LENGTH,
  deleteDirName,
  isValidTopicName,
  newUniqueId,
  parseLogDirName,
  parseTopicPartitionName,
  partitionDirName,
  suffixedDirName,
  topicNameProblem,
  validateTopicName,
} from "./topic-name";

describe("validateTopicName (Kafka's Topic.validate)", () => {
  it("accepts legal names up to 249 characters", () => {
    for (const name of [
      "orders",
      "a",
      "my.topic_v2-x",
      "__consumer_offsets",
      "-",
      "...",
      "A9",
      "x".repeat(249),
    ]) {
      expect(topicNameProblem(name), name).toBeUndefined();
      expect(() => validateTopicName(name)).not.toThrow();
    }
  });

  it("rejects illegal names with INVALID_TOPIC_EXCEPTION and the reason", () => {
    const cases: [string, RegExp][] = [
      ["", /cannot be empty/],
      [".", /cannot be named "\."/],
      ["..", /cannot be named "\.\."/],
      ["x".repeat(MAX_TOPIC_NAME_LENGTH + 1), /at most 249 characters, this one has 250/],
      ["../x", /found "\/"/],
      ["a/b", /found "\/"/],
      ["a b", /found " "/],
      ["tópico", /found "ó"/],
      ["emoji😀", /found "😀"/],
      ["a\\b", /found "\\\\"/],
      ["a\0", /found "\\u0000"/],
    ];
    for (const [name, reason] of cases) {
      expect(isValidTopicName(name)).toBe(false);
      let err: unknown;
      try {
        validateTopicName(name);
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(KafkaError);
      expect((err as KafkaError).code).toBe(17);
      expect((err as KafkaError).type).toBe("INVALID_TOPIC_EXCEPTION");
      expect((err as KafkaError).message).toMatch(reason);
    }
  });
});

describe("partition directory names", () => {
  it("formats <topic>-<partition> and parses it back at the last '-'", () => {
    expect(partitionDirName({ topic: "orders", partition: 3 })).toBe("orders-3");
    expect(parseTopicPartitionName("orders-3")).toEqual({ topic: "orders", partition: 3 });
    expect(parseTopicPartitionName("my-topic-with-dashes-12")).toEqual({
      topic: "my-topic-with-dashes",
      partition: 12,
    });
    expect(parseTopicPartitionName("a.b-0")).toEqual({ topic: "a.b", partition: 0 });
    expect(parseTopicPartitionName("x--1")).toEqual({ topic: "x-", partition: 1 });
    expect(parseTopicPartitionName("t-2147483647")).toEqual({ topic: "t", partition: 2147483647 });
  });

  it("refuses to format an invalid topic or partition", () => {
    expect(() => partitionDirName({ topic: "../etc", partition: 0 })).toThrow(KafkaError);
    expect(() => partitionDirName({ topic: "t", partition: -1 })).toThrow(RangeError);
    expect(() => partitionDirName({ topic: "t", partition: 1.5 })).toThrow(RangeError);
  });

  it("rejects malformed names and names that could escape the data dir", () => {
    const bad = [
      "",
      "orders",
      "-0",
      "orders-",
      "orders-x",
      "orders-+1",
      "orders-1e3",
      "orders-2147483648",
      "..-0",
      ".-0",
      "../x-0",
      "a/b-0",
      "a/../b-0",
      "tópico-0",
      `${"x".repeat(250)}-0`,
      "recovery-point-offset-checkpoint",
      "cleaner-offset-checkpoint",
      "meta.properties",
    ];
    for (const name of bad) {
      expect(() => parseTopicPartitionName(name), JSON.stringify(name)).toThrow(InvalidLogDirNameError);
    }
    expect(() => parseTopicPartitionName("orders-x")).toThrow(/partition "x" is not a number/);
  });

  it("round-trips every legal topic with partition numbers", () => {
    const rng = new SeededRng(5);
    const alphabet = "abcXYZ019._-";
    for (let i = 0; i < 500; i++) {
      let topic = "";
      const len = rng.range(1, 30);
      for (let j = 0; j < len; j++) topic += alphabet[rng.int(alphabet.length)];
      if (!isValidTopicName(topic)) continue;
      const partition = rng.int(100_000);
      expect(parseTopicPartitionName(partitionDirName({ topic, partition }))).toEqual({ topic, partition });
    }
  });
});

describe("-delete / -future / -stray directory names", () => {
  const id = "0123456789abcdef0123456789abcdef";

  it("formats and parses <topic>-<p>.<uniqueId>-delete", () => {
    const name = deleteDirName({ topic: "my.topic", partition: 7 }, id);
    expect(name).toBe(`my.topic-7.${id}-delete`);
    expect(parseLogDirName(name)).toEqual({
      topicPartition: { topic: "my.topic", partition: 7 },
      suffix: "delete",
      uniqueId: id,
    });
    expect(parseLogDirName(`t-1.${id}-future`).suffix).toBe("future");
    expect(parseLogDirName(`t-1.${id}-stray`).suffix).toBe("stray");
    expect(parseLogDirName("t-1")).toEqual({ topicPartition: { topic: "t", partition: 1 } });
    expect(() => parseTopicPartitionName(name)).toThrow(/-delete directory, not a live partition/);
  });

  it("caps the name at 255 characters by shortening the topic", () => {
    const topic = "t".repeat(249);
    const name = deleteDirName({ topic, partition: 12 }, id);
    expect(name.length).toBe(255);
    expect(name.endsWith(`-12.${id}-delete`)).toBe(true);
    expect(parseLogDirName(name).topicPartition.topic).toBe(topic.slice(0, 255 - `-12.${id}-delete`.length));
  });

  it("rejects malformed suffixed names", () => {
    for (const name of [
      "t-1-delete",
      "t-1.-delete",
      "t-1.a/b-delete",
      "t.abc-delete",
      `-1.${id}-delete`,
      `t-x.${id}-delete`,
    ]) {
      expect(() => parseLogDirName(name), name).toThrow(InvalidLogDirNameError);
    }
    expect(() => suffixedDirName({ topic: "t", partition: 0 }, "../x", "delete")).toThrow(RangeError);
  });

  it("draws 32 hex digit unique ids from the seeded Rng, deterministically", () => {
    const a = newUniqueId(new SeededRng(1));
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(newUniqueId(new SeededRng(1))).toBe(a);
    expect(newUniqueId(new SeededRng(2))).not.toBe(a);
  });
});
