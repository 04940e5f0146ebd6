/**
 * The controller processes on the project's simulator (src/sim/world.ts) rather than the small
 * test harness: three controller nodes and three brokers (the harness's TestBroker), an async
 * admin client creating a topic through whichever controller is active, a crash of the active
 * controller, and a power loss of the whole cluster. Also checks that a run is reproducible.
 */
import { describe, expect, it } from "vitest";
import { World } from "../src/sim/world";
import type { ClientContext } from "../src/sim/process";
import { Errors, isResponse, type ResponseEnvelope } from "../src/protocol";
import {
  createControllerProcess,
  topicByName,
  type ControllerProcess,
  type EnvelopeResponse,
} from "../src/controller";
import { CLUSTER_ID, TestBroker, voters } from "./controller-process-harness";

function buildWorld(seed: number): World {
  const world = new World({ seed });
  for (const v of voters)
    world.addNode(
      v.address,
      createControllerProcess(() => ({ nodeId: v.id, clusterId: CLUSTER_ID, voters })),
    );
  for (const id of [101, 102, 103]) world.addNode(`broker-${id}`, () => new TestBroker(id));
  return world;
}

const controllerOf = (w: World, address: string) => w.processOf<ControllerProcess>(address)?.controller;
const activeAddresses = (w: World): string[] =>
  voters.map((v) => v.address).filter((a) => controllerOf(w, a)?.isActive === true);

/** An admin client: CreateTopics in an Envelope, retried against the hinted controller until it succeeds. */
async function createTopic(
  ctx: ClientContext,
  name: string,
  numPartitions: number,
  replicationFactor: number,
): Promise<number> {
  const answers = new Map<number, ResponseEnvelope>();
  ctx.onMessage((_from, m) => {
    if (isResponse(m)) answers.set(m.correlationId, m);
  });
  let target = voters[0]!.address;
  for (let attempt = 1; attempt <= 20; attempt++) {
    const inner = {
      kind: "request",
      api: "CreateTopics",
      correlationId: attempt,
      clientId: "admin",
      body: {
        topics: [{ name, numPartitions, replicationFactor, configs: [] }],
        timeoutMs: 5000,
        validateOnly: false,
      },
    };
    ctx.send(target, {
      kind: "request",
      api: "Envelope",
      correlationId: attempt,
      clientId: "admin",
      body: { request: inner },
    });
    await ctx.sleep(300);
    const res = answers.get(attempt)?.body as EnvelopeResponse | undefined;
    const inner_ = res?.response?.body as { topics: { errorCode: number }[] } | undefined;
    if (res?.errorCode === Errors.NONE.code) return inner_!.topics[0]!.errorCode;
    const hint = res?.currentLeader?.leaderId ?? -1;
    target = hint >= 0 ? `controller-${hint}` : voters[attempt % voters.length]!.address;
  }
  throw new Error(`could not reach an active controller to create ${name}`);
}

async function scenario(seed: number): Promise<string> {
  const w = buildWorld(seed);
  await w.runFor(8000);
  expect(activeAddresses(w)).toHaveLength(1);
  let created = -1;
  w.spawn("admin", async (ctx) => {
    created = await createTopic(ctx, "orders", 3, 3);
  });
  await w.runFor(5000);
  expect(created).toBe(Errors.NONE.code);
  for (const id of [101, 102, 103]) {
    const broker = w.processOf<TestBroker>(`broker-${id}`)!;
    expect(broker.lifecycle.state).toBe("running");
    expect(broker.cache.topic("orders")!.partitions).toHaveLength(3);
  }
  const first = activeAddresses(w)[0]!;
  w.crash(first);
  await w.runFor(8000);
  expect(activeAddresses(w)).toHaveLength(1);
  expect(activeAddresses(w)[0]).not.toBe(first);
  w.start(first);
  w.powerLossAll();
  for (const id of w.serverIds()) w.start(id);
  await w.runFor(15_000);
  const active = activeAddresses(w);
  expect(active).toHaveLength(1);
  const image = controllerOf(w, active[0]!)!.image;
  expect(topicByName(image, "orders")!.partitions).toHaveLength(3);
  for (const b of image.brokers.values()) expect(b.fenced).toBe(false);
  return JSON.stringify([...image.topics.values()].map((t) => [t.name, t.topicId, t.partitions]));
}

describe("controller quorum on src/sim/world.ts", () => {
  it("elects, creates a topic, fails over, survives a cluster-wide power loss — reproducibly", async () => {
    const a = await scenario(21);
    const b = await scenario(21);
    expect(b).toBe(a);
  });
});
