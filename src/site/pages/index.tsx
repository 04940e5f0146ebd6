// The landing page: what the course is, the map of topics and labs, and the first lab in two
// commands. Every string is translatable (i18n/zh-Hans/code.json).
import type { ReactNode } from "react";
import Link from "@docusaurus/Link";
import Translate, { translate } from "@docusaurus/Translate";
import Layout from "@theme/Layout";
import Heading from "@theme/Heading";
import CodeBlock from "@theme/CodeBlock";
import ReplicaLog from "../components/ReplicaLog";
import TopicMap from "../components/TopicMap";
import styles from "./index.module.css";

function Hero(): ReactNode {
  return (
    <header className={styles.hero}>
      <div className={`container ${styles.heroInner}`}>
        <div className={styles.heroText}>
          <p className={styles.eyebrow}>
            <Translate id="home.hero.eyebrow">Interview prep for Apache Kafka 4.x, and what changed since 3.x</Translate>
          </p>
          <Heading as="h1" className={styles.heroTitle}>
            <Translate id="home.hero.title">Learn Kafka by breaking it</Translate>
          </Heading>
          <p className={styles.lead}>
            <Translate id="home.hero.lead">
              Kafka Labs answers the questions interviewers ask about Kafka, then makes you prove the answers:
              each topic has a lab in which messages really get lost or duplicated, and a grader that passes
              only when your fix holds under crashes, failovers and power loss.
            </Translate>
          </p>
          <div className={styles.actions}>
            <Link className="button button--primary button--lg" to="/docs">
              <Translate id="home.hero.start">Start the course</Translate>
            </Link>
            <Link className={`button button--lg ${styles.ghostButton}`} to="#first-lab">
              <Translate id="home.hero.firstLab">Run the first lab</Translate>
            </Link>
          </div>
        </div>
        <div className={styles.heroArt}>
          <ReplicaLog />
        </div>
      </div>
    </header>
  );
}

interface Step {
  title: ReactNode;
  body: ReactNode;
}

function Steps(): ReactNode {
  const steps: Step[] = [
    {
      title: <Translate id="home.steps.read.title">Read the topic</Translate>,
      body: (
        <Translate id="home.steps.read.body">
          Each page answers real interview questions for current Kafka, with diagrams, and says plainly where
          popular interview notes are wrong or out of date.
        </Translate>
      ),
    },
    {
      title: <Translate id="home.steps.break.title">Watch it break</Translate>,
      body: (
        <Translate id="home.steps.break.body">
          The lab runs a small Kafka cluster in a deterministic simulator. Faults come from a seed, so the run
          that lost your message replays exactly, as often as you like.
        </Translate>
      ),
    },
    {
      title: <Translate id="home.steps.fix.title">Fix it and get graded</Translate>,
      body: (
        <Translate id="home.steps.fix.body">
          Change the exercise, then run the grader: it tries many seeds and checks the history for lost,
          duplicated and reordered messages, and that the system still makes progress.
        </Translate>
      ),
    },
  ];
  return (
    <ol className={styles.steps}>
      {steps.map((step, index) => (
        <li key={index} className={styles.step}>
          <span className={styles.stepNumber} aria-hidden="true">
            {index + 1}
          </span>
          <h3>{step.title}</h3>
          <p>{step.body}</p>
        </li>
      ))}
    </ol>
  );
}

