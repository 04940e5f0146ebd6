/**
 * Two replicas of one partition, played step by step for part 3 of lab 06 (the KIP-101
 * scenarios): one src/replication Partition per broker over its own PartitionLog on its own
 * SimDisk, with the learner's TruncationPolicy. No network and no timers: the scenario calls
 * produce, one Fetch round trip (whose answer may be lost), restarts, power losses and the
 * controller's elections directly, the way the ZooKeeper-era controller of the KIP decided them.
 *
 * Simplification: each replica's replication-offset-checkpoint is kept in memory and written
 * atomically (part 1 of the lab is about writing it); a restart loads the high watermark it last
 * checkpointed.
 */
import { PartitionLog, logConfig } from "../../src/log";
import { decodeRecordBatches, encodeRecordBatch, type ErrorInfo } from "../../src/protocol";
import {
  Partition,
  kafkaHighWatermark,
  type FollowerFetchOutcome,
  type PartitionStateInput,
  type TruncationPolicy,
} from "../../src/replication";
import { SimDisk, type Rng } from "../../src/sim";

const enc = new TextEncoder();
const dec = new TextDecoder();

export class Replica {
  readonly disk: SimDisk;
  log!: PartitionLog;
  partition!: Partition;
  up = true;
  /** The high watermark in this replica's replication-offset-checkpoint. */
  checkpointedHighWatermark = 0;

  constructor(
    readonly brokerId: number,
    readonly topic: string,
    private readonly truncation: TruncationPolicy,
    now: number,
  ) {
    this.disk = new SimDisk({ name: `broker-${brokerId}` });
    this.open(now);
  }

  private open(now: number): void {
    this.log = PartitionLog.open({
      disk: this.disk,
      dir: `kafka-logs/${this.topic}-0`,
      topicPartition: { topic: this.topic, partition: 0 },
      config: logConfig({}),
      now,
      highWatermark: this.checkpointedHighWatermark,
    });
    this.partition = new Partition(this.topic, 0, this.log, {
      localBrokerId: this.brokerId,
      replicaLagTimeMaxMs: 30_000,
      truncation: this.truncation,
      highWatermarkRule: kafkaHighWatermark,
      isReplicaIsrEligible: () => true,
    });
  }

  checkpointHighWatermark(): void {
    this.checkpointedHighWatermark = this.log.highWatermark;
  }

  /** The process dies (the page cache survives); it stays down until `start`. */
  crash(): void {
    this.disk.crash();
    this.up = false;
  }

  /** Power loss: unsynced bytes are dropped or torn; down until `start`. */
  powerLoss(rng: Rng): void {
    this.disk.powerLoss(rng);
    this.up = false;
  }

  /** A new process over the same disk (recovery runs in PartitionLog.open). */
  start(now: number): void {
    this.open(now);
    this.up = true;
  }

  /** Offset → value of every record, from the log start to `endExclusive`. */
  records(endExclusive = this.log.logEndOffset): [number, string][] {
    const out: [number, string][] = [];
    let at = this.log.logStartOffset;
    while (at < endExclusive) {
      const r = this.log.read(at, 1 << 20, endExclusive);
      if (r.records.length === 0) break;
      let next = at;
      for (const b of decodeRecordBatches(r.records))
        for (const rec of b.records) {
          if (rec.offset >= at && rec.offset < endExclusive)
            out.push([rec.offset, rec.value === null ? "" : dec.decode(rec.value)]);
          next = rec.offset + 1;
        }
      if (next <= at) break;
      at = next;
    }
    return out;
  }
}

export class ReplicaPair {
  readonly replicas: Map<number, Replica>;
  now = 0;
  state: PartitionStateInput;

  constructor(
    readonly topic: string,
    truncation: TruncationPolicy,
  ) {
    this.replicas = new Map([1, 2].map((id) => [id, new Replica(id, topic, truncation, 0)]));
    this.state = { leader: -1, leaderEpoch: -1, partitionEpoch: -1, isr: [1, 2], replicas: [1, 2] };
  }

