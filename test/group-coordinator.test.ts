import { describe, expect, it } from "vitest";
import {
  Errors,
  type GroupAssignment,
  type HeartbeatResponse,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupResponse,
  type OffsetCommitResponse,
  type OffsetFetchResponse,
  type SyncGroupResponse,
} from "../src/protocol";
import {
  GroupCoordinator,
  OFFSETS_TOPIC_NAME,
  groupPartitionFor,
  type GroupCoordinatorConfig,
} from "../src/group";
import { FakeHost } from "./group-harness";

const N = 4; // offsets.topic.num.partitions in these tests
const GROUP = "orders-app";
const P = groupPartitionFor(GROUP, N);

function setup(config: Partial<GroupCoordinatorConfig> = {}, host = new FakeHost()) {
  const coordinator = new GroupCoordinator(host, { offsetsTopicNumPartitions: N, ...config });
  host.lead(P, 1);
  coordinator.onLeadershipChange({ topic: OFFSETS_TOPIC_NAME, partition: P, isLeader: true, leaderEpoch: 1 });
  host.advance(0); // load (empty log)
  return { host, coordinator };
}

/** Captures a response that may arrive later (parked requests). */
function capture<T>() {
  const box: { value: T | undefined; calls: number } = { value: undefined, calls: 0 };
  const respond = (v: T): void => {
    box.value = v;
    box.calls++;
  };
  return { box, respond };
}

function joinRequest(
  memberId: string,
  topics = ["orders"],
  extra: Partial<JoinGroupRequest> = {},
): JoinGroupRequest {
  return {
    groupId: GROUP,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    memberId,
    groupInstanceId: null,
    protocolType: "consumer",
    protocols: [
      { name: "range", metadata: { topics, ownedPartitions: [] } },
      { name: "roundrobin", metadata: { topics, ownedPartitions: [] } },
    ],
    reason: null,
    ...extra,
  };
}

/** First JoinGroup of a dynamic member: MEMBER_ID_REQUIRED with its id (KIP-394). */
function memberId(coordinator: GroupCoordinator, clientId: string): string {
  const { box, respond } = capture<JoinGroupResponse>();
  coordinator.joinGroup(joinRequest(""), clientId, respond);
  expect(box.value?.errorCode).toBe(Errors.MEMBER_ID_REQUIRED.code);
  expect(box.value!.memberId.startsWith(`${clientId}-`)).toBe(true);
  return box.value!.memberId;
}

function join(coordinator: GroupCoordinator, id: string, topics?: string[]) {
  const c = capture<JoinGroupResponse>();
  coordinator.joinGroup(joinRequest(id, topics), "client", c.respond);
  return c.box;
}

function sync(
  coordinator: GroupCoordinator,
  id: string,
  generationId: number,
  assignments: Record<string, GroupAssignment> = {},
) {
  const c = capture<SyncGroupResponse>();
  coordinator.syncGroup(
    {
      groupId: GROUP,
      generationId,
      memberId: id,
      groupInstanceId: null,
      protocolType: "consumer",
      protocolName: "range",
      assignments: Object.entries(assignments).map(([memberId, assignment]) => ({ memberId, assignment })),
    },
    c.respond,
  );
  return c.box;
}

function heartbeat(coordinator: GroupCoordinator, id: string, generationId: number): number {
  const c = capture<HeartbeatResponse>();
  coordinator.heartbeat({ groupId: GROUP, generationId, memberId: id, groupInstanceId: null }, c.respond);
  return c.box.value!.errorCode;
}

function commit(
  coordinator: GroupCoordinator,
  id: string,
  generation: number,
  offset: number,
  partition = 0,
) {
  const c = capture<OffsetCommitResponse>();
  coordinator.commitOffsets(
    {
      groupId: GROUP,
      generationIdOrMemberEpoch: generation,
      memberId: id,
      groupInstanceId: null,
      topics: [
        {
          name: "orders",
          partitions: [
            {
              partitionIndex: partition,
              committedOffset: offset,
              committedLeaderEpoch: 3,
              committedMetadata: null,
            },
          ],
        },
      ],
    },
    c.respond,
  );
  return c.box;
}

