/**
 * Lab 06, part 1 — reference solution: Kafka's CheckpointFile.write with
 * Utils.atomicMoveWithFallback. The new content is made durable under a temporary name first;
 * the rename swaps it in atomically; fsyncing the directory makes the swap itself durable.
 */
import { parentDir, type CheckpointWriter } from "../../../src/log";

export const writeCheckpoint: CheckpointWriter = (disk, path, content) => {
  const tmp = `${path}.tmp`;
  disk.create(tmp);
  disk.truncate(tmp, 0); // a .tmp left by an earlier crash may hold old bytes
  disk.append(tmp, content);
  disk.fsync(tmp); // the new bytes are durable, under the temporary name
  disk.rename(tmp, path); // readers see the old file or the new one, never a mix
  disk.fsyncDir(parentDir(path)); // the rename survives a power loss from here on
};
