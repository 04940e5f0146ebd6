/**
 * SyncGroup (API 14): every member of the new generation asks for its assignment; the leader's
 * request carries everyone's. The coordinator writes the group metadata record (acks=all), then
 * answers all of them; until then the responses are parked. Errors: REBALANCE_IN_PROGRESS (a new
 * rebalance started), ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, INCONSISTENT_GROUP_PROTOCOL,
 * FENCED_INSTANCE_ID, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE (the write failed).
 */
import type { SyncGroupRequest, SyncGroupResponse } from "../../protocol";
import { groupCoordinatorOf } from "../../group";
import type { Handler } from "./handler";

export const handleSyncGroup: Handler<SyncGroupRequest, SyncGroupResponse> = (broker, request, respond) => {
  const req = request.body;
  groupCoordinatorOf(broker).syncGroup(
    {
      groupId: req.groupId ?? "",
      generationId: req.generationId,
      memberId: req.memberId ?? "",
      groupInstanceId: req.groupInstanceId ?? null,
      protocolType: req.protocolType ?? null,
      protocolName: req.protocolName ?? null,
      assignments: req.assignments ?? [],
    },
    respond,
  );
};
