/**
 * OffsetFetch (API 9): the committed offsets of a group, from the coordinator's cache of its
 * __consumer_offsets partition; -1 for partitions without a commit; `topics: null` lists every
 * committed partition. Top-level errors: NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS (the
 * partition is still being replayed after a failover), INVALID_GROUP_ID.
 *
 * Departures: one group per request (v8's batched groups are not modelled); requireStable
 * never waits (no transactions, so no unstable offsets).
 */
import type { OffsetFetchRequest, OffsetFetchResponse } from "../../protocol";
import { groupCoordinatorOf } from "../../group";
import type { Handler } from "./handler";

export const handleOffsetFetch: Handler<OffsetFetchRequest, OffsetFetchResponse> = (
  broker,
  request,
  respond,
) => {
  const req = request.body;
  groupCoordinatorOf(broker).fetchOffsets(
    {
      groupId: req.groupId ?? "",
      topics:
        req.topics === null || req.topics === undefined
          ? null
          : req.topics.map((t) => ({ name: t.name, partitionIndexes: t.partitionIndexes ?? [] })),
      requireStable: req.requireStable ?? false,
    },
    respond,
  );
};
