/**
 * AlterPartition (API 56): a partition leader asks the controller to change its ISR (shrink a
 * lagging follower out, expand a caught-up one back in). Validation follows Kafka's
 * ReplicationControlManager.validateAlterPartitionData, in the same order:
 *
 * - the requesting broker's epoch must be its registered one → STALE_BROKER_EPOCH (whole request);
 * - unknown topic id → UNKNOWN_TOPIC_ID; unknown partition → UNKNOWN_TOPIC_OR_PARTITION;
 * - leaderEpoch or partitionEpoch newer than ours → NOT_CONTROLLER (we are behind, likely not
 *   the active controller any more);
 * - leaderEpoch older → FENCED_LEADER_EPOCH; requester is not the leader → INVALID_REQUEST;
 * - partitionEpoch older → INVALID_UPDATE_VERSION (the leader's view is stale: refresh, retry);
 * - the new ISR must be distinct replicas that include the leader → INVALID_REQUEST;
 * - every new ISR member must be registered, unfenced and (if given) at the broker epoch the
 *   leader saw → INELIGIBLE_REPLICA (KIP-903: a restarted broker must not rejoin on stale state).
 *
 * A valid request becomes a PartitionChangeRecord (partition-change.ts); the response carries
 * the resulting state, including the new partitionEpoch. If the election policy moves the
 * leadership away (it should not, the leader is in the new ISR), the record is still written and
 * the leader gets NEW_LEADER_ELECTED, as Kafka does.
 */
import { Errors } from "../protocol";
import type { AlterPartitionRequest, AlterPartitionResponse } from "./controller-apis";
import { changeContext, type ControlResult, type ElectionSettings } from "./cluster-control";
import {
  applyRecord,
  unfencedBrokerIds,
  type MetadataImage,
  type PartitionRegistration,
} from "./metadata-image";
import { NO_LEADER_CHANGE, type MetadataRecord } from "./metadata-records";
import { buildPartitionChange } from "./partition-change";

type PartitionResult = AlterPartitionResponse["topics"][number]["partitions"][number];

export function alterPartition(
  image: MetadataImage,
  req: AlterPartitionRequest,
  election: ElectionSettings,
): ControlResult<AlterPartitionResponse> {
  const requester = image.brokers.get(req.brokerId);
  if (!requester || requester.brokerEpoch !== req.brokerEpoch) {
    return { records: [], response: { errorCode: Errors.STALE_BROKER_EPOCH.code, topics: [] } };
  }
  const records: MetadataRecord[] = [];
  let current = image;
  const topics: AlterPartitionResponse["topics"] = [];
  for (const t of req.topics) {
    const partitions: PartitionResult[] = [];
    topics.push({ topicId: t.topicId, partitions });
    const topic = current.topics.get(t.topicId);
    for (const p of t.partitions) {
      const error = (code: number): PartitionResult => ({
        partitionIndex: p.partitionIndex,
        errorCode: code,
        leaderId: -1,
        leaderEpoch: -1,
        isr: [],
        partitionEpoch: -1,
      });
      if (!topic) {
        partitions.push(error(Errors.UNKNOWN_TOPIC_ID.code));
        continue;
      }
      const partition = current.topics.get(t.topicId)!.partitions[p.partitionIndex];
      const newIsr = p.newIsrWithEpochs.map((b) => b.brokerId);
      const code = partition
        ? validate(current, req.brokerId, partition, p, newIsr)
        : Errors.UNKNOWN_TOPIC_OR_PARTITION.code;
      if (code !== Errors.NONE.code) {
        partitions.push(error(code));
        continue;
      }
      const change = buildPartitionChange(
        { topicId: t.topicId, topicName: topic.name, partitionId: p.partitionIndex },
        partition!,
        newIsr,
        changeContext(topic, election, unfencedBrokerIds(current)),
      );
      if (change) {
        records.push(change);
        current = applyRecord(current, change);
      }
      const after = current.topics.get(t.topicId)!.partitions[p.partitionIndex]!;
      if (change && change.leader !== NO_LEADER_CHANGE && change.leader !== req.brokerId) {
        partitions.push(error(Errors.NEW_LEADER_ELECTED.code));
        continue;
      }
      partitions.push({
        partitionIndex: p.partitionIndex,
        errorCode: Errors.NONE.code,
        leaderId: after.leader,
        leaderEpoch: after.leaderEpoch,
        isr: [...after.isr],
        partitionEpoch: after.partitionEpoch,
      });
    }
  }
  return { records, response: { errorCode: Errors.NONE.code, topics } };
}

function validate(
  image: MetadataImage,
  brokerId: number,
  partition: PartitionRegistration,
  p: AlterPartitionRequest["topics"][number]["partitions"][number],
  newIsr: number[],
): number {
  if (p.leaderEpoch > partition.leaderEpoch || p.partitionEpoch > partition.partitionEpoch)
    return Errors.NOT_CONTROLLER.code;
  if (p.leaderEpoch < partition.leaderEpoch) return Errors.FENCED_LEADER_EPOCH.code;
  if (brokerId !== partition.leader) return Errors.INVALID_REQUEST.code;
  if (p.partitionEpoch < partition.partitionEpoch) return Errors.INVALID_UPDATE_VERSION.code;
  if (
    newIsr.length === 0 ||
    new Set(newIsr).size !== newIsr.length ||
    !newIsr.every((id) => partition.replicas.includes(id))
  )
    return Errors.INVALID_REQUEST.code;
  if (!newIsr.includes(partition.leader)) return Errors.INVALID_REQUEST.code;
  for (const member of p.newIsrWithEpochs) {
    const reg = image.brokers.get(member.brokerId);
    if (!reg || reg.fenced || (member.brokerEpoch !== -1 && member.brokerEpoch !== reg.brokerEpoch))
      return Errors.INELIGIBLE_REPLICA.code;
  }
  return Errors.NONE.code;
}
