/**
 * Lab 02 · Idempotence (paired with /docs/topics/idempotence).
 *
 * The learner fixes three things (spec.ts, IdempotenceImpl): the shop's producer configuration
 * (enable.idempotence and what it requires), the brokers' sequence check (seam
 * LogSeams.checkSequence), and the payment consumer's handler (an idempotent consumer). A run is
 * the order pipeline on a simulated cluster with lost answers, leader crashes and consumer
 * crashes (scenario.ts), judged by the history checker, plus seeded cases of the sequence check
 * against Kafka's rules (sequence-cases.ts). Browser-safe.
 */
import type { AnomalyCase, AnomalyName, AnomalyReport, Verdict } from "../../src/check";
import type { ProducerConfig } from "../../src/client";
import type { CheckSequence } from "../../src/log";
import { Errors, type ErrorInfo } from "../../src/protocol";
import { defineLab, exportOf, parseSeeds, plural, replayCommand, type LabDefinition } from "../_lib";
import type { OrderHandler, PaymentServices } from "./payments-db";
import { LAB_EVENT_KINDS, runIdempotenceScenario } from "./scenario";
import { runSequenceCases, sequenceCases, type SequenceCaseReport } from "./sequence-cases";
import {
  LAB02_FORBIDDEN,
  SCENARIO,
  SEQUENCE_CHECK_DOC,
  SEQUENCE_CHECK_WRONG,
  type IdempotenceImpl,
} from "./spec";
import seedsJson from "./seeds.json";

/** The checker's verdict with the sequence-check cases added as the lab's own forbidden anomaly. */
function withSequenceCases(v: Verdict, report: SequenceCaseReport): Verdict {
  const anomalies: AnomalyReport[] = [...v.anomalies];
  if (report.failureCount > 0) {
    const rules = [...report.failuresByRule]
      .map(([rule, n]) => `${rule} (${n} of ${report.casesByRule.get(rule) ?? n})`)
      .join("; ");
    const witnesses = report.failures.map(
      (f) => ({ name: SEQUENCE_CHECK_WRONG, summary: f.summary, events: [] }) as unknown as AnomalyCase,
    );
    anomalies.push({
      name: SEQUENCE_CHECK_WRONG as AnomalyName,
      title: SEQUENCE_CHECK_DOC.title,
      forbidden: true,
      count: report.failureCount,
      explanation: `${plural(report.failureCount, "case")} of ${report.cases} answered against Kafka's rules: ${rules}`,
      whyItMatters: SEQUENCE_CHECK_DOC.whyItMatters,
      witnesses,
      witnessesOmitted: report.failureCount - witnesses.length,
    });
  }
  const rank = (a: AnomalyReport): number =>
    a.forbidden ? LAB02_FORBIDDEN.indexOf(a.name) : LAB02_FORBIDDEN.length;
  anomalies.sort((a, b) => rank(a) - rank(b));
  const bad = anomalies.filter((a) => a.forbidden);
  const badLive = v.liveness.filter((l) => !l.ok);
  const ok = bad.length === 0 && badLive.length === 0;
  const seed = v.seed !== undefined ? ` seed=${v.seed}` : "";
  const summary = ok
    ? `PASS${seed}: no forbidden anomaly, ${plural(v.liveness.length, "liveness check")} passed, ${report.cases} sequence-check cases right`
    : `FAIL${seed}: ${[...bad.map((a) => `${a.name} (${a.count})`), ...badLive.map((l) => `liveness: ${l.name}`)].join(", ")}`;
  return {
    ...v,
    ok,
    summary,
    anomalies,
    forbidden: [...LAB02_FORBIDDEN] as AnomalyName[],
  };
}

/**
 * `check`, except that a resend it recognises (and would answer with the original offsets) is
 * refused with `error`: "Batch 5-9 <why>".
 */
function refusingResends(check: CheckSequence, error: ErrorInfo, why: string): CheckSequence {
  return (state, batch) => {
    const r = check(state, batch);
    return r.kind === "duplicate"
      ? { kind: "error", error, message: `Batch ${batch.baseSequence}-${batch.lastSequence} ${why}` }
      : r;
  };
}

