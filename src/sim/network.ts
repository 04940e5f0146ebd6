/**
 * The simulated network between named nodes (brokers, controllers, clients).
 *
 * Model: every ordered pair of nodes is a link like a TCP connection. A message takes
 * `baseDelayMs + uniform[0, jitterMs) + slowness of either end` to arrive; links are FIFO (a
 * message never overtakes an earlier one on the same link) unless the link enables `reorder`.
 * Faults the network injects, all drawn from its own rng stream:
 * - loss: each message is dropped with the link's `lossProbability`;
 * - partitions: symmetric or one-way, between sets of nodes, or isolating one node from
 *   everyone (including nodes attached later); a message is dropped if its link is cut when it
 *   is sent or when it would arrive;
 * - slow nodes: extra latency on every link to and from a node (a slow follower);
 * - crashes, see below. A message from a node that crashed after sending still arrives: it was
 *   already on the wire.
 * The receiver gets a copy of the message (see message.ts), taken when it is sent.
 *
 * ## Connection-level errors (process death versus machine loss)
 * Two nodes that exchanged a message during their current incarnations have an open connection.
 * What a peer learns when a node goes down depends on how it went down, as with real TCP:
 * - The PROCESS ends while its machine stays up (`processEnded(id, "reset")`: World.crash and
 *   World.stop): the OS closes its sockets. Every peer with an open connection gets a `reset`
 *   one link delay later (after whatever the node had already put on that link: FIFO), unless
 *   a partition cuts the link then; the peer's request layer fails every request it sent to the
 *   node at or before the reset time (Kafka's NetworkClient: DisconnectException). Later
 *   messages to the down node are `refused`: the sender gets its message back as a connection
 *   error one link delay later (connection refused: nothing listens on the port).
 * - A message sent to an earlier incarnation that arrives at a new one is refused too (the new
 *   process does not know the old connection: RST).
 * - The MACHINE loses power (`processEnded(id, "silent")`: World.powerLoss), or a partition,
 *   one-way cut or slow node is in the way: nothing is sent back. Peers learn only by timeout
 *   (request.timeout.ms), and messages to a powered-off node are dropped.
 * Resets and refusals draw nothing from the rng (their delay is the link's base delay plus
 * slowness), so runs without crashes keep their random streams. The trace records them as "net"
 * events: "reset" (the node whose process ended, with its peers), "conn-reset" and
 * "conn-refused" (at the peer that learns of it).
 *
 * Departures from real networks: no duplication, no corruption (RecordBatch CRCs are tested on
 * the disk instead); a connection is a pair of node names, not a socket, so a reset is matched
 * to requests by send time (see ConnectionError in process.ts): a request sent to a node in the
 * very millisecond it restarted is failed with the old incarnation's connection. A reset or
 * refusal is never lost to `lossProbability` (TCP retransmits), only to partitions.
 */
import type { ConnectionError, NodeId } from "./process";
import type { Rng } from "./rng";
import { SimEvent, type Scheduler } from "./scheduler";
import type { Trace } from "./trace";
import { copierFor, summarizeMessage, type CopyStrategy } from "./message";

export interface LinkOptions {
  /** Fixed one-way latency in ms. */
  baseDelayMs: number;
  /** Extra latency drawn uniformly from [0, jitterMs). */
  jitterMs: number;
  /** Probability in [0, 1] that a message on the link is lost. */
  lossProbability: number;
  /** Let later messages overtake earlier ones (default false: FIFO like TCP). */
  reorder: boolean;
}

export const LINK_DEFAULTS: Readonly<LinkOptions> = {
  baseDelayMs: 1,
  jitterMs: 1,
  lossProbability: 0,
  reorder: false,
};

export interface NetworkOptions {
  /** Options of every link not configured with `setLink` (defaults: LINK_DEFAULTS). */
  link?: Partial<LinkOptions>;
  /** How messages are copied (default "structured"; see message.ts). */
  copy?: CopyStrategy;
  /** One-line summary of a message for the trace (default summarizeMessage). */
  summarize?: (message: unknown) => string;
}

/** What the network needs to know about a node; the world implements it. */
export interface Endpoint {
  /** True while the node's process runs. */
  readonly up: boolean;
  /** Increases at every start; messages sent to an earlier incarnation are dropped. */
  readonly incarnation: number;
  /**
   * True while the node's machine has power. A node that is down but powered refuses
   * connections (an error goes back to the sender); a powered-off one is silent.
   */
  readonly powered: boolean;
  /** Hand a delivered message to the node. */
  receive(from: NodeId, message: unknown): void;
  /** A connection-level error about the connection to `peer` reached the node. */
  connectionError(peer: NodeId, error: ConnectionError): void;
}

export type DropReason = "loss" | "partition" | "receiver-down" | "receiver-restarted";

