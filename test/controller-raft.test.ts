import { describe, expect, it } from "vitest";
import { RaftNode, DEFAULT_RAFT_TIMING } from "../src/controller/raft";
import { majorityEndOffset, majoritySize, voteResult } from "../src/controller/quorum";
import { RaftLog } from "../src/controller/raft-log";
import { SeededRng } from "../src/sim/rng";
import { RaftCluster, addressOf } from "./controller-raft-harness";

describe("quorum math", () => {
  it("majoritySize: 1 of 1, 2 of 3, 3 of 5, 3 of 4", () => {
    expect([1, 2, 3, 4, 5].map(majoritySize)).toEqual([1, 2, 2, 3, 3]);
  });
  it("majorityEndOffset picks the offset a majority has reached", () => {
    expect(majorityEndOffset([10, 4, 7])).toBe(7);
    expect(majorityEndOffset([10, -1, -1])).toBe(-1);
    expect(majorityEndOffset([5, 5, 1, 1, 9])).toBe(5);
  });
  it("voteResult: won with a majority, lost when a majority is out of reach", () => {
    const voters = [1, 2, 3];
    expect(voteResult(voters, new Set([1, 2]), new Set())).toBe("won");
    expect(voteResult(voters, new Set([1]), new Set([2]))).toBe("pending");
    expect(voteResult(voters, new Set([1]), new Set([2, 3]))).toBe("lost");
  });
});

describe("RaftLog", () => {
  it("endOffsetForEpoch returns the largest epoch ≤ requested and where it ends", () => {
    const log = new RaftLog<string>();
    log.append([
      { offset: 0, epoch: 1, records: ["a"] },
      { offset: 1, epoch: 1, records: ["b"] },
      { offset: 2, epoch: 3, records: ["c"] },
    ]);
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 2 });
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 1, endOffset: 2 });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 3 });
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 0 });
    log.truncateTo(2);
    expect(log.lastEpoch).toBe(1);
    expect(() => log.append([{ offset: 5, epoch: 1, records: [] }])).toThrow(/not the log end offset 2/);
    expect(() => log.append([{ offset: 2, epoch: 0, records: [] }])).toThrow(/below the last epoch/);
  });
});

describe("RaftNode election", () => {
  it("elects exactly one leader, which commits its LeaderChange batch", () => {
    const c = new RaftCluster(3, 1);
    c.runUntil(5000);
    expect(c.leaders()).toHaveLength(1);
    const leader = c.leader()!;
    for (const id of c.ids) {
      expect(c.node(id).currentEpoch).toBe(c.node(leader).currentEpoch);
      expect(c.node(id).currentLeaderId).toBe(leader);
      expect(c.node(id).highWatermark).toBeGreaterThanOrEqual(1);
    }
  });

  it("a single voter elects itself and commits alone", () => {
    const c = new RaftCluster(1, 2);
    c.runUntil(3000);
    expect(c.leader()).toBe(1);
    expect(c.propose(1, "x")).toBe(true);
    c.runUntil(3100);
    expect(c.applied.get(1)).toEqual(["1:LeaderChange", "1:x"]);
  });

  it("re-elects after the leader crashes, in a higher epoch", () => {
    const c = new RaftCluster(3, 3);
    c.runUntil(5000);
    const first = c.leader()!;
    const firstEpoch = c.node(first).currentEpoch;
    c.crash(first);
    c.runUntil(10_000);
    const second = c.leader()!;
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(c.node(second).currentEpoch).toBeGreaterThan(firstEpoch);
  });

  it("draws election timeouts from the injected Rng: different seeds, different first candidates' timing", () => {
    const firstVoteAt = (seed: number): number => {
      const node = new RaftNode<string>(
        {
          ...DEFAULT_RAFT_TIMING,
          nodeId: 1,
          clusterId: "x",
          voters: [1, 2, 3].map((id) => ({ id, address: addressOf(id) })),
        },
        new SeededRng(seed),
        { quorumState: null, batches: [] },
        0,
      );
      for (let t = 0; t <= 3000; t += 1) {
        node.tick(t);
        if (node.role === "candidate") return t;
      }
      return -1;
    };
    const times = [1, 2, 3, 4, 5, 6].map(firstVoteAt);
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual(1000); // electionTimeoutMs
      expect(t).toBeLessThan(2000); // + random [0, electionTimeoutMs)
    }
    expect(new Set(times).size).toBeGreaterThan(1);
    expect(firstVoteAt(4)).toBe(times[3]); // same seed, same timeout
  });

  it("a node with a stale log cannot win: voters reject a candidate whose log is behind", () => {
    const c = new RaftCluster(3, 4);
    c.runUntil(5000);
    const leader = c.leader()!;
    const stale = c.ids.find((id) => id !== leader)!;
    c.isolate(stale);
    for (let i = 0; i < 5; i++) c.propose(leader, `v${i}`);
    c.runUntil(6000);
    expect(c.node(leader).highWatermark).toBe(6); // LeaderChange + 5 batches; exclusive bound
    // The stale node keeps campaigning while isolated, so its epoch runs ahead.
    c.runUntil(12_000);
    expect(c.node(stale).currentEpoch).toBeGreaterThan(c.node(leader).currentEpoch);
    // Now it reaches the others, but only them: its higher epoch deposes the old leader, yet its
    // short log cannot collect votes, so one of the up-to-date nodes wins.
    c.healAll();
    c.runUntil(20_000);
    const winner = c.leader()!;
    expect(winner).not.toBe(stale);
    expect(c.applied.get(stale)!.slice(0, 6)).toEqual(c.applied.get(winner)!.slice(0, 6));
  });
});

