/**
 * A minimal deterministic world for controller-process tests (independent of src/sim/world.ts,
 * which another part of the project provides): NodeProcesses with a NodeContext each, a SimDisk
 * per node that survives crashes (and power losses), a seeded network with delays, drops and
 * partitions, timers, and crash/restart. Plus a test broker process built from the controller
 * layer's broker-side pieces (BrokerLifecycle, MetadataFetcher, MetadataCache), and an admin
 * client that sends one request and keeps the answers.
 */
import type { NodeContext, NodeId, NodeProcess, ProcessFactory, TimerId } from "../src/sim/process";
import { SeededRng, type Rng } from "../src/sim/rng";
import { SimDisk } from "../src/sim/sim-disk";
import { isResponse, type RequestEnvelope, type ResponseEnvelope } from "../src/protocol";
import {
  BrokerLifecycle,
  createControllerProcess,
  isControllerMessage,
  isLifecycleResponse,
  isMetadataFetchResponse,
  MetadataCache,
  MetadataFetcher,
  QuorumController,
  type ControllerProcess,
  type QuorumControllerOptions,
} from "../src/controller";

interface Event {
  at: number;
  seq: number;
  run: () => void;
}

interface Node {
  factory: ProcessFactory;
  process: NodeProcess | null;
  disk: SimDisk;
  incarnation: number;
}

export class World {
  now = 0;
  private seq = 0;
  private events: Event[] = [];
  readonly nodes = new Map<NodeId, Node>();
  private readonly netRng: Rng;
  private readonly root: Rng;
  private readonly blocked = new Set<string>();
  dropRate = 0;
  maxDelayMs = 5;
  readonly traces: { at: number; node: NodeId; kind: string; detail: Record<string, unknown> }[] = [];

  constructor(seed: number) {
    this.root = new SeededRng(seed);
    this.netRng = this.root.split("network");
  }

  add(id: NodeId, factory: ProcessFactory): void {
    this.nodes.set(id, { factory, process: null, disk: new SimDisk({ name: id }), incarnation: 0 });
    this.start(id);
  }

  process<P extends NodeProcess>(id: NodeId): P {
    const p = this.nodes.get(id)?.process;
    if (!p) throw new Error(`${id} is down`);
    return p as P;
  }

  isUp(id: NodeId): boolean {
    return this.nodes.get(id)?.process != null;
  }

  start(id: NodeId): void {
    const node = this.nodes.get(id)!;
    node.incarnation++;
    const incarnation = node.incarnation;
    const process = node.factory(id);
    node.process = process;
    const alive = (): boolean => node.process === process && node.incarnation === incarnation;
    let nextTimer = 1;
    const live = new Set<number>();
    const ctx: NodeContext = {
      nodeId: id,
      now: () => this.now,
      send: (to, message) => {
        if (alive()) this.deliver(id, to, message);
      },
      setTimer: (delayMs, tag) => {
        const timerId = nextTimer++;
        live.add(timerId);
        this.schedule(this.now + delayMs, () => {
          if (alive() && live.delete(timerId)) process.onTimer(tag, timerId as TimerId);
        });
        return timerId as TimerId;
      },
      cancelTimer: (timerId) => {
        live.delete(timerId as number);
      },
      disk: node.disk,
      rng: this.root.split(`${id}#${incarnation}`),
      trace: (kind, detail) => this.traces.push({ at: this.now, node: id, kind, detail }),
    };
    process.start(ctx);
  }

  crash(id: NodeId, powerLoss = false): void {
    const node = this.nodes.get(id)!;
    node.process = null;
    if (powerLoss) node.disk.powerLoss(this.root.split(`power-${id}-${this.now}`));
    else node.disk.crash();
  }

  restart(id: NodeId): void {
    if (this.isUp(id)) this.crash(id);
    this.start(id);
  }

  isolate(id: NodeId, cut = true): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      for (const key of [`${id}>${other}`, `${other}>${id}`]) {
        if (cut) this.blocked.add(key);
        else this.blocked.delete(key);
      }
    }
  }

  heal(): void {
    this.blocked.clear();
  }

  runFor(ms: number): void {
    this.runUntil(this.now + ms);
  }

  runUntil(t: number): void {
    for (;;) {
      this.events.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const e = this.events[0];
      if (!e || e.at > t) break;
      this.events.shift();
      this.now = Math.max(this.now, e.at);
      e.run();
    }
    this.now = t;
  }

  private schedule(at: number, run: () => void): void {
    this.events.push({ at, seq: this.seq++, run });
  }

  private deliver(from: NodeId, to: NodeId, message: unknown): void {
    if (this.blocked.has(`${from}>${to}`)) return;
    if (this.dropRate > 0 && this.netRng.chance(this.dropRate)) return;
    const copy = structuredClone(message);
    this.schedule(this.now + this.netRng.range(1, this.maxDelayMs), () => {
      const node = this.nodes.get(to);
      if (node?.process) node.process.onMessage(from, copy);
    });
  }
}

// --- Cluster wiring -----------------------------------------------------------------------------

export const CLUSTER_ID = "labs-cluster";
export const controllerIds = [1, 2, 3];
export const voters = controllerIds.map((id) => ({ id, address: `controller-${id}` }));

export function controllerFactory(extra: Partial<QuorumControllerOptions> = {}): ProcessFactory {
  return createControllerProcess((nodeId) => ({
    nodeId: Number(nodeId.split("-")[1]),
    clusterId: CLUSTER_ID,
    voters,
    ...extra,
  }));
}

