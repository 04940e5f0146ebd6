/**
 * How many brokers held each acknowledged order at the moment the producer learned it was
 * acknowledged: lab 01's durability requirement is that an acknowledged order is on at least two
 * brokers, so that no single broken disk, power cut or unclean election can take it away.
 *
 * A broker holds offset o of a partition when o is below its log end offset: the current one if
 * the broker runs, or, if it is down, the one it had when it went down (what it held then,
 * whatever its disk keeps afterwards). The count is taken when the answer reaches the producer,
 * a millisecond or two after the leader sent it; a broker that fails in between still counts,
 * because its log end was recorded as it went down. Only the partition's replicas count.
 *
 * This is what acks=all with min.insync.replicas=2 guarantees in Kafka (3.7+: the high watermark
 * does not advance while the ISR is below min.insync.replicas, KAFKA-15583): the leader answers
 * only once every in-sync replica, and at least two of them, have the record. acks=1 answers
 * before any follower has it; min.insync.replicas=1 lets a leader alone in its ISR answer.
 */
import type { Cluster } from "../../src/sim";
import { SCENARIO } from "./spec";

/** One acknowledgement that found the order on fewer than two brokers. */
export interface SingleCopyAck {
  opId: number;
  partition: number;
  offset: number;
  atMs: number;
  /** Brokers that held it (zero or one). */
  holders: number[];
}

/** Cases kept for the story and the verdict's witnesses (all are counted). */
const CASES_KEPT = 5000;

export class AckCopies {
  /** Broker → its log end offset per partition when it last went down. */
  private readonly leoWhenDown = new Map<number, (number | undefined)[]>();
  readonly cases: SingleCopyAck[] = [];
  /** Acknowledged orders judged, and how many were on fewer than two brokers. */
  acknowledged = 0;
  singleCopy = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly placement: readonly { replicas: readonly number[] }[],
  ) {}

  /** A broker is about to crash or lose power: remember what it holds. */
  brokerDown(broker: number): void {
    const b = this.cluster.broker(broker);
    this.leoWhenDown.set(
      broker,
      this.placement.map((_, p) => b?.replicaManager.partitionInfo(SCENARIO.topic, p)?.logEndOffset),
    );
  }

  /** The producer learned that send `opId` was acknowledged at these positions. */
  onAck(opId: number, positions: readonly { partition: number; offset: number }[], atMs: number): void {
    for (const { partition, offset } of positions) {
      this.acknowledged++;
      const holders = this.holders(partition, offset);
      if (holders.length >= 2) continue;
      this.singleCopy++;
      if (this.cases.length < CASES_KEPT) this.cases.push({ opId, partition, offset, atMs, holders });
    }
  }

  private holders(partition: number, offset: number): number[] {
    const out: number[] = [];
    for (const id of this.placement[partition]?.replicas ?? []) {
      const running = this.cluster.world.isUp(this.cluster.nodeOfBroker(id));
      const leo = running
        ? this.cluster.broker(id)?.replicaManager.partitionInfo(SCENARIO.topic, partition)?.logEndOffset
        : this.leoWhenDown.get(id)?.[partition];
      if (leo !== undefined && leo > offset) out.push(id);
    }
    return out;
  }
}
