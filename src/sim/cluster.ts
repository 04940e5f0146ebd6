/**
 * A simulated Kafka cluster on a World: brokers and a KRaft-style controller quorum, either
 * combined on the same nodes (process.roles=broker,controller; the default, as labs run) or as
 * separate controller nodes, plus the handles a scenario needs: who leads a partition now (for
 * the nemesis's "crash the leader"), whether the cluster and its topics are ready, and a way to
 * create topics through the brokers as a client would.
 *
 *   const world = new World({ seed });
 *   const cluster = createCluster(world, { brokers: 3, controllers: "combined",
 *     brokerConfig: { log: { minInsyncReplicas: 2 } },
 *     topics: [{ name: "orders", partitions: 3, replicationFactor: 3 }] });
 *   await cluster.waitUntilReady();                 // controller active, brokers up, topics led
 *   installNemesis(world, { faultPhaseEndMs: 30_000, leader: () => cluster.leaderOf("orders", 0) });
 *
 * Naming: broker node "broker-<id>" with broker id <id> (1, 2, 3, ...). Combined mode: brokers
 * 1..min(3, n) also run a controller (voter ids = their broker ids); separate controllers are
 * nodes "controller-<k>" with node ids 1000 + k. A broker's Metadata answer advertises its node
 * name as `host`, so clients send there.
 *
 * Defaults are Kafka's (src/broker/config.ts, the controller's), except what `brokerConfig` and
 * `controller` override. unclean.leader.election.enable is given to both sides from
 * brokerConfig.log.uncleanLeaderElectionEnable unless `controller.uncleanLeaderElectionEnable`
 * says otherwise; min.insync.replicas likewise (the controller needs it for ELR only).
 * Eligible Leader Replicas (KIP-966) are off unless `eligibleLeaderReplicasEnabled` (or
 * `controller.eligibleLeaderReplicasEnabled`) turns them on.
 */
import {
  CombinedProcess,
  BrokerProcess,
  type BrokerComponent,
  type BrokerConfigOverrides,
  type BrokerCore,
  type BrokerOptions,
  type BrokerServices,
} from "../broker";
import {
  createControllerProcess,
  topicByName,
  type ControllerProcess,
  type MetadataImage,
  type QuorumController,
  type QuorumControllerOptions,
} from "../controller";
import { NetworkClient } from "../client/network-client";
import { Errors, type CreateTopicsRequest, type CreateTopicsResponse } from "../protocol";
import type { LogSeams } from "../log";
import type { HighWatermarkRule, TruncationPolicy } from "../replication";
import type { NodeId } from "./process";
import type { World } from "./world";

export interface ClusterTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Kafka topic configs, e.g. { "min.insync.replicas": "2" }. */
  configs?: Record<string, string>;
}

export interface ClusterOptions {
  /** Number of brokers (default 3). */
  brokers?: number;
  /** "combined" (default): brokers 1..min(3, n) also run controllers; a number: that many controller-only nodes. */
  controllers?: "combined" | number;
  clusterId?: string;
  brokerConfig?: BrokerConfigOverrides;
  controller?: Partial<Omit<QuorumControllerOptions, "nodeId" | "clusterId" | "voters" | "onCommit">>;
  /** KIP-966 Eligible Leader Replicas on every controller (default false, as Kafka 4.0). */
  eligibleLeaderReplicasEnabled?: boolean;
  /** Topics created by `waitUntilReady` (through a broker, as an admin client would). */
  topics?: ClusterTopic[];
  truncation?: TruncationPolicy;
  highWatermarkRule?: HighWatermarkRule;
  /** Storage seams of every broker's LogManager (labs: e.g. the producer sequence check of lab 02). */
  logSeams?: LogSeams;
  /** Components built for each broker incarnation (e.g. a group coordinator). */
  components?: (broker: BrokerServices) => BrokerComponent[];
}

export const DEFAULT_CLUSTER_ID = "kafka-labs-cluster";
const ADMIN_CLIENT = "cluster-admin";