export type PartitionId = number;

interface Partition {
  readonly id: PartitionId;
  readonly a: ReadonlySet<NodeId>;
  /** The other side; null means "every node not in a". */
  readonly b: ReadonlySet<NodeId> | null;
  /** Which directions are cut. */
  readonly cut: "both" | "a-to-b" | "b-to-a";
}

interface LinkState {
  custom: LinkOptions | undefined;
  /** Latest arrival time scheduled on the link (FIFO bound). */
  lastArrivalMs: number;
}

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: Record<DropReason, number>;
  /** Messages refused by a down-but-powered node (each bounced to its sender). */
  refused: number;
  /** Connection resets that reached a live peer. */
  resets: number;
}

class Delivery extends SimEvent {
  constructor(
    private readonly network: Network,
    readonly from: NodeId,
    readonly to: NodeId,
    readonly message: unknown,
    readonly sentAtMs: number,
    readonly toIncarnation: number,
  ) {
    super();
  }
  run(): void {
    this.network.arrive(this);
  }
  describe(): string {
    return `deliver ${this.from}→${this.to} ${this.network.summarize(this.message)}`;
  }
}

/** A reset or refusal travelling back to `to` (the peer that holds the failed connection). */
class ConnectionErrorArrival extends SimEvent {
  constructor(
    private readonly network: Network,
    readonly from: NodeId,
    readonly to: NodeId,
    readonly toIncarnation: number,
    readonly error: ConnectionError,
  ) {
    super();
  }
  run(): void {
    this.network.arriveConnectionError(this);
  }
  describe(): string {
    return `${this.error.kind} ${this.from}→${this.to}`;
  }
}

