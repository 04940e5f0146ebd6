/**
 * Rebuilding a coordinator's state from its __consumer_offsets partition (Kafka's
 * GroupMetadataManager.doLoadGroupsAndOffsets / CoordinatorLoaderImpl): replay every record in
 * log order, the latest record of a key winning and a tombstone (null value) deleting it, then
 * build the groups: a group with stored members comes back Stable with its generation, leader,
 * protocol and assignment; a group with only offsets comes back Empty.
 *
 * This is why coordinator failover keeps committed offsets: they are records in a replicated
 * topic, and the new leader of the partition replays them before it answers any group request
 * (until then it answers COORDINATOR_LOAD_IN_PROGRESS).
 *
 * Bad records (a key or value that does not decode) are skipped and counted, never fatal: one
 * corrupt record must not make every group of the partition unavailable.
 */
import { ClassicGroup, offsetKey, type CommittedOffset } from "./classic-group";
import { decodeAssignment, decodeSubscription } from "./consumer-protocol";
import { GroupMember } from "./member";
import {
  decodeGroupMetadataValue,
  decodeKey,
  decodeOffsetCommitValue,
  type GroupMetadataValue,
  type LoadedRecord,
} from "./offset-records";

export class GroupLoadState {
  private readonly offsets = new Map<string, Map<string, CommittedOffset>>();
  private readonly metadata = new Map<string, GroupMetadataValue | null>();
  recordsApplied = 0;
  recordsSkipped = 0;
  readonly problems: string[] = [];

  /** Apply one record (log order). */
  apply(record: LoadedRecord): void {
    try {
      const key = decodeKey(record.key);
      if (key.type === "offset") {
        let byTp = this.offsets.get(key.group);
        if (!byTp) this.offsets.set(key.group, (byTp = new Map()));
        const k = offsetKey(key.topic, key.partition);
        if (record.value === null) byTp.delete(k);
        else
          byTp.set(k, {
            topic: key.topic,
            partition: key.partition,
            ...decodeOffsetCommitValue(record.value),
          });
      } else if (key.type === "group") {
        const value = record.value === null ? null : decodeGroupMetadataValue(record.value);
        // Decode the nested consumer-protocol bytes now, so that a bad one skips this record.
        for (const m of value?.members ?? []) {
          decodeSubscription(m.subscription);
          decodeAssignment(m.assignment);
        }
        this.metadata.set(key.group, value);
      } else {
        this.recordsSkipped++;
        return;
      }
      this.recordsApplied++;
    } catch (e) {
      this.recordsSkipped++;
      if (this.problems.length < 10)
        this.problems.push(`offset ${record.offset}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The groups the records describe (every member gets `nowMs` as its last heartbeat). */
  build(nowMs: number): ClassicGroup[] {
    const ids = new Set<string>([...this.offsets.keys(), ...this.metadata.keys()]);
    const groups: ClassicGroup[] = [];
    for (const groupId of [...ids].sort()) {
      const meta = this.metadata.get(groupId) ?? null;
      const offsets = this.offsets.get(groupId);
      if (meta === null && (!offsets || offsets.size === 0)) continue;
      const hasMembers = meta !== null && meta.members.length > 0;
      const group = new ClassicGroup(groupId, hasMembers ? "Stable" : "Empty", nowMs);
      if (meta !== null) {
        group.generationId = meta.generation;
        group.protocolType = meta.protocolType === "" ? null : meta.protocolType;
        group.protocolName = meta.protocol;
        if (meta.currentStateTimestamp >= 0) group.stateTimestampMs = meta.currentStateTimestamp;
        for (const m of meta.members) {
          const member = new GroupMember(
            m.memberId,
            m.groupInstanceId,
            m.clientId,
            m.clientHost,
            m.rebalanceTimeoutMs,
            m.sessionTimeoutMs,
            meta.protocolType,
            meta.protocol === null
              ? []
              : [{ name: meta.protocol, metadata: decodeSubscription(m.subscription) }],
            nowMs,
          );
          member.assignment = decodeAssignment(m.assignment);
          group.add(member);
        }
        if (meta.leader !== null && group.members.has(meta.leader)) group.leaderId = meta.leader;
      }
      if (offsets) for (const [k, v] of offsets) group.offsets.set(k, v);
      group.checkInvariants();
      groups.push(group);
    }
    return groups;
  }
}
