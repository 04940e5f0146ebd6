/**
 * Topic names and partition directory names.
 *
 * Topic names follow Kafka's Topic.validate (clients/.../common/internals/Topic.java): 1 to 249
 * characters from [a-zA-Z0-9._-], and not "." or "..". A bad name is an INVALID_TOPIC_EXCEPTION
 * (error code 17) with the reason.
 *
 * A partition lives in the directory `<topic>-<partition>` under a log dir. A partition being
 * deleted is first renamed to `<topic>-<partition>.<uniqueId>-delete` (uniqueId: a UUID without
 * dashes); reassignment between log dirs uses `-future`, and KRaft marks orphans `-stray`
 * (LocalLog.scala / LocalLog.java: logDeleteDirName, parseTopicPartitionName). Names are
 * parsed at the LAST '-', because topics may themselves contain '-'.
 *
 * Stricter than Kafka, so that a directory name can never lead outside the data dir: the parsed
 * topic must be a valid topic name, the partition must be plain decimal digits within int32
 * (Java's parseInt also takes "+3"), and the unique id must be ASCII letters and digits.
 */
import { Errors, KafkaError } from "../protocol/errors";
import type { Rng } from "../sim/rng";
import type { TopicPartition } from "./topic-partition";

/** Kafka's Topic.MAX_NAME_LENGTH. */
export const MAX_TOPIC_NAME_LENGTH = 249;
/** File names are limited to 255 bytes; Kafka caps `-delete`/`-future`/`-stray` names to fit. */
export const MAX_DIR_NAME_LENGTH = 255;
const INT32_MAX = 2 ** 31 - 1;

export type LogDirSuffix = "delete" | "future" | "stray";
const SUFFIXES: readonly LogDirSuffix[] = ["delete", "future", "stray"];

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]+$/;
const UNIQUE_ID = /^[A-Za-z0-9]+$/;

/** Why `name` is not a legal topic name, or undefined if it is. */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return "a topic name cannot be empty";
  if (name === "." || name === "..") return `a topic cannot be named "${name}"`;
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `a topic name has at most ${MAX_TOPIC_NAME_LENGTH} characters, this one has ${name.length}`;
  }
  if (!LEGAL_TOPIC.test(name)) {
    const bad = [...name].find((ch) => !LEGAL_TOPIC.test(ch)) ?? "";
    return `only ASCII letters, digits, '.', '_' and '-' are allowed, found ${JSON.stringify(bad)}`;
  }
  return undefined;
}

export function isValidTopicName(name: string): boolean {
  return topicNameProblem(name) === undefined;
}

/** Throws KafkaError INVALID_TOPIC_EXCEPTION (17) with the reason when the name is illegal. */
export function validateTopicName(name: string): void {
  const problem = topicNameProblem(name);
  if (problem !== undefined) {
    throw new KafkaError(
      Errors.INVALID_TOPIC_EXCEPTION,
      `Invalid topic name ${JSON.stringify(name)}: ${problem}`,
    );
  }
}

/** A directory name under a log dir that is not a partition directory. */
export class InvalidLogDirNameError extends Error {
  constructor(
    readonly dirName: string,
    readonly reason: string,
  ) {
    super(
      `Cannot parse log directory name ${JSON.stringify(dirName)}: ${reason} ` +
        "(expected <topic>-<partition> or <topic>-<partition>.<uniqueId>-delete|-future|-stray)",
    );
    this.name = "InvalidLogDirNameError";
  }
}

function checkPartition(partition: number): void {
  if (!Number.isInteger(partition) || partition < 0 || partition > INT32_MAX) {
    throw new RangeError(`Invalid partition ${partition}: must be an integer in [0, ${INT32_MAX}]`);
  }
}

/** `<topic>-<partition>`, after validating both. */
export function partitionDirName(tp: TopicPartition): string {
  validateTopicName(tp.topic);
  checkPartition(tp.partition);
  return `${tp.topic}-${tp.partition}`;
}