export class Network {
  readonly stats: NetworkStats = {
    sent: 0,
    delivered: 0,
    dropped: { loss: 0, partition: 0, "receiver-down": 0, "receiver-restarted": 0 },
    refused: 0,
    resets: 0,
  };
  readonly summarize: (message: unknown) => string;
  private readonly endpoints = new Map<NodeId, Endpoint>();
  private readonly links = new Map<NodeId, Map<NodeId, LinkState>>();
  private defaults: LinkOptions;
  private readonly copy: (message: unknown) => unknown;
  private partitions: Partition[] = [];
  private nextPartitionId = 1;
  private readonly slowness = new Map<NodeId, number>();
  /** Open connections: node → peers it exchanged a message with in their current incarnations. */
  private readonly connections = new Map<NodeId, Set<NodeId>>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly rng: Rng,
    private readonly trace: Trace,
    options: NetworkOptions = {},
  ) {
    this.defaults = checkLink({ ...LINK_DEFAULTS, ...options.link }, "default link");
    this.copy = copierFor(options.copy ?? "structured");
    this.summarize = options.summarize ?? summarizeMessage;
  }

  /** Register a node. Names are unique. */
  attach(id: NodeId, endpoint: Endpoint): void {
    if (this.endpoints.has(id))
      throw new Error(`Cannot attach node "${id}" to the network: the name is taken`);
    this.endpoints.set(id, endpoint);
  }

  has(id: NodeId): boolean {
    return this.endpoints.has(id);
  }

  /** Send a copy of `message` from `from` to `to`; it arrives later, or is dropped or refused. */
  send(from: NodeId, to: NodeId, message: unknown): void {
    const dest = this.endpoints.get(to);
    if (dest === undefined) throw new Error(`Cannot send from "${from}" to "${to}": no such node`);
    this.stats.sent++;
    const link = this.link(from, to);
    const opts = link.custom ?? this.defaults;
    if (this.isCut(from, to)) return this.drop(from, to, message, this.scheduler.now, "partition");
    if (!dest.up) {
      if (dest.powered) return this.refuse(to, from, this.copy(message), this.scheduler.now);
      return this.drop(from, to, message, this.scheduler.now, "receiver-down");
    }
    if (opts.lossProbability > 0 && this.rng.chance(opts.lossProbability)) {
      return this.drop(from, to, message, this.scheduler.now, "loss");
    }
    this.connect(from, to);
    let delayMs = opts.baseDelayMs;
    if (opts.jitterMs > 0) delayMs += this.rng.next() * opts.jitterMs;
    if (this.slowness.size > 0) delayMs += (this.slowness.get(from) ?? 0) + (this.slowness.get(to) ?? 0);
    let arrivalMs = this.scheduler.now + delayMs;
    if (!opts.reorder && arrivalMs < link.lastArrivalMs) arrivalMs = link.lastArrivalMs;
    const ev = this.scheduler.scheduleAt(
      arrivalMs,
      new Delivery(this, from, to, this.copy(message), this.scheduler.now, dest.incarnation),
    );
    if (ev.time > link.lastArrivalMs) link.lastArrivalMs = ev.time;
  }

  /** Called by a Delivery event when the message reaches the receiver's side. */
  arrive(d: Delivery): void {
    const dest = this.endpoints.get(d.to)!;
    if (this.isCut(d.from, d.to)) return this.drop(d.from, d.to, d.message, d.sentAtMs, "partition");
    // Sent while the receiver ran: if its process ended since, the reset covers this message.
    if (!dest.up) return this.drop(d.from, d.to, d.message, d.sentAtMs, "receiver-down");
    if (dest.incarnation !== d.toIncarnation) {
      // A new process on the same machine does not know the old connection: it answers RST.
      this.stats.dropped["receiver-restarted"]++;
      return this.refuse(d.to, d.from, d.message, d.sentAtMs);
    }
    this.stats.delivered++;
    if (this.trace.recordMessages) {
      this.trace.record("net", "deliver", d.to, {
        from: d.from,
        msg: this.summarize(d.message),
        sentAt: d.sentAtMs,
      });
    }
    dest.receive(d.from, d.message);
  }

  /**
   * The process of `id` ended. "reset": its machine stays up and closes its connections, so
   * every peer with an open connection gets a reset one link delay later. "silent": the
   * machine lost power; peers get nothing, and messages to it are dropped until it restarts.
   */
  processEnded(id: NodeId, how: "reset" | "silent"): void {
    const peers = this.connections.get(id);
    this.connections.delete(id);
    if (peers === undefined) return;
    const atMs = this.scheduler.now;
    for (const peer of peers) {
      this.connections.get(peer)?.delete(id);
      if (how === "silent") continue;
      const dest = this.endpoints.get(peer)!;
      if (!dest.up || this.isCut(id, peer)) continue; // nobody to tell, or the RST is cut off
      this.scheduleConnectionError(id, peer, dest.incarnation, { kind: "reset", atMs });
    }
    if (how === "reset") this.trace.record("net", "reset", id, { peers: [...peers] });
  }

  /** Called by a ConnectionErrorArrival when a reset or refusal reaches the peer. */
  arriveConnectionError(e: ConnectionErrorArrival): void {
    const dest = this.endpoints.get(e.to)!;
    if (!dest.up || dest.incarnation !== e.toIncarnation || this.isCut(e.from, e.to)) return;
    if (e.error.kind === "reset") this.stats.resets++;
    this.trace.record(
      "net",
      e.error.kind === "reset" ? "conn-reset" : "conn-refused",
      e.to,
      e.error.kind === "reset"
        ? { peer: e.from, at: e.error.atMs }
        : { peer: e.from, msg: this.summarize(e.error.message), sentAt: e.error.sentAtMs },
    );
    dest.connectionError(e.from, e.error);
  }

  /** `refuser` is down but powered (or restarted): bounce `message` back to `sender`. */
  private refuse(refuser: NodeId, sender: NodeId, message: unknown, sentAtMs: number): void {
    this.stats.refused++;
    const back = this.endpoints.get(sender)!;
    if (!back.up) return;
    this.scheduleConnectionError(refuser, sender, back.incarnation, { kind: "refused", message, sentAtMs });
  }

  /** A reset or refusal from → to: the link's base delay plus slowness, after what is on the wire. */
  private scheduleConnectionError(
    from: NodeId,
    to: NodeId,
    toIncarnation: number,
    error: ConnectionError,
  ): void {
    const link = this.link(from, to);
    const opts = link.custom ?? this.defaults;
    let delayMs = opts.baseDelayMs;
    if (this.slowness.size > 0) delayMs += (this.slowness.get(from) ?? 0) + (this.slowness.get(to) ?? 0);
    const arrivalMs = Math.max(this.scheduler.now + delayMs, link.lastArrivalMs);
    this.scheduler.scheduleAt(arrivalMs, new ConnectionErrorArrival(this, from, to, toIncarnation, error));
  }

  private connect(a: NodeId, b: NodeId): void {
    if (a === b) return;
    let ca = this.connections.get(a);
    if (ca === undefined) this.connections.set(a, (ca = new Set()));
    if (ca.has(b)) return;
    ca.add(b);
    let cb = this.connections.get(b);
    if (cb === undefined) this.connections.set(b, (cb = new Set()));
    cb.add(a);
  }

  private drop(from: NodeId, to: NodeId, message: unknown, sentAtMs: number, reason: DropReason): void {
    this.stats.dropped[reason]++;
    if (this.trace.recordMessages) {
      this.trace.record("net", "drop", to, { from, msg: this.summarize(message), sentAt: sentAtMs, reason });
    }
  }

  // --- configuration and faults ---------------------------------------------------------------

  /** Change the options of the one-way link from → to (other links keep theirs). */
  setLink(from: NodeId, to: NodeId, patch: Partial<LinkOptions>): void {
    const link = this.link(from, to);
    link.custom = checkLink({ ...(link.custom ?? this.defaults), ...patch }, `link ${from}→${to}`);
    this.trace.record("fault", "link", from, { to, ...patch });
  }

  /** Change the options of every link without its own (`setLink`) options. */
  setDefaultLink(patch: Partial<LinkOptions>): void {
    this.defaults = checkLink({ ...this.defaults, ...patch }, "default link");
    this.trace.record("fault", "link", "network", { to: "*", ...patch });
  }

  /** Add `extraDelayMs` to every message to or from `node` (0 restores it). */
  slow(node: NodeId, extraDelayMs: number): void {
    if (!(extraDelayMs >= 0))
      throw new Error(`Cannot slow node "${node}": extra delay ${extraDelayMs} ms is not ≥ 0`);
    if (extraDelayMs === 0) this.slowness.delete(node);
    else this.slowness.set(node, extraDelayMs);
    this.trace.record("fault", extraDelayMs === 0 ? "unslow" : "slow", node, { extraDelayMs });
  }

  /** Extra delay of a slow node, 0 if it is not slow. */
  slownessOf(node: NodeId): number {
    return this.slowness.get(node) ?? 0;
  }

  /**
   * Cut the links between two disjoint sets of nodes: both directions, or only a → b when
   * `oneWay`. Returns an id for `removePartition`.
   */
  partition(a: readonly NodeId[], b: readonly NodeId[], options: { oneWay?: boolean } = {}): PartitionId {
    const sa = new Set(a);
    for (const n of b) if (sa.has(n)) throw new Error(`Cannot partition: node "${n}" is on both sides`);
    const oneWay = options.oneWay ?? false;
    const p: Partition = {
      id: this.nextPartitionId++,
      a: sa,
      b: new Set(b),
      cut: oneWay ? "a-to-b" : "both",
    };
    this.partitions.push(p);
    this.trace.record("fault", "partition", "network", { id: p.id, a: [...a], b: [...b], oneWay });
    return p.id;
  }

  /**
   * Cut `node` off from every other node, including nodes attached later. `direction`:
   * "both" (default), "outgoing" (what it sends is lost) or "incoming" (what it is sent is lost).
   */
  isolate(node: NodeId, direction: "both" | "outgoing" | "incoming" = "both"): PartitionId {
    const cut = direction === "both" ? "both" : direction === "outgoing" ? "a-to-b" : "b-to-a";
    const p: Partition = { id: this.nextPartitionId++, a: new Set([node]), b: null, cut };
    this.partitions.push(p);
    this.trace.record("fault", "isolate", node, { id: p.id, direction });
    return p.id;
  }

  /** Remove one partition; removing it twice does nothing. */
  removePartition(id: PartitionId): void {
    const before = this.partitions.length;
    this.partitions = this.partitions.filter((p) => p.id !== id);
    if (this.partitions.length !== before) this.trace.record("fault", "heal", "network", { id });
  }

  /** Remove every partition. */
  heal(): void {
    if (this.partitions.length === 0) return;
    this.partitions = [];
    this.trace.record("fault", "heal", "network", { id: "all" });
  }

  /** True if a partition cuts the one-way link from → to. */
  isCut(from: NodeId, to: NodeId): boolean {
    for (const p of this.partitions) if (cuts(p, from, to)) return true;
    return false;
  }

  private link(from: NodeId, to: NodeId): LinkState {
    let m = this.links.get(from);
    if (m === undefined) this.links.set(from, (m = new Map()));
    let l = m.get(to);
    if (l === undefined) m.set(to, (l = { custom: undefined, lastArrivalMs: 0 }));
    return l;
  }
}

function cuts(p: Partition, from: NodeId, to: NodeId): boolean {
  if (from === to) return false;
  const fromA = p.a.has(from);
  const toA = p.a.has(to);
  // An isolation (b === null) has every node outside a on its b side.
  const fromB = p.b === null ? !fromA : p.b.has(from);
  const toB = p.b === null ? !toA : p.b.has(to);
  if (fromA && toB && p.cut !== "b-to-a") return true;
  return fromB && toA && p.cut !== "a-to-b";
}

function checkLink(o: LinkOptions, what: string): LinkOptions {
  if (!(o.baseDelayMs >= 0) || !(o.jitterMs >= 0)) {
    throw new Error(
      `Cannot configure ${what}: delays must be ≥ 0 (baseDelayMs ${o.baseDelayMs}, jitterMs ${o.jitterMs})`,
    );
  }
  if (!(o.lossProbability >= 0 && o.lossProbability <= 1)) {
    throw new Error(`Cannot configure ${what}: lossProbability ${o.lossProbability} is not in [0, 1]`);
  }
  return o;
}
