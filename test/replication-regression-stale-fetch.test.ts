/**
 * Regression: a follower's Fetch in flight to a leader process that died.
 *
 * Found by seeds 12, 64, 110 and 172 of the idempotence proof (test/idempotence-proof.test.ts):
 * 21 acks=all sends failed after delivery.timeout.ms although every partition had a leader.
 * Seed 64: broker-2 follows orders-0..2 on broker-3 with a long poll in flight when broker-3
 * crashes (4.7 s). Leadership moves to broker-1, broker-3 comes back, and at 11.3 s it leads
 * again with ISR [2, 3]. broker-2's fetcher for broker-3 was still waiting for the answer to
 * the request it sent the dead process at 4.4 s (replica.socket.timeout.ms: 30 s), so it sent
 * nothing; the leader heard nothing from an ISR member and the high watermark (min ISR 2)
 * stood still until that request timed out at 34.4 s.
 *
 * The fix (src/broker/replica-manager.ts): a fetcher left without partitions is shut down with
 * its request (Kafka's shutdownIdleFetcherThreads), and a request to a leader that has
 * registered again since (a new broker epoch) is abandoned and sent again, as a closed
 * connection fails it in Kafka.
 *
 * What must hold: once a leader has led for a few seconds, every running ISR follower has
 * fetched from it recently; a follower that stops fetching leaves the ISR through
 * AlterPartition after replica.lag.time.max.ms; acks=all sends complete.
 *
 * The other direction, found on the way: a restarted broker counted its correlation ids from 1
 * again, so an answer meant for its previous process (the simulated network delivers it; TCP
 * would not) could match one of its new requests. Ids now start at a per-incarnation base.
 */
import { describe, expect, it } from "vitest";
import { brokerConfig } from "../src/broker";
import { OutboundRequests } from "../src/broker/outbound";
import { ReplicaManager } from "../src/broker/replica-manager";
import { MetadataCache, type MetadataRecord } from "../src/controller";
import { LogManager } from "../src/log";
import { Errors, type ProduceResponse, type RequestEnvelope } from "../src/protocol";
import { kafkaHighWatermark, truncateByLeaderEpoch } from "../src/replication";
import { World, createCluster, type Cluster } from "../src/sim";
import { LAB_TIMINGS } from "../src/sim/replication-scenario";
import { SimDisk } from "../src/sim/sim-disk";
import { TIMEOUT, batchOf, call, produceBody, startCluster } from "./cluster-harness";
import { runProducerScenario } from "./producer-scenario";

// ---- a watch over a running cluster ------------------------------------------------------------

interface FetchGap {
  atMs: number;
  partition: number;
  leaderEpoch: number;
  leader: number;
  follower: number;
  /** When the follower last fetched from this leader (-Infinity: never in this leadership). */
  lastFetchMs: number;
}

interface IsrWatch {
  /** ISR followers that had not fetched from their leader within the bound. */
  gaps: FetchGap[];
  samples: number;
  /** First sample at or after `inSyncFromMs` with every partition fully in sync. */
  inSyncAtMs: number | undefined;
}

/**
 * Sample the cluster every `everyMs` from `fromMs` to `untilMs`. For each partition whose
 * leader has applied its leadership, every follower in that leader's ISR that runs and has
 * passed its startup gate must have fetched from the leader within `boundMs`, once both the
 * leadership and the follower's readiness are older than `boundMs`. From `inSyncFromMs`, also
 * note the first time every partition has all replicas in its ISR (metadata and leader), the
 * high watermark at the leader's log end offset and every follower there too.
 */