export class Cluster {
  readonly world: World;
  readonly clusterId: string;
  /** Broker node names, in broker id order. */
  readonly brokerNodes: readonly NodeId[];
  readonly brokerIds: readonly number[];
  /** Nodes running a controller (combined nodes or controller-only nodes). */
  readonly controllerNodes: readonly NodeId[];
  /** Every server node of the cluster (brokers, then controller-only nodes). */
  readonly nodes: readonly NodeId[];
  readonly voters: readonly { id: number; address: NodeId }[];
  readonly topics: readonly ClusterTopic[];
  private readonly combined: boolean;
  private adminRuns = 0;

  constructor(world: World, options: ClusterOptions = {}) {
    this.world = world;
    this.clusterId = options.clusterId ?? DEFAULT_CLUSTER_ID;
    const n = options.brokers ?? 3;
    if (!Number.isInteger(n) || n < 1) throw new Error(`Cannot build a cluster of ${n} brokers`);
    const controllers = options.controllers ?? "combined";
    this.combined = controllers === "combined";
    this.brokerIds = Array.from({ length: n }, (_, i) => i + 1);
    this.brokerNodes = this.brokerIds.map((id) => `broker-${id}`);
    this.voters = this.combined
      ? this.brokerIds.slice(0, Math.min(3, n)).map((id) => ({ id, address: `broker-${id}` }))
      : Array.from({ length: controllers as number }, (_, k) => ({
          id: 1001 + k,
          address: `controller-${k + 1}`,
        }));
    if (this.voters.length === 0) throw new Error("Cannot build a cluster without controllers");
    this.controllerNodes = this.voters.map((v) => v.address);
    this.nodes = this.combined ? [...this.brokerNodes] : [...this.brokerNodes, ...this.controllerNodes];
    this.topics = options.topics ?? [];
    const unclean =
      options.controller?.uncleanLeaderElectionEnable ??
      options.brokerConfig?.log?.uncleanLeaderElectionEnable ??
      false;
    const elr = options.controller?.eligibleLeaderReplicasEnabled ?? options.eligibleLeaderReplicasEnabled;
    const minIsr = options.controller?.minInsyncReplicas ?? options.brokerConfig?.log?.minInsyncReplicas;
    const controllerOptions = (nodeId: number): QuorumControllerOptions => ({
      brokerSessionTimeoutMs: options.brokerConfig?.brokerSessionTimeoutMs,
      ...options.controller,
      ...(elr !== undefined ? { eligibleLeaderReplicasEnabled: elr } : {}),
      ...(minIsr !== undefined ? { minInsyncReplicas: minIsr } : {}),
      uncleanLeaderElectionEnable: unclean,
      nodeId,
      clusterId: this.clusterId,
      voters: this.voters,
    });
    const brokerOptions = (brokerId: number): BrokerOptions => ({
      brokerId,
      clusterId: this.clusterId,
      voters: this.voters,
      ...(options.brokerConfig ? { config: options.brokerConfig } : {}),
      ...(options.truncation ? { truncation: options.truncation } : {}),
      ...(options.highWatermarkRule ? { highWatermarkRule: options.highWatermarkRule } : {}),
      ...(options.logSeams ? { logSeams: options.logSeams } : {}),
      ...(options.components ? { components: options.components } : {}),
    });
    // Controller-only nodes first: brokers start at once and contact the quorum.
    if (!this.combined) {
      for (const v of this.voters)
        world.addNode(
          v.address,
          createControllerProcess(() => controllerOptions(v.id)),
        );
    }
    for (const id of this.brokerIds) {
      const node = `broker-${id}`;
      const isVoter = this.combined && this.voters.some((v) => v.id === id);
      world.addNode(node, () =>
        isVoter
          ? new CombinedProcess({ broker: brokerOptions(id), controller: controllerOptions(id) })
          : new BrokerProcess(brokerOptions(id)),
      );
    }
  }

  // ---- looking inside -------------------------------------------------------------------------

  nodeOfBroker(brokerId: number): NodeId {
    return `broker-${brokerId}`;
  }

  brokerIdOf(node: NodeId): number | undefined {
    const i = this.brokerNodes.indexOf(node);
    return i < 0 ? undefined : this.brokerIds[i];
  }

