/**
 * Lab 04, part 2: the fulfilment service's worker pool. One consumer process reads every
 * partition of `orders`; its poll loop hands each record to this pool (`submit`) and, every
 * 500 ms, commits the offsets the pool says are safe (`committable`). Each order has three
 * events, keyed by the order id: created → paid → shipped. Applying one takes 20–60 ms
 * (`services.handle`), so one worker manages about 25 events a second; the shop produces about
 * 60 a second, and the service must keep up (at least 40 a second).
 *
 *   const q = services.queue<OrderEvent>(100);       // a blocking queue (put/take wait)
 *   services.startWorker("worker-0", async () => {   // at most services.workers of them
 *     for (;;) await services.handle(await q.take());
 *   });
 *
 * In this lab the consumer process is killed once, right after an offset commit, and restarts
 * a second later from the committed offsets with a fresh pool.
 *
 * Exercise files may import only from src/ (types from this lab folder are fine: they vanish
 * at run time).
 */
import type { CommitPosition, OrderEvent, PoolServices, WorkerPool } from "../pool";

const QUEUE_CAPACITY = 100;

export function createWorkerPool(services: PoolServices): WorkerPool {
  // TODO(lab-04): one shared queue, and whichever worker is free takes the next event. Worker 1
  // can still be handling "order-7:created" when worker 2 has finished "order-7:paid". Events
  // of one key must be handled one after another, in offset order, while different keys still
  // run in parallel. (ordering page, "Multi-threaded consumers and per-key queues")
  const shared = services.queue<OrderEvent>(QUEUE_CAPACITY);
  for (let w = 0; w < services.workers; w++) {
    services.startWorker(`worker-${w}`, async () => {
      for (;;) {
        const event = await shared.take();
        await services.handle(event);
      }
    });
  }

  // TODO(lab-04): this reports an offset as committable as soon as its record is queued. A
  // crash right after the commit loses every event still queued or being handled. Commit, per
  // partition, only up to the first offset that is not yet fully handled.
  const submitted = new Map<string, CommitPosition>();
  return {
    async submit(event) {
      await shared.put(event);
      submitted.set(`${event.topic}-${event.partition}`, {
        topic: event.topic,
        partition: event.partition,
        offset: event.offset + 1,
      });
    },
    committable() {
      return [...submitted.values()];
    },
  };
}
