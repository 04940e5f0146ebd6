/**
 * The history model: what clients did, as seen from outside the cluster.
 *
 * A grader judges a run by its history, never by peeking into the brokers. Every client action
 * is an *operation* with an invoke event (the call started) and, usually, a completion:
 *
 * - `ok`   — it happened, and the completion carries what the client learned (the offset a
 *            send was written at, the records a poll returned).
 * - `fail` — it definitely did NOT happen (for example the broker answered with an error that
 *            means "not appended", or a transaction aborted). Only record `fail` when sure.
 * - `info` — we cannot know (timeout, connection lost, client crashed mid-call). The message
 *            of an `info` send may or may not be in the log. An operation that never completes
 *            (still pending at the end of the run) is treated exactly like `info`.
 *
 * Operation types:
 * - `send`      messages (topic, optional requested partition, key, value); ok carries, for
 *               each message, the partition and offset it was written at.
 * - `poll`      ok carries `{ "orders-0": [[offset, key, value], ...] }` in the order returned.
 * - `commit`    consumer offsets (the next offset to read, exclusive, as in Kafka).
 * - `assign`    the consumer's complete new assignment (manual assign, or what a group
 *               rebalance handed it). Resets the checker's poll-order tracking.
 * - `subscribe` topics; ok may carry the assigned partitions. Resets poll-order tracking.
 * - `seek`      the consumer moved its position in one partition. Resets tracking there.
 * - `crash`     the client process died (instantaneous). Pending calls of it become `info`.
 *
 * Values are unique strings per run, so a value identifies its message. If an application
 * retries a send with the same value, record the retry as another `send` of that value: the
 * checker treats both as one message, and a second copy in the log is a `duplicate`.
 *
 * Invariants kept (checked by `validateHistory`): `ops[i].id === i`, ids are in invoke order;
 * every event has a unique, increasing `invokeIndex`/`completeIndex` drawn from one counter,
 * which orders events that share a virtual time; `completeMs >= invokeMs`; an `ok` send has one
 * position per message.
 *
 * Departures from Kafka: a topic-partition is written as Kafka's `TopicPartition.toString()`
 * does, `"orders-0"`. Keys and values are strings (clients decode bytes before recording).
 * Tombstones (null values) are not modelled.
 */

export type Outcome = "ok" | "fail" | "info";
export type OpType = "send" | "poll" | "commit" | "assign" | "subscribe" | "seek" | "crash";

/** `"orders-0"`: a topic-partition as Kafka prints it. */
export type TopicPartitionName = string;

export interface OpBase {
  /** Position in the history; operations are numbered in invoke order from 0. */
  id: number;
  /** The client (process) that performed the operation, e.g. "producer-1", "consumer-2". */
  process: string;
  /** The broker the client talked to, when known (e.g. the partition leader for a send). */
  node?: string;
  invokeMs: number;
  /** Position of the invoke event among all events of the run. */
  invokeIndex: number;
  completeMs?: number;
  /** Position of the completion event among all events; absent while pending. */
  completeIndex?: number;
  /** Absent while the operation is pending; the checker treats pending as `info`. */
  outcome?: Outcome;
  /** Why an operation failed or is indeterminate (error code name, "timed out after 30000 ms"). */
  error?: string;
}

export interface SendMessage {
  topic: string;
  /** The partition the producer asked for; absent when the partitioner chose. */
  partition?: number;
  key: string | null;
  value: string;
}

/** Where a sent message was written, as acknowledged by the broker. */
export interface MessagePosition {
  partition: number;
  offset: number;
}

export interface SendOp extends OpBase {
  type: "send";
  messages: SendMessage[];
  /** Present when ok: `positions[i]` is where `messages[i]` was written. */
  positions?: MessagePosition[];
}

/** One record returned by a poll: `[offset, key, value]`. */
export type PolledRecord = [offset: number, key: string | null, value: string];
/** Records returned by one poll, per topic-partition, in the order the consumer received them. */
export type PolledRecords = Record<TopicPartitionName, PolledRecord[]>;