  /** The running broker on `node` (or with that broker id), undefined while it is down. */
  broker(nodeOrId: NodeId | number): BrokerCore | undefined {
    const node = typeof nodeOrId === "number" ? this.nodeOfBroker(nodeOrId) : nodeOrId;
    const p = this.world.processOf<BrokerProcess | CombinedProcess>(node);
    return p?.broker;
  }

  /** The running controller on `node`, undefined while it is down or the node has none. */
  controller(node: NodeId): QuorumController | undefined {
    if (!this.controllerNodes.includes(node)) return undefined;
    const p = this.world.processOf<CombinedProcess | ControllerProcess>(node);
    return p?.controller;
  }

  /** The active controller, if one is running and active. */
  activeController(): QuorumController | undefined {
    for (const node of this.controllerNodes) {
      const c = this.controller(node);
      if (c?.isActive) return c;
    }
    return undefined;
  }

  /** The most recent committed metadata image among running controllers. */
  image(): MetadataImage | undefined {
    let best: MetadataImage | undefined;
    for (const node of this.controllerNodes) {
      const img = this.controller(node)?.image;
      if (img !== undefined && (best === undefined || img.offset > best.offset)) best = img;
    }
    return best;
  }

  /** The node leading a partition per the committed metadata, undefined when leaderless or unknown. */
  leaderOf(topic: string, partition: number): NodeId | undefined {
    const img = this.image();
    const p = img === undefined ? undefined : topicByName(img, topic)?.partitions[partition];
    return p !== undefined && p.leader >= 0 ? this.nodeOfBroker(p.leader) : undefined;
  }

  /** A leader node chosen among the given topics' partitions (the nemesis's "leader" callback). */
  anyLeader(topics: readonly string[] = this.topics.map((t) => t.name)): NodeId | undefined {
    for (const t of topics) {
      const spec = this.topics.find((s) => s.name === t);
      for (let p = 0; p < (spec?.partitions ?? 1); p++) {
        const node = this.leaderOf(t, p);
        if (node !== undefined && this.world.isUp(node)) return node;
      }
    }
    return undefined;
  }

  /**
   * Ready: a controller is active, every broker that runs has passed its startup gate and is
   * unfenced in the committed metadata, and every partition of `topics` has a leader that has
   * applied its leadership.
   */
  isReady(topics: readonly string[] = this.topics.map((t) => t.name)): boolean {
    if (this.activeController() === undefined) return false;
    const img = this.image();
    if (img === undefined) return false;
    for (const node of this.brokerNodes)
      if (this.world.isUp(node) && !this.brokerServing(img, node)) return false;
    for (const name of topics) {
      const topic = topicByName(img, name);
      if (topic === undefined) return false;
      for (let p = 0; p < topic.partitions.length; p++) {
        const reg = topic.partitions[p]!;
        if (reg.leader < 0) return false;
        if (!this.broker(reg.leader)?.replicaManager.isLeader(name, p)) return false;
      }
    }
    return true;
  }

  /**
   * Fully recovered: every broker runs, has passed its startup gate and is unfenced, and every
   * partition of `topics` has a leader and all its replicas in its ISR, in the committed
   * metadata and as the leader itself sees it; and the active controller has no metadata change
   * waiting for its commit (a fencing or ISR shrink it already decided, e.g. the session of a
   * broker that was cut off expiring while a slow quorum commits it, is a failure in progress).
   * A "one failure at a time" fault model waits for this before failing the next node.
   */
  isHealthy(topics: readonly string[] = this.topics.map((t) => t.name)): boolean {
    const img = this.image();
    const active = this.activeController();
    if (img === undefined || active === undefined) return false;
    if (active.logEndOffset > active.highWatermark) return false;
    for (const node of this.brokerNodes)
      if (!this.world.isUp(node) || !this.brokerServing(img, node)) return false;
    for (const name of topics) {
      const topic = topicByName(img, name);
      if (topic === undefined) return false;
      for (let i = 0; i < topic.partitions.length; i++) {
        const p = topic.partitions[i]!;
        if (p.leader < 0 || p.isr.length !== p.replicas.length) return false;
        // The leader itself has applied it (its AlterPartition answer or the metadata arrived).
        const local = this.broker(p.leader)?.replicaManager.partitionObject(name, i);
        if (
          local === undefined ||
          !local.isLeader ||
          local.isrChangeInFlight ||
          local.isr.length !== p.replicas.length
        )
          return false;
      }
    }
    return true;
  }

