/**
 * OffsetCommit (API 8): the group coordinator (src/group) writes the offsets as records to the
 * group's __consumer_offsets partition with acks=all and answers once they are replicated.
 * The committed offset is the next offset to read. Per-partition errors: NOT_COORDINATOR,
 * COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, ILLEGAL_GENERATION,
 * UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID, OFFSET_METADATA_TOO_LARGE,
 * INVALID_GROUP_ID, INVALID_COMMIT_OFFSET_SIZE.
 *
 * Departures: no transactional commits (TxnOffsetCommit), no retention time field (removed from
 * the protocol in v5 anyway), no KIP-848 member epochs.
 */
import type { OffsetCommitRequest, OffsetCommitResponse } from "../../protocol";
import { groupCoordinatorOf } from "../../group";
import type { Handler } from "./handler";

export const handleOffsetCommit: Handler<OffsetCommitRequest, OffsetCommitResponse> = (
  broker,
  request,
  respond,
) => {
  const req = request.body;
  groupCoordinatorOf(broker).commitOffsets(
    {
      groupId: req.groupId ?? "",
      generationIdOrMemberEpoch: req.generationIdOrMemberEpoch ?? -1,
      memberId: req.memberId ?? "",
      groupInstanceId: req.groupInstanceId ?? null,
      topics: (req.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitions ?? [] })),
    },
    respond,
  );
};
