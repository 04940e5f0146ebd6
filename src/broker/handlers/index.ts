/**
 * The handler registry: ApiName → handler. One file per API, prefixed with its Kafka API key;
 * the list below is the broker's feature matrix. Other layers plug their handlers in here
 * (group coordinator: 08–14; idempotent producer: 22), each importing from its own file.
 *
 * | key | API                  | file                           |
 * |-----|----------------------|--------------------------------|
 * | 0   | Produce              | 00-produce.ts                  |
 * | 1   | Fetch                | 01-fetch.ts                    |
 * | 2   | ListOffsets          | 02-list-offsets.ts             |
 * | 3   | Metadata             | 03-metadata.ts                 |
 * | 8   | OffsetCommit         | 08-offset-commit.ts            |
 * | 9   | OffsetFetch          | 09-offset-fetch.ts             |
 * | 10  | FindCoordinator      | 10-find-coordinator.ts         |
 * | 11  | JoinGroup            | 11-join-group.ts               |
 * | 12  | Heartbeat            | 12-heartbeat.ts                |
 * | 13  | LeaveGroup           | 13-leave-group.ts              |
 * | 14  | SyncGroup            | 14-sync-group.ts               |
 * | 19  | CreateTopics         | 19-create-topics.ts            |
 * | 22  | InitProducerId       | 22-init-producer-id.ts         |
 * | 23  | OffsetForLeaderEpoch | 23-offset-for-leader-epoch.ts  |
 *
 * Requests whose API has no handler get no response (Kafka would close the connection on an
 * unsupported API version); the broker traces "broker.unsupportedApi".
 */
import type { ApiName } from "../../protocol";
import type { AnyHandler } from "./handler";
import { handleProduce } from "./00-produce";
import { handleFetch } from "./01-fetch";
import { handleListOffsets } from "./02-list-offsets";
import { handleMetadata } from "./03-metadata";
import { handleOffsetCommit } from "./08-offset-commit";
import { handleOffsetFetch } from "./09-offset-fetch";
import { handleFindCoordinator } from "./10-find-coordinator";
import { handleJoinGroup } from "./11-join-group";
import { handleHeartbeat } from "./12-heartbeat";
import { handleLeaveGroup } from "./13-leave-group";
import { handleSyncGroup } from "./14-sync-group";
import { handleCreateTopics } from "./19-create-topics";
import { handleInitProducerId } from "./22-init-producer-id";
import { handleOffsetForLeaderEpoch } from "./23-offset-for-leader-epoch";

export type { AnyHandler, Handler, Respond } from "./handler";
export { OFFSETS_TOPIC } from "./03-metadata";

export const HANDLERS: Partial<Record<ApiName, AnyHandler>> = {
  Produce: handleProduce,
  Fetch: handleFetch,
  ListOffsets: handleListOffsets,
  Metadata: handleMetadata,
  OffsetCommit: handleOffsetCommit,
  OffsetFetch: handleOffsetFetch,
  FindCoordinator: handleFindCoordinator,
  JoinGroup: handleJoinGroup,
  Heartbeat: handleHeartbeat,
  LeaveGroup: handleLeaveGroup,
  SyncGroup: handleSyncGroup,
  CreateTopics: handleCreateTopics,
  InitProducerId: handleInitProducerId,
  OffsetForLeaderEpoch: handleOffsetForLeaderEpoch,
};
