// The landing page's picture of one partition on three replicas: each row is a replica's log,
// the vertical line is the high watermark (the smallest log end offset among the in-sync replicas),
// and the leader's records above it are written but not yet committed. The numbers are fixed; they
// are chosen so the caption's failover story is true for Apache Kafka with acks=1.
import type { ReactNode } from "react";
import Translate, { translate } from "@docusaurus/Translate";
import styles from "./ReplicaLog.module.css";

interface Replica {
  brokerId: number;
  role: "leader" | "follower";
  inSync: boolean;
  /** Exclusive: the offset the next record appended to this replica will get. */
  logEndOffset: number;
}

const REPLICAS: readonly Replica[] = [
  { brokerId: 1, role: "leader", inSync: true, logEndOffset: 8 },
  { brokerId: 2, role: "follower", inSync: true, logEndOffset: 6 },
  { brokerId: 3, role: "follower", inSync: false, logEndOffset: 4 },
];
const OFFSETS = 9;
const HIGH_WATERMARK = Math.min(...REPLICAS.filter((r) => r.inSync).map((r) => r.logEndOffset));

function roleLabel(replica: Replica): string {
  if (replica.role === "leader") {
    return translate({ id: "home.log.leader", message: "leader" });
  }
  return replica.inSync
    ? translate({ id: "home.log.followerInSync", message: "follower · in ISR" })
    : translate({ id: "home.log.followerOutOfSync", message: "follower · out of sync" });
}

export default function ReplicaLog(): ReactNode {
  return (
    <figure className={styles.card} aria-labelledby="replica-log-caption">
      <div className={styles.header}>
        <span className={styles.dots} aria-hidden="true">
          <i />
          <i />
          <i />
        </span>
        <code className={styles.partition}>orders-0</code>
        <span className={styles.hwBadge}>
          <Translate id="home.log.hwBadge" values={{ offset: HIGH_WATERMARK }}>
            {"highWatermark = {offset}"}
          </Translate>
        </span>
      </div>
      <div className={styles.grid} style={{ ["--kl-offsets" as string]: OFFSETS }}>
        <div className={styles.offsetRow} aria-hidden="true">
          <span className={styles.rowLabel}>
            <Translate id="home.log.offset">offset</Translate>
          </span>
          {Array.from({ length: OFFSETS }, (_, offset) => (
            <span key={offset} className={styles.offset}>
              {offset}
            </span>
          ))}
        </div>
        {REPLICAS.map((replica) => (
          <div key={replica.brokerId} className={styles.row}>
            <span className={styles.rowLabel}>
              <strong>
                <Translate id="home.log.broker" values={{ id: replica.brokerId }}>
                  {"broker {id}"}
                </Translate>
              </strong>
              <small className={replica.inSync ? undefined : styles.outOfSync}>{roleLabel(replica)}</small>
            </span>
            {Array.from({ length: OFFSETS }, (_, offset) => {
              const written = offset < replica.logEndOffset;
              const committed = offset < HIGH_WATERMARK;
              const className = !written ? styles.empty : committed ? styles.committed : styles.uncommitted;
              return <span key={offset} className={`${styles.cell} ${className}`} />;
            })}
          </div>
        ))}
        <div className={styles.hwLine} style={{ ["--kl-hw" as string]: HIGH_WATERMARK }} aria-hidden="true" />
      </div>
      <ul className={styles.legend}>
        <li>
          <span className={`${styles.swatch} ${styles.committed}`} />
          <Translate id="home.log.legendCommitted">committed: consumers can read it</Translate>
        </li>
        <li>
          <span className={`${styles.swatch} ${styles.uncommitted}`} />
          <Translate id="home.log.legendUncommitted">written on the leader, not yet committed</Translate>
        </li>
      </ul>
      <figcaption id="replica-log-caption" className={styles.caption}>
        <Translate id="home.log.caption">
          If broker 1 fails now, broker 2 becomes leader without offsets 6 and 7. With acks=1 the producer was
          already told they were written. Lab 03 makes this happen; you make it stop.
        </Translate>
      </figcaption>
    </figure>
  );
}
