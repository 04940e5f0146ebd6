/**
 * The per-log-dir offset checkpoint files (OffsetCheckpointFile.java), version 0, one entry
 * `topic partition offset` per partition:
 *
 * - recovery-point-offset-checkpoint: every offset below it is fsynced; recovery after an
 *   unclean shutdown rescans only the segments from the one holding it (LogManager).
 * - replication-offset-checkpoint: the high watermark, written every
 *   replica.high.watermark.checkpoint.interval.ms (5 s).
 * - log-start-offset-checkpoint: only partitions whose logStartOffset is above their first
 *   segment's base offset (after DeleteRecords or retention).
 * - cleaner-offset-checkpoint: how far the log cleaner has compacted each partition.
 *
 * The API is Maps keyed by topicPartitionKey ("orders-3"), as the log layer keys partitions.
 * Entries are written sorted by topic then partition so that files are byte-for-byte
 * reproducible (Kafka writes in hash-map order). Stricter than Kafka when reading: the topic
 * must be a legal topic name and the partition non-negative, so corruption is caught sooner.
 */
import {
  parseInt32,
  parseInt64,
  readCheckpointFile,
  writeCheckpointFile,
  atomicWriteFile,
  type CheckpointWriter,
  type EntryFormatter,
} from "./checkpoint-file";
import { joinPath, type Disk } from "./disk";
import { isValidTopicName, parseTopicPartitionName } from "./topic-name";
import { compareTopicPartitions, topicPartitionKey, type TopicPartition } from "./topic-partition";

export const RECOVERY_POINT_OFFSET_CHECKPOINT = "recovery-point-offset-checkpoint";
export const REPLICATION_OFFSET_CHECKPOINT = "replication-offset-checkpoint";
export const LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";
export const CLEANER_OFFSET_CHECKPOINT = "cleaner-offset-checkpoint";

export type OffsetCheckpointName =
  | typeof RECOVERY_POINT_OFFSET_CHECKPOINT
  | typeof REPLICATION_OFFSET_CHECKPOINT
  | typeof LOG_START_OFFSET_CHECKPOINT
  | typeof CLEANER_OFFSET_CHECKPOINT;

/** OffsetCheckpointFile.CURRENT_VERSION. */
export const OFFSET_CHECKPOINT_VERSION = 0;

export interface OffsetEntry {
  topicPartition: TopicPartition;
  offset: number;
}

export const offsetEntryFormatter: EntryFormatter<OffsetEntry> = {
  fields: "topic partition offset",
  format: (e) => `${e.topicPartition.topic} ${e.topicPartition.partition} ${e.offset}`,
  parse: (fields) => {
    if (fields.length !== 3) return undefined;
    const [topic, partitionText, offsetText] = fields as [string, string, string];
    const partition = parseInt32(partitionText);
    const offset = parseInt64(offsetText);
    if (!isValidTopicName(topic) || partition === undefined || partition < 0 || offset === undefined) {
      return undefined;
    }
    return { topicPartition: { topic, partition }, offset };
  },
};

/**
 * Read `<logDir>/<name>` into a Map keyed by topicPartitionKey. A missing or empty file gives an
 * empty map; a corrupt one throws CorruptCheckpointError.
 */
export function readOffsetCheckpoint(
  disk: Disk,
  logDir: string,
  name: OffsetCheckpointName,
): Map<string, number> {
  const entries = readCheckpointFile(
    disk,
    joinPath(logDir, name),
    OFFSET_CHECKPOINT_VERSION,
    offsetEntryFormatter,
  );
  const out = new Map<string, number>();
  for (const e of entries) out.set(topicPartitionKey(e.topicPartition), e.offset);
  return out;
}

/**
 * Write `<logDir>/<name>` from a Map keyed by topicPartitionKey ("orders-3"), through `writer`
 * (atomicWriteFile by default). Throws if a key is not `<valid topic>-<partition>`.
 */
export function writeOffsetCheckpoint(
  disk: Disk,
  logDir: string,
  name: OffsetCheckpointName,
  offsets: ReadonlyMap<string, number>,
  writer: CheckpointWriter = atomicWriteFile,
): void {
  const entries: OffsetEntry[] = [];
  for (const [key, offset] of offsets) {
    if (!Number.isSafeInteger(offset)) throw new RangeError(`Cannot checkpoint offset ${offset} for ${key}`);
    entries.push({ topicPartition: parseTopicPartitionName(key), offset });
  }
  entries.sort((a, b) => compareTopicPartitions(a.topicPartition, b.topicPartition));
  writeCheckpointFile(
    disk,
    joinPath(logDir, name),
    OFFSET_CHECKPOINT_VERSION,
    entries,
    offsetEntryFormatter,
    writer,
  );
}