function watchIsrFetching(
  world: World,
  cluster: Cluster,
  o: {
    topic: string;
    boundMs: number;
    fromMs: number;
    untilMs: number;
    inSyncFromMs: number;
    everyMs?: number;
  },
): IsrWatch {
  const watch: IsrWatch = { gaps: [], samples: 0, inSyncAtMs: undefined };
  const everyMs = o.everyMs ?? 100;
  const leadingSince = new Map<string, number>();
  const readySince = new Map<string, { incarnation: number; sinceMs: number }>();
  const reported = new Set<string>();
  const tick = (): void => {
    const now = world.now();
    for (const node of cluster.brokerNodes) {
      const b = cluster.broker(node);
      if (b === undefined || !b.isReady) {
        readySince.delete(node);
        continue;
      }
      const incarnation = world.nodeInfo(node).incarnation;
      if (readySince.get(node)?.incarnation !== incarnation)
        readySince.set(node, { incarnation, sinceMs: now });
    }
    const img = cluster.image();
    const topicId = img?.topicIdsByName.get(o.topic);
    const partitions = topicId === undefined ? [] : (img!.topics.get(topicId)?.partitions ?? []);
    let allInSync = partitions.length > 0;
    partitions.forEach((reg, i) => {
      const lp =
        reg.leader < 0 ? undefined : cluster.broker(reg.leader)?.replicaManager.partitionObject(o.topic, i);
      if (lp === undefined || !lp.isLeader || lp.leaderEpoch !== reg.leaderEpoch) {
        allInSync = false;
        return;
      }
      const key = `${i}@${reg.leaderEpoch}`;
      let since = leadingSince.get(key);
      if (since === undefined) leadingSince.set(key, (since = now));
      for (const f of lp.isr) {
        if (f === reg.leader) continue;
        const ready = readySince.get(cluster.nodeOfBroker(f));
        if (ready === undefined || now - Math.max(since, ready.sinceMs) <= o.boundMs) continue;
        const lastFetchMs = lp.followerState(f)?.lastFetchTimeMs ?? Number.NEGATIVE_INFINITY;
        if (now - lastFetchMs > o.boundMs && !reported.has(`${key}/${f}`)) {
          reported.add(`${key}/${f}`);
          watch.gaps.push({
            atMs: now,
            partition: i,
            leaderEpoch: reg.leaderEpoch,
            leader: reg.leader,
            follower: f,
            lastFetchMs,
          });
        }
      }
      const inSync =
        reg.isr.length === reg.replicas.length &&
        lp.isr.length === reg.replicas.length &&
        lp.highWatermark === lp.logEndOffset &&
        reg.replicas.every((r) => r === reg.leader || lp.followerState(r)?.logEndOffset === lp.logEndOffset);
      if (!inSync) allInSync = false;
    });
    if (allInSync && now >= o.inSyncFromMs && watch.inSyncAtMs === undefined) watch.inSyncAtMs = now;
    watch.samples++;
    if (now + everyMs <= o.untilMs) world.after(everyMs, "isr-watch", tick);
  };
  world.at(o.fromMs, "isr-watch", tick);
  return watch;
}

// ---- the proof's seeds --------------------------------------------------------------------------

/** The idempotent producer of test/idempotence-proof.test.ts. */
const PRODUCER = { requestTimeoutMs: 1000, deliveryTimeoutMs: 30_000, lingerMs: 2, retryBackoffMs: 50 };
/** test/producer-scenario.ts: faults and sends for 10 s after the cluster is fully replicated. */
const FAULT_PHASE_MS = 10_000;
/**
 * A healthy follower fetches at least every replica.fetch.wait.max.ms (500 ms); after an
 * error it waits replica.fetch.backoff.ms (1000 ms) first. 3 s leaves room for a metadata
 * update to reach it, and is a tenth of replica.socket.timeout.ms.
 */
const FETCH_BOUND_MS = 3000;

describe("seeds 12, 64, 110, 172 of the idempotence proof (Kafka's replica timings)", () => {
  for (const seed of [12, 64, 110, 172]) {
    it(`seed ${seed}: every ISR follower fetches from the current leader, all sends complete`, async () => {
      let watch: IsrWatch | undefined;
      let faultEndMs = 0;
      const r = await runProducerScenario({
        seed,
        producer: PRODUCER,
        observe: (world, cluster) => {
          faultEndMs = world.now() + FAULT_PHASE_MS;
          watch = watchIsrFetching(world, cluster, {
            topic: "orders",
            boundMs: FETCH_BOUND_MS,
            fromMs: world.now(),
            untilMs: faultEndMs + 20_000,
            inSyncFromMs: faultEndMs,
          });
        },
      });
      expect(r.leaderChanges, "the seed changes leaders").toBeGreaterThan(0);
      expect(watch!.samples).toBeGreaterThan(100);
      expect(watch!.gaps).toEqual([]);
      expect(r.sendsOk).toBe(r.sendsTotal);
      expect(r.drainComplete).toBe(true);
      // After the last fault (a crashed leader restarts at its end) everything catches up.
      expect(watch!.inSyncAtMs, "all partitions back in sync").toBeDefined();
      expect(watch!.inSyncAtMs! - faultEndMs).toBeLessThan(5000);
    });
  }
});

// ---- directed cluster scenarios ------------------------------------------------------------------

const TOPIC = "events";

