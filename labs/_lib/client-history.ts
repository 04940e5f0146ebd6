/**
 * From client instrumentation to a history: the adapter every client-side lab needs. The client
 * layer reports what producers and consumers learn through `ClientInstrumentation` hooks
 * (src/client/instrumentation.ts) and may not import the checker; this file turns those hooks into
 * operations of a `HistoryRecorder` (src/check), at the exact moments the client knows them:
 *
 *   const rec = new HistoryRecorder(() => world.now());
 *   const history = clientHistory(rec);
 *   const kafka = new Kafka(ctx, { clientId: "shop", bootstrapServers, instrumentation: history.hooks });
 *   ...
 *   world.crash("payments-1"); history.crashed("payments-1");   // pending calls become info
 *
 * - a send: invoked when `send()` is called, completed ok (every message's partition and offset),
 *   fail (definitely not written) or info (unknown) when the client learns it;
 * - a poll that returned records: one `poll` operation completed at once (empty polls are not
 *   recorded unless `recordEmptyPolls`);
 * - a successful offset commit: one `commit` operation (next offsets to read);
 * - an assignment change: one `assign` operation (the complete new assignment), which tells the
 *   checker that re-reading after a rebalance is legitimate;
 * - a position set other than by reading on (seek(), auto.offset.reset, the committed offset
 *   taken up after an assignment): one `seek` operation;
 * - a crash of a client process: `crashed(process)` records it (the hooks cannot see a kill -9).
 *
 * The process name in the history is the client's clientId. Browser-safe.
 */
import { topicPartitionName, type HistoryRecorder, type OpHandle, type PolledRecords } from "../../src/check";
import type { ClientInstrumentation } from "../../src/client";

export interface ClientHistoryOptions {
  /** Record polls that returned nothing as well (default false: they carry no information). */
  recordEmptyPolls?: boolean;
}

export interface ClientHistory {
  /** Pass as `instrumentation` to `new Kafka(ctx, {...})`. */
  readonly hooks: ClientInstrumentation;
  /** The client process died (kill -9): its pending operations become `info`. */
  crashed(process: string): void;
  /** Counts of what was recorded (for narration). */
  readonly counts: {
    sends: number;
    polls: number;
    commits: number;
    assigns: number;
    seeks: number;
    crashes: number;
  };
}

export function clientHistory(rec: HistoryRecorder, options: ClientHistoryOptions = {}): ClientHistory {
  const counts = { sends: 0, polls: 0, commits: 0, assigns: 0, seeks: 0, crashes: 0 };
  const hooks: ClientInstrumentation = {
    onSendInvoke(clientId, records) {
      counts.sends++;
      return rec.invoke("send", clientId, {
        messages: records.map((r) => ({ topic: r.topic, key: r.key, value: r.value })),
      });
    },
    onSendComplete(token, outcome) {
      const h = token as OpHandle<"send">;
      if (outcome.outcome === "ok")
        rec.ok(
          h,
          { positions: outcome.positions.map((p) => ({ partition: p.partition, offset: p.offset })) },
          outcome.node !== undefined ? { node: outcome.node } : {},
        );
      else if (outcome.outcome === "fail") rec.fail(h, outcome.error);
      else rec.info(h, outcome.error);
    },
    onPoll(clientId, records) {
      if (records.length === 0 && options.recordEmptyPolls !== true) return;
      counts.polls++;
      const polled: PolledRecords = {};
      for (const r of records) {
        const tp = topicPartitionName(r.topic, r.partition);
        (polled[tp] ??= []).push([r.offset, r.key, r.value]);
      }
      const h = rec.invoke("poll", clientId, {});
      rec.ok(h, { records: polled });
    },
    onCommit(clientId, offsets) {
      counts.commits++;
      const byPartition: Record<string, number> = {};
      for (const o of offsets) byPartition[topicPartitionName(o.topic, o.partition)] = o.offset;
      rec.record("commit", clientId, { offsets: byPartition });
    },
    onAssign(clientId, partitions) {
      counts.assigns++;
      rec.record("assign", clientId, {
        partitions: partitions.map((p) => topicPartitionName(p.topic, p.partition)),
      });
    },
    onSeek(clientId, position) {
      counts.seeks++;
      rec.record("seek", clientId, {
        topicPartition: topicPartitionName(position.topic, position.partition),
        offset: position.offset,
      });
    },
  };
  return {
    hooks,
    counts,
    crashed(process) {
      counts.crashes++;
      rec.record("crash", process, {});
    },
  };
}
