/**
 * The group coordinator inside real brokers of a simulated cluster, driven by raw requests:
 * FindCoordinator creates __consumer_offsets on first use, a member joins and syncs, commits an
 * offset, the coordinator's broker crashes, and the new leader of the group's __consumer_offsets
 * partition serves the same offset and the same generation (it replayed the partition's log).
 */
import { describe, expect, it } from "vitest";
import { World } from "../src/sim/world";
import { createCluster } from "../src/sim";
import { NetworkClient } from "../src/client/network-client";
import { groupCoordinatorComponent, groupPartitionFor, OFFSETS_TOPIC_NAME } from "../src/group";
import {
  Errors,
  type FindCoordinatorResponse,
  type HeartbeatResponse,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type OffsetCommitResponse,
  type OffsetFetchResponse,
  type SyncGroupResponse,
} from "../src/protocol";
import type { ClientContext } from "../src/sim/process";

const GROUP = "billing";

async function findCoordinator(
  ctx: ClientContext,
  net: NetworkClient,
  brokers: readonly string[],
): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      const r = await net.request<FindCoordinatorResponse>(
        brokers[i % brokers.length]!,
        "FindCoordinator",
        { key: GROUP, keyType: 0 },
        { timeoutMs: 1000 },
      );
      if (r.errorCode === Errors.NONE.code) return r.host;
    } catch (_timeout) {
      // next broker
    }
    await ctx.sleep(200);
  }
}

/** Retry a coordinator request while the coordinator moves or loads. */
async function retrying<T extends { errorCode?: number }>(
  ctx: ClientContext,
  net: NetworkClient,
  brokers: readonly string[],
  send: (coordinator: string) => Promise<T>,
  code: (r: T) => number,
): Promise<{ response: T; coordinator: string }> {
  for (;;) {
    const coordinator = await findCoordinator(ctx, net, brokers);
    try {
      const response = await send(coordinator);
      const c = code(response);
      if (
        c !== Errors.NOT_COORDINATOR.code &&
        c !== Errors.COORDINATOR_LOAD_IN_PROGRESS.code &&
        c !== Errors.COORDINATOR_NOT_AVAILABLE.code
      )
        return { response, coordinator };
    } catch (_timeout) {
      // coordinator down
    }
    await ctx.sleep(200);
  }
}

describe("group coordinator in a simulated cluster", () => {
  it("keeps committed offsets and the generation across a coordinator crash", async () => {
    const world = new World({ seed: 5, trace: { messages: false, timers: false } });
    const cluster = createCluster(world, {
      brokers: 3,
      brokerConfig: { offsetsTopicNumPartitions: 3 },
      topics: [{ name: "invoices", partitions: 2, replicationFactor: 3 }],
      components: (b) => [groupCoordinatorComponent(b, { groupInitialRebalanceDelayMs: 100 })],
    });
    await cluster.waitUntilReady({ timeoutMs: 30_000 });
    const brokers = cluster.brokerNodes;
    const out: Record<string, unknown> = {};
    let phase = 0;
    world.spawn("member", async (ctx) => {
      const net = new NetworkClient(ctx, { clientId: "member", requestTimeoutMs: 5000 });
      const join = (coordinator: string, memberId: string) =>
        net.request<JoinGroupResponse>(coordinator, "JoinGroup", {
          groupId: GROUP,
          sessionTimeoutMs: 30_000,
          rebalanceTimeoutMs: 30_000,
          memberId,
          groupInstanceId: null,
          protocolType: "consumer",
          protocols: [{ name: "range", metadata: { topics: ["invoices"], ownedPartitions: [] } }],
          reason: null,
        } satisfies JoinGroupRequest);
      const first = await retrying(
        ctx,
        net,
        brokers,
        (c) => join(c, ""),
        (r) => r.errorCode,
      );
      expect(first.response.errorCode).toBe(Errors.MEMBER_ID_REQUIRED.code);
      const memberId = first.response.memberId;
      const joined = await retrying(
        ctx,
        net,
        brokers,
        (c) => join(c, memberId),
        (r) => r.errorCode,
      );
      expect(joined.response).toMatchObject({ errorCode: 0, generationId: 1, leader: memberId });
      const synced = await net.request<SyncGroupResponse>(joined.coordinator, "SyncGroup", {
        groupId: GROUP,
        generationId: 1,
        memberId,
        groupInstanceId: null,
        protocolType: "consumer",
        protocolName: "range",
        assignments: [
          { memberId, assignment: { assignedPartitions: [{ topic: "invoices", partitions: [0, 1] }] } },
        ],
      });
      expect(synced.errorCode).toBe(0);
      const committed = await net.request<OffsetCommitResponse>(joined.coordinator, "OffsetCommit", {
        groupId: GROUP,
        generationIdOrMemberEpoch: 1,
        memberId,
        groupInstanceId: null,
        topics: [
          {
            name: "invoices",
            partitions: [
              {
                partitionIndex: 1,
                committedOffset: 42,
                committedLeaderEpoch: 0,
                committedMetadata: "after-42",
              },
            ],
          },
        ],
      });
      expect(committed.topics[0]!.partitions[0]!.errorCode).toBe(0);
      out.coordinator = joined.coordinator;
      out.memberId = memberId;
      phase = 1;
      while (phase < 2) await ctx.sleep(100);
      const fetched = await retrying(
        ctx,
        net,
        brokers,
        (c) =>
          net.request<OffsetFetchResponse>(c, "OffsetFetch", {
            groupId: GROUP,
            topics: [{ name: "invoices", partitionIndexes: [0, 1] }],
            requireStable: true,
          }),
        (r) => r.errorCode,
      );
      out.newCoordinator = fetched.coordinator;
      out.offsets = fetched.response.topics[0]!.partitions.map((p) => [p.committedOffset, p.metadata]);
      const hb = await net.request<HeartbeatResponse>(fetched.coordinator, "Heartbeat", {
        groupId: GROUP,
        generationId: 1,
        memberId,
        groupInstanceId: null,
      });
      out.heartbeat = hb.errorCode;
      phase = 3;
    });
    await world.runUntil(() => phase === 1, { limitMs: world.now() + 30_000 });
    expect(phase).toBe(1);
    const p = groupPartitionFor(GROUP, 3);
    expect(cluster.leaderOf(OFFSETS_TOPIC_NAME, p)).toBe(out.coordinator);
    world.crash(out.coordinator as string);
    phase = 2;
    await world.runUntil(() => phase === 3, { limitMs: world.now() + 60_000 });
    expect(phase).toBe(3);
    expect(out.newCoordinator).not.toBe(out.coordinator);
    expect(out.offsets).toEqual([
      [-1, ""],
      [42, "after-42"],
    ]);
    expect(out.heartbeat).toBe(0); // the new coordinator loaded the Stable group, generation 1
  });
});
