import { describe, expect, it } from "vitest";
import { Errors } from "../src/protocol";
import {
  topicByName,
  type AlterPartitionResponse,
  type EnvelopeResponse,
  type MetadataImage,
} from "../src/controller";
import {
  activeControllers,
  AdminClient,
  brokerOf,
  buildCluster,
  CombinedNode,
  controllerOf,
  controllerIds,
  World,
} from "./controller-process-harness";

const admin = (w: World): AdminClient => w.process<AdminClient>("admin");

/** Sends CreateTopics wrapped in an Envelope (as a broker forwards it) to `to`; returns the envelope answer after `waitMs`. */
function createTopic(
  w: World,
  to: string,
  name: string,
  numPartitions: number,
  replicationFactor: number,
  waitMs = 500,
): EnvelopeResponse | undefined {
  const inner = {
    kind: "request",
    api: "CreateTopics",
    correlationId: 7,
    clientId: "client-1",
    body: {
      topics: [{ name, numPartitions, replicationFactor, configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    },
  };
  const id = admin(w).send(to, "Envelope", { request: inner });
  w.runFor(waitMs);
  return admin(w).responses.get(id)?.body as EnvelopeResponse | undefined;
}

/** Create through whichever controller is active, following NOT_CONTROLLER hints. */
function createTopicAnywhere(
  w: World,
  name: string,
  numPartitions: number,
  replicationFactor: number,
): EnvelopeResponse {
  let target = "controller-1";
  for (let attempt = 0; attempt < 10; attempt++) {
    const res = createTopic(w, target, name, numPartitions, replicationFactor);
    if (res && res.errorCode === Errors.NONE.code) return res;
    const hint = res?.currentLeader?.leaderId ?? -1;
    target = hint >= 0 ? `controller-${hint}` : `controller-${controllerIds[(attempt + 1) % 3]}`;
    w.runFor(200);
  }
  throw new Error(`could not create ${name}`);
}

function sameImage(a: MetadataImage, b: MetadataImage): boolean {
  const norm = (i: MetadataImage): unknown => ({
    offset: i.offset,
    brokers: [...i.brokers.entries()].sort(),
    topics: [...i.topics.values()]
      .map((t) => ({ ...t, configs: [...t.configs.entries()] }))
      .sort((x, y) => x.name.localeCompare(y.name)),
  });
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

describe("controller processes with brokers", () => {
  it("elects one active controller; brokers register, catch up and are unfenced", () => {
    const w = buildCluster(1);
    w.runFor(8000);
    expect(activeControllers(w)).toHaveLength(1);
    for (const id of [101, 102, 103]) {
      expect(brokerOf(w, id).lifecycle.state).toBe("running");
      expect(
        brokerOf(w, id)
          .cache.liveBrokers()
          .map((b) => b.brokerId),
      ).toEqual([101, 102, 103]);
    }
    const active = controllerOf(w, activeControllers(w)[0]!);
    // KRaft: the broker epoch is the offset of the batch holding the broker's registration.
    for (const b of active.image.brokers.values())
      expect(
        active
          .readCommitted(b.brokerEpoch, 1e6)[0]!
          .records.some((r) => r.type === "RegisterBrokerRecord" && r.brokerId === b.brokerId),
      ).toBe(true);
  });

  it("a non-active controller answers NOT_CONTROLLER with the leader it knows", () => {
    const w = buildCluster(2);
    w.runFor(8000);
    const active = activeControllers(w)[0]!;
    const other = controllerIds.find((id) => id !== active)!;
    const res = createTopic(w, `controller-${other}`, "x", 1, 1);
    expect(res).toMatchObject({
      errorCode: Errors.NOT_CONTROLLER.code,
      response: null,
      currentLeader: { leaderId: active },
    });
  });

  it("CreateTopics through the active controller reaches every broker's MetadataCache", () => {
    const w = buildCluster(3);
    w.runFor(8000);
    const res = createTopicAnywhere(w, "orders", 6, 3);
    const inner = res.response!.body as { topics: { errorCode: number; numPartitions: number }[] };
    expect(inner.topics[0]).toMatchObject({ errorCode: 0, numPartitions: 6 });
    w.runFor(1000);
    const reference = brokerOf(w, 101).cache.metadataTopics(["orders"]);
    expect(reference[0]!.partitions).toHaveLength(6);
    for (const id of [102, 103]) expect(brokerOf(w, id).cache.metadataTopics(["orders"])).toEqual(reference);
    const leaders = reference[0]!.partitions.map((p) => p.leaderId);
    for (const id of [101, 102, 103]) expect(leaders.filter((l) => l === id)).toHaveLength(2);
    expect(brokerOf(w, 101).cache.metadataTopics(["nope"])[0]!.errorCode).toBe(
      Errors.UNKNOWN_TOPIC_OR_PARTITION.code,
    );
  });

  it("fences a broker that stops heartbeating: ISRs shrink and its leaderships move; it rejoins after restart", () => {
    const w = buildCluster(4);
    w.runFor(8000);
    createTopicAnywhere(w, "orders", 3, 3);
    w.runFor(1000);
    w.crash("broker-102");
    w.runFor(6000);
    expect(brokerOf(w, 101).cache.broker(102)!.fenced).toBe(false); // within broker.session.timeout.ms
    w.runFor(6000);
    const cache = brokerOf(w, 101).cache;
    expect(cache.broker(102)!.fenced).toBe(true);
    for (const p of cache.topic("orders")!.partitions) {
      expect(p.isr).not.toContain(102);
      expect(p.leader).not.toBe(102);
      expect(p.leader).toBeGreaterThan(0);
    }
    w.restart("broker-102");
    w.runFor(6000);
    expect(brokerOf(w, 102).lifecycle.state).toBe("running");
    expect(cache.broker(102)!.fenced).toBe(false);
    expect(brokerOf(w, 102).cache.topic("orders")!.partitions).toEqual(cache.topic("orders")!.partitions);
  });

  it("survives the active controller's crash: a new one takes over without fencing healthy brokers", () => {
    const w = buildCluster(5);
    w.runFor(8000);
    createTopicAnywhere(w, "orders", 3, 3);
    const first = activeControllers(w)[0]!;
    w.crash(`controller-${first}`);
    w.runFor(8000);
    const second = activeControllers(w);
    expect(second).toHaveLength(1);
    expect(second[0]).not.toBe(first);
    createTopicAnywhere(w, "payments", 2, 2);
    w.runFor(2000);
    const image = controllerOf(w, second[0]!).image;
    expect(topicByName(image, "orders")).toBeDefined();
    expect(topicByName(image, "payments")).toBeDefined();
    for (const b of image.brokers.values()) expect(b.fenced).toBe(false);
    w.restart(`controller-${first}`);
    w.runFor(5000);
    for (const id of controllerIds) expect(sameImage(controllerOf(w, id).image, image)).toBe(true);
    for (const id of [101, 102, 103]) expect(sameImage(brokerOf(w, id).cache.image, image)).toBe(true);
  });

  it("keeps committed metadata across a power loss of every controller", () => {
    const w = buildCluster(6);
    w.runFor(8000);
    createTopicAnywhere(w, "orders", 2, 3);
    w.runFor(500);
    for (const id of controllerIds) w.crash(`controller-${id}`, true);
    for (const id of controllerIds) w.start(`controller-${id}`);
    w.runFor(10_000);
    expect(activeControllers(w)).toHaveLength(1);
    const image = controllerOf(w, activeControllers(w)[0]!).image;
    expect(topicByName(image, "orders")!.partitions).toHaveLength(2);
    expect([...image.brokers.values()].every((b) => !b.fenced)).toBe(true);
  });
});

describe("AlterPartition through the active controller", () => {
  it("commits an ISR shrink, answers with the new partition epoch, and rejects the stale epoch afterwards", () => {
    const w = buildCluster(7);
    w.runFor(8000);
    createTopicAnywhere(w, "orders", 1, 3);
    w.runFor(1000);
    const activeId = activeControllers(w)[0]!;
    const image = controllerOf(w, activeId).image;
    const topicId = image.topicIdsByName.get("orders")!;
    const p = topicByName(image, "orders")!.partitions[0]!;
    const leader = image.brokers.get(p.leader)!;
    const request = {
      brokerId: leader.brokerId,
      brokerEpoch: leader.brokerEpoch,
      topics: [
        {
          topicId,
          partitions: [
            {
              partitionIndex: 0,
              leaderEpoch: p.leaderEpoch,
              partitionEpoch: p.partitionEpoch,
              newIsrWithEpochs: [{ brokerId: leader.brokerId, brokerEpoch: leader.brokerEpoch }],
            },
          ],
        },
      ],
    };
    const first = admin(w).send(`controller-${activeId}`, "AlterPartition", request);
    w.runFor(1000);
    expect((admin(w).responses.get(first)!.body as AlterPartitionResponse).topics[0]!.partitions[0]).toEqual({
      partitionIndex: 0,
      errorCode: 0,
      leaderId: leader.brokerId,
      leaderEpoch: p.leaderEpoch,
      isr: [leader.brokerId],
      partitionEpoch: p.partitionEpoch + 1,
    });
    for (const id of [101, 102, 103])
      expect(brokerOf(w, id).cache.partition("orders", 0)!.isr).toEqual([leader.brokerId]);
    const again = admin(w).send(`controller-${activeId}`, "AlterPartition", request);
    w.runFor(500);
    expect(
      (admin(w).responses.get(again)!.body as AlterPartitionResponse).topics[0]!.partitions[0]!.errorCode,
    ).toBe(Errors.INVALID_UPDATE_VERSION.code);
  });
});

describe("combined mode (broker and controller in one process)", () => {
  it("three combined nodes elect an active controller, register their brokers and share metadata", () => {
    const w = new World(11);
    for (const id of [1, 2, 3]) w.add(`node-${id}`, () => new CombinedNode(id));
    w.add("admin", () => new AdminClient());
    w.runFor(8000);
    const nodes = [1, 2, 3].map((id) => w.process<CombinedNode>(`node-${id}`));
    expect(nodes.filter((n) => n.controller.isActive)).toHaveLength(1);
    for (const n of nodes) {
      expect(n.lifecycle.state).toBe("running");
      expect(n.cache.liveBrokers().map((b) => b.brokerId)).toEqual([1, 2, 3]);
    }
    const active = nodes.find((n) => n.controller.isActive)!;
    const inner = {
      kind: "request",
      api: "CreateTopics",
      correlationId: 1,
      clientId: "c",
      body: {
        topics: [{ name: "combined", numPartitions: 3, replicationFactor: 3, configs: [] }],
        timeoutMs: 5000,
        validateOnly: false,
      },
    };
    admin(w).send(`node-${active.nodeId}`, "Envelope", { request: inner });
    w.runFor(1500);
    for (const n of nodes) expect(n.cache.topic("combined")!.partitions).toHaveLength(3);
    // A combined node restarts: its broker part rebuilds its cache from the local controller's replay.
    w.restart("node-2");
    w.runFor(12_000);
    const restarted = w.process<CombinedNode>("node-2");
    expect(restarted.cache.topic("combined")!.partitions).toHaveLength(3);
    expect(restarted.lifecycle.state).toBe("running");
  });
});

describe("bounds", () => {
  it("a CreateTopics whose records exceed one metadata batch is refused with MESSAGE_TOO_LARGE, nothing written", () => {
    const w = buildCluster(12, 3, { raft: { fetchMaxBytes: 8000 } });
    w.runFor(8000);
    const active = activeControllers(w)[0]!;
    const before = controllerOf(w, active).highWatermark;
    const res = createTopic(w, `controller-${active}`, "huge", 200, 3);
    expect(res?.errorCode).toBe(Errors.NONE.code);
    const inner = res!.response!.body as { topics: { errorCode: number; errorMessage: string }[] };
    expect(inner.topics[0]).toMatchObject({
      errorCode: Errors.MESSAGE_TOO_LARGE.code,
      errorMessage: expect.stringMatching(/exceed/),
    });
    expect(controllerOf(w, active).highWatermark).toBe(before);
    expect(createTopic(w, `controller-${active}`, "small", 2, 3)!.errorCode).toBe(Errors.NONE.code);
  });
});
