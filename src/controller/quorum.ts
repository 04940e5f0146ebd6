/**
 * Majority-quorum arithmetic for the metadata Raft (the idea of etcd's quorum/majority.go, and of
 * KRaft's LeaderState.maybeUpdateHighWatermark): which offset is on a majority of voters, and
 * whether an election is won, lost or still open.
 *
 * Offsets here are log end offsets (exclusive: the offset after a voter's last entry), so the
 * committed bound they produce is exclusive too, exactly like Kafka's high watermark.
 */

/** The smallest number of voters that forms a majority of `voterCount` (2 of 3, 3 of 5, 1 of 1). */
export function majoritySize(voterCount: number): number {
  if (!Number.isInteger(voterCount) || voterCount < 1) {
    throw new Error(`Cannot size a quorum: voter count must be a positive integer, got ${voterCount}`);
  }
  return Math.floor(voterCount / 2) + 1;
}

/**
 * The largest end offset that at least a majority of voters have reached. `endOffsets` holds one
 * value per voter (the leader's own flushed end offset included); an unknown voter counts as -1.
 * Sorting descending, the value at index floor(n/2) is reached by that voter and every voter
 * before it: floor(n/2)+1 voters, a majority.
 */
export function majorityEndOffset(endOffsets: readonly number[]): number {
  const sorted = [...endOffsets].sort((a, b) => b - a);
  const value = sorted[Math.floor(sorted.length / 2)];
  if (value === undefined) throw new Error("Cannot compute a majority offset of an empty voter set");
  return value;
}

export type VoteResult = "won" | "lost" | "pending";

/**
 * Outcome of an election among `voters`, given the ids that granted and rejected their vote (the
 * candidate's own vote is in `granted`). Lost means a majority can no longer be reached.
 */
export function voteResult(
  voters: readonly number[],
  granted: ReadonlySet<number>,
  rejected: ReadonlySet<number>,
): VoteResult {
  const needed = majoritySize(voters.length);
  let yes = 0;
  let no = 0;
  for (const id of voters) {
    if (granted.has(id)) yes++;
    else if (rejected.has(id)) no++;
  }
  if (yes >= needed) return "won";
  if (voters.length - no < needed) return "lost";
  return "pending";
}

/** True when the ids in `heard` (a subset of voters, the leader included) form a majority. */
export function hasMajority(voters: readonly number[], heard: ReadonlySet<number>): boolean {
  let count = 0;
  for (const id of voters) if (heard.has(id)) count++;
  return count >= majoritySize(voters.length);
}
