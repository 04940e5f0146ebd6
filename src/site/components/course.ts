// The course map shown on the landing page: each topic, the lab that goes with it, and where its
// page is. Pages are found in the docs plugin's data by their id (folder and file name), so a topic
// links to its page as soon as the page exists and never to a page that does not: the build fails
// on broken links.
import { translate } from "@docusaurus/Translate";
import { useAllDocsData, type GlobalDoc } from "@docusaurus/plugin-content-docs/client";

export interface CourseTopic {
  key: string;
  /** Two-digit lab number, or null for a topic without a lab of its own. */
  lab: string | null;
  title: string;
  /** What the learner sees go wrong in the lab, or what the page covers. */
  summary: string;
  /** Kafka terms and settings the topic is about (not translated: they are Kafka's names). */
  terms: string[];
  /** docs/<section>/... holds the page. */
  section: "basics" | "topics";
  /** Words that the page's id contains, most specific first. */
  idWords: string[];
}

export function useCourseTopics(): CourseTopic[] {
  return [
    {
      key: "basics",
      lab: null,
      section: "basics",
      idWords: ["why-message-queues", "kafka-model"],
      title: translate({ id: "home.topic.basics.title", message: "Kafka basics" }),
      summary: translate({
        id: "home.topic.basics.summary",
        message:
          "Why a message queue at all, Kafka's data model, ZooKeeper and KRaft, and why Kafka is fast.",
      }),
      terms: ["topic", "partition", "offset", "KRaft"],
    },
    {
      key: "high-availability",
      lab: "01",
      section: "topics",
      idWords: ["high-availability"],
      title: translate({ id: "home.topic.ha.title", message: "High availability" }),
      summary: translate({
        id: "home.topic.ha.summary",
        message:
          "A leader dies and another replica takes over. Which acknowledged writes survive the failover?",
      }),
      terms: ["replicas", "ISR", "leader election", "unclean.leader.election.enable"],
    },
    {
      key: "idempotence",
      lab: "02",
      section: "topics",
      idWords: ["idempoten", "duplicate"],
      title: translate({ id: "home.topic.idempotence.title", message: "Idempotence" }),
      summary: translate({
        id: "home.topic.idempotence.summary",
        message:
          "A retry or a crash before the commit processes a message twice. Make the second time harmless.",
      }),
      terms: ["producer id", "sequence numbers", "enable.idempotence", "idempotent consumer"],
    },
    {
      key: "reliability",
      lab: "03",
      section: "topics",
      idWords: ["reliab", "message-loss", "no-loss"],
      title: translate({ id: "home.topic.reliability.title", message: "Reliability: no message loss" }),
      summary: translate({
        id: "home.topic.reliability.summary",
        message:
          "Producer, broker, consumer: every place a message can be lost, and the settings that close each one.",
      }),
      terms: ["acks=all", "min.insync.replicas", "retries", "manual commit"],
    },
    {
      key: "ordering",
      lab: "04",
      section: "topics",
      idWords: ["ordering", "order"],
      title: translate({ id: "home.topic.ordering.title", message: "Ordering" }),
      summary: translate({
        id: "home.topic.ordering.summary",
        message: "Order holds within a partition, until consumer threads and producer retries reorder it.",
      }),
      terms: ["keys", "murmur2 partitioner", "max.in.flight.requests.per.connection"],
    },
    {
      key: "storage",
      lab: "05",
      section: "topics",
      idWords: ["storage", "log-segments"],
      title: translate({ id: "home.topic.storage.title", message: "Storage" }),
      summary: translate({
        id: "home.topic.storage.summary",
        message:
          "Segments, the sparse offset index and retention: how an offset becomes a position in a file.",
      }),
      terms: ["segments", "offset index", "retention.ms", "RecordBatch v2"],
    },
    {
      key: "checkpoints",
      lab: "06",
      section: "topics",
      idWords: ["checkpoint", "recovery"],
      title: translate({ id: "home.topic.checkpoints.title", message: "Checkpoints and recovery" }),
      summary: translate({
        id: "home.topic.checkpoints.summary",
        message:
          "What survives a power loss: checkpoint files, the high watermark, and leader epochs (KIP-101).",
      }),
      terms: ["recovery-point-offset-checkpoint", "high watermark", "leader epoch"],
    },
    {
      key: "consumer-groups",
      lab: "07",
      section: "topics",
      idWords: ["consumer-group", "rebalanc"],
      title: translate({ id: "home.topic.groups.title", message: "Consumer groups" }),
      summary: translate({
        id: "home.topic.groups.summary",
        message:
          "Rebalances and committed offsets: a slow batch starts a rebalance storm, a rolling deploy ships parcels twice.",
      }),
      terms: ["rebalance", "__consumer_offsets", "committed offset"],
    },
  ];
}

/** The page of `topic` among `docs`, or undefined if it has not been written. */
export function findTopicDoc(docs: readonly GlobalDoc[], topic: CourseTopic): GlobalDoc | undefined {
  const inSection = docs.filter((doc) => doc.id.split("/")[0] === topic.section);
  for (const word of topic.idWords) {
    const matches = inSection
      .filter((doc) =>
        doc.id
          .split("/")
          .slice(1)
          .some((part) => part.includes(word)),
      )
      .sort((a, b) => a.id.length - b.id.length);
    if (matches[0] !== undefined) return matches[0];
  }
  return undefined;
}

/** The docs of the default docs plugin's current version. */
export function useCourseDocs(): readonly GlobalDoc[] {
  const plugin = useAllDocsData()["default"];
  const version = plugin?.versions.find((v) => v.isLast) ?? plugin?.versions[0];
  return version?.docs ?? [];
}
