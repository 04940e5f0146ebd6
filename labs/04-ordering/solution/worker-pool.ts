/**
 * Lab 04, part 2 — reference solution: per-key queues and an offset tracker.
 *
 * Routing: the poll loop puts each event on queue hash(key) mod N (Kafka's own murmur2 key
 * hash), and each queue has exactly one worker. Events of one order therefore go through one
 * worker in offset order, while different orders run on N workers in parallel. The queues are
 * bounded, so a busy queue makes `submit` wait: back-pressure on the poll loop instead of
 * unbounded memory.
 *
 * Commits: per partition, the offsets submitted and not yet handled, in offset order (a
 * partition's records arrive in offset order and a Set keeps insertion order). The committable
 * offset is the first unfinished one, or one past the last submitted when nothing is pending:
 * if 100–104 are done except 102, commit 102. A crash right after a commit then re-delivers
 * 102–104 (at-least-once: 103 and 104 run twice) and loses nothing.
 */
import { partitionForKey } from "../../../src/protocol";
import type { CommitPosition, OrderEvent, PoolServices, WorkerPool } from "../pool";

const QUEUE_CAPACITY = 50;

interface PartitionProgress {
  topic: string;
  partition: number;
  /** Submitted and not yet handled, in offset order. */
  pending: Set<number>;
  /** One past the highest offset submitted. */
  next: number;
}

export function createWorkerPool(services: PoolServices): WorkerPool {
  const encoder = new TextEncoder();
  const progress = new Map<string, PartitionProgress>();
  const queues = Array.from({ length: services.workers }, () => services.queue<OrderEvent>(QUEUE_CAPACITY));
  queues.forEach((queue, w) => {
    services.startWorker(`worker-${w}`, async () => {
      for (;;) {
        const event = await queue.take();
        await services.handle(event);
        progress.get(`${event.topic}-${event.partition}`)!.pending.delete(event.offset);
      }
    });
  });

  return {
    async submit(event) {
      const tp = `${event.topic}-${event.partition}`;
      let p = progress.get(tp);
      if (p === undefined)
        progress.set(
          tp,
          (p = { topic: event.topic, partition: event.partition, pending: new Set(), next: 0 }),
        );
      p.pending.add(event.offset);
      p.next = event.offset + 1;
      await queues[partitionForKey(encoder.encode(event.orderId), queues.length)]!.put(event);
    },
    committable() {
      const out: CommitPosition[] = [];
      for (const p of progress.values()) {
        const firstPending = p.pending.values().next();
        out.push({
          topic: p.topic,
          partition: p.partition,
          offset: firstPending.done === true ? p.next : firstPending.value,
        });
      }
      return out;
    },
  };
}
