/**
 * What a partition leader knows about one follower replica (Kafka's Replica.scala and its
 * ReplicaState): the follower's log end offset as its last Fetch reported it, when it last
 * fetched, and when it was last caught up. The leader never hears from followers otherwise: a
 * follower's fetchOffset IS its log end offset, there is no acknowledgement message.
 *
 * Caught up (Replica.isCaughtUp): the follower's LEO equals the leader's LEO, or it was caught
 * up within replica.lag.time.max.ms. lastCaughtUpTimeMs moves to:
 * - this fetch's time, if the fetch offset ≥ the leader's LEO now;
 * - else the previous fetch's time, if the fetch offset ≥ the leader's LEO at that previous
 *   fetch (the follower had everything the leader had back then);
 * - else it stays.
 *
 * Offsets: logEndOffset is exclusive; -1 means unknown (after this broker became leader, until
 * the follower's first fetch).
 */

export const UNKNOWN_OFFSET = -1;
/**
 * "Never" for the times below. Kafka uses 0 with a wall clock, i.e. decades ago; simulated time
 * starts at 0, so 0 would look recent.
 */
export const NEVER_MS = Number.NEGATIVE_INFINITY;

export interface FollowerStateSnapshot {
  readonly brokerId: number;
  readonly logEndOffset: number;
  readonly logStartOffset: number;
  readonly lastFetchLeaderLogEndOffset: number;
  readonly lastFetchTimeMs: number;
  readonly lastCaughtUpTimeMs: number;
  /** The broker epoch the follower fetched with (KIP-903); undefined before its first fetch. */
  readonly brokerEpoch: number | undefined;
}

export class FollowerState {
  logEndOffset = UNKNOWN_OFFSET;
  logStartOffset = UNKNOWN_OFFSET;
  lastFetchLeaderLogEndOffset = UNKNOWN_OFFSET;
  lastFetchTimeMs = NEVER_MS;
  lastCaughtUpTimeMs = NEVER_MS;
  brokerEpoch: number | undefined = undefined;

  constructor(readonly brokerId: number) {}

  /** Replica.updateFetchStateOrThrow: record a fetch at `fetchOffset` made at `nowMs`. */
  updateFetchState(
    fetchOffset: number,
    followerLogStartOffset: number,
    leaderLogEndOffset: number,
    nowMs: number,
    brokerEpoch: number,
  ): void {
    if (fetchOffset >= leaderLogEndOffset) {
      this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, nowMs);
    } else if (fetchOffset >= this.lastFetchLeaderLogEndOffset) {
      this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, this.lastFetchTimeMs);
    }
    this.logEndOffset = fetchOffset;
    this.logStartOffset = followerLogStartOffset;
    this.lastFetchLeaderLogEndOffset = Math.max(leaderLogEndOffset, this.lastFetchLeaderLogEndOffset);
    this.lastFetchTimeMs = nowMs;
    this.brokerEpoch = brokerEpoch;
  }

  /**
   * Replica.resetReplicaState, when this broker becomes (or stays) leader with a new state: a
   * follower in the ISR counts as caught up now, others not at all (so they cannot hold the
   * high watermark back). A new leader forgets what an earlier leadership learned.
   */
  reset(nowMs: number, leaderLogEndOffset: number, isNewLeader: boolean, inSync: boolean): void {
    this.lastCaughtUpTimeMs = inSync ? nowMs : NEVER_MS;
    if (isNewLeader) {
      this.logEndOffset = UNKNOWN_OFFSET;
      this.logStartOffset = UNKNOWN_OFFSET;
      this.lastFetchLeaderLogEndOffset = UNKNOWN_OFFSET;
      this.lastFetchTimeMs = NEVER_MS;
      this.brokerEpoch = undefined;
    } else {
      this.lastFetchLeaderLogEndOffset = leaderLogEndOffset;
      this.lastFetchTimeMs = nowMs;
    }
  }

  /** Replica.isCaughtUp. */
  isCaughtUp(leaderLogEndOffset: number, nowMs: number, replicaLagTimeMaxMs: number): boolean {
    return leaderLogEndOffset === this.logEndOffset || nowMs - this.lastCaughtUpTimeMs <= replicaLagTimeMaxMs;
  }

  snapshot(): FollowerStateSnapshot {
    return {
      brokerId: this.brokerId,
      logEndOffset: this.logEndOffset,
      logStartOffset: this.logStartOffset,
      lastFetchLeaderLogEndOffset: this.lastFetchLeaderLogEndOffset,
      lastFetchTimeMs: this.lastFetchTimeMs,
      lastCaughtUpTimeMs: this.lastCaughtUpTimeMs,
      brokerEpoch: this.brokerEpoch,
    };
  }
}
