import { describe, expect, it } from "vitest";
import { Errors } from "../src/protocol";
import { SeededRng } from "../src/sim/rng";
import { BrokerHeartbeats } from "../src/controller/broker-heartbeats";
import {
  fenceStaleBrokers,
  processHeartbeat,
  registerBroker,
  type ElectionSettings,
} from "../src/controller/cluster-control";
import { alterPartition } from "../src/controller/alter-partition";
import {
  autoCreateTopicsRequest,
  createTopics,
  DEFAULT_TOPIC_DEFAULTS,
  validateTopicName,
} from "../src/controller/create-topics";
import { electLeader } from "../src/controller/election";
import { applyRecord, EMPTY_IMAGE, topicByName, type MetadataImage } from "../src/controller/metadata-image";
import type { MetadataRecord } from "../src/controller/metadata-records";
import { buildPartitionChange } from "../src/controller/partition-change";
import { placeReplicas } from "../src/controller/placement";
import type { AlterPartitionRequest } from "../src/controller/controller-apis";

const election: ElectionSettings = { electLeader, uncleanLeaderElectionEnable: false };
const apply = (image: MetadataImage, records: MetadataRecord[]): MetadataImage =>
  records.reduce(applyRecord, image);

/** Brokers 1..n registered (epoch = 10 + id) and unfenced. */
function clusterImage(n: number, fenced: number[] = []): MetadataImage {
  const records: MetadataRecord[] = [];
  for (let id = 1; id <= n; id++) {
    records.push({
      type: "RegisterBrokerRecord",
      brokerId: id,
      incarnationId: `inc-${id}`,
      brokerEpoch: 10 + id,
      endPoints: [{ name: "PLAINTEXT", host: `b${id}`, port: 9092, securityProtocol: 0 }],
      rack: null,
      fenced: true,
    });
    if (!fenced.includes(id)) records.push({ type: "UnfenceBrokerRecord", id, epoch: 10 + id });
  }
  return apply(EMPTY_IMAGE, records);
}

