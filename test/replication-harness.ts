/**
 * A scripted replica set for the pure replication tests: one Partition per broker over its own
 * PartitionLog on its own SimDisk, and helpers to play the protocol by hand (become leader or
 * follower, produce, one follower fetch round trip, restart a replica from its disk, crash or
 * power loss). No network, no timers: each step is a call, as etcd's raft tests do.
 */
import { SeededRng } from "../src/sim/rng";
import { SimDisk } from "../src/sim/sim-disk";
import { PartitionLog, logConfig, type LogConfig } from "../src/log";
import {
  Partition,
  kafkaHighWatermark,
  truncateByLeaderEpoch,
  type FollowerFetchOutcome,
  type HighWatermarkRule,
  type LeaderReadOutcome,
  type PartitionStateInput,
  type TruncationPolicy,
} from "../src/replication";
import { batch, values, type DecodedValue } from "./log-helpers";

export const TOPIC = "t";

export interface ReplicaOptions {
  truncation?: TruncationPolicy;
  highWatermarkRule?: HighWatermarkRule;
  replicaLagTimeMaxMs?: number;
  log?: Partial<LogConfig>;
  /** Brokers the leader may add to the ISR (default: all). */
  eligible?: (brokerId: number, epoch: number | undefined) => boolean;
}

export class Replica {
  readonly disk: SimDisk;
  log!: PartitionLog;
  partition!: Partition;
  /** The high watermark to load at the next open (a replication-offset-checkpoint stand-in). */
  private checkpointedHw = 0;

  constructor(
    readonly brokerId: number,
    private readonly options: ReplicaOptions,
    now: number,
  ) {
    this.disk = new SimDisk({ name: `broker-${brokerId}` });
    this.open(now);
  }

  open(now: number): void {
    this.log = PartitionLog.open({
      disk: this.disk,
      dir: `kafka-logs/${TOPIC}-0`,
      topicPartition: { topic: TOPIC, partition: 0 },
      config: logConfig(this.options.log ?? {}),
      now,
      highWatermark: this.checkpointedHw,
    });
    this.partition = new Partition(TOPIC, 0, this.log, {
      localBrokerId: this.brokerId,
      replicaLagTimeMaxMs: this.options.replicaLagTimeMaxMs ?? 30_000,
      truncation: this.options.truncation ?? truncateByLeaderEpoch,
      highWatermarkRule: this.options.highWatermarkRule ?? kafkaHighWatermark,
      isReplicaIsrEligible: this.options.eligible ?? (() => true),
    });
  }

  /** Write replication-offset-checkpoint (the replica's current HW) for the next open. */
  checkpointHighWatermark(): void {
    this.checkpointedHw = this.log.highWatermark;
  }

  /** kill -9 and start again from the disk (page cache kept), HW from the last checkpoint. */
  restart(now: number): void {
    this.disk.crash();
    this.open(now);
  }

  /** Power loss and start again: unsynced bytes are gone. */
  powerLossRestart(now: number, seed = 1): void {
    this.disk.powerLoss(new SeededRng(seed), "lose");
    this.open(now);
  }

  /** Every record in the log with its offset. */
  records(): DecodedValue[] {
    return values(this.log.read(this.log.logStartOffset, 1 << 30, this.log.logEndOffset).records);
  }

  /** Values in offset order. */
  contents(): string[] {
    return this.records().map((r) => r.value);
  }
}

export class ReplicaSet {
  readonly replicas = new Map<number, Replica>();
  now = 1000;
  /** The partition registration the "controller" last decided. */
  state: PartitionStateInput;

  constructor(ids: readonly number[], options: ReplicaOptions = {}) {
    for (const id of ids) this.replicas.set(id, new Replica(id, options, this.now));
    this.state = { leader: -1, leaderEpoch: -1, partitionEpoch: -1, isr: [...ids], replicas: [...ids] };
  }

  r(id: number): Replica {
    const r = this.replicas.get(id);
    if (!r) throw new Error(`no replica ${id}`);
    return r;
  }

  p(id: number): Partition {
    return this.r(id).partition;
  }

  /** The controller elects `leader` (bumping the leader epoch) with `isr`; every listed replica learns it. */
  elect(leader: number, isr: readonly number[], tell: readonly number[] = [...this.replicas.keys()]): void {
    this.state = {
      leader,
      leaderEpoch: this.state.leaderEpoch + 1,
      partitionEpoch: this.state.partitionEpoch + 1,
      isr: [...isr],
      replicas: this.state.replicas,
    };
    this.tell(tell);
  }

  /** Deliver the current registration to `ids`. */
  tell(ids: readonly number[]): void {
    for (const id of ids) {
      if (id === this.state.leader) this.p(id).makeLeader(this.state, this.now);
      else this.p(id).makeFollower(this.state, this.now);
    }
  }

  /** Leader append of one batch of `vals`. */
  produce(vals: readonly string[], acks: -1 | 0 | 1 = -1) {
    return this.p(this.state.leader).appendAsLeader(batch(vals), { acks, origin: "client", nowMs: this.now });
  }

  /** One Fetch round trip from `follower` to the leader; returns both sides' outcomes. */
  fetch(
    follower: number,
    options: { deliver?: boolean; brokerEpoch?: number } = {},
  ): {
    leader: LeaderReadOutcome;
    follower: FollowerFetchOutcome | undefined;
  } {
    const f = this.p(follower);
    const pos = f.fetchPosition();
    const leader = this.p(this.state.leader).readAsLeaderForFollower({
      replicaId: follower,
      replicaEpoch: options.brokerEpoch ?? 0,
      fetchOffset: pos.fetchOffset,
      lastFetchedEpoch: pos.lastFetchedEpoch,
      currentLeaderEpoch: pos.currentLeaderEpoch,
      logStartOffset: pos.logStartOffset,
      maxBytes: 1 << 20,
      minOneMessage: true,
      nowMs: this.now,
    });
    if (options.deliver === false) return { leader, follower: undefined };
    return { leader, follower: f.applyFetchResponse(leader.response, pos.fetchOffset, this.now) };
  }

  /** Fetch rounds from every follower until nothing changes (at most `maxRounds`). */
  replicate(followers: readonly number[], maxRounds = 10): void {
    for (let i = 0; i < maxRounds; i++) {
      let changed = false;
      for (const id of followers) {
        const before = `${this.p(id).logEndOffset}/${this.p(id).highWatermark}`;
        this.fetch(id);
        if (`${this.p(id).logEndOffset}/${this.p(id).highWatermark}` !== before) changed = true;
      }
      if (!changed) return;
    }
  }

  advance(ms: number): void {
    this.now += ms;
  }
}