describe("RaftNode replication", () => {
  it("replicates proposals and commits them on a majority", () => {
    const c = new RaftCluster(3, 5);
    c.runUntil(5000);
    const leader = c.leader()!;
    for (let i = 0; i < 10; i++) expect(c.propose(leader, `r${i}`)).toBe(true);
    c.runUntil(6000);
    const expected = c.applied.get(leader)!;
    expect(expected.filter((x) => x.includes(":r"))).toHaveLength(10);
    for (const id of c.ids) expect(c.applied.get(id)).toEqual(expected);
    c.checkLogMatching();
  });

  it("commits with a majority while one follower is cut off", () => {
    const c = new RaftCluster(3, 6);
    c.runUntil(5000);
    const leader = c.leader()!;
    const [a, b] = c.ids.filter((id) => id !== leader) as [number, number];
    c.isolate(a);
    const hwBefore = c.node(leader).highWatermark;
    c.propose(leader, "with-majority");
    // Followers learn the new high watermark on their next Fetch response (long poll ≤ 500 ms).
    c.runUntil(6100);
    expect(c.node(leader).highWatermark).toBe(hwBefore + 1);
    expect(c.node(b).highWatermark).toBe(hwBefore + 1);
    expect(c.node(a).highWatermark).toBe(hwBefore);
  });

  it("does not commit in a minority: an isolated leader's proposals stay uncommitted and are discarded", () => {
    const c = new RaftCluster(3, 7);
    c.runUntil(5000);
    const old = c.leader()!;
    const hwBefore = c.node(old).highWatermark;
    c.isolate(old);
    c.propose(old, "lost-1");
    c.propose(old, "lost-2");
    c.runUntil(9000);
    expect(c.node(old).highWatermark).toBe(hwBefore);
    // The old leader resigned (check-quorum) and the majority elected a new one.
    expect(c.node(old).role).not.toBe("leader");
    const fresh = c.leader()!;
    expect(fresh).not.toBe(old);
    c.propose(fresh, "kept");
    c.healAll();
    c.runUntil(15_000);
    for (const id of c.ids) {
      const applied = c.applied.get(id)!;
      expect(applied.some((x) => x.includes("lost"))).toBe(false);
      expect(applied.some((x) => x.endsWith(":kept"))).toBe(true);
    }
    c.checkLogMatching();
  });

  it("truncates a follower's divergent uncommitted tail (divergingEpoch)", () => {
    const c = new RaftCluster(3, 8);
    c.runUntil(5000);
    const old = c.leader()!;
    c.isolate(old);
    c.propose(old, "divergent");
    c.runUntil(9000);
    c.healAll();
    c.runUntil(14_000);
    const durableOld = c.durable.get(old)!.batches;
    expect(durableOld.some((b) => b.records.includes("divergent"))).toBe(false);
    c.checkLogMatching();
  });
});

describe("RaftNode persistence", () => {
  it("keeps epoch and vote across a restart, and never votes twice in one epoch", () => {
    const c = new RaftCluster(3, 9);
    c.runUntil(5000);
    const leader = c.leader()!;
    const epoch = c.node(leader).currentEpoch;
    const follower = c.ids.find((id) => id !== leader)!;
    expect(c.durable.get(follower)!.quorumState).toMatchObject({ leaderEpoch: epoch, leaderId: leader });
    c.crash(follower);
    c.start(follower);
    expect(c.node(follower).currentEpoch).toBe(epoch);
    expect(c.node(follower).role).toBe("follower");
    // A vote request from a third node in the same epoch is refused after the restart.
    const votedId = c.durable.get(follower)!.quorumState!.votedId;
    const other = c.ids.find((id) => id !== votedId && id !== follower)!;
    const node = c.node(follower);
    node.step(
      addressOf(other),
      {
        kind: "request",
        api: "Vote",
        correlationId: 1,
        clientId: "x",
        body: {
          clusterId: "test-cluster",
          candidateEpoch: epoch,
          candidateId: other,
          lastOffsetEpoch: 99,
          lastOffset: 99,
        },
      },
      c.now,
    );
    const rd = node.ready();
    const reply = rd.messages.find((m) => m.message.api === "Vote")!.message.body as { voteGranted: boolean };
    expect(reply.voteGranted).toBe(votedId === other);
    node.advance(rd);
  });

  it("a restarted leader comes back resigned in its epoch and the data survives", () => {
    const c = new RaftCluster(3, 10);
    c.runUntil(5000);
    const leader = c.leader()!;
    c.propose(leader, "durable");
    c.runUntil(5500);
    const epoch = c.node(leader).currentEpoch;
    for (const id of c.ids) c.crash(id);
    for (const id of c.ids) c.start(id);
    expect(c.node(leader).role).toBe("resigned");
    expect(c.node(leader).currentEpoch).toBe(epoch);
    c.runUntil(12_000);
    const fresh = c.leader()!;
    expect(c.node(fresh).currentEpoch).toBeGreaterThan(epoch);
    for (const id of c.ids) expect(c.applied.get(id)!.some((x) => x.endsWith(":durable"))).toBe(true);
  });
});