  r(id: number): Replica {
    const r = this.replicas.get(id);
    if (r === undefined) throw new Error(`No replica ${id}`);
    return r;
  }

  get leader(): Replica {
    return this.r(this.state.leader);
  }

  /** The controller elects `leader` with `isr` (a new leader epoch) and tells the live replicas in `tell`. */
  elect(leader: number, isr: readonly number[], tell: readonly number[]): void {
    this.state = {
      leader,
      leaderEpoch: this.state.leaderEpoch + 1,
      partitionEpoch: this.state.partitionEpoch + 1,
      isr: [...isr],
      replicas: [1, 2],
    };
    this.tell(tell);
  }

  /** Deliver the current registration; a follower's truncation seam runs here. Returns where each was truncated. */
  tell(ids: readonly number[]): Map<number, number | null> {
    const out = new Map<number, number | null>();
    for (const id of ids) {
      const p = this.r(id).partition;
      if (id === this.state.leader) p.makeLeader(this.state, this.now);
      else out.set(id, p.makeFollower(this.state, this.now).truncatedTo);
    }
    return out;
  }

  /** acks=all append of one record; returns its offset, or the error. */
  produce(value: string): { offset: number } | { error: ErrorInfo } {
    const out = this.leader.partition.appendAsLeader(
      encodeRecordBatch({ records: [{ value: enc.encode(value), timestamp: this.now }] }),
      { acks: -1, origin: "client", nowMs: this.now },
    );
    if (out.result.firstOffset < 0) return { error: out.result.error };
    return { offset: out.result.firstOffset };
  }

  /** Has the leader's high watermark passed `offset` (acks=all done)? */
  acknowledged(offset: number): boolean {
    return this.leader.partition.checkEnoughReplicasReachOffset(offset + 1).done;
  }

  /** One Fetch round trip from `follower`; with `deliver: false` the leader acts on it but the answer is lost. */
  fetch(follower: number, deliver = true): FollowerFetchOutcome | undefined {
    const f = this.r(follower).partition;
    const pos = f.fetchPosition();
    const read = this.leader.partition.readAsLeaderForFollower({
      replicaId: follower,
      replicaEpoch: 0,
      fetchOffset: pos.fetchOffset,
      lastFetchedEpoch: pos.lastFetchedEpoch,
      currentLeaderEpoch: pos.currentLeaderEpoch,
      logStartOffset: pos.logStartOffset,
      maxBytes: 1 << 20,
      minOneMessage: true,
      nowMs: this.now,
    });
    if (!deliver) return undefined;
    return f.applyFetchResponse(read.response, pos.fetchOffset, this.now);
  }

  /**
   * Fetch rounds until nothing changes (bounded). Returns whether the follower caught up with the
   * leader, and where its fetches truncated it (divergingEpoch or out-of-range answers).
   */
  replicate(follower: number, maxRounds = 20): { caughtUp: boolean; truncatedTo: number[] } {
    const f = this.r(follower).partition;
    const truncatedTo: number[] = [];
    for (let i = 0; i < maxRounds; i++) {
      const before = `${f.logEndOffset}/${f.highWatermark}/${this.leader.partition.highWatermark}`;
      const out = this.fetch(follower);
      if (out?.truncatedTo !== undefined) truncatedTo.push(out.truncatedTo);
      const after = `${f.logEndOffset}/${f.highWatermark}/${this.leader.partition.highWatermark}`;
      if (after === before && f.logEndOffset === this.leader.partition.logEndOffset)
        return { caughtUp: true, truncatedTo };
    }
    const caughtUp =
      f.logEndOffset === this.leader.partition.logEndOffset &&
      f.highWatermark === this.leader.partition.highWatermark;
    return { caughtUp, truncatedTo };
  }
}