function leaderRegistration(cluster: Cluster, topic: string) {
  const img = cluster.image()!;
  return img.topics.get(img.topicIdsByName.get(topic)!)!.partitions[0]!;
}

async function waitForNewLeader(world: World, cluster: Cluster, not: number): Promise<number> {
  await world.runUntil(
    () => {
      const l = leaderRegistration(cluster, TOPIC).leader;
      return l >= 0 && l !== not && cluster.broker(l)?.replicaManager.isLeader(TOPIC, 0) === true;
    },
    { limitMs: world.now() + 15_000 },
  );
  const leader = leaderRegistration(cluster, TOPIC).leader;
  expect(leader).not.toBe(not);
  return leader;
}

describe("a leader that crashed, came back and leads again", () => {
  // A crash resets the followers' connections, so their fetch in flight fails at once
  // (replica.fetchDisconnected); after a power loss nothing tells them, and the fetch to the
  // dead process is abandoned when the leader registers again (replica.fetchAbandoned).
  for (const [fault, failedFetch] of [
    ["crash", "replica.fetchDisconnected"],
    ["power loss", "replica.fetchAbandoned"],
  ] as const)
    it(`gets a Fetch from every ISR follower at once, not after replica.socket.timeout.ms (${fault})`, async () => {
      // Separate controllers (the crashes cost no quorum member); Kafka's 30 s socket timeout.
      const { world, cluster } = await startCluster(7, {
        controllers: 3,
        brokerConfig: { replicaSocketTimeoutMs: 30_000, log: { minInsyncReplicas: 2 } },
        topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }],
      });
      const first = leaderRegistration(cluster, TOPIC);
      const a = first.leader;
      await world.runFor(1000); // the followers long-poll a: a Fetch is in flight to it
      if (fault === "crash") world.crash(cluster.nodeOfBroker(a));
      else world.powerLoss(cluster.nodeOfBroker(a));
      const b = await waitForNewLeader(world, cluster, a);
      const c = first.replicas.find((r) => r !== a && r !== b)!;
      world.start(cluster.nodeOfBroker(a));
      await world.runUntil(() => cluster.isHealthy(), { limitMs: world.now() + 15_000 });
      expect(cluster.isHealthy(), "a is back in the ISR").toBe(true);
      world.crash(cluster.nodeOfBroker(b));
      const again = await waitForNewLeader(world, cluster, b);
      // The premise: the election order (replicas order) hands leadership back to a.
      expect(again).toBe(a);
      const ledAtMs = world.now();
      const leaderPartition = () => cluster.broker(a)!.replicaManager.partitionObject(TOPIC, 0)!;
      await world.runUntil(() => leaderPartition().followerState(c)!.lastFetchTimeMs >= ledAtMs, {
        limitMs: ledAtMs + 2000,
      });
      expect(leaderPartition().followerState(c)!.lastFetchTimeMs).toBeGreaterThanOrEqual(ledAtMs);
      expect(world.trace.events.some((e) => e.kind === failedFetch && e.broker === c)).toBe(true);
      // ISR [a, c] with min.insync.replicas 2: acks=all needs c's fetches.
      const res = await call<ProduceResponse>(
        world,
        cluster.nodeOfBroker(a),
        "Produce",
        produceBody(TOPIC, 0, batchOf(world, ["x"]), -1, 3000),
        { timeoutMs: 4000 },
      );
      expect(res).not.toBe(TIMEOUT);
      expect((res as ProduceResponse).responses[0]!.partitionResponses[0]!.errorCode).toBe(Errors.NONE.code);
    });
});