  /**
   * Run the world until the cluster is ready, creating `options.topics` (default: the
   * cluster's topics) through an admin client on the way. Throws if not ready by the deadline.
   */
  async waitUntilReady(
    options: { topics?: readonly ClusterTopic[]; timeoutMs?: number } = {},
  ): Promise<void> {
    const topics = options.topics ?? this.topics;
    const deadline = this.world.now() + (options.timeoutMs ?? 60_000);
    await this.world.runUntil(() => this.activeController() !== undefined && this.brokersReady(), {
      limitMs: deadline,
    });
    if (topics.length > 0) {
      const created = this.createTopics(topics);
      await this.world.runUntil(() => created.done, { limitMs: deadline });
      if (created.error !== undefined) throw new Error(created.error);
    }
    const names = topics.map((t) => t.name);
    await this.world.runUntil(() => this.isReady(names), { limitMs: deadline });
    if (!this.isReady(names))
      throw new Error(
        `The cluster was not ready by t=${deadline} ms (seed=${this.world.seed}): controller active=${this.activeController() !== undefined}, topics [${names.join(", ")}]`,
      );
  }

  /** Create topics through the brokers (CreateTopics is forwarded to the controller); TOPIC_ALREADY_EXISTS counts as done. */
  createTopics(topics: readonly ClusterTopic[], timeoutMs = 30_000): { done: boolean; error?: string } {
    const state: { done: boolean; error?: string } = { done: false };
    const name = `${ADMIN_CLIENT}-${++this.adminRuns}`;
    this.world.spawn(name, async (ctx) => {
      const net = new NetworkClient(ctx, { clientId: name, requestTimeoutMs: 3000 });
      const deadline = ctx.now() + timeoutMs;
      let pending = [...topics];
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (ctx.now() >= deadline) {
          state.error = `Could not create topics [${pending.map((t) => t.name).join(", ")}] within ${timeoutMs} ms`;
          break;
        }
        const node = this.brokerNodes[attempt % this.brokerNodes.length]!;
        const body: CreateTopicsRequest = {
          topics: pending.map((t) => ({
            name: t.name,
            numPartitions: t.partitions,
            replicationFactor: t.replicationFactor,
            configs: Object.entries(t.configs ?? {}).map(([k, v]) => ({ name: k, value: v })),
          })),
          timeoutMs: 5000,
          validateOnly: false,
        };
        try {
          const res = await net.request<CreateTopicsResponse>(node, "CreateTopics", body, {
            timeoutMs: 6000,
          });
          const failed = new Set<string>();
          for (const t of res.topics) {
            if (t.errorCode === Errors.NONE.code || t.errorCode === Errors.TOPIC_ALREADY_EXISTS.code)
              continue;
            const retriable = [
              Errors.REQUEST_TIMED_OUT.code,
              Errors.NOT_CONTROLLER.code,
              Errors.INVALID_REPLICATION_FACTOR.code,
            ];
            if (!retriable.includes(t.errorCode)) {
              state.error = `CreateTopics ${t.name} failed: error ${t.errorCode} ${t.errorMessage ?? ""}`;
              pending = [];
              break;
            }
            failed.add(t.name);
          }
          pending = pending.filter((t) => failed.has(t.name));
        } catch (_timeout) {
          // try the next broker
        }
        if (pending.length > 0) await ctx.sleep(200);
      }
      state.done = true;
    });
    return state;
  }

  /** The broker on `node` has passed its startup gate and is registered and unfenced in `img`. */
  private brokerServing(img: MetadataImage, node: NodeId): boolean {
    const reg = img.brokers.get(this.brokerIdOf(node)!);
    return this.broker(node)?.isReady === true && reg !== undefined && !reg.fenced;
  }

  private brokersReady(): boolean {
    for (const node of this.brokerNodes) {
      if (!this.world.isUp(node)) continue;
      if (!this.broker(node)?.isReady) return false;
    }
    return true;
  }
}

/** Add the cluster's nodes to `world` (they start at once) and return its handle. */
export function createCluster(world: World, options: ClusterOptions = {}): Cluster {
  return new Cluster(world, options);
}