export function controllerOf(world: World, id: number): ControllerProcess["controller"] {
  return world.process<ControllerProcess>(`controller-${id}`).controller;
}

export function activeControllers(world: World): number[] {
  return controllerIds.filter((id) => world.isUp(`controller-${id}`) && controllerOf(world, id).isActive);
}

/** A broker reduced to its controller-facing parts: registration, heartbeats, metadata fetch. */
export class TestBroker implements NodeProcess {
  readonly cache = new MetadataCache();
  lifecycle!: BrokerLifecycle;
  fetcher!: MetadataFetcher;
  private ctx!: NodeContext;
  private correlation = 1;

  constructor(readonly brokerId: number) {}

  start(ctx: NodeContext): void {
    this.ctx = ctx;
    this.correlation = ctx.now() * 2 ** 20 + 1;
    const next = (): number => this.correlation++;
    this.lifecycle = new BrokerLifecycle(
      {
        brokerId: this.brokerId,
        clusterId: CLUSTER_ID,
        incarnationId: `inc-${ctx.rng.int(1e9)}`,
        listeners: [{ name: "PLAINTEXT", host: ctx.nodeId, port: 9092, securityProtocol: 0 }],
        voters,
        nextCorrelationId: next,
      },
      this.cache,
    );
    this.fetcher = new MetadataFetcher(this.cache, {
      clusterId: CLUSTER_ID,
      voters,
      nextCorrelationId: next,
      clientId: ctx.nodeId,
    });
    this.poll();
    ctx.setTimer(50, "broker.poll");
  }

  onMessage(_from: NodeId, message: unknown): void {
    if (isMetadataFetchResponse(message)) this.fetcher.onResponse(message, this.ctx.now());
    else if (isLifecycleResponse(message)) this.lifecycle.onResponse(message, this.ctx.now());
    this.poll();
  }

  onTimer(): void {
    this.poll();
    this.ctx.setTimer(50, "broker.poll");
  }

  private poll(): void {
    const now = this.ctx.now();
    for (const out of [this.fetcher.poll(now), this.lifecycle.poll(now)])
      if (out) this.ctx.send(out.to, out.message);
  }
}

export function brokerOf(world: World, id: number): TestBroker {
  return world.process<TestBroker>(`broker-${id}`);
}

/** Sends requests on demand and keeps every response by correlation id. */
export class AdminClient implements NodeProcess {
  ctx!: NodeContext;
  readonly responses = new Map<number, ResponseEnvelope>();
  private next = 1;
  start(ctx: NodeContext): void {
    this.ctx = ctx;
  }
  send(to: NodeId, api: RequestEnvelope["api"], body: unknown): number {
    const correlationId = this.next++;
    this.ctx.send(to, {
      kind: "request",
      api,
      correlationId,
      clientId: "admin",
      body,
    } satisfies RequestEnvelope);
    return correlationId;
  }
  onMessage(_from: NodeId, message: unknown): void {
    if (isResponse(message)) this.responses.set(message.correlationId, message);
  }
  onTimer(): void {}
}

/** Three controllers, `brokers` brokers (ids 101...), and an admin client named "admin". */
export function buildCluster(seed: number, brokers = 3, extra: Partial<QuorumControllerOptions> = {}): World {
  const world = new World(seed);
  for (const id of controllerIds) world.add(`controller-${id}`, controllerFactory(extra));
  for (let i = 0; i < brokers; i++) world.add(`broker-${101 + i}`, () => new TestBroker(101 + i));
  world.add("admin", () => new AdminClient());
  return world;
}

/**
 * A combined node (process.roles=broker,controller), wired the way controller-process.ts
 * describes: one QuorumController and the broker's parts on the same NodeContext; messages routed
 * with isControllerMessage; controller timers offered first; the broker's MetadataCache fed by
 * the local controller's onCommit instead of a network fetch.
 */
export class CombinedNode implements NodeProcess {
  readonly cache = new MetadataCache();
  readonly controller: QuorumController;
  lifecycle!: BrokerLifecycle;
  private ctx!: NodeContext;
  private correlation = 1;

  constructor(readonly nodeId: number) {
    this.controller = new QuorumController({
      nodeId,
      clusterId: CLUSTER_ID,
      voters: combinedVoters,
      onCommit: (batch) => this.cache.applyBatches([batch]),
    });
  }

  start(ctx: NodeContext): void {
    this.ctx = ctx;
    this.controller.start(ctx);
    this.correlation = ctx.now() * 2 ** 20 + 1;
    this.lifecycle = new BrokerLifecycle(
      {
        brokerId: this.nodeId,
        clusterId: CLUSTER_ID,
        incarnationId: `inc-${ctx.rng.int(1e9)}`,
        listeners: [{ name: "PLAINTEXT", host: ctx.nodeId, port: 9092, securityProtocol: 0 }],
        voters: combinedVoters,
        nextCorrelationId: () => this.correlation++,
      },
      this.cache,
    );
    ctx.setTimer(50, "broker.poll");
  }

  onMessage(from: NodeId, message: unknown): void {
    if (isControllerMessage(message)) this.controller.onMessage(from, message);
    else if (isLifecycleResponse(message)) this.lifecycle.onResponse(message, this.ctx.now());
  }

  onTimer(tag: string, id: TimerId): void {
    if (this.controller.onTimer(tag, id)) return;
    const out = this.lifecycle.poll(this.ctx.now());
    if (out) this.ctx.send(out.to, out.message);
    this.ctx.setTimer(50, "broker.poll");
  }
}

export const combinedVoters = [1, 2, 3].map((id) => ({ id, address: `node-${id}` }));