function withTopic(
  image: MetadataImage,
  name: string,
  partitions: number,
  rf: number,
  seed = 1,
): MetadataImage {
  const r = createTopics(
    image,
    {
      topics: [{ name, numPartitions: partitions, replicationFactor: rf, configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    },
    DEFAULT_TOPIC_DEFAULTS,
    new SeededRng(seed),
  );
  expect(r.response.topics[0]!.errorCode).toBe(0);
  return apply(image, r.records);
}

describe("placeReplicas (StripedReplicaPlacer, one rack)", () => {
  it("spreads leaders and replicas evenly: each of 3 brokers leads 2 of 6 partitions and holds all 6 with rf=3", () => {
    const brokers = [1, 2, 3].map((id) => ({ id, fenced: false }));
    for (const seed of [1, 2, 3, 4]) {
      const r = placeReplicas(6, 3, brokers, new SeededRng(seed));
      if (!r.ok) throw new Error(r.message);
      const leaders = r.assignments.map((a) => a[0]!);
      for (const id of [1, 2, 3]) expect(leaders.filter((l) => l === id)).toHaveLength(2);
      for (const a of r.assignments) expect(new Set(a).size).toBe(3);
    }
  });

  it("rotates the stripe: consecutive partitions start at consecutive brokers (rf=2 of 4)", () => {
    const r = placeReplicas(
      4,
      2,
      [1, 2, 3, 4].map((id) => ({ id, fenced: false })),
      new SeededRng(7),
    );
    if (!r.ok) throw new Error(r.message);
    const firsts = r.assignments.map((a) => a[0]!);
    expect(new Set(firsts).size).toBe(4);
    for (const a of r.assignments) expect(a[1]).toBe((a[0]! % 4) + 1);
  });

  it("puts the leader on an unfenced broker and uses fenced brokers only as extra followers", () => {
    const r = placeReplicas(
      5,
      3,
      [
        { id: 1, fenced: false },
        { id: 2, fenced: true },
        { id: 3, fenced: false },
      ],
      new SeededRng(3),
    );
    if (!r.ok) throw new Error(r.message);
    for (const a of r.assignments) {
      expect(a[0]).not.toBe(2);
      expect(a[2]).toBe(2);
    }
  });

  it("refuses impossible replication factors with INVALID_REPLICATION_FACTOR", () => {
    const brokers = [1, 2].map((id) => ({ id, fenced: false }));
    expect(placeReplicas(1, 3, brokers, new SeededRng(1))).toMatchObject({
      ok: false,
      errorCode: Errors.INVALID_REPLICATION_FACTOR.code,
      message: expect.stringMatching(/only 2 broker\(s\) are registered/),
    });
    expect(placeReplicas(1, 0, brokers, new SeededRng(1))).toMatchObject({
      ok: false,
      errorCode: Errors.INVALID_REPLICATION_FACTOR.code,
    });
    expect(placeReplicas(1, 1, [{ id: 1, fenced: true }], new SeededRng(1))).toMatchObject({
      ok: false,
      message: "All brokers are currently fenced.",
    });
  });
});

describe("electLeader (the lab 01 seam)", () => {
  const live = new Set([1, 2, 3]);
  it("keeps a current leader that is still in the ISR and alive", () => {
    expect(
      electLeader({
        replicas: [1, 2, 3],
        isr: [1, 2, 3],
        liveBrokers: live,
        uncleanLeaderElectionEnable: false,
        currentLeader: 3,
      }),
    ).toBe(3);
  });
  it("otherwise picks the first live ISR member in assignment order, not ISR order", () => {
    expect(
      electLeader({
        replicas: [3, 1, 2],
        isr: [1, 2, 3],
        liveBrokers: new Set([1, 2, 3]),
        uncleanLeaderElectionEnable: false,
        currentLeader: -1,
      }),
    ).toBe(3);
    expect(
      electLeader({
        replicas: [3, 1, 2],
        isr: [2, 1],
        liveBrokers: new Set([1, 2]),
        uncleanLeaderElectionEnable: false,
        currentLeader: 3,
      }),
    ).toBe(1);
  });
  it("returns -1 when no ISR member is alive and unclean election is off (the default)", () => {
    expect(
      electLeader({
        replicas: [1, 2, 3],
        isr: [1],
        liveBrokers: new Set([2, 3]),
        uncleanLeaderElectionEnable: false,
        currentLeader: 1,
      }),
    ).toBe(-1);
  });
  it("with unclean election enabled, picks the first live replica outside the ISR", () => {
    expect(
      electLeader({
        replicas: [1, 3, 2],
        isr: [1],
        liveBrokers: new Set([2, 3]),
        uncleanLeaderElectionEnable: true,
        currentLeader: 1,
      }),
    ).toBe(3);
  });
});

describe("buildPartitionChange", () => {
  const where = { topicId: "t", topicName: "orders", partitionId: 0 };
  const ctx = { liveBrokers: new Set([2, 3]), uncleanLeaderElectionEnable: false, electLeader };
  it("moves leadership when the leader leaves the ISR", () => {
    const p = { replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 4, partitionEpoch: 9 };
    expect(buildPartitionChange(where, p, [2, 3], ctx)).toEqual({
      type: "PartitionChangeRecord",
      topicId: "t",
      partitionId: 0,
      isr: [2, 3],
      leader: 2,
    });
  });
  it("keeps the last ISR member in the ISR and leaves the partition leaderless", () => {
    const p = { replicas: [1, 2], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 };
    expect(buildPartitionChange(where, p, [], ctx)).toEqual({
      type: "PartitionChangeRecord",
      topicId: "t",
      partitionId: 0,
      isr: null,
      leader: -1,
    });
  });
  it("an unclean election sets ISR = [new leader]", () => {
    const p = { replicas: [1, 2], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 };
    expect(buildPartitionChange(where, p, [], { ...ctx, uncleanLeaderElectionEnable: true })).toEqual({
      type: "PartitionChangeRecord",
      topicId: "t",
      partitionId: 0,
      isr: [2],
      leader: 2,
    });
  });
  it("tells the policy which partition it elects for (labs narrate with it)", () => {
    const p = { replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 4, partitionEpoch: 9 };
    const seen: unknown[] = [];
    buildPartitionChange({ ...where, partitionId: 2 }, p, [2, 3], {
      ...ctx,
      electLeader: (input) => {
        seen.push(input.partition);
        return electLeader(input);
      },
    });
    expect(seen).toEqual([{ topic: "orders", partition: 2 }]);
  });
  it("returns null when nothing changes, and rejects a policy that picks a non-replica", () => {
    const p = { replicas: [2, 3], isr: [2, 3], leader: 2, leaderEpoch: 0, partitionEpoch: 0 };
    expect(buildPartitionChange(where, p, [2, 3], ctx)).toBeNull();
    expect(() => buildPartitionChange(where, p, [2, 3], { ...ctx, electLeader: () => 7 })).toThrow(
      /chose broker 7 for orders-0, which is not one of its replicas/,
    );
  });
});

describe("broker registration, heartbeats and fencing", () => {
  it("a new registration gets brokerEpoch = its record's offset and starts fenced", () => {
    const hb = new BrokerHeartbeats();
    const r = registerBroker(
      EMPTY_IMAGE,
      { brokerId: 1, clusterId: "c", incarnationId: "a", listeners: [], rack: null, previousBrokerEpoch: -1 },
      { clusterId: "c", newBrokerEpoch: 42, heartbeats: hb, nowMs: 0, election },
    );
    expect(r.response).toMatchObject({ errorCode: 0, brokerEpoch: 42 });
    const image = apply(EMPTY_IMAGE, r.records);
    expect(image.brokers.get(1)).toMatchObject({ brokerEpoch: 42, fenced: true, incarnationId: "a" });
  });

  it("refuses another incarnation while the session is valid (DUPLICATE_BROKER_REGISTRATION), accepts it after expiry and fences the old one's partitions first", () => {
    let image = withTopic(clusterImage(2), "orders", 1, 2);
    const hb = new BrokerHeartbeats(9000);
    hb.resetAll(image, 0);
    const req = {
      brokerId: 1,
      clusterId: "c",
      incarnationId: "new",
      listeners: [],
      rack: null,
      previousBrokerEpoch: -1,
    };
    const env = { clusterId: "c", newBrokerEpoch: 100, heartbeats: hb, election };
    expect(registerBroker(image, req, { ...env, nowMs: 5000 }).response.errorCode).toBe(
      Errors.DUPLICATE_BROKER_REGISTRATION.code,
    );
    const ok = registerBroker(image, req, { ...env, nowMs: 9001 });
    expect(ok.response).toMatchObject({ errorCode: 0, brokerEpoch: 100 });
    image = apply(image, ok.records);
    const p = topicByName(image, "orders")!.partitions[0]!;
    expect(p.isr).not.toContain(1);
    expect(p.leader).toBe(2);
    expect(
      registerBroker(image, { ...req, clusterId: "other" }, { ...env, nowMs: 9001 }).response.errorCode,
    ).toBe(Errors.INCONSISTENT_CLUSTER_ID.code);
  });

  it("unfences a broker once its heartbeat shows it caught up with its registration", () => {
    const image = clusterImage(1, [1]); // broker 1 epoch 11, fenced
    const hb = new BrokerHeartbeats();
    const behind = processHeartbeat(
      image,
      { brokerId: 1, brokerEpoch: 11, currentMetadataOffset: 5, wantFence: false, wantShutDown: false },
      { heartbeats: hb, nowMs: 0, election },
    );
    expect(behind.response).toMatchObject({ isCaughtUp: false, isFenced: true });
    expect(behind.records).toEqual([]);
    const caughtUp = processHeartbeat(
      image,
      { brokerId: 1, brokerEpoch: 11, currentMetadataOffset: 11, wantFence: false, wantShutDown: false },
      { heartbeats: hb, nowMs: 0, election },
    );
    expect(caughtUp.response).toMatchObject({ errorCode: 0, isCaughtUp: true, isFenced: false });
    expect(caughtUp.records).toEqual([{ type: "UnfenceBrokerRecord", id: 1, epoch: 11 }]);
    const stale = processHeartbeat(
      image,
      { brokerId: 1, brokerEpoch: 3, currentMetadataOffset: 11, wantFence: false, wantShutDown: false },
      { heartbeats: hb, nowMs: 0, election },
    );
    expect(stale.response.errorCode).toBe(Errors.STALE_BROKER_EPOCH.code);
  });

  it("fences a broker that misses broker.session.timeout.ms: ISR shrinks, leadership moves, epochs bump", () => {
    let image = withTopic(clusterImage(3), "orders", 3, 3);
    const before = topicByName(image, "orders")!.partitions;
    const hb = new BrokerHeartbeats(9000);
    hb.resetAll(image, 0);
    for (const id of [2, 3]) hb.touch(id, 8000);
    expect(fenceStaleBrokers(image, hb, 9000, election)).toEqual([]); // exactly at the timeout: still valid
    const records = fenceStaleBrokers(image, hb, 9001, election);
    expect(records.at(-1)).toEqual({ type: "FenceBrokerRecord", id: 1, epoch: 11 });
    image = apply(image, records);
    expect(image.brokers.get(1)!.fenced).toBe(true);
    topicByName(image, "orders")!.partitions.forEach((p, i) => {
      const old = before[i]!;
      expect(p.isr).toEqual(old.isr.filter((id) => id !== 1));
      expect(p.partitionEpoch).toBe(old.partitionEpoch + 1);
      if (old.leader === 1) {
        expect(p.leader).toBe(old.replicas.find((id) => id !== 1));
        expect(p.leaderEpoch).toBe(old.leaderEpoch + 1);
      } else {
        expect(p.leader).toBe(old.leader);
        expect(p.leaderEpoch).toBe(old.leaderEpoch); // ISR shrink alone: no leader epoch bump (3.6+)
      }
    });
  });

  it("a partition whose only ISR member is fenced goes leaderless, and regains that leader on unfencing", () => {
    let image = withTopic(clusterImage(2), "solo", 1, 1);
    const leader = topicByName(image, "solo")!.partitions[0]!.leader;
    const hb = new BrokerHeartbeats(9000);
    hb.resetAll(image, 0);
    const other = leader === 1 ? 2 : 1;
    hb.touch(other, 9000);
    image = apply(image, fenceStaleBrokers(image, hb, 9001, election));
    expect(topicByName(image, "solo")!.partitions[0]).toMatchObject({
      leader: -1,
      isr: [leader],
      leaderEpoch: 1,
    });
    const back = processHeartbeat(
      image,
      {
        brokerId: leader,
        brokerEpoch: 10 + leader,
        currentMetadataOffset: 999,
        wantFence: false,
        wantShutDown: false,
      },
      { heartbeats: hb, nowMs: 9500, election },
    );
    image = apply(image, back.records);
    expect(topicByName(image, "solo")!.partitions[0]).toMatchObject({
      leader,
      isr: [leader],
      leaderEpoch: 2,
    });
  });

  it("wantShutDown from a running broker moves its leaderships and answers shouldShutDown", () => {
    let image = withTopic(clusterImage(2), "orders", 2, 2);
    const r = processHeartbeat(
      image,
      { brokerId: 1, brokerEpoch: 11, currentMetadataOffset: 99, wantFence: false, wantShutDown: true },
      { heartbeats: new BrokerHeartbeats(), nowMs: 0, election },
    );
    expect(r.response).toMatchObject({ shouldShutDown: true, isFenced: true });
    image = apply(image, r.records);
    for (const p of topicByName(image, "orders")!.partitions) expect(p.leader).toBe(2);
  });
});

describe("AlterPartition", () => {
  function setup(): {
    image: MetadataImage;
    topicId: string;
    req: (
      p: Partial<AlterPartitionRequest["topics"][number]["partitions"][number]>,
      brokerId?: number,
    ) => AlterPartitionRequest;
  } {
    const image = withTopic(clusterImage(3), "orders", 1, 3);
    const topicId = image.topicIdsByName.get("orders")!;
    const p = topicByName(image, "orders")!.partitions[0]!;
    const req = (
      over: Partial<AlterPartitionRequest["topics"][number]["partitions"][number]>,
      brokerId = p.leader,
    ): AlterPartitionRequest => ({
      brokerId,
      brokerEpoch: 10 + brokerId,
      topics: [
        {
          topicId,
          partitions: [
            {
              partitionIndex: 0,
              leaderEpoch: p.leaderEpoch,
              partitionEpoch: p.partitionEpoch,
              newIsrWithEpochs: [{ brokerId: p.leader, brokerEpoch: -1 }],
              ...over,
            },
          ],
        },
      ],
    });
    return { image, topicId, req };
  }
  const codeOf = (image: MetadataImage, req: AlterPartitionRequest): number =>
    alterPartition(image, req, election).response.topics[0]!.partitions[0]!.errorCode;

  it("shrinks the ISR through a record and answers with the new partition epoch", () => {
    const { image, req } = setup();
    const r = alterPartition(image, req({}), election);
    expect(r.records).toHaveLength(1);
    const after = apply(image, r.records);
    const p = topicByName(after, "orders")!.partitions[0]!;
    expect(r.response.topics[0]!.partitions[0]).toEqual({
      partitionIndex: 0,
      errorCode: 0,
      leaderId: p.leader,
      leaderEpoch: 0,
      isr: [p.leader],
      partitionEpoch: 1,
    });
  });

  it("validates in Kafka's order: epochs, leadership, ISR shape, eligibility", () => {
    const { image, req } = setup();
    const p = topicByName(image, "orders")!.partitions[0]!;
    const follower = p.replicas.find((id) => id !== p.leader)!;
    expect(codeOf(image, req({ leaderEpoch: 5 }))).toBe(Errors.NOT_CONTROLLER.code);
    expect(codeOf(image, req({ partitionEpoch: 5 }))).toBe(Errors.NOT_CONTROLLER.code);
    expect(codeOf(image, req({ leaderEpoch: -1 }))).toBe(Errors.FENCED_LEADER_EPOCH.code);
    expect(codeOf(image, req({}, follower))).toBe(Errors.INVALID_REQUEST.code);
    expect(codeOf(image, req({ newIsrWithEpochs: [{ brokerId: follower, brokerEpoch: -1 }] }))).toBe(
      Errors.INVALID_REQUEST.code,
    ); // leader missing
    expect(
      codeOf(
        image,
        req({
          newIsrWithEpochs: [
            { brokerId: p.leader, brokerEpoch: -1 },
            { brokerId: 9, brokerEpoch: -1 },
          ],
        }),
      ),
    ).toBe(Errors.INVALID_REQUEST.code);
    expect(
      codeOf(
        image,
        req({
          newIsrWithEpochs: [
            { brokerId: p.leader, brokerEpoch: -1 },
            { brokerId: follower, brokerEpoch: 999 },
          ],
        }),
      ),
    ).toBe(Errors.INELIGIBLE_REPLICA.code);
    const fenced = apply(image, [{ type: "FenceBrokerRecord", id: follower, epoch: 10 + follower }]);
    expect(
      codeOf(
        fenced,
        req({
          newIsrWithEpochs: [
            { brokerId: p.leader, brokerEpoch: -1 },
            { brokerId: follower, brokerEpoch: -1 },
          ],
        }),
      ),
    ).toBe(Errors.INELIGIBLE_REPLICA.code);
    expect(alterPartition(image, { ...req({}), brokerEpoch: 1 }, election).response.errorCode).toBe(
      Errors.STALE_BROKER_EPOCH.code,
    );
    expect(
      codeOf(image, { ...req({}), topics: [{ topicId: "nope", partitions: req({}).topics[0]!.partitions }] }),
    ).toBe(Errors.UNKNOWN_TOPIC_ID.code);
    expect(codeOf(image, req({ partitionIndex: 3 }))).toBe(Errors.UNKNOWN_TOPIC_OR_PARTITION.code);
  });

  it("a stale partition epoch gets INVALID_UPDATE_VERSION after an earlier change committed", () => {
    const { image, req } = setup();
    const after = apply(image, alterPartition(image, req({}), election).records);
    expect(codeOf(after, req({}))).toBe(Errors.INVALID_UPDATE_VERSION.code);
  });
});

describe("CreateTopics", () => {
  const request = (
    topics: {
      name: string;
      numPartitions?: number;
      replicationFactor?: number;
      configs?: { name: string; value: string | null }[];
    }[],
    validateOnly = false,
  ) => ({
    topics: topics.map((t) => ({ numPartitions: 1, replicationFactor: 1, configs: [], ...t })),
    timeoutMs: 1000,
    validateOnly,
  });
  const run = (image: MetadataImage, req: ReturnType<typeof request>) =>
    createTopics(image, req, DEFAULT_TOPIC_DEFAULTS, new SeededRng(5));

  it("validates names like Kafka's Topic.validate", () => {
    expect(validateTopicName("orders.v2_x-1")).toBeNull();
    expect(validateTopicName("")).toMatch(/empty/);
    expect(validateTopicName("..")).toMatch(/cannot be/);
    expect(validateTopicName("a".repeat(250))).toMatch(/249/);
    expect(validateTopicName("a".repeat(249))).toBeNull();
    expect(validateTopicName("bad name")).toMatch(/illegal/);
  });

  it("creates TopicRecord, ConfigRecords and PartitionRecords with ISR = replicas and leader = replicas[0]", () => {
    const r = run(
      clusterImage(3),
      request([
        {
          name: "orders",
          numPartitions: 3,
          replicationFactor: 3,
          configs: [{ name: "min.insync.replicas", value: "2" }],
        },
      ]),
    );
    expect(r.response.topics[0]).toMatchObject({
      name: "orders",
      errorCode: 0,
      numPartitions: 3,
      replicationFactor: 3,
    });
    expect(r.response.topics[0]!.topicId).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(r.records.map((x) => x.type)).toEqual([
      "TopicRecord",
      "ConfigRecord",
      "PartitionRecord",
      "PartitionRecord",
      "PartitionRecord",
    ]);
    const image = apply(clusterImage(3), r.records);
    const topic = topicByName(image, "orders")!;
    expect(topic.configs.get("min.insync.replicas")).toBe("2");
    for (const p of topic.partitions)
      expect(p).toMatchObject({ isr: p.replicas, leader: p.replicas[0], leaderEpoch: 0, partitionEpoch: 0 });
  });

  it("reports each bad topic with Kafka's error code and creates the good ones", () => {
    const image = withTopic(clusterImage(2), "exists", 1, 1);
    const r = run(
      image,
      request([
        { name: "ok" },
        { name: "exists" },
        { name: "bad/name" },
        { name: "dup" },
        { name: "dup" },
        { name: "zero", numPartitions: 0 },
        { name: "rf3", replicationFactor: 3 },
        { name: "rf0", replicationFactor: 0 },
        { name: "cfg", configs: [{ name: "no.such.config", value: "1" }] },
        { name: "cfg2", configs: [{ name: "min.insync.replicas", value: "0" }] },
        { name: "my.topic" },
        { name: "my_topic" },
      ]),
    );
    const codes = Object.fromEntries(r.response.topics.map((t) => [t.name, t.errorCode]));
    expect(codes).toEqual({
      ok: 0,
      exists: Errors.TOPIC_ALREADY_EXISTS.code,
      "bad/name": Errors.INVALID_TOPIC_EXCEPTION.code,
      dup: Errors.INVALID_REQUEST.code,
      zero: Errors.INVALID_PARTITIONS.code,
      rf3: Errors.INVALID_REPLICATION_FACTOR.code,
      rf0: Errors.INVALID_REPLICATION_FACTOR.code,
      cfg: Errors.INVALID_CONFIG.code,
      cfg2: Errors.INVALID_CONFIG.code,
      "my.topic": 0,
      my_topic: Errors.INVALID_TOPIC_EXCEPTION.code, // collides with my.topic ('.' and '_' share metric names)
    });
    const after = apply(image, r.records);
    expect([...after.topicIdsByName.keys()].sort()).toEqual(["exists", "my.topic", "ok"]);
  });

  it("auto-creation uses num.partitions=1 and default.replication.factor=1", () => {
    const r = run(clusterImage(3), autoCreateTopicsRequest(["auto"]));
    expect(r.response.topics[0]).toMatchObject({ errorCode: 0, numPartitions: 1, replicationFactor: 1 });
    const t = topicByName(apply(clusterImage(3), r.records), "auto")!;
    expect(t.partitions).toHaveLength(1);
    expect(t.partitions[0]!.replicas).toHaveLength(1);
  });

  it("validateOnly answers without records; a fenced-only cluster cannot host a topic", () => {
    expect(run(clusterImage(2), request([{ name: "x" }], true)).records).toEqual([]);
    expect(run(clusterImage(2, [1, 2]), request([{ name: "x" }])).response.topics[0]!.errorCode).toBe(
      Errors.INVALID_REPLICATION_FACTOR.code,
    );
  });
});