function fetchOffsets(coordinator: GroupCoordinator, partitions = [0, 1]) {
  const c = capture<OffsetFetchResponse>();
  coordinator.fetchOffsets(
    { groupId: GROUP, topics: [{ name: "orders", partitionIndexes: partitions }], requireStable: false },
    c.respond,
  );
  return c.box.value!;
}

const assign = (...partitions: number[]): GroupAssignment => ({
  assignedPartitions: [{ topic: "orders", partitions }],
});

/** Two members through a whole first rebalance; returns their ids and the generation. */
function stableGroupOfTwo(coordinator: GroupCoordinator, host: FakeHost) {
  const a = memberId(coordinator, "consumer-a");
  const b = memberId(coordinator, "consumer-b");
  const ja = join(coordinator, a);
  const jb = join(coordinator, b);
  host.advance(3000);
  // b joined during the first generation's initial delay: the delay is extended once (Kafka).
  expect(ja.value).toBeUndefined();
  host.advance(3000);
  expect(ja.value?.errorCode).toBe(0);
  expect(jb.value?.errorCode).toBe(0);
  const generation = ja.value!.generationId;
  const leader = ja.value!.leader;
  const follower = leader === a ? b : a;
  const sf = sync(coordinator, follower, generation);
  const sl = sync(coordinator, leader, generation, { [leader]: assign(0), [follower]: assign(1) });
  host.advance(1);
  expect(sl.value?.errorCode).toBe(0);
  expect(sf.value?.assignment).toEqual(assign(1));
  expect(sl.value?.assignment).toEqual(assign(0));
  return { a, b, leader, follower, generation, ja, jb };
}

