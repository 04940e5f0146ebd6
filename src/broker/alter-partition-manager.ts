/**
 * Sends partition leaders' ISR proposals to the active controller (Kafka's
 * DefaultAlterPartitionManager): proposals queue per partition, one AlterPartition request is in
 * flight at a time and carries every queued proposal, and each partition gets its answer back.
 * NOT_CONTROLLER (with a hint), a whole-request error or no answer within the request timeout
 * re-queue the proposals and retry after a short backoff, as Kafka retries until the controller
 * answers. A newer proposal for a partition replaces a queued older one.
 *
 * Departure: the controller is found with a ControllerLocator (hints from NOT_CONTROLLER
 * answers, else the voters in turn) rather than through the broker's Raft client.
 */
import { Errors } from "../protocol";
import {
  ControllerLocator,
  type AlterPartitionRequest,
  type AlterPartitionResponse,
  type MetadataCache,
} from "../controller";
import type { NodeId } from "../sim/process";
import type { AlterIsrAnswer, AlterIsrProposal } from "../replication";
import type { OutboundRequests } from "./outbound";
import type { Cancel } from "./services";

export interface AlterPartitionManagerHost {
  readonly brokerId: number;
  brokerEpoch(): number;
  readonly metadata: MetadataCache;
  readonly outbound: OutboundRequests;
  readonly requestTimeoutMs: number;
  schedule(delayMs: number, callback: () => void): Cancel;
  trace(kind: string, detail: Record<string, unknown>): void;
}

type Deliver = (proposal: AlterIsrProposal, answer: AlterIsrAnswer) => void;

const RETRY_BACKOFF_MS = 50;

export class AlterPartitionManager {
  private readonly queued = new Map<string, AlterIsrProposal>();
  private inflight = false;
  private retryScheduled = false;
  private readonly locator: ControllerLocator;

  constructor(
    private readonly host: AlterPartitionManagerHost,
    voters: readonly { id: number; address: NodeId }[],
    private readonly deliver: Deliver,
  ) {
    this.locator = new ControllerLocator(voters);
  }

  get pending(): number {
    return this.queued.size;
  }

  submit(proposal: AlterIsrProposal): void {
    this.queued.set(`${proposal.topic}-${proposal.partition}`, proposal);
    this.maybeSend();
  }

  private maybeSend(): void {
    if (this.inflight || this.retryScheduled || this.queued.size === 0) return;
    const brokerEpoch = this.host.brokerEpoch();
    if (brokerEpoch < 0) return this.retryLater();
    const batch = [...this.queued.values()];
    this.queued.clear();
    const byTopic = new Map<string, AlterPartitionRequest["topics"][number]>();
    const sent: AlterIsrProposal[] = [];
    for (const p of batch) {
      const topicId = this.host.metadata.topicId(p.topic);
      if (topicId === undefined) {
        this.deliver(p, { ok: false, errorCode: Errors.UNKNOWN_TOPIC_OR_PARTITION.code });
        continue;
      }
      let t = byTopic.get(topicId);
      if (t === undefined) byTopic.set(topicId, (t = { topicId, partitions: [] }));
      t.partitions.push({
        partitionIndex: p.partition,
        leaderEpoch: p.leaderEpoch,
        partitionEpoch: p.partitionEpoch,
        newIsrWithEpochs: p.newIsrWithEpochs.map((b) => ({ ...b })),
      });
      sent.push(p);
    }
    if (sent.length === 0) return;
    const body: AlterPartitionRequest = {
      brokerId: this.host.brokerId,
      brokerEpoch,
      topics: [...byTopic.values()],
    };
    this.inflight = true;
    this.host.outbound.send<AlterPartitionResponse>(
      this.locator.target(),
      "AlterPartition",
      body,
      this.host.requestTimeoutMs,
      (res) => this.onAnswer(sent, res),
    );
  }

  private onAnswer(sent: AlterIsrProposal[], res: AlterPartitionResponse | undefined): void {
    this.inflight = false;
    if (res === undefined || res.errorCode !== Errors.NONE.code) {
      if (res === undefined) this.locator.failed();
      else if (res.errorCode === Errors.NOT_CONTROLLER.code) {
        this.locator.observe(res.currentLeader);
        if (!res.currentLeader || res.currentLeader.leaderId < 0) this.locator.failed();
      }
      if (res !== undefined && res.errorCode === Errors.STALE_BROKER_EPOCH.code) {
        // The broker re-registers; its partitions get new metadata. Give the proposals back.
        for (const p of sent) this.deliver(p, { ok: false, errorCode: res.errorCode });
      } else {
        for (const p of sent) {
          const key = `${p.topic}-${p.partition}`;
          if (!this.queued.has(key)) this.queued.set(key, p);
        }
      }
      this.retryLater();
      return;
    }
    const answers = new Map<string, AlterPartitionResponse["topics"][number]["partitions"][number]>();
    for (const t of res.topics) {
      const name = this.host.metadata.topicName(t.topicId);
      for (const p of t.partitions) answers.set(`${name}-${p.partitionIndex}`, p);
    }
    for (const p of sent) {
      const a = answers.get(`${p.topic}-${p.partition}`);
      if (a === undefined) this.deliver(p, { ok: false, errorCode: Errors.UNKNOWN_SERVER_ERROR.code });
      else if (a.errorCode !== Errors.NONE.code) this.deliver(p, { ok: false, errorCode: a.errorCode });
      else
        this.deliver(p, {
          ok: true,
          leaderEpoch: a.leaderEpoch,
          isr: a.isr,
          partitionEpoch: a.partitionEpoch,
        });
    }
    this.maybeSend();
  }

  private retryLater(): void {
    if (this.retryScheduled) return;
    this.retryScheduled = true;
    this.host.schedule(RETRY_BACKOFF_MS, () => {
      this.retryScheduled = false;
      this.maybeSend();
    });
  }
}
