/**
 * Replica placement for new topics: Kafka's StripedReplicaPlacer (metadata/.../placement/),
 * reduced to one rack (no broker has broker.rack here).
 *
 * Brokers are sorted, unfenced first; the starting position is random (from the controller's
 * Rng) and moves by one for each partition, so partition p gets the brokers starting at
 * (start + p), the "stripes". The first replica — the preferred leader — is always an unfenced
 * broker; the others come from the unfenced list, then from the fenced list if there are not
 * enough unfenced brokers. After as many partitions as there are unfenced brokers, both lists are
 * reshuffled so that larger topics do not repeat the same replica sets.
 *
 * Errors (InvalidReplicationFactorException → INVALID_REPLICATION_FACTOR), as in Kafka:
 * replication factor < 1; more replicas than registered brokers (fenced ones count, as in
 * Kafka); no unfenced broker at all. The ZooKeeper-era equivalent was AdminUtils'
 * rack-unaware assignment, which additionally shifted followers every n partitions.
 */
import { Errors } from "../protocol";
import type { Rng } from "../sim/rng";

export interface PlacementBroker {
  id: number;
  fenced: boolean;
}

export type PlacementResult =
  { ok: true; assignments: number[][] } | { ok: false; errorCode: number; message: string };

export function placeReplicas(
  numPartitions: number,
  replicationFactor: number,
  brokers: readonly PlacementBroker[],
  rng: Rng,
): PlacementResult {
  const fail = (message: string): PlacementResult => ({
    ok: false,
    errorCode: Errors.INVALID_REPLICATION_FACTOR.code,
    message,
  });
  if (replicationFactor < 1)
    return fail(`Invalid replication factor ${replicationFactor}: the replication factor must be positive.`);
  if (replicationFactor > brokers.length) {
    return fail(
      `The target replication factor of ${replicationFactor} cannot be reached because only ${brokers.length} broker(s) are registered.`,
    );
  }
  const unfenced = brokers
    .filter((b) => !b.fenced)
    .map((b) => b.id)
    .sort((a, b) => a - b);
  const fenced = brokers
    .filter((b) => b.fenced)
    .map((b) => b.id)
    .sort((a, b) => a - b);
  if (unfenced.length === 0) return fail("All brokers are currently fenced.");

  const unfencedStart = rng.int(unfenced.length);
  const fencedStart = fenced.length > 0 ? rng.int(fenced.length) : 0;
  const assignments: number[][] = [];
  let stripe = 0;
  for (let p = 0; p < numPartitions; p++) {
    if (stripe === unfenced.length && unfenced.length > 1) {
      shuffle(unfenced, rng);
      shuffle(fenced, rng);
      stripe = 0;
    }
    const replicas: number[] = [];
    for (let k = 0; k < unfenced.length && replicas.length < replicationFactor; k++) {
      replicas.push(unfenced[(unfencedStart + stripe + k) % unfenced.length]!);
    }
    for (let k = 0; k < fenced.length && replicas.length < replicationFactor; k++) {
      replicas.push(fenced[(fencedStart + stripe + k) % fenced.length]!);
    }
    assignments.push(replicas);
    stripe++;
  }
  return { ok: true, assignments };
}

/** Fisher–Yates with the injected Rng (Kafka uses Collections.shuffle with its Random). */
function shuffle(items: number[], rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