describe("GroupCoordinator: joining and syncing", () => {
  it("hands out member ids, waits group.initial.rebalance.delay.ms, then answers every join with generation 1", () => {
    const { host, coordinator } = setup();
    const a = memberId(coordinator, "consumer-a");
    const ja = join(coordinator, a);
    host.advance(2999);
    expect(ja.value).toBeUndefined();
    const b = memberId(coordinator, "consumer-b");
    const jb = join(coordinator, b);
    // b joined during the delay of the first generation: the delay is extended once more.
    host.advance(1);
    expect(ja.value).toBeUndefined();
    host.advance(3000);
    expect(ja.value).toMatchObject({
      errorCode: 0,
      generationId: 1,
      protocolName: "range",
      leader: a,
      memberId: a,
    });
    expect(ja.value!.members.map((m) => m.memberId)).toEqual([a, b]);
    expect(jb.value).toMatchObject({ errorCode: 0, generationId: 1, leader: a, members: [] });
    expect(coordinator.describeGroup(GROUP)?.state).toBe("CompletingRebalance");
  });

  it("answers SyncGroup once the leader's assignment is written, then the group is Stable", () => {
    const { host, coordinator } = setup();
    const { generation, leader, follower } = stableGroupOfTwo(coordinator, host);
    expect(coordinator.describeGroup(GROUP)?.state).toBe("Stable");
    expect(heartbeat(coordinator, leader, generation)).toBe(0);
    expect(heartbeat(coordinator, follower, generation)).toBe(0);
    expect(heartbeat(coordinator, follower, generation - 1)).toBe(Errors.ILLEGAL_GENERATION.code);
    expect(heartbeat(coordinator, "nobody", generation)).toBe(Errors.UNKNOWN_MEMBER_ID.code);
    expect(host.tracesOf("group.stable")).toHaveLength(1);
  });

  it("a new member starts a rebalance: heartbeats say REBALANCE_IN_PROGRESS, members that do not rejoin are removed after the rebalance timeout", () => {
    const { host, coordinator } = setup();
    const { leader, follower, generation } = stableGroupOfTwo(coordinator, host);
    const c = memberId(coordinator, "consumer-c");
    const jc = join(coordinator, c);
    expect(coordinator.describeGroup(GROUP)?.state).toBe("PreparingRebalance");
    expect(heartbeat(coordinator, leader, generation)).toBe(Errors.REBALANCE_IN_PROGRESS.code);
    const jl = join(coordinator, leader);
    // The follower keeps heartbeating but never rejoins: after rebalanceTimeoutMs it is removed.
    for (let t = 0; t < 30_000; t += 2000) {
      host.advance(2000);
      if (jl.value === undefined) heartbeat(coordinator, follower, generation);
    }
    expect(jl.value).toMatchObject({ errorCode: 0, generationId: generation + 1, leader });
    expect(jl.value!.members.map((m) => m.memberId).sort()).toEqual([leader, c].sort());
    expect(jc.value?.generationId).toBe(generation + 1);
    expect(heartbeat(coordinator, follower, generation)).toBe(Errors.UNKNOWN_MEMBER_ID.code);
  });

  it("completes the join as soon as every member has rejoined", () => {
    const { host, coordinator } = setup();
    const { leader, follower, generation } = stableGroupOfTwo(coordinator, host);
    const jl = join(coordinator, leader, ["orders", "payments"]); // subscription changed
    expect(jl.value).toBeUndefined();
    const jf = join(coordinator, follower);
    expect(jl.value?.generationId).toBe(generation + 1);
    expect(jf.value?.generationId).toBe(generation + 1);
    host.advance(0);
  });

  it("expires a member that stops heartbeating after session.timeout.ms and rebalances the rest", () => {
    const { host, coordinator } = setup();
    const { leader, follower, generation } = stableGroupOfTwo(coordinator, host);
    for (let i = 0; i < 3; i++) {
      host.advance(3000);
      expect(heartbeat(coordinator, leader, generation)).toBe(0);
    }
    host.advance(1000);
    // The follower's session (10 s since its SyncGroup) ran out: the group rebalances without it.
    expect(coordinator.describeGroup(GROUP)?.members.map((m) => m.memberId)).toEqual([leader]);
    expect(heartbeat(coordinator, leader, generation)).toBe(Errors.REBALANCE_IN_PROGRESS.code);
    expect(host.tracesOf("group.memberRemoved").map((d) => d.reason)).toContain("session timeout expired");
    const jl = join(coordinator, leader);
    expect(jl.value?.generationId).toBe(generation + 1);
    expect(follower).not.toBe(leader);
  });

  it("LeaveGroup removes the member at once; the last one leaving makes the group Empty", () => {
    const { host, coordinator } = setup();
    const { leader, follower } = stableGroupOfTwo(coordinator, host);
    const leave = (id: string) => {
      const c = capture<LeaveGroupResponse>();
      coordinator.leaveGroup(
        { groupId: GROUP, members: [{ memberId: id, groupInstanceId: null, reason: "closing" }] },
        c.respond,
      );
      return c.box.value!;
    };
    expect(leave(follower).members[0]!.errorCode).toBe(0);
    expect(leave("ghost").members[0]!.errorCode).toBe(Errors.UNKNOWN_MEMBER_ID.code);
    expect(coordinator.describeGroup(GROUP)?.state).toBe("PreparingRebalance");
    expect(leave(leader).members[0]!.errorCode).toBe(0);
    expect(coordinator.describeGroup(GROUP)?.state).toBe("Empty");
  });

  it("a member that never sends SyncGroup is removed after the rebalance timeout", () => {
    const { host, coordinator } = setup();
    const a = memberId(coordinator, "consumer-a");
    const b = memberId(coordinator, "consumer-b");
    const ja = join(coordinator, a);
    join(coordinator, b);
    host.advance(6000);
    const sa = sync(coordinator, a, ja.value!.generationId, { [a]: assign(0, 1) });
    host.advance(1);
    expect(sa.value?.errorCode).toBe(0);
    // Both heartbeat (so no session expires), but b never sends SyncGroup.
    for (let t = 0; t < 30_000; t += 3000) {
      host.advance(3000);
      heartbeat(coordinator, a, ja.value!.generationId);
      heartbeat(coordinator, b, ja.value!.generationId);
    }
    expect(coordinator.describeGroup(GROUP)?.members.map((m) => m.memberId)).toEqual([a]);
    expect(coordinator.describeGroup(GROUP)?.state).toBe("PreparingRebalance");
  });

  it("validates requests as Kafka does", () => {
    const { coordinator } = setup();
    const c = capture<JoinGroupResponse>();
    coordinator.joinGroup({ ...joinRequest(""), sessionTimeoutMs: 1000 }, "x", c.respond);
    expect(c.box.value?.errorCode).toBe(Errors.INVALID_SESSION_TIMEOUT.code);
    coordinator.joinGroup({ ...joinRequest(""), groupId: "" }, "x", c.respond);
    expect(c.box.value?.errorCode).toBe(Errors.INVALID_GROUP_ID.code);
    coordinator.joinGroup({ ...joinRequest(""), protocols: [] }, "x", c.respond);
    expect(c.box.value?.errorCode).toBe(Errors.INCONSISTENT_GROUP_PROTOCOL.code);
    coordinator.joinGroup(joinRequest("made-up-id"), "x", c.respond);
    expect(c.box.value?.errorCode).toBe(Errors.UNKNOWN_MEMBER_ID.code);
    // A group on a partition this broker does not lead.
    const other = ["a", "b", "c", "d", "e", "f", "g"].find((g) => groupPartitionFor(g, N) !== P)!;
    coordinator.joinGroup({ ...joinRequest(""), groupId: other }, "x", c.respond);
    expect(c.box.value?.errorCode).toBe(Errors.NOT_COORDINATOR.code);
  });

  it("rejects a member whose protocols share nothing with the group", () => {
    const { host, coordinator } = setup();
    stableGroupOfTwo(coordinator, host);
    const c = capture<JoinGroupResponse>();
    coordinator.joinGroup(
      {
        ...joinRequest(""),
        protocols: [{ name: "cooperative-sticky", metadata: { topics: ["orders"], ownedPartitions: [] } }],
      },
      "x",
      c.respond,
    );
    expect(c.box.value?.errorCode).toBe(Errors.INCONSISTENT_GROUP_PROTOCOL.code);
  });
});

