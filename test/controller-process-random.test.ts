/**
 * Whole controller processes (3 voters, 3 brokers) under a seeded nemesis: controller and broker
 * crashes (some with power loss), isolation, message drops, while an admin keeps creating topics.
 * After a quiet phase we require: one active controller; every controller's committed metadata
 * log agrees batch by batch (state machine safety across restarts and power losses); every
 * broker's MetadataCache equals the controllers' image; every broker is registered and unfenced;
 * every partition has a live leader in its ISR; and each topic the admin saw created exists.
 */
import { describe, expect, it } from "vitest";
import { Errors } from "../src/protocol";
import { SeededRng } from "../src/sim/rng";
import type { EnvelopeResponse } from "../src/controller";
import {
  activeControllers,
  AdminClient,
  brokerOf,
  buildCluster,
  controllerIds,
  controllerOf,
} from "./controller-process-harness";

const SEEDS = process.env.CONTROLLER_SEED
  ? [Number(process.env.CONTROLLER_SEED)]
  : Array.from({ length: Number(process.env.CONTROLLER_SEEDS ?? 12) }, (_, i) => i + 1);
const brokerIds = [101, 102, 103];

function runSeed(seed: number): number {
  const w = buildCluster(seed);
  const rng = new SeededRng(seed).split("nemesis");
  const admin = w.process<AdminClient>("admin");
  const created = new Set<string>();
  const asked = new Map<number, string>();
  w.dropRate = rng.pick([0, 0.01, 0.05]);
  w.runFor(5000);
  for (let step = 0; step < 40; step++) {
    const roll = rng.next();
    const controller = `controller-${rng.pick(controllerIds)}`;
    const broker = `broker-${rng.pick(brokerIds)}`;
    if (roll < 0.1) w.crash(controller, rng.chance(0.5));
    else if (roll < 0.15) w.crash(broker, rng.chance(0.5));
    else if (roll < 0.2) w.isolate(controller);
    else if (roll < 0.3) w.heal();
    for (const id of [
      ...controllerIds.map((c) => `controller-${c}`),
      ...brokerIds.map((b) => `broker-${b}`),
    ]) {
      if (!w.isUp(id) && rng.chance(0.4)) w.start(id);
    }
    const name = `t${step}`;
    const target = `controller-${rng.pick(controllerIds)}`;
    const inner = {
      kind: "request",
      api: "CreateTopics",
      correlationId: step,
      clientId: "c",
      body: {
        topics: [{ name, numPartitions: rng.range(1, 4), replicationFactor: rng.range(1, 3), configs: [] }],
        timeoutMs: 5000,
        validateOnly: false,
      },
    };
    asked.set(admin.send(target, "Envelope", { request: inner }), name);
    w.runFor(rng.range(200, 1500));
  }
  // Quiet phase.
  w.heal();
  w.dropRate = 0;
  for (const id of w.nodes.keys()) if (!w.isUp(id)) w.start(id);
  w.runFor(25_000);

  for (const [id, name] of asked) {
    const body = admin.responses.get(id)?.body as EnvelopeResponse | undefined;
    const inner = body?.response?.body as { topics: { errorCode: number }[] } | undefined;
    if (body?.errorCode === Errors.NONE.code && inner?.topics[0]?.errorCode === Errors.NONE.code)
      created.add(name);
  }
  const active = activeControllers(w);
  expect(active, `seed=${seed} active controllers`).toHaveLength(1);
  const leader = controllerOf(w, active[0]!);
  const reference = leader.readCommitted(0, Number.MAX_SAFE_INTEGER);
  for (const id of controllerIds) {
    const log = controllerOf(w, id).readCommitted(0, Number.MAX_SAFE_INTEGER);
    const n = Math.min(log.length, reference.length);
    expect(JSON.stringify(log.slice(0, n)), `seed=${seed} controller ${id} committed log`).toBe(
      JSON.stringify(reference.slice(0, n)),
    );
  }
  const image = leader.image;
  for (const b of brokerIds) {
    const broker = brokerOf(w, b);
    expect(broker.lifecycle.state, `seed=${seed} broker ${b}`).toBe("running");
    expect(broker.cache.image.offset).toBe(image.offset);
    expect(JSON.stringify([...broker.cache.image.topics.values()].map((t) => t.partitions))).toBe(
      JSON.stringify([...image.topics.values()].map((t) => t.partitions)),
    );
    expect(image.brokers.get(b)?.fenced, `seed=${seed} broker ${b} fenced`).toBe(false);
  }
  for (const t of image.topics.values()) {
    for (const p of t.partitions) {
      expect(p.leader, `seed=${seed} ${t.name} leader`).toBeGreaterThan(0);
      expect(p.isr).toContain(p.leader);
    }
  }
  for (const name of created) expect(image.topicIdsByName.has(name), `seed=${seed} topic ${name}`).toBe(true);
  return created.size;
}

describe("controller quorum with brokers under random faults", () => {
  it(`converges and stays consistent on ${SEEDS.length} seeds`, () => {
    let created = 0;
    for (const seed of SEEDS) {
      try {
        created += runSeed(seed);
      } catch (e) {
        throw new Error(
          `seed=${seed}: ${(e as Error).message}\nreplay: CONTROLLER_SEED=${seed} npx vitest run test/controller-process-random.test.ts`,
          { cause: e },
        );
      }
    }
    console.log(`controller random: ${SEEDS.length} seeds, ${created} topics acknowledged`);
    expect(created).toBeGreaterThan(SEEDS.length * 5);
  });
});
