/**
 * Regression (found by lab 02, seed 1): a consumer restarted while its first bootstrap broker was
 * down waited 30 s for its first Metadata answer, because the consumer's metadata requests did
 * not use the consumer's request.timeout.ms. They must: a dead broker costs one request timeout,
 * then the next bootstrap server answers. A broker whose process is down (its machine up) refuses
 * the connection, and the consumer moves on at once.
 */
import { describe, expect, it } from "vitest";
import { Kafka } from "../src/client/kafka";
import { startCluster } from "./consumer-harness";

/** How long a consumer (request.timeout.ms 2000) takes to connect and subscribe after `fault` hits broker-1. */
async function connectAfter(fault: "powerLoss" | "crash"): Promise<number | undefined> {
  const { world, cluster } = await startCluster(7, [{ name: "orders", partitions: 1, replicationFactor: 3 }]);
  if (fault === "powerLoss") world.powerLoss("broker-1");
  else world.crash("broker-1");
  const started = world.now();
  let connectedAfterMs: number | undefined;
  world.spawn("consumer", async (ctx) => {
    const kafka = new Kafka(ctx, { clientId: "consumer", bootstrapServers: [...cluster.brokerNodes] });
    const consumer = kafka.consumer({ groupId: "g", requestTimeoutMs: 2000 });
    await consumer.connect();
    await consumer.subscribe({ topics: ["orders"], fromBeginning: true });
    connectedAfterMs = ctx.now() - started;
  });
  await world.runUntil(() => connectedAfterMs !== undefined, { limitMs: started + 40_000 });
  return connectedAfterMs;
}

describe("consumer request.timeout.ms", () => {
  it("bounds the metadata request to a dead bootstrap broker", async () => {
    // A machine without power answers nothing.
    const connectedAfterMs = await connectAfter("powerLoss");
    expect(connectedAfterMs).toBeDefined();
    // One timed-out request to broker-1 (2000 ms), then an answer from the next broker.
    expect(connectedAfterMs!).toBeGreaterThanOrEqual(2000);
    expect(connectedAfterMs!).toBeLessThan(5000);
  });

  it("moves on at once from a bootstrap broker whose process is down (connection refused)", async () => {
    const connectedAfterMs = await connectAfter("crash");
    expect(connectedAfterMs).toBeDefined();
    // Refused after a link delay; the next bootstrap broker answers well before a request timeout.
    expect(connectedAfterMs!).toBeLessThan(2000);
  });
});
