/**
 * LeaveGroup (API 13): members leave at once (a consumer's close, or max.poll.interval.ms
 * exceeded) instead of waiting for their session to expire; the group rebalances, or becomes
 * Empty when the last member leaves. Per-member UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID;
 * top-level NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE.
 * A static member may be removed by group.instance.id alone (memberId "", KIP-345).
 */
import type { LeaveGroupRequest, LeaveGroupResponse } from "../../protocol";
import { groupCoordinatorOf } from "../../group";
import type { Handler } from "./handler";

export const handleLeaveGroup: Handler<LeaveGroupRequest, LeaveGroupResponse> = (
  broker,
  request,
  respond,
) => {
  const req = request.body;
  groupCoordinatorOf(broker).leaveGroup(
    {
      groupId: req.groupId ?? "",
      members: (req.members ?? []).map((m) => ({
        memberId: m.memberId ?? "",
        groupInstanceId: m.groupInstanceId ?? null,
        reason: m.reason ?? null,
      })),
    },
    respond,
  );
};