describe("a follower whose fetches are lost", () => {
  it("leaves the ISR through AlterPartition after replica.lag.time.max.ms, then rejoins once its fetches go through", async () => {
    // Lab timings: replica.lag.time.max.ms 4000 (checked every 2000), replica.socket.timeout.ms 2000.
    const { world, cluster } = await startCluster(11, {
      controllers: 3,
      brokerConfig: { log: { minInsyncReplicas: 2 } },
      topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }],
    });
    const lagMs = cluster.broker(1)!.config.replicaLagTimeMaxMs;
    const socketTimeoutMs = cluster.broker(1)!.config.replicaSocketTimeoutMs;
    const reg = leaderRegistration(cluster, TOPIC);
    const leader = reg.leader;
    const follower = reg.replicas.find((r) => r !== leader)!;
    // The follower's requests to the leader are lost; it still heartbeats to the controllers.
    const cut = world.network.partition([cluster.nodeOfBroker(follower)], [cluster.nodeOfBroker(leader)], {
      oneWay: true,
    });
    const cutAtMs = world.now();
    // acks=all waits for the follower until it is out of the ISR, then completes.
    const res = await call<ProduceResponse>(
      world,
      cluster.nodeOfBroker(leader),
      "Produce",
      produceBody(TOPIC, 0, batchOf(world, ["y"]), -1, lagMs * 3),
      { timeoutMs: lagMs * 3 + 1000 },
    );
    expect(res).not.toBe(TIMEOUT);
    expect((res as ProduceResponse).responses[0]!.partitionResponses[0]!.errorCode).toBe(Errors.NONE.code);
    const shrink = world.trace.events.find(
      (e) => e.kind === "replica.alterPartition" && e._kind === "shrink" && e.ok === true && e.t > cutAtMs,
    );
    expect(shrink).toBeDefined();
    expect(shrink!.isr).not.toContain(follower);
    // Not before the lag bound; at most one isr-expiration period (lag / 2) and a round trip after it.
    expect(shrink!.t - cutAtMs).toBeGreaterThanOrEqual(lagMs);
    expect(shrink!.t - cutAtMs).toBeLessThanOrEqual(lagMs + lagMs / 2 + 500);
    expect(leaderRegistration(cluster, TOPIC).isr).not.toContain(follower);
    // Heal: its lost Fetch times out (replica.socket.timeout.ms), the next one gets through.
    world.network.removePartition(cut);
    const healedAtMs = world.now();
    await world.runUntil(() => cluster.isHealthy(), { limitMs: healedAtMs + 10_000 });
    expect(cluster.isHealthy()).toBe(true);
    expect(world.now() - healedAtMs).toBeLessThanOrEqual(socketTimeoutMs + 1500);
  });
});

describe("a broker that restarts", () => {
  it("never reuses a correlation id of its previous process, so an answer meant for that process matches nothing", async () => {
    const world = new World({ seed: 5, trace: { messages: true, timers: false } });
    const cluster = createCluster(world, {
      controllers: 3,
      brokerConfig: { ...LAB_TIMINGS, log: { minInsyncReplicas: 2 } },
      topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }],
    });
    await cluster.waitUntilReady({ timeoutMs: 30_000 });
    await world.runUntil(() => cluster.isHealthy(), { limitMs: world.now() + 30_000 });
    const node = cluster.brokerNodes.find((n) => n !== cluster.leaderOf(TOPIC, 0))!;
    await world.runFor(3000);
    const restartAtMs = world.now();
    world.restart(node); // crash and start again at once
    await world.runUntil(() => cluster.isHealthy(), { limitMs: world.now() + 30_000 });
    await world.runFor(5000);
    // Every request the node sent (replica Fetch, heartbeats, registration...), by incarnation.
    const ids = (before: boolean) =>
      new Set(
        world.trace.events
          .filter(
            (e) => e.kind === "deliver" && e.from === node && (e.sentAt as number) < restartAtMs === before,
          )
          .map((e) => /request #(\d+)$/.exec(String(e.msg))?.[1])
          .filter((id) => id !== undefined),
      );
    const first = ids(true);
    const second = ids(false);
    expect(first.size).toBeGreaterThan(10);
    expect(second.size).toBeGreaterThan(10);
    expect([...second].filter((id) => first.has(id))).toEqual([]);
  });
});

// ---- the replica manager on its own --------------------------------------------------------------

const TOPIC_ID = "AAAAAAAAAAAAAAAAAAAAAQ";

function registration(brokerId: number, brokerEpoch: number): MetadataRecord {
  return {
    type: "RegisterBrokerRecord",
    brokerId,
    incarnationId: `incarnation-${brokerId}-${brokerEpoch}`,
    brokerEpoch,
    endPoints: [{ name: "PLAINTEXT", host: `broker-${brokerId}`, port: 9092, securityProtocol: 0 }],
    rack: null,
    fenced: false,
  };
}