describe("GroupCoordinator: offsets", () => {
  it("commits only for members of the current generation (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS)", () => {
    const { host, coordinator } = setup();
    const { leader, follower, generation } = stableGroupOfTwo(coordinator, host);
    const ok = commit(coordinator, leader, generation, 42);
    expect(ok.value).toBeUndefined(); // waits for acks=all
    host.advance(1);
    expect(ok.value!.topics[0]!.partitions[0]!.errorCode).toBe(0);
    expect(fetchOffsets(coordinator).topics[0]!.partitions).toEqual([
      { partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 3, metadata: "", errorCode: 0 },
      { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: "", errorCode: 0 },
    ]);
    const code = (box: { value: OffsetCommitResponse | undefined }) =>
      box.value!.topics[0]!.partitions[0]!.errorCode;
    expect(code(commit(coordinator, leader, generation - 1, 43))).toBe(Errors.ILLEGAL_GENERATION.code);
    expect(code(commit(coordinator, "ghost", generation, 43))).toBe(Errors.UNKNOWN_MEMBER_ID.code);
    // During PreparingRebalance the current generation may still commit (commit on revocation).
    const c = memberId(coordinator, "consumer-c");
    join(coordinator, c);
    const during = commit(coordinator, follower, generation, 7, 1);
    host.advance(1);
    expect(code(during)).toBe(0);
    // In CompletingRebalance the old generation is gone and the new one has no assignment yet.
    join(coordinator, leader);
    join(coordinator, follower);
    expect(coordinator.describeGroup(GROUP)?.state).toBe("CompletingRebalance");
    expect(code(commit(coordinator, leader, generation + 1, 50))).toBe(Errors.REBALANCE_IN_PROGRESS.code);
  });

  it("a standalone consumer (generation -1) commits into an Empty group; a stale generation on an unknown group is ILLEGAL_GENERATION", () => {
    const { host, coordinator } = setup();
    const c = commit(coordinator, "", -1, 5);
    host.advance(1);
    expect(c.value!.topics[0]!.partitions[0]!.errorCode).toBe(0);
    expect(coordinator.describeGroup(GROUP)).toMatchObject({ state: "Empty", protocolType: null });
    const other = ["g1", "g2", "g3", "g4", "g5"].find((g) => groupPartitionFor(g, N) === P && g !== GROUP);
    if (other) {
      const r = capture<OffsetCommitResponse>();
      coordinator.commitOffsets(
        {
          groupId: other,
          generationIdOrMemberEpoch: 3,
          memberId: "m",
          groupInstanceId: null,
          topics: [
            {
              name: "t",
              partitions: [
                { partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null },
              ],
            },
          ],
        },
        r.respond,
      );
      expect(r.box.value!.topics[0]!.partitions[0]!.errorCode).toBe(Errors.ILLEGAL_GENERATION.code);
    }
  });

  it("maps failed appends to coordinator errors and does not apply the commit", () => {
    const { host, coordinator } = setup();
    host.appendError = Errors.NOT_ENOUGH_REPLICAS;
    const c1 = commit(coordinator, "", -1, 5);
    host.advance(1);
    expect(c1.value!.topics[0]!.partitions[0]!.errorCode).toBe(Errors.COORDINATOR_NOT_AVAILABLE.code);
    host.appendError = Errors.REQUEST_TIMED_OUT;
    const c2 = commit(coordinator, "", -1, 6);
    host.advance(1);
    expect(c2.value!.topics[0]!.partitions[0]!.errorCode).toBe(Errors.COORDINATOR_NOT_AVAILABLE.code);
    expect(fetchOffsets(coordinator, [0]).topics[0]!.partitions[0]!.committedOffset).toBe(-1);
    host.appendError = Errors.KAFKA_STORAGE_ERROR;
    const c3 = commit(coordinator, "", -1, 7);
    host.advance(1);
    expect(c3.value!.topics[0]!.partitions[0]!.errorCode).toBe(Errors.NOT_COORDINATOR.code);
  });

  it("rejects metadata above offset.metadata.max.bytes per partition", () => {
    const { host, coordinator } = setup({ offsetMetadataMaxBytes: 4 });
    const r = capture<OffsetCommitResponse>();
    coordinator.commitOffsets(
      {
        groupId: GROUP,
        generationIdOrMemberEpoch: -1,
        memberId: "",
        groupInstanceId: null,
        topics: [
          {
            name: "orders",
            partitions: [
              {
                partitionIndex: 0,
                committedOffset: 1,
                committedLeaderEpoch: -1,
                committedMetadata: "toolong",
              },
              { partitionIndex: 1, committedOffset: 2, committedLeaderEpoch: -1, committedMetadata: "ok" },
            ],
          },
        ],
      },
      r.respond,
    );
    host.advance(1);
    expect(r.box.value!.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([
      Errors.OFFSET_METADATA_TOO_LARGE.code,
      0,
    ]);
  });

  it("a failed write of the assignment fails the SyncGroup and starts a new rebalance", () => {
    const { host, coordinator } = setup();
    const a = memberId(coordinator, "consumer-a");
    const ja = join(coordinator, a);
    host.advance(3000);
    host.appendError = Errors.NOT_ENOUGH_REPLICAS;
    const s = sync(coordinator, a, ja.value!.generationId, { [a]: assign(0) });
    host.advance(1);
    expect(s.value?.errorCode).toBe(Errors.COORDINATOR_NOT_AVAILABLE.code);
    expect(coordinator.describeGroup(GROUP)?.state).toBe("PreparingRebalance");
  });

  it("expires the offsets of a group that stayed Empty for offsets.retention.minutes, with tombstones", () => {
    const { host, coordinator } = setup({
      offsetsRetentionMinutes: 1,
      offsetsRetentionCheckIntervalMs: 1000,
    });
    const c = commit(coordinator, "", -1, 5);
    host.advance(1);
    expect(c.value!.topics[0]!.partitions[0]!.errorCode).toBe(0);
    for (let t = 0; t < 59; t++) {
      host.advance(1000);
      coordinator.onTick(host.now());
    }
    expect(fetchOffsets(coordinator, [0]).topics[0]!.partitions[0]!.committedOffset).toBe(5);
    host.advance(1000);
    coordinator.onTick(host.now());
    expect(fetchOffsets(coordinator, [0]).topics[0]!.partitions[0]!.committedOffset).toBe(-1);
    expect(coordinator.describeGroup(GROUP)).toBeUndefined();
    host.advance(1);
    // A new coordinator replaying the log agrees: the tombstones deleted offset and group.
    const host2 = new FakeHost(2);
    host2.replicateFrom(host, P);
    const { coordinator: c2 } = setup({}, host2);
    expect(c2.describeGroup(GROUP)).toBeUndefined();
  });
});

describe("GroupCoordinator: failover", () => {
  it("a new coordinator loads committed offsets and the Stable group from __consumer_offsets", () => {
    const { host, coordinator } = setup();
    const { leader, follower, generation } = stableGroupOfTwo(coordinator, host);
    const c = commit(coordinator, leader, generation, 100, 0);
    const d = commit(coordinator, follower, generation, 200, 1);
    host.advance(1);
    expect(c.value!.topics[0]!.partitions[0]!.errorCode).toBe(0);
    expect(d.value!.topics[0]!.partitions[0]!.errorCode).toBe(0);
    // Broker 1 loses leadership of the partition; broker 2 (a full replica) takes over.
    const parked = join(coordinator, leader, ["orders", "x"]);
    host.resign(P);
    coordinator.onLeadershipChange({
      topic: OFFSETS_TOPIC_NAME,
      partition: P,
      isLeader: false,
      leaderEpoch: 2,
    });
    expect(parked.value?.errorCode).toBe(Errors.NOT_COORDINATOR.code);
    expect(heartbeat(coordinator, leader, generation)).toBe(Errors.NOT_COORDINATOR.code);

    const host2 = new FakeHost(2);
    host2.time = host.time;
    host2.replicateFrom(host, P);
    host2.lead(P, 2);
    const coordinator2 = new GroupCoordinator(host2, { offsetsTopicNumPartitions: N });
    coordinator2.onLeadershipChange({
      topic: OFFSETS_TOPIC_NAME,
      partition: P,
      isLeader: true,
      leaderEpoch: 2,
    });
    expect(heartbeat(coordinator2, leader, generation)).toBe(Errors.COORDINATOR_LOAD_IN_PROGRESS.code);
    host2.advance(0);
    expect(fetchOffsets(coordinator2).topics[0]!.partitions.map((p) => p.committedOffset)).toEqual([
      100, 200,
    ]);
    const g = coordinator2.describeGroup(GROUP)!;
    expect(g).toMatchObject({
      state: "Stable",
      generationId: generation,
      leaderId: leader,
      protocolName: "range",
    });
    expect(g.members.find((m) => m.memberId === follower)?.assignment).toEqual(assign(1));
    // Members carry on with the same generation on the new coordinator.
    expect(heartbeat(coordinator2, leader, generation)).toBe(0);
    const s = sync(coordinator2, follower, generation);
    expect(s.value?.assignment).toEqual(assign(1));
  });

  it("loads in chunks of offsets.load.buffer.size", () => {
    const { host, coordinator } = setup();
    for (let i = 0; i < 20; i++) {
      commit(coordinator, "", -1, i, i % 3);
      host.advance(1);
    }
    const host2 = new FakeHost(2);
    host2.replicateFrom(host, P);
    host2.lead(P, 2);
    const c2 = new GroupCoordinator(host2, { offsetsTopicNumPartitions: N, offsetsLoadBufferSize: 1 });
    c2.syncLeadership();
    host2.advance(0);
    expect(c2.partitionStatus(P)).toBe("active");
    expect(fetchOffsets(c2, [0, 1, 2]).topics[0]!.partitions.map((p) => p.committedOffset)).toEqual([
      18, 19, 17,
    ]);
    expect(host2.tracesOf("group.loaded")[0]).toMatchObject({ records: 20, skipped: 0 });
  });
});

describe("GroupCoordinator: static membership (KIP-345)", () => {
  it("a restarted static member takes its old place without a rebalance; the old member id is fenced", () => {
    const { host, coordinator } = setup();
    const st = (memberIdIn: string) => {
      const c = capture<JoinGroupResponse>();
      coordinator.joinGroup(
        joinRequest(memberIdIn, ["orders"], { groupInstanceId: "worker-2" }),
        "w2",
        c.respond,
      );
      return c.box;
    };
    const a = memberId(coordinator, "consumer-a");
    const ja = join(coordinator, a);
    const js = st(""); // static members join directly, no MEMBER_ID_REQUIRED
    host.advance(6000);
    const generation = ja.value!.generationId;
    const staticId = js.value!.memberId;
    expect(js.value?.errorCode).toBe(0);
    sync(coordinator, staticId, generation);
    sync(coordinator, a, generation, { [a]: assign(0), [staticId]: assign(1) });
    host.advance(1);
    expect(coordinator.describeGroup(GROUP)?.state).toBe("Stable");
    // The static member restarts and joins with no member id.
    const again = st("");
    host.advance(1);
    expect(again.value).toMatchObject({ errorCode: 0, generationId: generation });
    expect(again.value!.memberId).not.toBe(staticId);
    expect(coordinator.describeGroup(GROUP)?.state).toBe("Stable");
    const c = capture<HeartbeatResponse>();
    coordinator.heartbeat(
      { groupId: GROUP, generationId: generation, memberId: staticId, groupInstanceId: "worker-2" },
      c.respond,
    );
    expect(c.box.value?.errorCode).toBe(Errors.FENCED_INSTANCE_ID.code);
    const s = capture<SyncGroupResponse>();
    coordinator.syncGroup(
      {
        groupId: GROUP,
        generationId: generation,
        memberId: again.value!.memberId,
        groupInstanceId: "worker-2",
        protocolType: "consumer",
        protocolName: "range",
        assignments: [],
      },
      s.respond,
    );
    expect(s.box.value?.assignment).toEqual(assign(1));
  });

  it("a restarted cooperative static member that owns nothing yet still takes its place without a rebalance (lab 07)", () => {
    // A cooperative-sticky member reports its owned partitions in its subscription; after a
    // restart it owns none, so its metadata differs. Kafka rebalances only if the group's
    // selected protocol would change (updateStaticMemberThenRebalanceOrCompleteJoin).
    const { host, coordinator } = setup();
    const coop = (memberIdIn: string, owned: number[]) => {
      const c = capture<JoinGroupResponse>();
      const ownedPartitions = owned.length > 0 ? [{ topic: "orders", partitions: owned }] : [];
      coordinator.joinGroup(
        joinRequest(memberIdIn, ["orders"], {
          groupInstanceId: "worker-2",
          protocols: [{ name: "cooperative-sticky", metadata: { topics: ["orders"], ownedPartitions } }],
        }),
        "w2",
        c.respond,
      );
      return c.box;
    };
    const a = memberId(coordinator, "consumer-a");
    const ja = capture<JoinGroupResponse>();
    coordinator.joinGroup(
      joinRequest(a, ["orders"], {
        protocols: [{ name: "cooperative-sticky", metadata: { topics: ["orders"], ownedPartitions: [] } }],
      }),
      "consumer-a",
      ja.respond,
    );
    // Its last JoinGroup (here its first, for brevity) reported partition 1 as owned.
    const js = coop("", [1]);
    host.advance(6000);
    const generation = ja.box.value!.generationId;
    const staticId = js.value!.memberId;
    const coopSync = (id: string, assignments: Record<string, GroupAssignment> = {}): void =>
      coordinator.syncGroup(
        {
          groupId: GROUP,
          generationId: generation,
          memberId: id,
          groupInstanceId: id === staticId ? "worker-2" : null,
          protocolType: "consumer",
          protocolName: "cooperative-sticky",
          assignments: Object.entries(assignments).map(([memberId, assignment]) => ({
            memberId,
            assignment,
          })),
        },
        () => {},
      );
    coopSync(staticId);
    coopSync(a, { [a]: assign(0), [staticId]: assign(1) });
    host.advance(1);
    expect(coordinator.describeGroup(GROUP)?.state).toBe("Stable");
    // The new incarnation owns nothing.
    const again = coop("", []);
    host.advance(1);
    expect(again.value).toMatchObject({ errorCode: 0, generationId: generation });
    expect(coordinator.describeGroup(GROUP)?.state).toBe("Stable");
    expect(host.tracesOf("group.prepareRebalance").length).toBe(1); // only the group's first
  });

  it("a restarted static leader keeps the group Stable: same generation and assignment, skipAssignment (KIP-814)", () => {
    const { host, coordinator } = setup();
    const st = (memberIdIn: string) => {
      const c = capture<JoinGroupResponse>();
      coordinator.joinGroup(
        joinRequest(memberIdIn, ["orders"], { groupInstanceId: "worker-1" }),
        "w1",
        c.respond,
      );
      return c.box;
    };
    const stSync = (id: string, generationId: number, assignments: Record<string, GroupAssignment>) => {
      const c = capture<SyncGroupResponse>();
      coordinator.syncGroup(
        {
          groupId: GROUP,
          generationId,
          memberId: id,
          groupInstanceId: "worker-1",
          protocolType: "consumer",
          protocolName: "range",
          assignments: Object.entries(assignments).map(([memberId, assignment]) => ({
            memberId,
            assignment,
          })),
        },
        c.respond,
      );
      return c.box;
    };
    // The static member joins first, so it is the leader.
    const js = st("");
    const a = memberId(coordinator, "consumer-a");
    const ja = join(coordinator, a);
    host.advance(6000);
    const generation = js.value!.generationId;
    const leaderId = js.value!.memberId;
    expect(js.value).toMatchObject({ errorCode: 0, leader: leaderId, skipAssignment: false });
    expect(js.value!.members.length).toBe(2);
    expect(ja.value).toMatchObject({ leader: leaderId, members: [], skipAssignment: false });
    const sa = sync(coordinator, a, generation);
    stSync(leaderId, generation, { [leaderId]: assign(0), [a]: assign(1) });
    host.advance(1);
    expect(sa.value?.assignment).toEqual(assign(1));
    expect(coordinator.describeGroup(GROUP)?.state).toBe("Stable");

    // The leader's process restarts and joins with no member id.
    const again = st("");
    host.advance(1);
    const newId = again.value!.memberId;
    expect(newId).not.toBe(leaderId);
    expect(again.value).toMatchObject({
      errorCode: 0,
      generationId: generation,
      protocolName: "range",
      leader: newId,
      skipAssignment: true,
    });
    expect(again.value!.members.map((m) => m.memberId).sort()).toEqual([a, newId].sort());
    const group = coordinator.describeGroup(GROUP)!;
    expect(group).toMatchObject({ state: "Stable", generationId: generation, leaderId: newId });
    expect(host.tracesOf("group.prepareRebalance").length).toBe(1); // only the group's first
    // The follower is not disturbed: its heartbeat does not ask it to rejoin.
    expect(heartbeat(coordinator, a, generation)).toBe(Errors.NONE.code);
    // The new leader syncs without assignments (it skipped the assignor) and keeps its partitions.
    const s = stSync(newId, generation, {});
    expect(s.value).toMatchObject({ errorCode: 0, assignment: assign(0) });
    expect(coordinator.describeGroup(GROUP)?.members.find((m) => m.memberId === a)?.assignment).toEqual(
      assign(1),
    );
    // The old incarnation is fenced.
    expect(stSync(leaderId, generation, {}).value?.errorCode).toBe(Errors.FENCED_INSTANCE_ID.code);
    expect(coordinator.describeGroup(GROUP)).toMatchObject({ state: "Stable", generationId: generation });
  });

  it("a restarted static leader whose protocols change the selected one still rebalances", () => {
    const { host, coordinator } = setup();
    const st = (memberIdIn: string, names: string[]) => {
      const c = capture<JoinGroupResponse>();
      coordinator.joinGroup(
        joinRequest(memberIdIn, ["orders"], {
          groupInstanceId: "worker-1",
          protocols: names.map((name) => ({ name, metadata: { topics: ["orders"], ownedPartitions: [] } })),
        }),
        "w1",
        c.respond,
      );
      return c.box;
    };
    const js = st("", ["range", "roundrobin"]);
    const a = memberId(coordinator, "consumer-a");
    join(coordinator, a);
    host.advance(6000);
    const generation = js.value!.generationId;
    const leaderId = js.value!.memberId;
    sync(coordinator, a, generation);
    coordinator.syncGroup(
      {
        groupId: GROUP,
        generationId: generation,
        memberId: leaderId,
        groupInstanceId: "worker-1",
        protocolType: "consumer",
        protocolName: "range",
        assignments: [
          { memberId: leaderId, assignment: assign(0) },
          { memberId: a, assignment: assign(1) },
        ],
      },
      () => {},
    );
    host.advance(1);
    expect(coordinator.describeGroup(GROUP)?.protocolName).toBe("range");
    // It comes back supporting only roundrobin: the group's protocol would change.
    const again = st("", ["roundrobin"]);
    host.advance(1);
    expect(again.value).toBeUndefined(); // parked: the group is rebalancing
    expect(coordinator.describeGroup(GROUP)?.state).toBe("PreparingRebalance");
    expect(host.tracesOf("group.prepareRebalance").length).toBe(2);
  });
});
