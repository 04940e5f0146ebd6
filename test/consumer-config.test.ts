import { describe, expect, it } from "vitest";
import { CONSUMER_DEFAULTS, resolveConsumerConfig } from "../src/client/consumer-config";

describe("consumer config (Kafka names and defaults)", () => {
  it("has Kafka 4.0's defaults", () => {
    const c = resolveConsumerConfig({ groupId: "g" });
    expect(c).toMatchObject({
      groupId: "g",
      groupInstanceId: null,
      enableAutoCommit: true,
      autoCommitIntervalMs: 5000,
      autoOffsetReset: "latest",
      sessionTimeoutMs: 45000,
      heartbeatIntervalMs: 3000,
      maxPollIntervalMs: 300000,
      maxPollRecords: 500,
      fetchMinBytes: 1,
      fetchMaxWaitMs: 500,
      fetchMaxBytes: 52428800,
      maxPartitionFetchBytes: 1048576,
      isolationLevel: 0,
      requestTimeoutMs: 30000,
      defaultApiTimeoutMs: 60000,
      retryBackoffMs: 100,
      retryBackoffMaxMs: 1000,
    });
    expect(c.assignors.map((a) => a.name)).toEqual(["range", "cooperative-sticky"]);
    expect(CONSUMER_DEFAULTS.partitionAssignmentStrategy).toEqual(["range", "cooperative-sticky"]);
  });

  it("turns auto-commit off without a group.id, and refuses it explicitly on", () => {
    expect(resolveConsumerConfig({}).enableAutoCommit).toBe(false);
    expect(() => resolveConsumerConfig({ enableAutoCommit: true })).toThrow(
      /enable.auto.commit cannot be set to true when no group.id/,
    );
    expect(() => resolveConsumerConfig({ groupInstanceId: "x" })).toThrow(
      /group.instance.id needs a group.id/,
    );
  });

  it("requires heartbeat.interval.ms below session.timeout.ms", () => {
    expect(() =>
      resolveConsumerConfig({ groupId: "g", sessionTimeoutMs: 6000, heartbeatIntervalMs: 6000 }),
    ).toThrow(/heartbeat.interval.ms \(6000\) must be set lower than session.timeout.ms \(6000\)/);
  });

  it("rejects bad values with Kafka's config names", () => {
    expect(() => resolveConsumerConfig({ maxPollRecords: 0 })).toThrow(/max.poll.records/);
    expect(() => resolveConsumerConfig({ autoOffsetReset: "smallest" as never })).toThrow(
      /auto.offset.reset/,
    );
    expect(() => resolveConsumerConfig({ partitionAssignmentStrategy: [] })).toThrow(
      /partition.assignment.strategy/,
    );
    expect(() => resolveConsumerConfig({ partitionAssignmentStrategy: ["range", "range"] })).toThrow(/twice/);
    expect(() => resolveConsumerConfig({ partitionAssignmentStrategy: ["sticky"] })).toThrow(
      /Unknown partition.assignment.strategy/,
    );
    expect(() => resolveConsumerConfig({ groupId: "" })).toThrow(/group.id/);
  });
});
