/**
 * What the leader of one epoch tracks (KRaft's LeaderState): each voter's end offset as learned
 * from its Fetch requests, when each voter last fetched (for check-quorum), and the Fetch
 * requests it holds back while waiting for data (long polling, KRaft's fetch purgatory).
 *
 * Invariants: the high watermark moves only forward and only to an offset that a majority of
 * voters have, and only once that offset lies inside this leader's epoch (offset >
 * epochStartOffset, i.e. the epoch's LeaderChange batch is committed); the leader counts its own
 * log only up to what it has made durable. Parked fetches are bounded by maxParkedFetches.
 */
import { majorityEndOffset, majoritySize } from "./quorum";
import type { RaftFetchRequest } from "./raft-messages";

export interface ParkedFetch {
  address: string;
  correlationId: number;
  request: RaftFetchRequest;
  /** Voter fetches wake up on new data or a HW change; observer fetches on a HW move past fetchOffset. */
  isVoter: boolean;
  highWatermarkAtPark: number;
  deadlineMs: number;
}

export class LeaderState {
  /** Voter id → end offset (exclusive) from its last valid Fetch; absent = not heard in this epoch. */
  private readonly voterEndOffsets = new Map<number, number>();
  /** Voter id → time of its last Fetch (any validity): the check-quorum evidence. */
  private readonly voterLastFetchMs = new Map<number, number>();
  /** At most one parked fetch per address; a newer fetch from the same address replaces it. */
  readonly parked = new Map<string, ParkedFetch>();
  /** Last time BeginQuorumEpoch went to voters that have not fetched yet. */
  beginQuorumEpochSentMs: number;

  constructor(
    readonly localId: number,
    readonly voters: readonly number[],
    /** The offset of this epoch's LeaderChange batch: the leader's log end offset when elected. */
    readonly epochStartOffset: number,
    readonly electedAtMs: number,
  ) {
    this.beginQuorumEpochSentMs = electedAtMs;
  }

  /** Hold a fetch until data arrives or its deadline (a newer fetch from the same address replaces it). */
  park(fetch: ParkedFetch): void {
    this.parked.delete(fetch.address);
    this.parked.set(fetch.address, fetch);
  }

  /** Parked fetches that can be answered now: new data for voters, a higher HW for both kinds. */
  wakeable(logEndOffset: number, highWatermark: number): ParkedFetch[] {
    return [...this.parked.values()].filter((p) =>
      p.isVoter
        ? logEndOffset > p.request.fetchOffset || highWatermark > p.highWatermarkAtPark
        : highWatermark > p.request.fetchOffset,
    );
  }

  recordFetch(voterId: number, endOffset: number | null, nowMs: number): void {
    this.voterLastFetchMs.set(voterId, nowMs);
    if (endOffset !== null) this.voterEndOffsets.set(voterId, endOffset);
  }

  hasFetched(voterId: number): boolean {
    return this.voterLastFetchMs.has(voterId);
  }

  endOffsetOf(voterId: number): number {
    return this.voterEndOffsets.get(voterId) ?? -1;
  }

  /**
   * The high watermark this leader may expose, given its own durable end offset, or null if no
   * offset of this epoch is on a majority yet (KRaft: a leader must commit a batch of its own
   * epoch before it exposes anything from earlier epochs).
   */
  computeHighWatermark(localDurableEndOffset: number): number | null {
    const ends = this.voters.map((id) =>
      id === this.localId ? localDurableEndOffset : this.endOffsetOf(id),
    );
    const candidate = majorityEndOffset(ends);
    return candidate > this.epochStartOffset ? candidate : null;
  }

  /**
   * Check-quorum (KRaft LeaderState, CHECK_QUORUM_TIMEOUT_FACTOR 1.5 × fetch timeout): false when
   * fewer than a majority of voters (self included) fetched within `timeoutMs`, after a grace
   * period of `timeoutMs` from the election. Such a leader is likely partitioned away and resigns.
   */
  hasQuorumContact(nowMs: number, timeoutMs: number): boolean {
    if (nowMs - this.electedAtMs < timeoutMs) return true;
    let heard = 1; // self
    for (const id of this.voters) {
      if (id === this.localId) continue;
      const last = this.voterLastFetchMs.get(id);
      if (last !== undefined && nowMs - last <= timeoutMs) heard++;
    }
    return heard >= majoritySize(this.voters.length);
  }

  /** Voters sorted by how far their log reaches (most caught-up first): the successors to suggest on resignation. */
  preferredSuccessors(): number[] {
    return this.voters
      .filter((id) => id !== this.localId)
      .sort((a, b) => this.endOffsetOf(b) - this.endOffsetOf(a) || a - b);
  }
}
