/**
 * Shared pieces of the consumer tests: a simulated cluster with the group coordinator, a plain
 * producer that writes known values (direct Produce requests, acks=all, retried), and an adapter
 * from the client's instrumentation hooks to a HistoryRecorder (src/check).
 */
import { World } from "../src/sim/world";
import { createCluster, type Cluster, type ClusterTopic } from "../src/sim";
import { groupCoordinatorComponent, type GroupCoordinatorConfig } from "../src/group";
import { ClientMetadata } from "../src/client/client-metadata";
import { isRequestFailure } from "../src/client/network-client";
import { Kafka } from "../src/client/kafka";
import type { ClientInstrumentation } from "../src/client/instrumentation";
import { encodeRecordBatch, Errors, type ProduceResponse } from "../src/protocol";
import type { HistoryRecorder } from "../src/check";
import type { ClientContext } from "../src/sim/process";

export async function startCluster(
  seed: number,
  topics: ClusterTopic[],
  group: Partial<GroupCoordinatorConfig> = { groupInitialRebalanceDelayMs: 0 },
  brokers = 3,
): Promise<{ world: World; cluster: Cluster }> {
  const world = new World({ seed, trace: { messages: false, timers: false } });
  const cluster = createCluster(world, {
    brokers,
    brokerConfig: { offsetsTopicNumPartitions: 3 },
    topics,
    components: (b) => [groupCoordinatorComponent(b, group)],
  });
  await cluster.waitUntilReady({ timeoutMs: 30_000 });
  return { world, cluster };
}

const encoder = new TextEncoder();

/** Produce `values` to `topic`/`partition` in order, one record per request, acks=all, retrying. */
export async function produce(
  ctx: ClientContext,
  brokers: readonly string[],
  topic: string,
  partition: number,
  values: readonly string[],
  key: string | null = null,
): Promise<number[]> {
  // The context's one NetworkClient (a context has a single message handler; Kafka shares it).
  const net = new Kafka(ctx, { clientId: ctx.nodeId, bootstrapServers: [...brokers] }).network;
  const metadata = new ClientMetadata(net, { bootstrapServers: [...brokers], requestTimeoutMs: 3000 });
  const offsets: number[] = [];
  for (const value of values) {
    for (;;) {
      const leader = (await metadata.topic(topic))?.partitions.find(
        (p) => p.partition === partition,
      )?.leaderNode;
      if (leader === undefined) {
        metadata.invalidate();
        await ctx.sleep(100);
        continue;
      }
      try {
        const res = await net.request<ProduceResponse>(
          leader,
          "Produce",
          {
            transactionalId: null,
            acks: -1,
            timeoutMs: 3000,
            topicData: [
              {
                name: topic,
                partitionData: [
                  {
                    index: partition,
                    records: encodeRecordBatch({
                      records: [
                        {
                          key: key === null ? null : encoder.encode(key),
                          value: encoder.encode(value),
                          timestamp: Math.floor(ctx.now()),
                        },
                      ],
                    }),
                  },
                ],
              },
            ],
          },
          { timeoutMs: 3000 },
        );
        const r = res.responses[0]!.partitionResponses[0]!;
        if (r.errorCode === Errors.NONE.code) {
          offsets.push(r.baseOffset);
          break;
        }
      } catch (e) {
        if (!isRequestFailure(e)) throw e;
      }
      metadata.invalidate();
      await ctx.sleep(100);
    }
  }
  return offsets;
}

/** Record what consumers report (polls, commits, assignments, seeks) in a HistoryRecorder. */
export function recordingInstrumentation(rec: HistoryRecorder): ClientInstrumentation {
  return {
    onPoll(clientId, records) {
      const byTp: Record<string, [number, string | null, string][]> = {};
      for (const r of records) (byTp[`${r.topic}-${r.partition}`] ??= []).push([r.offset, r.key, r.value]);
      const h = rec.invoke("poll", clientId, {});
      rec.ok(h, { records: byTp });
    },
    onCommit(clientId, offsets) {
      const h = rec.invoke("commit", clientId, {
        offsets: Object.fromEntries(offsets.map((o) => [`${o.topic}-${o.partition}`, o.offset])),
      });
      rec.ok(h, {});
    },
    onAssign(clientId, partitions) {
      const h = rec.invoke("assign", clientId, {
        partitions: partitions.map((p) => `${p.topic}-${p.partition}`),
      });
      rec.ok(h, {});
    },
    onSeek(clientId, p) {
      const h = rec.invoke("seek", clientId, {
        topicPartition: `${p.topic}-${p.partition}`,
        offset: p.offset,
      });
      rec.ok(h, {});
    },
  };
}
