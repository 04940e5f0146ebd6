/**
 * Producer state on a real simulated cluster survives leader changes and broker restarts:
 * a client resends batches with the same producer id, epoch and sequence, as an idempotent
 * producer does after a lost answer, and the brokers answer them as duplicates with the
 * original offsets — after the leader crashed (the new leader learned the state as a
 * follower), after an orderly restart of every broker (state from the `.snapshot` written at
 * shutdown), and after every broker crashed (state rebuilt by replaying the log).
 */
import { describe, expect, it } from "vitest";
import { NetworkClient } from "../src/client";
import {
  Errors,
  encodeRecordBatch,
  type InitProducerIdResponse,
  type ProducePartitionResponse,
  type ProduceResponse,
} from "../src/protocol";
import { World, createCluster, type Cluster } from "../src/sim";
import type { ClientContext, NodeId } from "../src/sim/process";

const TOPIC = "payments";

function fullyReplicated(cluster: Cluster): boolean {
  const img = cluster.image();
  const id = img?.topicIdsByName.get(TOPIC);
  const p = id === undefined ? undefined : img!.topics.get(id)?.partitions[0];
  return p !== undefined && p.isr.length === 3 && cluster.isReady([TOPIC]);
}

describe("producer state across leader changes and restarts (3-broker cluster)", () => {
  it("answers resends as duplicates after a leader crash, a clean restart of all brokers, and a crash of all", async () => {
    const world = new World({ seed: 5, trace: { messages: false, timers: false } });
    const cluster = createCluster(world, {
      brokers: 3,
      controllers: 3,
      brokerConfig: { brokerSessionTimeoutMs: 3000, log: { minInsyncReplicas: 2 } },
      topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }],
    });
    await cluster.waitUntilReady({ timeoutMs: 30_000 });
    await world.runUntil(() => fullyReplicated(cluster), { limitMs: world.now() + 30_000 });

    const log: string[] = [];
    let finished = false;
    world.spawn("raw-producer", async (ctx: ClientContext) => {
      const net = new NetworkClient(ctx, { clientId: "raw-producer", requestTimeoutMs: 2000 });
      const init = await net.request<InitProducerIdResponse>("broker-1", "InitProducerId", {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: -1,
        producerEpoch: -1,
      });
      expect(init.errorCode).toBe(0);
      const pid = init.producerId;
      const waitFor = async (cond: () => boolean, what: string): Promise<void> => {
        const deadline = ctx.now() + 60_000;
        while (!cond()) {
          if (ctx.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          await ctx.sleep(100);
        }
      };
      const leader = (): NodeId => cluster.leaderOf(TOPIC, 0)!;
      const produce = async (seq: number): Promise<ProducePartitionResponse> => {
        const records = encodeRecordBatch({
          producerId: pid,
          producerEpoch: 0,
          baseSequence: seq,
          records: [{ value: new TextEncoder().encode(`m${seq}`), timestamp: Math.floor(ctx.now()) }],
        });
        for (;;) {
          const node = leader();
          try {
            const res = await net.request<ProduceResponse>(node, "Produce", {
              transactionalId: null,
              acks: -1,
              timeoutMs: 1500,
              topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }],
            });
            const p = res.responses[0]!.partitionResponses[0]!;
            if (
              p.errorCode === Errors.NOT_LEADER_OR_FOLLOWER.code ||
              p.errorCode === Errors.NOT_ENOUGH_REPLICAS.code
            ) {
              await ctx.sleep(200);
              continue;
            }
            log.push(`seq ${seq} → ${errorName(p.errorCode)}@${p.baseOffset} via ${node}`);
            return p;
          } catch (_timeout) {
            await ctx.sleep(200);
          }
        }
      };
      const leo = (): number =>
        cluster.broker(leader())!.replicaManager.partitionInfo(TOPIC, 0)!.logEndOffset;

      for (let seq = 0; seq < 5; seq++) expect((await produce(seq)).baseOffset).toBe(seq);

      // 1. The leader crashes; another replica takes over with the state it built as a follower.
      const first = leader();
      world.crash(first);
      await waitFor(() => cluster.leaderOf(TOPIC, 0) !== undefined && leader() !== first, "a new leader");
      expect(await produce(4)).toMatchObject({ errorCode: 0, baseOffset: 4 });
      expect(await produce(0)).toMatchObject({ errorCode: 0, baseOffset: 0 });
      expect(leo()).toBe(5);
      expect(await produce(5)).toMatchObject({ errorCode: 0, baseOffset: 5 });
      world.start(first);
      await waitFor(() => fullyReplicated(cluster), "the old leader back in the ISR");

      // 2. Every broker shuts down cleanly (a .snapshot at the log end) and starts again.
      for (const node of cluster.brokerNodes) world.stop(node);
      for (const node of cluster.brokerNodes)
        expect(world.disk(node).list(`kafka-logs/${TOPIC}-0`)).toContain("00000000000000000006.snapshot");
      for (const node of cluster.brokerNodes) world.start(node);
      await waitFor(() => fullyReplicated(cluster), "the cluster after a clean restart");
      expect(await produce(5)).toMatchObject({ errorCode: 0, baseOffset: 5 });
      // A snapshot keeps each producer's last batch only (as Kafka's): older resends are refused.
      expect((await produce(3)).errorCode).toBe(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code);
      expect(await produce(6)).toMatchObject({ errorCode: 0, baseOffset: 6 });
      expect(await produce(7)).toMatchObject({ errorCode: 0, baseOffset: 7 });

      // 3. Every broker crashes (no shutdown snapshot): the state is the snapshot + a replay.
      for (const node of cluster.brokerNodes) world.crash(node);
      for (const node of cluster.brokerNodes) world.start(node);
      await waitFor(() => fullyReplicated(cluster), "the cluster after a crash of every broker");
      expect(await produce(6)).toMatchObject({ errorCode: 0, baseOffset: 6 });
      expect(await produce(7)).toMatchObject({ errorCode: 0, baseOffset: 7 });
      expect(leo()).toBe(8);
      finished = true;
    });
    await world.runUntilTasksDone({ limitMs: world.now() + 300_000 });
    const failed = world.tasks().find((t) => t.state === "failed");
    if (failed) throw failed.error;
    expect(finished, log.join("\n")).toBe(true);
  }, 60_000);
});

function errorName(code: number): string {
  return Object.values(Errors).find((e) => e.code === code)?.name ?? String(code);
}
