/**
 * # src/broker — one Kafka broker node
 *
 * A broker is a NodeProcess (src/sim/process.ts): it gets a NodeContext (time, timers, disk,
 * network, rng) and reacts to messages and timers. `BrokerProcess` is a broker-only node
 * (process.roles=broker); `CombinedProcess` (combined.ts) hosts a broker and a controller of the
 * metadata quorum on one node (process.roles=broker,controller), for small lab clusters.
 *
 * ## Request handling (plug-in API)
 * - One file per API under handlers/, prefixed with its API key as franz-go's kfake does
 *   (00-produce.ts, 01-fetch.ts, 02-list-offsets.ts, 03-metadata.ts, 19-create-topics.ts,
 *   23-offset-for-leader-epoch.ts; the group coordinator adds 08–14, the idempotent producer 22).
 *   Each opens with what it serves and where it departs from Kafka.
 * - handlers/index.ts: the registry `HANDLERS: Partial<Record<ApiName, Handler>>`.
 * - A handler is `(broker: BrokerServices, request: RequestEnvelope<Req>, respond: (body: Res) => void) => void`
 *   (handlers/handler.ts). `respond` may be called later (acks=all purgatory, Fetch long poll,
 *   forwarded CreateTopics), at most once, or never (acks=0).
 * - `BrokerServices` (services.ts) is everything a handler or component may use: brokerId,
 *   nodeName, clusterId, now(), rng, trace(), config (config.ts: Kafka names and defaults), the
 *   MetadataCache, the replica manager (isLeader, partitionInfo, appendToLeader with acks
 *   0/1/-1 and a completion callback, read bounded by the HW, fetchMessages, listOffset,
 *   lastOffsetForLeaderEpoch, localLog, onLeadershipChange listeners), createTopics /
 *   ensureTopic / offsetsTopicSpec (forwarded to the controller; __consumer_offsets with
 *   offsets.topic.num.partitions, RF min(offsets.topic.replication.factor, brokers)),
 *   schedule() timers, and registerComponent()/component().
 * - Components (`BrokerComponent`: name, onTick, onLeadershipChange, onMetadataUpdate, stop)
 *   are created per broker incarnation by the `components` option (e.g. the group
 *   coordinator), or registered later with `broker.registerComponent(c)`; handlers find them
 *   with `broker.component<T>(name)`. onTick runs every config.componentTickMs (100 ms) once a
 *   component with onTick is registered.
 *
 * ## Options and seams (BrokerOptions in broker-core.ts)
 * brokerId, clusterId, voters (controller.quorum.voters), config overrides, and the seams labs
 * swap: `truncation` (src/replication/truncation.ts: truncateByLeaderEpoch, the default, or the
 * pre-0.11 truncateToHighWatermark), `highWatermarkRule` (src/replication/high-watermark.ts),
 * `logSeams` (src/log/seams.ts), plus `components`. src/sim/cluster.ts builds whole clusters.
 *
 * ## Lifecycle of a BrokerProcess incarnation
 * 1. start: open the LogManager over ctx.disk (recovery of every partition log; HW from
 *    replication-offset-checkpoint, clamped to the log end offset).
 * 2. register with the controller quorum (BrokerRegistration → broker epoch), heartbeat every
 *    broker.heartbeat.interval.ms; fetch __cluster_metadata as an observer into the
 *    MetadataCache (src/controller: BrokerLifecycle, MetadataFetcher). Startup gate: partition
 *    states are applied only once registered and caught up to the broker's own registration
 *    record, so a restarted broker never acts on a stale image in which it still leads.
 * 3. apply metadata deltas to the replica manager: a partition whose leader is this broker →
 *    become leader (assign the new epoch at the log end offset in the leader-epoch cache);
 *    another leader → become follower (truncate per the truncation seam, then fetch from the
 *    leader with one batched Fetch per leader broker, like ReplicaFetcherThread).
 * 4. periodic tasks on timers: ISR shrink check (replica.lag.time.max.ms / 2), HW checkpoint
 *    (replica.high.watermark.checkpoint.interval.ms), recovery-point and log-start-offset
 *    checkpoints, retention, flush policy, component ticks.
 * 5. stop (orderly): components stop, logs close, checkpoints and the clean-shutdown marker.
 *    A crash skips all that; a power loss also drops unsynced bytes (src/sim).
 *
 * Departures from Kafka are listed in each file's header; the big ones: structured messages
 * instead of the binary protocol (src/protocol/api.ts), one log dir, no fetch sessions, no
 * transactions, no quotas, no controlled-shutdown state (collapsed by the controller).
 * Eligible leader replicas (KIP-966, on by default for new clusters from Kafka 4.1) are a
 * controller option, off by default: as in Kafka ≤ 4.0, a last ISR member that lost its
 * unflushed data in a power loss can then come back as leader. The broker reports the epoch of
 * its clean-shutdown marker at registration (previousBrokerEpoch) either way.
 */
import type {
  ConnectionError,
  NodeContext,
  NodeId,
  NodeProcess,
  ProcessFactory,
  TimerId,
} from "../sim/process";
import { BrokerCore, type BrokerOptions } from "./broker-core";

/** A broker-only node (process.roles=broker). */
export class BrokerProcess implements NodeProcess {
  readonly broker: BrokerCore;

  constructor(options: BrokerOptions) {
    this.broker = new BrokerCore(options, "fetch");
  }

  start(ctx: NodeContext): void {
    this.broker.start(ctx);
  }

  onMessage(from: NodeId, message: unknown): void {
    this.broker.onMessage(from, message);
  }

  onTimer(tag: string, id: TimerId): void {
    this.broker.onTimer(tag, id);
  }

  onConnectionError(peer: NodeId, error: ConnectionError): void {
    this.broker.onConnectionError(peer, error);
  }

  stop(): void {
    this.broker.stop();
  }
}

/** A ProcessFactory for broker nodes; `options(nodeId)` gives each node its options. */
export function createBrokerProcess(options: (nodeId: NodeId) => BrokerOptions): ProcessFactory {
  return (nodeId) => new BrokerProcess(options(nodeId));
}
