/**
 * HistoryRecorder: how clients and lab scenarios write a history while a run happens.
 *
 *   const rec = new HistoryRecorder(() => ctx.now());            // virtual time source
 *   const h = rec.invoke("send", "producer-1", { messages: [{ topic: "orders", key: "k1", value: "v1" }] });
 *   rec.ok(h, { positions: [{ partition: 0, offset: 41 }] }, { node: "broker-2" });
 *   // or rec.fail(h, "NOT_LEADER_OR_FOLLOWER") / rec.info(h, "timed out after 30000 ms")
 *   rec.record("crash", "consumer-1", {});                         // instantaneous event
 *
 * Invariants kept: each operation completes at most once; completion time is not before the
 * invoke time; every event takes the next index of one counter, so events that share a
 * virtual millisecond are still ordered. A `crash` turns the process's pending operations into
 * `info` (the client died without learning their outcome); a completion that arrives for one
 * of them afterwards (a promise settling in a dead client) is ignored. The number of operations is bounded
 * (`maxOps`) so a runaway scenario fails loudly instead of exhausting memory.
 *
 * Misuse (completing twice, a send acknowledged without positions) throws: it is a bug in the
 * client or scenario, not a Kafka failure.
 */
import type {
  AssignOp,
  CommitOp,
  CrashOp,
  History,
  MessagePosition,
  Operation,
  OpType,
  PolledRecords,
  PollOp,
  SeekOp,
  SendMessage,
  SendOp,
  SubscribeOp,
  TopicPartitionName,
} from "./history";

/** What each operation type carries at invoke time. */
export interface InvokeInputs {
  send: { messages: SendMessage[] };
  poll: Record<string, never>;
  commit: { offsets: Record<TopicPartitionName, number> };
  assign: { partitions: TopicPartitionName[] };
  subscribe: { topics: string[] };
  seek: { topicPartition: TopicPartitionName; offset: number };
  crash: Record<string, never>;
}

/** What each operation type carries when it completes ok. */
export interface OkResults {
  send: { positions: MessagePosition[] };
  poll: { records: PolledRecords };
  commit: Record<string, never>;
  /** The actual assignment, if it differs from what was asked for. */
  assign: { partitions?: TopicPartitionName[] };
  subscribe: { partitions?: TopicPartitionName[] };
  seek: Record<string, never>;
  crash: Record<string, never>;
}

export interface EventOptions {
  /** Event time in virtual ms; defaults to the recorder's clock. */
  atMs?: number;
  /** Broker the client talked to. */
  node?: string;
}

/** Returned by `invoke`; pass it to `ok`, `fail` or `info`. */
export interface OpHandle<T extends OpType = OpType> {
  readonly id: number;
  readonly type: T;
}

export interface RecorderOptions {
  /** Upper bound on operations (default 5,000,000). */
  maxOps?: number;
}

const DEFAULT_MAX_OPS = 5_000_000;

function copyMessage(m: SendMessage): SendMessage {
  return m.partition === undefined
    ? { topic: m.topic, key: m.key, value: m.value }
    : { topic: m.topic, partition: m.partition, key: m.key, value: m.value };
}

export class HistoryRecorder {
  private readonly ops: Operation[] = [];
  private nextEventIndex = 0;
  private readonly maxOps: number;
  private readonly pendingByProcess = new Map<string, Set<number>>();
  /** Operations a crash completed as info; a late completion of them is ignored. */
  private readonly endedByCrash = new Set<number>();

  /** `nowMs` supplies virtual time when an event gives no `atMs` (e.g. `() => ctx.now()`). */
  constructor(
    private readonly nowMs?: () => number,
    options: RecorderOptions = {},
  ) {
    this.maxOps = options.maxOps ?? DEFAULT_MAX_OPS;
  }

  /** Starts an operation; complete it later with `ok`, `fail` or `info`. */
  invoke<T extends OpType>(
    type: T,
    process: string,
    input: InvokeInputs[T],
    options: EventOptions = {},
  ): OpHandle<T> {
    const op = this.newOp(type, process, input, options);
    let pending = this.pendingByProcess.get(process);
    if (pending === undefined) this.pendingByProcess.set(process, (pending = new Set()));
    pending.add(op.id);
    return { id: op.id, type };
  }

  /** The operation happened; `result` is what the client learned. */
  ok<T extends OpType>(handle: OpHandle<T>, result: OkResults[T], options: EventOptions = {}): void {
    const target = this.ops[handle.id];
    if (target?.type === "send") {
      const positions = (result as OkResults["send"]).positions;
      if (!Array.isArray(positions) || positions.length !== target.messages.length) {
        throw new Error(
          `Cannot acknowledge send op ${target.id}: it has ${target.messages.length} messages but ${Array.isArray(positions) ? positions.length : "no"} positions`,
        );
      }
    }
    if (target?.type === "poll") {
      const records = (result as OkResults["poll"]).records;
      if (records === null || typeof records !== "object")
        throw new Error(
          `Cannot complete poll op ${target.id}: records must be an object (use {} for an empty poll)`,
        );
    }
    const op = this.complete(handle, "ok", undefined, options);
    if (op === undefined) return;
    if (op.type === "send") {
      op.positions = (result as OkResults["send"]).positions.map((p) => ({
        partition: p.partition,
        offset: p.offset,
      }));
    } else if (op.type === "poll") {
      op.records = (result as OkResults["poll"]).records;
    } else if (op.type === "assign" || op.type === "subscribe") {
      const partitions = (result as OkResults["assign"]).partitions;
      if (partitions !== undefined) op.partitions = [...partitions];
    }
  }