function FirstLab(): ReactNode {
  return (
    <div className={styles.firstLab}>
      <div>
        <Heading as="h2" id="first-lab" className={styles.sectionTitle}>
          <Translate id="home.firstLab.title">Run the first lab in two commands</Translate>
        </Heading>
        <p className={styles.sectionLead}>
          <Translate id="home.firstLab.lead">
            You need Node.js 20.19 or newer and a clone of the repository. Nothing else: no Kafka, no Docker,
            no JVM. The broker the lab runs is the TypeScript one in src/.
          </Translate>
        </p>
        <ul className={styles.nextList}>
          <li>
            <Translate
              id="home.firstLab.replay"
              values={{ seed: <code>--seed N</code>, verbose: <code>--verbose</code> }}
            >
              {"Replay a run with {seed}; add {verbose} to see every message."}
            </Translate>
          </li>
          <li>
            <Translate id="home.firstLab.hint" values={{ command: <code>npm run hint -- 03</code> }}>
              {"Stuck? {command} gives the next hint."}
            </Translate>
          </li>
          <li>
            <Translate id="home.firstLab.grade" values={{ command: <code>npm run grade -- 03</code> }}>
              {"Fixed it? {command} grades it on every seed."}
            </Translate>
          </li>
        </ul>
        <Link className={styles.textLink} to="/docs/lab-guide">
          <Translate id="home.firstLab.guide">The labs guide explains every command →</Translate>
        </Link>
      </div>
      <div className={styles.terminal}>
        <CodeBlock language="bash" title={translate({ id: "home.firstLab.terminal", message: "terminal" })}>
          {"npm install\nnpx tsx labs/03-reliability/lab.ts"}
        </CodeBlock>
      </div>
    </div>
  );
}

function UnderTheHood(): ReactNode {
  const parts: { title: ReactNode; body: ReactNode }[] = [
    {
      title: <Translate id="home.hood.log.title">A real log</Translate>,
      body: (
        <Translate id="home.hood.log.body">
          RecordBatch v2 with CRC-32C, segments named by base offset, sparse offset and time indexes,
          retention, recovery and checkpoint files.
        </Translate>
      ),
    },
    {
      title: <Translate id="home.hood.replication.title">Real replication</Translate>,
      body: (
        <Translate id="home.hood.replication.body">
          Followers fetch from the leader; the ISR, the high watermark and leader epochs move as they do in
          Kafka; a KRaft-style controller elects leaders and fences brokers.
        </Translate>
      ),
    },
    {
      title: <Translate id="home.hood.sim.title">Faults on demand</Translate>,
      body: (
        <Translate id="home.hood.sim.body">
          Virtual time, a lossy network and a disk that forgets unsynced bytes on power loss. One seed fixes
          everything, so every failure is a command you can replay.
        </Translate>
      ),
    },
  ];
  return (
    <div className={styles.hood}>
      {parts.map((part, index) => (
        <div key={index} className={styles.hoodItem}>
          <h3>{part.title}</h3>
          <p>{part.body}</p>
        </div>
      ))}
    </div>
  );
}

export default function Home(): ReactNode {
  return (
    <Layout
      title={translate({ id: "home.meta.title", message: "Learn Kafka by breaking it" })}
      description={translate({
        id: "home.meta.description",
        message:
          "An interview-prep course on Apache Kafka you run: topic pages, labs that lose and duplicate messages until you fix them, and a deterministic reference broker.",
      })}
    >
      <Hero />
      <main>
        <section className={styles.section}>
          <div className="container">
            <Steps />
          </div>
        </section>
        <section className={`${styles.section} ${styles.sectionAlt}`}>
          <div className="container">
            <Heading as="h2" id="topics" className={styles.sectionTitle}>
              <Translate id="home.map.title">Topics and their labs</Translate>
            </Heading>
            <p className={styles.sectionLead}>
              <Translate id="home.map.lead">
                Start with the basics, then take the topics in any order. Every topic has its own lab,
                numbered after it.
              </Translate>
            </p>
            <TopicMap />
          </div>
        </section>
        <section className={styles.section}>
          <div className="container">
            <FirstLab />
          </div>
        </section>
        <section className={`${styles.section} ${styles.sectionAlt}`}>
          <div className="container">
            <Heading as="h2" id="under-the-hood" className={styles.sectionTitle}>
              <Translate id="home.hood.title">A reference broker you can read in an afternoon</Translate>
            </Heading>
            <p className={styles.sectionLead}>
              <Translate id="home.hood.lead">
                The labs drive a Kafka model written for reading: Kafka's names, defaults and error codes,
                with each simplification stated at the top of its file.
              </Translate>
            </p>
            <UnderTheHood />
          </div>
        </section>
      </main>
    </Layout>
  );
}
