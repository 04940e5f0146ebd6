/**
 * Heartbeat (API 12): keeps a member's session alive. NONE while the group is Stable or
 * CompletingRebalance; REBALANCE_IN_PROGRESS while it is PreparingRebalance (the member must
 * rejoin); ILLEGAL_GENERATION for a stale generation; UNKNOWN_MEMBER_ID once the member was
 * removed (session expired, left, or did not rejoin in time); FENCED_INSTANCE_ID;
 * NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS while the coordinator moves.
 */
import type { HeartbeatRequest, HeartbeatResponse } from "../../protocol";
import { groupCoordinatorOf } from "../../group";
import type { Handler } from "./handler";

export const handleHeartbeat: Handler<HeartbeatRequest, HeartbeatResponse> = (broker, request, respond) => {
  const req = request.body;
  groupCoordinatorOf(broker).heartbeat(
    {
      groupId: req.groupId ?? "",
      generationId: req.generationId,
      memberId: req.memberId ?? "",
      groupInstanceId: req.groupInstanceId ?? null,
    },
    respond,
  );
};
