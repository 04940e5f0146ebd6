/**
 * The storage layer (src/log): segments, indexes, the partition log, retention, recovery,
 * checkpoint files and the log manager, all over the synchronous `Disk` port. Other layers import
 * from here only. Start with partition-log.ts (one partition) and log-manager.ts (a log dir);
 * the labs swap the functions in seams.ts.
 */
export * from "./disk";
export * from "./log-config";
export * from "./log-files";
export * from "./seams";
export { PendingDeletions } from "./retention";
export * from "./offset-index";
export * from "./time-index";
export * from "./batch-scan";
export * from "./segment";
export * from "./append-validation";
export * from "./recovery";
export * from "./timestamp-search";
export * from "./local-log";
export * from "./log-results";
export * from "./partition-log";
export * from "./log-manager";
export * from "./checkpoint-file";
export * from "./offset-checkpoint";
export * from "./leader-epoch-cache";
export * from "./topic-name";
export * from "./topic-partition";
export * from "./producer-state";
export * from "./producer-snapshot";
