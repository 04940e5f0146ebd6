/**
 * Producer configuration: Kafka 4.0 defaults under Kafka's names, delivery.timeout.ms
 * validation, and Kafka's idempotence rules (explicit conflict → ConfigException, implicit
 * conflict → idempotence silently off).
 */
import { describe, expect, it } from "vitest";
import { ConfigException, PRODUCER_DEFAULTS, resolveProducerConfig } from "../src/client";

describe("resolveProducerConfig", () => {
  it("applies Kafka 4.0's producer defaults", () => {
    const c = resolveProducerConfig();
    expect(c).toMatchObject({
      acks: -1,
      idempotence: true,
      retries: 2147483647,
      deliveryTimeoutMs: 120000,
      requestTimeoutMs: 30000,
      retryBackoffMs: 100,
      retryBackoffMaxMs: 1000,
      lingerMs: 5,
      batchSize: 16384,
      maxInFlightRequestsPerConnection: 5,
      compressionType: "none",
      maxRequestSize: 1048576,
      partitionerIgnoreKeys: false,
    });
    expect(PRODUCER_DEFAULTS.lingerMs).toBe(5);
  });

  it("parses acks as Kafka does", () => {
    expect(resolveProducerConfig({ acks: "all" }).acks).toBe(-1);
    expect(resolveProducerConfig({ acks: "1", enableIdempotence: false }).acks).toBe(1);
    expect(() => resolveProducerConfig({ acks: 2 as never })).toThrow(ConfigException);
  });

  it("requires delivery.timeout.ms ≥ linger.ms + request.timeout.ms", () => {
    expect(() =>
      resolveProducerConfig({ deliveryTimeoutMs: 1000, lingerMs: 5, requestTimeoutMs: 1000 }),
    ).toThrow(/delivery.timeout.ms should be equal to or larger than linger.ms \+ request.timeout.ms/);
    expect(
      resolveProducerConfig({ deliveryTimeoutMs: 1005, lingerMs: 5, requestTimeoutMs: 1000 })
        .deliveryTimeoutMs,
    ).toBe(1005);
  });

  it("refuses an explicit enable.idempotence=true with a conflicting setting", () => {
    expect(() => resolveProducerConfig({ enableIdempotence: true, acks: 1 })).toThrow(ConfigException);
    expect(() =>
      resolveProducerConfig({ enableIdempotence: true, maxInFlightRequestsPerConnection: 6 }),
    ).toThrow(/max.in.flight.requests.per.connection=6/);
    expect(() => resolveProducerConfig({ enableIdempotence: true, retries: 0 })).toThrow(/retries=0/);
  });

  it("silently turns idempotence off when it was left unset and a setting conflicts", () => {
    const c = resolveProducerConfig({ acks: 1 });
    expect(c.idempotence).toBe(false);
    expect(c.idempotenceDisabledReason).toMatch(/acks=1/);
    expect(resolveProducerConfig({ maxInFlightRequestsPerConnection: 10 }).idempotence).toBe(false);
    expect(resolveProducerConfig({ enableIdempotence: false }).idempotence).toBe(false);
  });

  it("refuses values out of range", () => {
    expect(() => resolveProducerConfig({ batchSize: -1 })).toThrow(/batch.size/);
    expect(() => resolveProducerConfig({ maxInFlightRequestsPerConnection: 0 })).toThrow(/max.in.flight/);
    expect(() => resolveProducerConfig({ compressionType: "brotli" as never })).toThrow(/compression.type/);
  });
});
