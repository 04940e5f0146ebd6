/**
 * A scripted host for unit tests of the group coordinator (src/group): a manual virtual clock
 * with timers, and an in-memory __consumer_offsets log per partition with leader appends whose
 * outcome and delay the test controls. It satisfies the CoordinatorHost port the way the
 * broker's BrokerServices does, so the coordinator under test is the production code.
 */
import { Errors, iterateBatches, type ErrorInfo } from "../src/protocol";
import type {
  CoordinatorHost,
  HostAppendRequest,
  HostAppendResult,
  HostPartitionInfo,
  HostReadRequest,
  HostReadResult,
} from "../src/group";
import { SeededRng } from "../src/sim/rng";

interface Timer {
  at: number;
  seq: number;
  cb: () => void;
  cancelled: boolean;
}

export interface FakeLog {
  batches: { baseOffset: number; bytes: Uint8Array }[];
  logEndOffset: number;
  leader: boolean;
  leaderEpoch: number;
}

export class FakeHost implements CoordinatorHost {
  readonly brokerId: number;
  readonly rng = new SeededRng(7);
  time = 0;
  readonly events: { kind: string; detail: Record<string, unknown> }[] = [];
  private timers: Timer[] = [];
  private seq = 0;
  readonly logs = new Map<number, FakeLog>();
  /** Outcome of the next appends (NONE: written and acknowledged). */
  appendError: ErrorInfo = Errors.NONE;
  /** Virtual delay before acks=all completes. */
  appendDelayMs = 1;
  appends = 0;

  constructor(brokerId = 1) {
    this.brokerId = brokerId;
  }

  now(): number {
    return this.time;
  }

  trace(kind: string, detail: Record<string, unknown>): void {
    this.events.push({ kind, detail });
  }

  schedule(delayMs: number, cb: () => void): () => void {
    const t: Timer = { at: this.time + delayMs, seq: this.seq++, cb, cancelled: false };
    this.timers.push(t);
    return () => {
      t.cancelled = true;
    };
  }

  /** Run every timer due up to now + ms, in (time, order) order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.timers) {
        if (t.cancelled || t.at > end) continue;
        if (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t;
      }
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = Math.max(this.time, next.at);
      next.cb();
    }
    this.time = end;
    this.timers = this.timers.filter((t) => !t.cancelled);
  }

  log(partition: number): FakeLog {
    let l = this.logs.get(partition);
    if (!l) this.logs.set(partition, (l = { batches: [], logEndOffset: 0, leader: false, leaderEpoch: 0 }));
    return l;
  }

  readonly replicaManager = {
    isLeader: (_topic: string, partition: number): boolean => this.log(partition).leader,
    partitionInfo: (_topic: string, partition: number): HostPartitionInfo | undefined => {
      const l = this.logs.get(partition);
      if (!l) return undefined;
      return {
        role: l.leader ? "leader" : "follower",
        leaderEpoch: l.leaderEpoch,
        logStartOffset: 0,
        logEndOffset: l.logEndOffset,
      };
    },
    appendToLeader: (req: HostAppendRequest, done: (r: HostAppendResult) => void): void => {
      this.appends++;
      const l = this.log(req.partition);
      const fail = (error: ErrorInfo): void =>
        done({ error, errorMessage: error.name, baseOffset: -1, lastOffset: -1 });
      if (!l.leader) return fail(Errors.NOT_LEADER_OR_FOLLOWER);
      const error = this.appendError;
      if (
        error !== Errors.NONE &&
        error !== Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND &&
        error !== Errors.REQUEST_TIMED_OUT
      ) {
        this.schedule(this.appendDelayMs, () => fail(error));
        return;
      }
      // Written to the log (even when acks=all later fails), offsets assigned by the leader.
      const bytes = req.records.slice();
      const baseOffset = l.logEndOffset;
      let count = 0;
      for (const b of iterateBatches(bytes)) count += b.header.lastOffsetDelta + 1;
      new DataView(bytes.buffer).setBigInt64(0, BigInt(baseOffset));
      l.batches.push({ baseOffset, bytes });
      l.logEndOffset += count;
      this.schedule(this.appendDelayMs, () => {
        if (error !== Errors.NONE) return fail(error);
        if (!l.leader) return fail(Errors.NOT_LEADER_OR_FOLLOWER);
        done({ error: Errors.NONE, errorMessage: null, baseOffset, lastOffset: baseOffset + count - 1 });
      });
    },
    read: (req: HostReadRequest): HostReadResult => {
      const l = this.log(req.partition);
      const base = { logStartOffset: 0, logEndOffset: l.logEndOffset, errorMessage: null };
      if (req.requireLeader && !l.leader)
        return { ...base, error: Errors.NOT_LEADER_OR_FOLLOWER, records: new Uint8Array(0) };
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (let i = 0; i < l.batches.length; i++) {
        const b = l.batches[i]!;
        const end = l.batches[i + 1]?.baseOffset ?? l.logEndOffset;
        if (end <= req.fetchOffset) continue; // wholly before the fetch offset
        if (size > 0 && size + b.bytes.length > req.maxBytes) break;
        chunks.push(b.bytes);
        size += b.bytes.length;
      }
      const records = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) {
        records.set(c, at);
        at += c.length;
      }
      return { ...base, error: Errors.NONE, records };
    },
  };

  /** This broker becomes leader of `partition` at `epoch` (tell the coordinator yourself). */
  lead(partition: number, epoch: number): void {
    const l = this.log(partition);
    l.leader = true;
    l.leaderEpoch = epoch;
  }

  resign(partition: number): void {
    this.log(partition).leader = false;
  }

  /** Copy another host's log of `partition` (a follower that replicated everything). */
  replicateFrom(other: FakeHost, partition: number): void {
    const src = other.log(partition);
    const dst = this.log(partition);
    dst.batches = src.batches.map((b) => ({ baseOffset: b.baseOffset, bytes: b.bytes.slice() }));
    dst.logEndOffset = src.logEndOffset;
  }

  tracesOf(kind: string): Record<string, unknown>[] {
    return this.events.filter((e) => e.kind === kind).map((e) => e.detail);
  }
}