  /** The operation definitely did not happen. */
  fail(handle: OpHandle, error: string, options: EventOptions = {}): void {
    this.complete(handle, "fail", error, options);
  }

  /** The outcome is unknown (timeout, connection lost). */
  info(handle: OpHandle, error: string, options: EventOptions = {}): void {
    this.complete(handle, "info", error, options);
  }

  /**
   * An instantaneous event (`crash`, `assign` from a rebalance callback, `seek`, `commit`),
   * recorded as an operation that completes ok at the same moment.
   */
  record<T extends OpType>(
    type: T,
    process: string,
    input: InvokeInputs[T],
    options: EventOptions = {},
  ): OpHandle<T> {
    const op = this.newOp(type, process, input, options);
    op.outcome = "ok";
    op.completeMs = op.invokeMs;
    op.completeIndex = op.invokeIndex;
    if (type === "crash") this.crashPending(process, op.invokeMs);
    return { id: op.id, type };
  }

  /** Number of operations recorded so far. */
  get size(): number {
    return this.ops.length;
  }

  /** The history so far (a shallow copy of the list; pending operations have no outcome). */
  history(): History {
    return this.ops.slice();
  }

  private newOp<T extends OpType>(
    type: T,
    process: string,
    input: InvokeInputs[T],
    options: EventOptions,
  ): Operation {
    if (this.ops.length >= this.maxOps)
      throw new Error(
        `Cannot record ${type} by ${process}: the history already holds maxOps=${this.maxOps} operations`,
      );
    if (typeof process !== "string" || process === "")
      throw new Error(`Cannot record ${type}: process must be a non-empty string`);
    // Object literals with a fixed field order (no spreads): recording sits on the simulator's hot path.
    const id = this.ops.length;
    const invokeMs = this.time(options);
    const invokeIndex = this.nextEventIndex++;
    let op: Operation;
    switch (type) {
      case "send": {
        const messages = (input as InvokeInputs["send"]).messages;
        if (!Array.isArray(messages) || messages.length === 0)
          throw new Error(`Cannot record send by ${process}: it has no messages`);
        op = {
          id,
          type: "send",
          process,
          invokeMs,
          invokeIndex,
          messages: messages.map(copyMessage),
        } satisfies SendOp;
        break;
      }
      case "poll":
        op = { id, type: "poll", process, invokeMs, invokeIndex } satisfies PollOp;
        break;
      case "commit":
        op = {
          id,
          type: "commit",
          process,
          invokeMs,
          invokeIndex,
          offsets: Object.assign({}, (input as InvokeInputs["commit"]).offsets),
        } satisfies CommitOp;
        break;
      case "assign":
        op = {
          id,
          type: "assign",
          process,
          invokeMs,
          invokeIndex,
          partitions: (input as InvokeInputs["assign"]).partitions.slice(),
        } satisfies AssignOp;
        break;
      case "subscribe":
        op = {
          id,
          type: "subscribe",
          process,
          invokeMs,
          invokeIndex,
          topics: (input as InvokeInputs["subscribe"]).topics.slice(),
        } satisfies SubscribeOp;
        break;
      case "seek": {
        const s = input as InvokeInputs["seek"];
        op = {
          id,
          type: "seek",
          process,
          invokeMs,
          invokeIndex,
          topicPartition: s.topicPartition,
          offset: s.offset,
        } satisfies SeekOp;
        break;
      }
      case "crash":
        op = { id, type: "crash", process, invokeMs, invokeIndex } satisfies CrashOp;
        break;
      default:
        throw new Error(`Cannot record operation of unknown type ${String(type)}`);
    }
    if (options.node !== undefined) op.node = options.node;
    this.ops.push(op);
    return op;
  }

  /** Completes the operation; undefined when a crash already ended it (nothing to record). */
  private complete(
    handle: OpHandle,
    outcome: "ok" | "fail" | "info",
    error: string | undefined,
    options: EventOptions,
  ): Operation | undefined {
    const op = this.ops[handle.id];
    if (op === undefined || op.type !== handle.type)
      throw new Error(`Cannot complete op ${handle.id}: no ${handle.type} operation has that id`);
    if (this.endedByCrash.has(op.id)) return undefined; // the client learned nothing: its process had died
    if (op.outcome !== undefined) {
      throw new Error(
        `Cannot complete ${op.type} op ${op.id} as ${outcome}: it already completed as ${op.outcome}`,
      );
    }
    const atMs = this.time(options);
    if (atMs < op.invokeMs)
      throw new Error(
        `Cannot complete ${op.type} op ${op.id} at ${atMs} ms: it was invoked later, at ${op.invokeMs} ms`,
      );
    op.outcome = outcome;
    op.completeMs = atMs;
    op.completeIndex = this.nextEventIndex++;
    if (error !== undefined) op.error = error;
    if (options.node !== undefined) op.node = options.node;
    this.pendingByProcess.get(op.process)?.delete(op.id);
    return op;
  }

  private crashPending(process: string, atMs: number): void {
    const pending = this.pendingByProcess.get(process);
    if (pending === undefined) return;
    for (const id of pending) {
      const op = this.ops[id]!;
      op.outcome = "info";
      op.completeMs = Math.max(atMs, op.invokeMs);
      op.completeIndex = this.nextEventIndex++;
      op.error = "client crashed";
      this.endedByCrash.add(id);
    }
    pending.clear();
  }

  private time(options: EventOptions): number {
    const t = options.atMs ?? this.nowMs?.();
    if (t === undefined || !Number.isFinite(t))
      throw new Error(
        "Cannot record event: no time given (pass atMs or construct the recorder with a clock)",
      );
    return t;
  }
}