export interface PollOp extends OpBase {
  type: "poll";
  /** Present when ok (possibly empty). */
  records?: PolledRecords;
}

export interface CommitOp extends OpBase {
  type: "commit";
  /** Next offset to consume per partition (exclusive bound of what was processed). */
  offsets: Record<TopicPartitionName, number>;
}

export interface AssignOp extends OpBase {
  type: "assign";
  /** The complete assignment after this operation. */
  partitions: TopicPartitionName[];
}

export interface SubscribeOp extends OpBase {
  type: "subscribe";
  topics: string[];
  /** The partitions assigned, when the completion knows them. */
  partitions?: TopicPartitionName[];
}

export interface SeekOp extends OpBase {
  type: "seek";
  topicPartition: TopicPartitionName;
  offset: number;
}

export interface CrashOp extends OpBase {
  type: "crash";
}

export type Operation = SendOp | PollOp | CommitOp | AssignOp | SubscribeOp | SeekOp | CrashOp;

/** A run's history: operations in invoke order (`ops[i].id === i`). JSON-serialisable. */
export type History = readonly Operation[];

/** The name Kafka prints for a topic-partition: `topicPartitionName("orders", 0) === "orders-0"`. */
export function topicPartitionName(topic: string, partition: number): TopicPartitionName {
  return `${topic}-${partition}`;
}

/** Inverse of `topicPartitionName`. Topic names may contain '-', the partition is after the last one. */
export function parseTopicPartition(name: TopicPartitionName): { topic: string; partition: number } {
  const dash = name.lastIndexOf("-");
  const partition = dash > 0 ? Number(name.slice(dash + 1)) : NaN;
  if (!Number.isInteger(partition) || partition < 0 || name.slice(dash + 1) === "") {
    throw new Error(
      `Cannot parse topic-partition "${name}": expected "<topic>-<partition>", e.g. "orders-0"`,
    );
  }
  return { topic: name.slice(0, dash), partition };
}

/** The outcome the checker uses: a pending operation counts as indeterminate. */
export function effectiveOutcome(op: Operation): Outcome {
  return op.outcome ?? "info";
}