/**
 * `<topic>-<partition>.<uniqueId>-<suffix>`, with the topic cut short if the whole name would
 * exceed 255 characters (as LocalLog.logDirNameWithSuffixCappedLength does).
 */
export function suffixedDirName(tp: TopicPartition, uniqueId: string, suffix: LogDirSuffix): string {
  validateTopicName(tp.topic);
  checkPartition(tp.partition);
  if (!UNIQUE_ID.test(uniqueId)) throw new RangeError(`Invalid unique id ${JSON.stringify(uniqueId)}`);
  const tail = `-${tp.partition}.${uniqueId}-${suffix}`;
  const topicLength = Math.min(tp.topic.length, MAX_DIR_NAME_LENGTH - tail.length);
  return `${tp.topic.slice(0, topicLength)}${tail}`;
}

/** The name a partition directory is renamed to when the partition is deleted. */
export function deleteDirName(tp: TopicPartition, uniqueId: string): string {
  return suffixedDirName(tp, uniqueId, "delete");
}

/** A UUID-sized unique id (32 lowercase hex digits) drawn from the seeded Rng. */
export function newUniqueId(rng: Rng): string {
  let out = "";
  for (let i = 0; i < 32; i++) out += rng.int(16).toString(16);
  return out;
}

export interface ParsedLogDirName {
  topicPartition: TopicPartition;
  /** Absent for a live partition directory. */
  suffix?: LogDirSuffix;
  uniqueId?: string;
}

/**
 * Parse a directory name found in a log dir (LocalLog.parseTopicPartitionName). Throws
 * InvalidLogDirNameError for anything else, including names that are not safe path segments.
 */
export function parseLogDirName(dirName: string): ParsedLogDirName {
  const fail = (reason: string): never => {
    throw new InvalidLogDirNameError(dirName, reason);
  };
  if (dirName.length === 0) fail("the name is empty");
  if (!dirName.includes("-")) fail("there is no '-' before a partition number");
  let name = dirName;
  let suffix: LogDirSuffix | undefined;
  let uniqueId: string | undefined;
  const matched = SUFFIXES.find((s) => dirName.endsWith(`-${s}`));
  if (matched !== undefined) {
    const body = dirName.slice(0, dirName.length - matched.length - 1);
    const dot = body.lastIndexOf(".");
    if (dot < 0) fail(`a -${matched} directory needs a '.<uniqueId>' before the suffix`);
    uniqueId = body.slice(dot + 1);
    if (!UNIQUE_ID.test(uniqueId))
      fail(`the unique id ${JSON.stringify(uniqueId)} is not ASCII letters and digits`);
    name = body.slice(0, dot);
    suffix = matched;
  }
  const dash = name.lastIndexOf("-");
  if (dash < 0) fail("there is no '-' before a partition number");
  const topic = name.slice(0, dash);
  const partitionText = name.slice(dash + 1);
  if (topic.length === 0) fail("the topic is empty");
  if (!/^[0-9]+$/.test(partitionText)) fail(`the partition ${JSON.stringify(partitionText)} is not a number`);
  const partition = Number(partitionText);
  if (partition > INT32_MAX) fail(`the partition ${partitionText} exceeds ${INT32_MAX}`);
  const problem = topicNameProblem(topic);
  if (problem !== undefined) fail(`the topic is invalid: ${problem}`);
  const parsed: ParsedLogDirName = { topicPartition: { topic, partition } };
  if (suffix !== undefined) {
    parsed.suffix = suffix;
    parsed.uniqueId = uniqueId;
  }
  return parsed;
}

/** Parse a live partition directory name `<topic>-<partition>` (no suffix allowed). */
export function parseTopicPartitionName(dirName: string): TopicPartition {
  const parsed = parseLogDirName(dirName);
  if (parsed.suffix !== undefined) {
    throw new InvalidLogDirNameError(dirName, `this is a -${parsed.suffix} directory, not a live partition`);
  }
  return parsed.topicPartition;
}
