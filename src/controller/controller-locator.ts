/**
 * Which controller a broker should talk to: the quorum leader it last heard of (from a
 * NOT_CONTROLLER / NOT_LEADER_OR_FOLLOWER answer's currentLeader, or a Fetch response), else
 * the voters in turn. Shared by MetadataFetcher and BrokerLifecycle. Kafka brokers learn the
 * active controller from the Raft layer (their metadata log observer) in the same way.
 */
import type { NodeId } from "../sim/process";
import type { CurrentLeader } from "./raft-messages";

export class ControllerLocator {
  private leader: CurrentLeader = { leaderId: -1, leaderEpoch: -1 };
  private next = 0;

  constructor(private readonly voters: readonly { id: number; address: NodeId }[]) {
    if (voters.length === 0) throw new Error("Cannot locate the controller: the voter list is empty");
  }

  /** The address to send the next controller request to. */
  target(): NodeId {
    const known = this.voters.find((v) => v.id === this.leader.leaderId);
    if (known) return known.address;
    return this.voters[this.next % this.voters.length]!.address;
  }

  get knownLeaderId(): number {
    return this.leader.leaderId;
  }

  /** Take a hint into account: newer epochs win; a known leader of the same epoch fills in. */
  observe(hint: CurrentLeader | undefined): void {
    if (!hint) return;
    if (
      hint.leaderEpoch > this.leader.leaderEpoch ||
      (hint.leaderEpoch === this.leader.leaderEpoch && this.leader.leaderId < 0)
    ) {
      this.leader = { ...hint };
    }
  }

  /** The current target failed (timeout, or no leader known there): forget it and move on. */
  failed(): void {
    if (this.leader.leaderId >= 0) this.leader = { leaderId: -1, leaderEpoch: this.leader.leaderEpoch };
    this.next++;
  }
}