const lab: LabDefinition<IdempotenceImpl> = defineLab<IdempotenceImpl>({
  id: "02",
  slug: "idempotence",
  title: "Idempotence: no duplicates, no double charges",
  page: "/docs/topics/idempotence",
  goal: "keep every order in the log once and charge every customer exactly once, through lost answers, leader crashes and consumer crashes: configure the idempotent producer, implement the broker's sequence check, and make the payment consumer idempotent.",
  forbidden: LAB02_FORBIDDEN,
  starterFailsWith: ["duplicate", "effect-duplicated", SEQUENCE_CHECK_WRONG],
  seeds: parseSeeds(seedsJson, "labs/02-idempotence/seeds.json"),
  files: ["producer-config.ts", "sequence-check.ts", "payment-consumer.ts"],
  implFrom(modules) {
    return {
      producerConfig: exportOf<ProducerConfig>(modules, "producer-config.ts", "shopProducerConfig", "object"),
      checkSequence: exportOf<CheckSequence>(modules, "sequence-check.ts", "checkSequence", "function"),
      createOrderHandler: exportOf<(s: PaymentServices) => OrderHandler>(
        modules,
        "payment-consumer.ts",
        "createOrderHandler",
        "function",
      ),
    };
  },
  async run(impl, { seed, solution, verbose }) {
    const replay = replayCommand(lab, seed, solution);
    const r = await runIdempotenceScenario(impl, {
      seed,
      replayCommand: replay,
      verbose: verbose === true,
      solution: solution === true,
    });
    const cases = runSequenceCases(impl.checkSequence, sequenceCases(seed, SCENARIO.sequenceCases));
    const story = r.narration;
    story.section("The sequence check on its own");
    if (cases.failureCount === 0)
      story.say(
        `${solution === true ? "The reference" : "Your"} sequence check also answered ${cases.cases} seeded cases as Kafka does: new producers, next batches, resends of each of the 5 remembered batches, older resends, gaps, overlaps, fenced and new epochs, and sequences wrapping past 2147483647.`,
      );
    else {
      story.say(
        `${solution === true ? "The reference" : "Your"} sequence check also met ${cases.cases} seeded cases of Kafka's rules; it answered ${plural(cases.failureCount, "case")} differently:`,
      );
      for (const [rule, n] of cases.failuresByRule)
        story.item(`${rule}: ${n} of ${cases.casesByRule.get(rule) ?? n} wrong`);
      story.say(`For example: ${cases.failures[0]!.summary}.`);
    }
    return { verdict: withSequenceCases(r.verdict, cases), narration: story.lines, trace: r.trace };
  },
  timelineFilter(e) {
    if (e.cat === "nemesis") return e.kind !== "schedule";
    // Brokers' crashes and restarts (not the first start); consumers appear through the lab's own events.
    if (e.cat === "node")
      return e.node.startsWith("broker-") && (e.kind !== "start" || (e["incarnation"] as number) > 1);
    return e.cat === "app" && LAB_EVENT_KINDS.has(e.kind);
  },
  wrongFixes: [
    {
      name: "idempotent producer, but the starter's sequence check (accepts everything)",
      build: (s) => ({ ...s, checkSequence: () => ({ kind: "append" }) }),
      failsWith: ["duplicate"],
    },
    {
      name: "the sequence check is right, but idempotence stays off",
      build: (s) => ({ ...s, producerConfig: { ...s.producerConfig, enableIdempotence: false } }),
      failsWith: ["duplicate"],
    },
    {
      name: "a sequence check that answers a resend DUPLICATE_SEQUENCE_NUMBER instead of its original offsets",
      build: (s) => ({
        ...s,
        checkSequence: refusingResends(
          s.checkSequence,
          Errors.DUPLICATE_SEQUENCE_NUMBER,
          "was already written",
        ),
      }),
      failsWith: ["every order acknowledged"],
    },
    {
      name: "a sequence check that refuses a resend with OUT_OF_ORDER_SEQUENCE_NUMBER",
      build: (s) => ({
        ...s,
        checkSequence: refusingResends(
          s.checkSequence,
          Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
          "is not the next one",
        ),
      }),
      failsWith: ["duplicate"],
    },
    {
      name: "a consumer that remembers processed orders in memory only",
      build: (s) => ({
        ...s,
        createOrderHandler: ({ db }) => {
          const seen = new Set<string>();
          return async (order) => {
            if (seen.has(order.orderId)) return;
            await db.transaction((tx) => tx.charge(order.orderId, order.customer, order.amountCents));
            seen.add(order.orderId);
          };
        },
      }),
      failsWith: ["effect-duplicated"],
    },
    {
      name: "a consumer that records the order id in a separate step after the charge",
      build: (s) => ({
        ...s,
        createOrderHandler:
          ({ db }) =>
          async (order) => {
            if ((await db.get(`processed/${order.orderId}`)) !== undefined) return;
            await db.transaction((tx) => tx.charge(order.orderId, order.customer, order.amountCents));
            await db.put(`processed/${order.orderId}`, "charged");
          },
      }),
      failsWith: ["effect-duplicated"],
    },
    {
      name: "a consumer that commits each offset right after the charge (no deduplication)",
      build: (s) => ({
        ...s,
        createOrderHandler:
          ({ db, commitOffset }) =>
          async (order) => {
            await db.transaction((tx) => tx.charge(order.orderId, order.customer, order.amountCents));
            await commitOffset(order);
          },
      }),
      failsWith: ["effect-duplicated"],
    },
    {
      name: "a consumer that commits the offset before charging",
      build: (s) => ({
        ...s,
        createOrderHandler:
          ({ db, commitOffset }) =>
          async (order) => {
            await commitOffset(order);
            await db.transaction((tx) => {
              if (tx.get(`processed/${order.orderId}`) !== undefined) return;
              tx.put(`processed/${order.orderId}`, "charged");
              tx.charge(order.orderId, order.customer, order.amountCents);
            });
          },
      }),
      failsWith: ["effect-lost"],
    },
    {
      name: "a consumer that never charges",
      build: (s) => ({ ...s, createOrderHandler: () => async () => {} }),
      failsWith: ["effect-lost", "every order charged"],
    },
  ],
});

export default lab;