function isOffset(n: unknown): n is number {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

function checkMessage(op: SendOp, at: number, i: number, problems: string[]): void {
  const m = op.messages[i]!;
  if (typeof m.topic !== "string" || m.topic === "") problems.push(`op ${at}: message ${i} has no topic`);
  if (m.partition !== undefined && !isOffset(m.partition))
    problems.push(`op ${at}: message ${i} has partition ${String(m.partition)}, expected an integer >= 0`);
  if (typeof m.value !== "string") problems.push(`op ${at}: message ${i} has a non-string value`);
  if (m.key !== null && typeof m.key !== "string")
    problems.push(`op ${at}: message ${i} has a key that is neither a string nor null`);
  const p = op.positions?.[i];
  if (p !== undefined && (!isOffset(p.partition) || !isOffset(p.offset))) {
    problems.push(
      `op ${at}: position ${i} is ${JSON.stringify(p)}, expected integer partition and offset >= 0`,
    );
  }
  if (p !== undefined && m.partition !== undefined && p.partition !== m.partition) {
    problems.push(
      `op ${at}: message ${i} asked for partition ${m.partition} but was acknowledged in partition ${p.partition}`,
    );
  }
}

function checkPoll(op: PollOp, at: number, knownNames: Set<string>, problems: string[]): void {
  if (op.records === undefined) {
    if (op.outcome === "ok") problems.push(`op ${at}: ok poll has no records (use {} for an empty poll)`);
    return;
  }
  if (op.outcome !== "ok")
    problems.push(`op ${at}: ${op.outcome ?? "pending"} poll carries records; only ok polls may`);
  for (const tp in op.records) {
    const records = op.records[tp];
    if (!knownNames.has(tp)) {
      try {
        parseTopicPartition(tp);
        knownNames.add(tp);
      } catch (e) {
        problems.push(`op ${at}: ${(e as Error).message}`);
      }
    }
    if (!Array.isArray(records)) {
      problems.push(`op ${at}: records of ${tp} are not an array`);
      continue;
    }
    for (let k = 0; k < records.length; k++) {
      const r = records[k];
      if (
        !Array.isArray(r) ||
        r.length !== 3 ||
        !isOffset(r[0]) ||
        typeof r[2] !== "string" ||
        (r[1] !== null && typeof r[1] !== "string")
      ) {
        problems.push(`op ${at}: record ${JSON.stringify(r)} of ${tp} is not [offset, key, value]`);
      }
    }
  }
}

/**
 * Structural problems of a history, as plain sentences (empty when the history is well formed).
 * Linear in the size of the history. The checker refuses a history with problems.
 */
export function validateHistory(history: History, maxProblems = 20): string[] {
  const problems: string[] = [];
  const knownNames = new Set<string>();
  let lastInvokeIndex = -1;
  for (let i = 0; i < history.length && problems.length < maxProblems; i++) {
    const op = history[i]!;
    if (op.id !== i) problems.push(`op at position ${i} has id ${op.id}; ids must equal positions`);
    if (typeof op.process !== "string" || op.process === "") problems.push(`op ${i}: no process`);
    if (!Number.isFinite(op.invokeMs)) problems.push(`op ${i}: invokeMs is not a number`);
    if (!(op.invokeIndex > lastInvokeIndex))
      problems.push(
        `op ${i}: invokeIndex ${op.invokeIndex} is not after the previous op's ${lastInvokeIndex}`,
      );
    lastInvokeIndex = op.invokeIndex;
    if (op.outcome !== undefined) {
      if (op.outcome !== "ok" && op.outcome !== "fail" && op.outcome !== "info")
        problems.push(`op ${i}: unknown outcome ${String(op.outcome)}`);
      if (op.completeMs === undefined || op.completeIndex === undefined)
        problems.push(`op ${i}: completed (${op.outcome}) without completeMs/completeIndex`);
      else {
        if (op.completeMs < op.invokeMs)
          problems.push(`op ${i}: completes at ${op.completeMs} ms, before its invoke at ${op.invokeMs} ms`);
        if (op.completeIndex < op.invokeIndex)
          problems.push(`op ${i}: completeIndex ${op.completeIndex} precedes invokeIndex ${op.invokeIndex}`);
      }
    }
    switch (op.type) {
      case "send":
        if (!Array.isArray(op.messages) || op.messages.length === 0) {
          problems.push(`op ${i}: send has no messages`);
          break;
        }
        if (op.outcome === "ok" && op.positions?.length !== op.messages.length) {
          problems.push(
            `op ${i}: ok send has ${op.messages.length} messages but ${op.positions?.length ?? 0} positions`,
          );
        }
        if (op.outcome !== "ok" && op.positions !== undefined)
          problems.push(`op ${i}: only an ok send may carry positions`);
        for (let m = 0; m < op.messages.length; m++) checkMessage(op, i, m, problems);
        break;
      case "poll":
        checkPoll(op, i, knownNames, problems);
        break;
      case "seek":
        if (!isOffset(op.offset)) problems.push(`op ${i}: seek to offset ${String(op.offset)}`);
        break;
      case "commit":
      case "assign":
      case "subscribe":
      case "crash":
        break;
      default:
        problems.push(`op ${i}: unknown type ${String((op as { type: unknown }).type)}`);
    }
  }
  return problems.slice(0, maxProblems);
}

/** Throws a clear error if the history is malformed. */
export function assertValidHistory(history: History): void {
  const problems = validateHistory(history);
  if (problems.length > 0) {
    throw new Error(
      `Cannot check history: it is malformed (${problems.length}${problems.length >= 20 ? "+" : ""} problems): ${problems.join("; ")}`,
    );
  }
}
