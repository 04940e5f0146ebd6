/**
 * Follower fetching in the ReplicaManager (replica-manager.ts), as Kafka's
 * ReplicaFetcherManager with its ReplicaFetcherThreads: one ReplicaFetcher (src/replication)
 * per leader broker, one Fetch in flight each; the answer is applied, then the next Fetch goes
 * out at once (the leader long-polls it).
 *
 * A fetcher left without partitions after a metadata update is shut down with its request in
 * flight (AbstractFetcherManager.shutdownIdleFetcherThreads, called from
 * ReplicaManager.applyDelta), so a later leadership on that broker starts with a fresh request.
 * A request whose leader has since registered again (a new broker epoch: the process that got it
 * is gone) is abandoned at once and the Fetch re-sent, where Kafka's network client would see
 * the connection close; without either, the fetcher would wait replica.socket.timeout.ms (30 s
 * by default) for an answer that cannot come, and an ISR follower would hold the high
 * watermark back meanwhile.
 *
 * Invariant: at most one Fetch in flight per leader broker; an abandoned request's answer, if
 * it still comes, is ignored.
 *
 * Departures from Kafka: no threads (the broker's scheduler drives polling); one fetcher per
 * leader broker (num.replica.fetchers = 1); no fetch sessions.
 */
import type { FetchResponse } from "../protocol";
import { ReplicaFetcher } from "../replication";
import type { NodeId } from "../sim/process";
import type { ReplicaManagerState } from "./replica-manager-state";
import type { OutboundFailure } from "./outbound";

export function fetcherFor(s: ReplicaManagerState, leaderId: number): ReplicaFetcher {
  let f = s.fetchers.get(leaderId);
  if (f === undefined) {
    const c = s.host.config;
    f = new ReplicaFetcher(leaderId, {
      replicaId: s.host.brokerId,
      maxWaitMs: c.replicaFetchWaitMaxMs,
      minBytes: c.replicaFetchMinBytes,
      maxBytes: c.replicaFetchResponseMaxBytes,
      partitionMaxBytes: c.replicaFetchMaxBytes,
      backoffMs: c.replicaFetchBackoffMs,
    });
    s.fetchers.set(leaderId, f);
  }
  return f;
}

/** Kafka's shutdownIdleFetcherThreads: drop every fetcher without partitions, with its request in flight. */
export function shutdownIdleFetchers(s: ReplicaManagerState): void {
  for (const [leaderId, f] of [...s.fetchers]) {
    if (!f.isEmpty) continue;
    if (f.inflightCorrelationId !== undefined) abandonFetch(s, f, "no partition left on this leader");
    s.fetchers.delete(leaderId);
  }
}

/** Forget the fetcher's request in flight; its answer, if one still comes, is ignored. */
export function abandonFetch(s: ReplicaManagerState, f: ReplicaFetcher, reason: string): void {
  const correlationId = f.inflightCorrelationId;
  if (correlationId === undefined) return;
  s.host.outbound.cancel(correlationId);
  f.abandonInflight();
  s.host.trace("replica.fetchAbandoned", { leaderId: f.leaderId, correlationId, reason });
}

/** Send a Fetch to every leader that has ready partitions and no Fetch in flight. */
export function pollFetchers(s: ReplicaManagerState): void {
  if (s.stopped) return;
  const now = s.host.now();
  const brokerEpoch = s.host.brokerEpoch();
  let nextWakeMs: number | undefined;
  for (const f of s.fetchers.values()) {
    if (f.isEmpty || f.inflightCorrelationId !== undefined) continue;
    const node = nodeOf(s, f.leaderId);
    if (node === undefined) {
      nextWakeMs = Math.min(nextWakeMs ?? Infinity, now + s.host.config.replicaFetchBackoffMs);
      continue;
    }
    const built = f.buildRequest(now, brokerEpoch);
    if (built === null) {
      const ready = f.nextReadyMs(now);
      if (ready !== undefined && ready > now) nextWakeMs = Math.min(nextWakeMs ?? Infinity, ready);
      continue;
    }
    let correlationId = -1;
    correlationId = s.host.outbound.send<FetchResponse>(
      node,
      "Fetch",
      built.body,
      s.host.config.replicaSocketTimeoutMs,
      (res, failure) => onFetchAnswer(s, f, correlationId, res, failure),
    );
    f.markInflight(correlationId, now, built.offsets, s.host.metadata.broker(f.leaderId)?.brokerEpoch ?? -1);
  }
  if (nextWakeMs !== undefined && !s.fetcherPollScheduled) {
    s.fetcherPollScheduled = true;
    s.host.schedule(Math.max(1, nextWakeMs - now), () => {
      s.fetcherPollScheduled = false;
      pollFetchers(s);
    });
  }
}

function onFetchAnswer(
  s: ReplicaManagerState,
  f: ReplicaFetcher,
  correlationId: number,
  res: FetchResponse | undefined,
  failure?: OutboundFailure,
): void {
  if (s.stopped) return;
  if (res === undefined) {
    if (f.inflightCorrelationId === correlationId) {
      f.abandonInflight();
      if (failure === "disconnect") {
        // AbstractFetcherThread: a fetch that failed delays its partitions by replica.fetch.backoff.ms.
        f.delayAll(s.host.now());
        s.host.trace("replica.fetchDisconnected", { leaderId: f.leaderId, correlationId });
      }
    }
  } else {
    const outcomes = f.onResponse(correlationId, res, s.host.now());
    for (const o of outcomes) {
      if (o.action === "truncated")
        s.host.trace("replica.truncate", {
          partition: `${o.topic}-${o.partition}`,
          truncatedTo: o.truncatedTo,
        });
      if (o.action === "appended" || o.action === "truncated")
        s.fetchPurgatory.checkAndComplete(`${o.topic}-${o.partition}`);
    }
  }
  pollFetchers(s);
}

function nodeOf(s: ReplicaManagerState, brokerId: number): NodeId | undefined {
  const b = s.host.metadata.broker(brokerId);
  return b?.endPoints[0]?.host;
}
