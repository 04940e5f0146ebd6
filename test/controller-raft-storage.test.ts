import { describe, expect, it } from "vitest";
import { DEFAULT_RAFT_TIMING, RaftNode, type Ready } from "../src/controller/raft";
import { METADATA_LOG_DIR, RaftStorage } from "../src/controller/raft-storage";
import { SimDisk } from "../src/sim/sim-disk";
import { SeededRng } from "../src/sim/rng";

const config = { ...DEFAULT_RAFT_TIMING, nodeId: 1, clusterId: "c", voters: [{ id: 1, address: "c1" }] };

/** Drive a single-voter node on a disk until it is leader with `records` committed. */
function runSingleVoter(disk: SimDisk, records: string[], now = 0): RaftNode<string> {
  const { storage, state } = RaftStorage.open<string>(disk);
  const node = new RaftNode<string>(config, new SeededRng(1), state, now);
  const drain = (): void => {
    while (node.hasReady()) {
      const rd: Ready<string> = node.ready();
      storage.save(rd);
      node.advance(rd);
    }
  };
  drain();
  for (let t = now; node.role !== "leader"; t += 10) {
    node.tick(t);
    drain();
  }
  for (const r of records) node.propose([r]);
  drain();
  return node;
}

describe("RaftStorage", () => {
  it("persists quorum state and batches, and a restart recovers them", () => {
    const disk = new SimDisk();
    const first = runSingleVoter(disk, ["a", "b"]);
    expect(first.highWatermark).toBe(3);
    const { state, recovery } = RaftStorage.open<string>(disk);
    expect(recovery).toEqual({ batches: 3, truncatedBytes: 0, reason: null });
    expect(state.quorumState).toMatchObject({ leaderEpoch: first.currentEpoch, leaderId: 1, votedId: 1 });
    expect(state.batches.map((b) => b.records)).toEqual([[], ["a"], ["b"]]);
    expect(state.batches[0]!.control).toEqual({ type: "LeaderChange", leaderId: 1, voters: [1] });
  });

  it("survives a power loss: everything saved was fsynced", () => {
    const disk = new SimDisk();
    runSingleVoter(disk, ["x"]);
    disk.powerLoss(new SeededRng(3));
    const { state } = RaftStorage.open<string>(disk);
    expect(state.batches.map((b) => b.records)).toEqual([[], ["x"]]);
    expect(state.quorumState?.leaderId).toBe(1);
  });

  it("cuts a torn tail frame and keeps the frames before it", () => {
    const disk = new SimDisk();
    runSingleVoter(disk, ["keep"]);
    const logPath = `${METADATA_LOG_DIR}/00000000000000000000.log`;
    const size = disk.size(logPath);
    disk.append(logPath, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 50, 0])); // header of a frame that never finished
    const { state, recovery } = RaftStorage.open<string>(disk);
    expect(state.batches).toHaveLength(2);
    expect(recovery.truncatedBytes).toBe(13);
    expect(recovery.reason).toMatch(/incomplete frame header/);
    expect(disk.size(logPath)).toBe(size);
  });

  it("stops at a frame whose CRC does not match", () => {
    const disk = new SimDisk();
    runSingleVoter(disk, ["one", "two"]);
    const logPath = `${METADATA_LOG_DIR}/00000000000000000000.log`;
    const bytes = disk.readAll(logPath);
    bytes[bytes.length - 3]! ^= 0xff; // corrupt the last frame's payload
    disk.truncate(logPath, 0);
    disk.append(logPath, bytes);
    const { state, recovery } = RaftStorage.open<string>(disk);
    expect(state.batches.map((b) => b.records)).toEqual([[], ["one"]]);
    expect(recovery.reason).toMatch(/bad CRC/);
  });

  it("a restarted single voter resumes in a higher epoch with its log intact", () => {
    const disk = new SimDisk();
    const first = runSingleVoter(disk, ["a"]);
    const second = runSingleVoter(disk, ["b"], 10_000);
    expect(second.currentEpoch).toBe(first.currentEpoch + 1);
    expect(second.logEndOffset).toBe(4); // LeaderChange, a, LeaderChange, b
    expect(second.highWatermark).toBe(4);
  });
});
