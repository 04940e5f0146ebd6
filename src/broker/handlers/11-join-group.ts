/**
 * JoinGroup (API 11): a member joins (or rejoins) a classic group; the response may be parked
 * until the join phase of the rebalance ends (src/group/membership.ts). A new dynamic member
 * first gets MEMBER_ID_REQUIRED with its member id (KIP-394). Errors: NOT_COORDINATOR,
 * COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, INVALID_GROUP_ID,
 * INVALID_SESSION_TIMEOUT (outside group.min/max.session.timeout.ms), INCONSISTENT_GROUP_PROTOCOL,
 * UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID.
 *
 * Departure: clientHost is the client id (the simulated network has no addresses).
 */
import type { JoinGroupRequest, JoinGroupResponse } from "../../protocol";
import { groupCoordinatorOf } from "../../group";
import type { Handler } from "./handler";

export const handleJoinGroup: Handler<JoinGroupRequest, JoinGroupResponse> = (broker, request, respond) => {
  const req = request.body;
  groupCoordinatorOf(broker).joinGroup(
    {
      groupId: req.groupId ?? "",
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs ?? req.sessionTimeoutMs,
      memberId: req.memberId ?? "",
      groupInstanceId: req.groupInstanceId ?? null,
      protocolType: req.protocolType ?? "",
      protocols: req.protocols ?? [],
      reason: req.reason ?? null,
    },
    request.clientId,
    respond,
  );
};