/** Broker 2's replica manager over a hand-fed metadata cache; what it sends is collected, time stands still. */
function followerReplicaManager(partitions: number) {
  const metadata = new MetadataCache();
  let offset = 0;
  const apply = (...records: MetadataRecord[]) =>
    metadata.applyBatches([{ offset: offset++, epoch: 1, records }]);
  apply(registration(1, 1), registration(2, 2), registration(3, 3));
  apply({ type: "TopicRecord", name: TOPIC, topicId: TOPIC_ID });
  for (let p = 0; p < partitions; p++)
    apply({
      type: "PartitionRecord",
      partitionId: p,
      topicId: TOPIC_ID,
      replicas: [3, 2, 1],
      isr: [3, 2, 1],
      leader: 3,
      leaderEpoch: 0,
      partitionEpoch: 0,
    });
  const config = brokerConfig(); // Kafka's defaults: replica.socket.timeout.ms 30000
  const sent: { to: string; request: RequestEnvelope }[] = [];
  const traces: { kind: string; detail: Record<string, unknown> }[] = [];
  const schedule = () => () => {}; // time does not move in these tests
  let correlation = 1;
  const outbound = new OutboundRequests({
    clientId: "2",
    send: (to, message) => sent.push({ to, request: message as RequestEnvelope }),
    schedule,
    nextCorrelationId: () => correlation++,
    now: () => 0,
  });
  const rm = new ReplicaManager({
    brokerId: 2,
    config,
    metadata,
    logManager: LogManager.open({ disk: new SimDisk(), logDir: config.logDir, defaultConfig: config.log }, 0),
    outbound,
    truncation: truncateByLeaderEpoch,
    highWatermarkRule: kafkaHighWatermark,
    now: () => 0,
    brokerEpoch: () => 2,
    schedule,
    trace: (kind, detail) => traces.push({ kind, detail }),
    submitAlterPartition: () => {},
    onLeadershipChanged: () => {},
  });
  const all = Array.from({ length: partitions }, (_, p) => ({ topic: TOPIC, partition: p }));
  rm.applyPartitionStates(all);
  const fetchesTo = (node: string) => sent.filter((s) => s.to === node && s.request.api === "Fetch");
  return { metadata, apply, rm, outbound, sent, traces, all, fetchesTo };
}

describe("ReplicaManager: Fetch requests to a leader that is gone", () => {
  it("shuts a fetcher down with its request once no partition is left on it, so a later leadership starts fresh", () => {
    const h = followerReplicaManager(1);
    expect(h.fetchesTo("broker-3")).toHaveLength(1);
    // Leadership moves to broker 1 (broker 3 was fenced): the fetcher for 3 is idle.
    h.apply({ type: "PartitionChangeRecord", partitionId: 0, topicId: TOPIC_ID, isr: [2, 1], leader: 1 });
    h.rm.applyPartitionStates(h.all);
    expect(h.fetchesTo("broker-1")).toHaveLength(1);
    expect(h.outbound.inFlight).toBe(1); // only the Fetch to broker 1
    expect(h.traces.filter((t) => t.kind === "replica.fetchAbandoned")).toHaveLength(1);
    // Broker 3 leads again: a Fetch goes out at once, not after the old one's 30 s timeout.
    h.apply({ type: "PartitionChangeRecord", partitionId: 0, topicId: TOPIC_ID, isr: [2, 1, 3], leader: 3 });
    h.rm.applyPartitionStates(h.all);
    expect(h.fetchesTo("broker-3")).toHaveLength(2);
    // The answer to the abandoned request, if it still came, matches nothing.
    const old = h.fetchesTo("broker-3")[0]!.request.correlationId;
    expect(h.outbound.onResponse({ kind: "response", api: "Fetch", correlationId: old, body: {} })).toBe(
      false,
    );
  });

  it("abandons a Fetch to a leader that has registered again (a new process) and sends it again", () => {
    const h = followerReplicaManager(2);
    expect(h.fetchesTo("broker-3")).toHaveLength(1); // both partitions in one request
    // Fencing and unfencing the same registration: the process is the same, keep waiting.
    h.apply({ type: "FenceBrokerRecord", id: 3, epoch: 3 });
    h.rm.onBrokersChanged([3]);
    h.apply({ type: "UnfenceBrokerRecord", id: 3, epoch: 3 });
    h.rm.onBrokersChanged([3]);
    expect(h.fetchesTo("broker-3")).toHaveLength(1);
    // Broker 3 restarted and registered with a new broker epoch: the old request is lost.
    h.apply(registration(3, 20));
    h.rm.onBrokersChanged([3]);
    const fetches = h.fetchesTo("broker-3");
    expect(fetches).toHaveLength(2);
    expect(h.outbound.inFlight).toBe(1);
    expect(
      h.outbound.onResponse({
        kind: "response",
        api: "Fetch",
        correlationId: fetches[0]!.request.correlationId,
        body: {},
      }),
    ).toBe(false);
    const reason = h.traces.find((t) => t.kind === "replica.fetchAbandoned")?.detail.reason;
    expect(reason).toMatch(/registered again/);
  });
});
