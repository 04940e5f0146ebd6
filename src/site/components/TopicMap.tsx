// The landing page's map of the course: one card per topic with its lab, what goes wrong in it,
// the Kafka terms it covers, and a link to the page once the page exists.
import type { ReactNode } from "react";
import Link from "@docusaurus/Link";
import Translate from "@docusaurus/Translate";
import { findTopicDoc, useCourseDocs, useCourseTopics, type CourseTopic } from "./course";
import styles from "./TopicMap.module.css";

function LabBadge({ topic }: { topic: CourseTopic }): ReactNode {
  if (topic.lab === null) {
    return (
      <span className={`${styles.badge} ${styles.badgeMuted}`}>
        {topic.section === "basics" ? (
          <Translate id="home.map.readFirst">read first</Translate>
        ) : (
          <Translate id="home.map.noLab">in labs 02 · 03</Translate>
        )}
      </span>
    );
  }
  return (
    <span className={styles.badge}>
      <Translate id="home.map.lab" values={{ lab: topic.lab }}>
        {"lab {lab}"}
      </Translate>
    </span>
  );
}

function TopicCard({ topic, path }: { topic: CourseTopic; path: string | undefined }): ReactNode {
  const body = (
    <>
      <div className={styles.cardTop}>
        <LabBadge topic={topic} />
        {topic.lab !== null && <code className={styles.command}>{`npm run lab -- ${topic.lab}`}</code>}
      </div>
      <h3 className={styles.title}>{topic.title}</h3>
      <p className={styles.summary}>{topic.summary}</p>
      <ul className={styles.terms}>
        {topic.terms.map((term) => (
          <li key={term}>{term}</li>
        ))}
      </ul>
      {path !== undefined && (
        <span className={styles.more}>
          <Translate id="home.map.readPage">Read the page →</Translate>
        </span>
      )}
    </>
  );
  return path === undefined ? (
    <div className={styles.card}>{body}</div>
  ) : (
    <Link to={path} className={`${styles.card} ${styles.cardLink}`}>
      {body}
    </Link>
  );
}

export default function TopicMap(): ReactNode {
  const topics = useCourseTopics();
  const docs = useCourseDocs();
  return (
    <div className={styles.grid}>
      {topics.map((topic) => (
        <TopicCard key={topic.key} topic={topic} path={findTopicDoc(docs, topic)?.path} />
      ))}
    </div>
  );
}
