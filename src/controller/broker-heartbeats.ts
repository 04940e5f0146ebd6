/**
 * Broker sessions, as the active controller tracks them (Kafka's BrokerHeartbeatManager): when
 * each broker last heartbeated. This is in-memory state of the active controller only — it is not
 * in the metadata log, exactly as in Kafka. A controller that becomes active starts every
 * unfenced broker's session afresh ("now"), so a failover never fences brokers that were fine.
 *
 * A session is valid while the broker is unfenced and heartbeated within
 * broker.session.timeout.ms (9000). The controller fences brokers whose session expired.
 */
import type { MetadataImage } from "./metadata-image";

export const DEFAULT_BROKER_SESSION_TIMEOUT_MS = 9000;
export const DEFAULT_BROKER_HEARTBEAT_INTERVAL_MS = 2000;

export class BrokerHeartbeats {
  private readonly lastContactMs = new Map<number, number>();

  constructor(readonly sessionTimeoutMs: number = DEFAULT_BROKER_SESSION_TIMEOUT_MS) {}

  /** On activation: every registered broker gets a fresh session. */
  resetAll(image: MetadataImage, nowMs: number): void {
    this.lastContactMs.clear();
    for (const id of image.brokers.keys()) this.lastContactMs.set(id, nowMs);
  }

  touch(brokerId: number, nowMs: number): void {
    this.lastContactMs.set(brokerId, nowMs);
  }

  lastContact(brokerId: number): number | undefined {
    return this.lastContactMs.get(brokerId);
  }

  /** Kafka's hasValidSession: unfenced and heard from within the session timeout. */
  hasValidSession(image: MetadataImage, brokerId: number, nowMs: number): boolean {
    const broker = image.brokers.get(brokerId);
    const last = this.lastContactMs.get(brokerId);
    if (!broker || broker.fenced || last === undefined) return false;
    return last + this.sessionTimeoutMs >= nowMs;
  }

  /** Unfenced brokers whose session has expired, in id order. */
  staleBrokers(image: MetadataImage, nowMs: number): number[] {
    const stale: number[] = [];
    for (const b of image.brokers.values()) {
      if (!b.fenced && !this.hasValidSession(image, b.brokerId, nowMs)) stale.push(b.brokerId);
    }
    return stale.sort((a, b) => a - b);
  }
}
