import { describe, expect, it } from "vitest";
import {
  DEFAULT_LOG_CONFIG,
  KAFKA_CONFIG_NAMES,
  LONG_MAX,
  LogConfigError,
  deletesByRetention,
  logConfig,
  logConfigFromProperties,
} from "./log-config";

describe("DEFAULT_LOG_CONFIG", () => {
  it("has Kafka's topic-config defaults (ServerLogConfigs / LogConfig)", () => {
    expect(DEFAULT_LOG_CONFIG.segmentBytes).toBe(1073741824);
    expect(DEFAULT_LOG_CONFIG.segmentMs).toBe(604800000); // log.roll.hours = 168
    expect(DEFAULT_LOG_CONFIG.segmentIndexBytes).toBe(10485760);
    expect(DEFAULT_LOG_CONFIG.indexIntervalBytes).toBe(4096);
    expect(DEFAULT_LOG_CONFIG.retentionMs).toBe(604800000);
    expect(DEFAULT_LOG_CONFIG.retentionBytes).toBe(-1);
    expect(DEFAULT_LOG_CONFIG.maxMessageBytes).toBe(1048588);
    expect(DEFAULT_LOG_CONFIG.flushMessages).toBe(LONG_MAX);
    expect(DEFAULT_LOG_CONFIG.flushMs).toBe(LONG_MAX);
    expect(DEFAULT_LOG_CONFIG.fileDeleteDelayMs).toBe(60000);
    expect(DEFAULT_LOG_CONFIG.messageTimestampType).toBe("CreateTime");
    expect(DEFAULT_LOG_CONFIG.cleanupPolicy).toBe("delete");
    expect(DEFAULT_LOG_CONFIG.minInsyncReplicas).toBe(1);
    expect(DEFAULT_LOG_CONFIG.uncleanLeaderElectionEnable).toBe(false);
  });

  it("maps every field to a Kafka config name", () => {
    expect(Object.keys(KAFKA_CONFIG_NAMES).sort()).toEqual(Object.keys(DEFAULT_LOG_CONFIG).sort());
    expect(KAFKA_CONFIG_NAMES.segmentBytes).toBe("segment.bytes");
    expect(KAFKA_CONFIG_NAMES.maxMessageBytes).toBe("max.message.bytes");
  });
});

describe("logConfig", () => {
  it("fills defaults and keeps overrides", () => {
    const c = logConfig({ segmentBytes: 1024, retentionMs: -1 });
    expect(c.segmentBytes).toBe(1024);
    expect(c.retentionMs).toBe(-1);
    expect(c.indexIntervalBytes).toBe(4096);
  });

  it("ignores undefined overrides", () => {
    expect(logConfig({ segmentBytes: undefined }).segmentBytes).toBe(1073741824);
  });

  it("rejects out-of-range values, naming the Kafka config", () => {
    expect(() => logConfig({ segmentBytes: 10 })).toThrow(/segment\.bytes/);
    expect(() => logConfig({ retentionMs: -2 })).toThrow(/retention\.ms/);
    expect(() => logConfig({ flushMessages: 0 })).toThrow(/flush\.messages/);
    expect(() => logConfig({ indexIntervalBytes: 1.5 })).toThrow(LogConfigError);
    expect(() => logConfig({ messageTimestampType: "Wall" as never })).toThrow(/message\.timestamp\.type/);
    expect(() => logConfig({ cleanupPolicy: "forever" as never })).toThrow(/cleanup\.policy/);
  });
});

describe("logConfigFromProperties", () => {
  it("parses Kafka-named string properties", () => {
    const c = logConfigFromProperties({
      "segment.bytes": "1048576",
      "retention.ms": "-1",
      "message.timestamp.type": "LogAppendTime",
      "unclean.leader.election.enable": "true",
    });
    expect(c.segmentBytes).toBe(1048576);
    expect(c.retentionMs).toBe(-1);
    expect(c.messageTimestampType).toBe("LogAppendTime");
    expect(c.uncleanLeaderElectionEnable).toBe(true);
  });

  it("maps Java's Long.MAX_VALUE to LONG_MAX", () => {
    expect(logConfigFromProperties({ "flush.ms": "9223372036854775807" }).flushMs).toBe(LONG_MAX);
  });

  it("rejects unknown names and unparsable values", () => {
    expect(() => logConfigFromProperties({ "segment.size": "1" })).toThrow(
      /Unknown topic configuration segment\.size/,
    );
    expect(() => logConfigFromProperties({ "segment.bytes": "big" })).toThrow(/not a number/);
    expect(() => logConfigFromProperties({ "unclean.leader.election.enable": "yes" })).toThrow(
      /true or false/,
    );
  });
});

describe("deletesByRetention", () => {
  it("is false only for compact-only topics", () => {
    expect(deletesByRetention(logConfig({ cleanupPolicy: "delete" }))).toBe(true);
    expect(deletesByRetention(logConfig({ cleanupPolicy: "compact,delete" }))).toBe(true);
    expect(deletesByRetention(logConfig({ cleanupPolicy: "compact" }))).toBe(false);
  });
});
