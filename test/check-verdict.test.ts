// Verdicts and liveness: plain-language explanations with grouped offset ranges, capped
// witnesses, forbidden versus allowed anomalies, JSON round trip, and each liveness check
// passing and failing for the right reason.
import { describe, expect, it } from "vitest";
import type { History } from "../src/check";
import {
  analyzeHistory,
  checkHistory,
  checkLiveness,
  EffectLedger,
  fmtRanges,
  formatVerdict,
  HistoryRecorder,
} from "../src/check";
import { range, Script } from "./check-util";

/** 601 messages at orders-0 offsets 0..600, acknowledged 10 ms apart from t=0.02s; 340-351 never read. */
function lostRun(): History {
  const rec = new HistoryRecorder();
  for (let o = 0; o <= 600; o++) {
    const h = rec.invoke(
      "send",
      "producer-1",
      { messages: [{ topic: "orders", key: `k${o % 7}`, value: `order-${o}` }] },
      { atMs: o * 10, node: "broker-1" },
    );
    rec.ok(h, { positions: [{ partition: 0, offset: o }] }, { atMs: o * 10 + 20 });
  }
  const read = (process: string, from: number, to: number, atMs: number): void => {
    const h = rec.invoke("poll", process, {}, { atMs });
    const records: [number, string, string][] = [];
    for (let o = from; o <= to; o++) records.push([o, `k${o % 7}`, `order-${o}`]);
    rec.ok(h, { records: { "orders-0": records } }, { atMs: atMs + 5 });
  };
  read("consumer-1", 0, 339, 7000);
  read("consumer-2", 352, 600, 7100);
  return rec.history();
}

describe("verdict", () => {
  it("explains a lost range in one sentence, as a learner would want to read it", () => {
    const v = checkHistory(lostRun(), {
      forbid: ["lost-write", "unseen"],
      seed: 42,
      replayCommand: "npx tsx labs/01-high-availability/lab.ts --seed 42",
    });
    expect(v.ok).toBe(false);
    expect(v.summary).toBe("FAIL seed=42: lost-write (12)");
    expect(v.anomalies).toHaveLength(1);
    expect(v.anomalies[0]!.explanation).toBe(
      "12 acknowledged messages lost: offsets 340-351 of orders-0, acknowledged at t=3.42s–3.53s, never returned by any poll (highest offset read 600)",
    );
    expect(v.anomalies[0]!.witnesses).toHaveLength(10);
    expect(v.anomalies[0]!.witnessesOmitted).toBe(2);
    const text = formatVerdict(v);
    expect(text).toContain("FORBIDDEN lost-write: 12 acknowledged messages lost");
    expect(text).toContain(
      '    - acknowledged send: send #340 by producer-1 via broker-1, invoked t=3.4s, ok t=3.42s; orders-0@340 key "k4" value "order-340"',
    );
    expect(text).toContain(
      "    - poll that read the highest offset, 600: poll #602 by consumer-2, invoked t=7.1s, ok t=7.105s; orders-0@600",
    );
    expect(text).toContain("witness 3:");
    expect(text).not.toContain("witness 4:");
    expect(text).toContain("... and 9 more cases");
    expect(text.split("\n").at(-1)).toBe(
      "Replay seed=42: npx tsx labs/01-high-availability/lab.ts --seed 42",
    );
  });

  it("is plain data that survives JSON", () => {
    const v = checkHistory(lostRun(), { forbid: ["lost-write"], seed: 7, replayCommand: "replay" });
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  });

  it("reports anomalies a scenario allows without failing the run", () => {
    const s = new Script();
    s.send("p1", "orders-0", "v0", { offset: 0 });
    s.poll("c1", {
      "orders-0": [
        [0, "v0"],
        [1, "v0"],
      ],
    });
    const v = checkHistory(s.history(), { forbid: ["lost-write"] });
    expect(v.ok).toBe(true);
    expect(v.summary).toBe("PASS: no forbidden anomaly");
    expect(v.anomalies.map((a) => [a.name, a.forbidden])).toEqual([["duplicate", false]]);
    expect(formatVerdict(v)).toContain(
      'allowed here duplicate: 1 message stored more than once: "v0" is stored 2 times: orders-0@0, orders-0@1',
    );
  });

  it("refuses unknown anomaly names and effect anomalies without a ledger", () => {
    expect(() => checkHistory([], { forbid: ["lost-writes" as never] })).toThrow(
      'unknown anomaly "lost-writes"',
    );
    expect(() => checkHistory([], { forbid: ["effect-lost"] })).toThrow(
      'forbid lists "effect-lost" but no effect ledger was given',
    );
  });

  it("groups offsets into ranges and caps long lists", () => {
    expect(fmtRanges([5, 1, 2, 3, 9, 10])).toBe("1-3, 5, 9-10");
    expect(fmtRanges([1, 3, 5, 7, 9, 11, 13, 15], 3)).toBe("1, 3, 5 and 5 more ranges");
  });

  it("names several partitions in one explanation", () => {
    const s = new Script();
    for (let o = 0; o <= 3; o++) s.send("p1", "orders-0", `a${o}`, { offset: o });
    for (let o = 0; o <= 3; o++) s.send("p1", "orders-1", `b${o}`, { offset: o });
    s.poll("c1", { "orders-0": range(0, 1, "a"), "orders-1": range(0, 0, "b") });
    const v = checkHistory(s.history(), { forbid: ["unseen"] });
    expect(v.anomalies[0]!.explanation).toMatch(
      /^5 acknowledged messages never consumed: offsets 1-3 of orders-1 and 2-3 of orders-0, acknowledged at t=0\.025s–0\.075s, not returned even by the final drain \(highest offsets read: (0 in orders-1, 1 in orders-0|1 in orders-0, 0 in orders-1)\)$/,
    );
  });
});

/** Sends every 100 ms; sends invoked in [from, to) time out (info). A poll at the end reads what `readUpTo` says. */
function progressRun(
  timeoutFrom: number,
  timeoutTo: number,
  readUpTo: number,
  ledger?: EffectLedger,
): History {
  const rec = new HistoryRecorder();
  let offset = 0;
  for (let t = 0; t < 10_000; t += 100) {
    const h = rec.invoke(
      "send",
      "p1",
      { messages: [{ topic: "orders", key: "k", value: `v${t}` }] },
      { atMs: t },
    );
    if (t >= timeoutFrom && t < timeoutTo) rec.info(h, "timed out", { atMs: t + 3000 });
    else {
      rec.ok(h, { positions: [{ partition: 0, offset }] }, { atMs: t + 10 });
      if (offset <= readUpTo)
        ledger?.apply({
          value: `v${t}`,
          key: "k",
          topicPartition: "orders-0",
          offset,
          consumer: "c1",
          atMs: t + 50,
        });
      offset++;
    }
  }
  const records: [number, string, string][] = [];
  let o = 0;
  for (let t = 0; t < 10_000; t += 100) {
    if (t >= timeoutFrom && t < timeoutTo) continue;
    if (o <= readUpTo) records.push([o, "k", `v${t}`]);
    o++;
  }
  const p = rec.invoke("poll", "c1", {}, { atMs: 10_050 });
  rec.ok(p, { records: { "orders-0": records } }, { atMs: 10_060 });
  return rec.history();
}

describe("liveness", () => {
  it("sends-acked-within: passes in a quiet phase, fails when sends time out in it", () => {
    const good = analyzeHistory(progressRun(1000, 3000, 1000));
    const [r1] = checkLiveness(good, [{ kind: "sends-acked-within", afterMs: 5000, withinMs: 1000 }]);
    expect(r1).toMatchObject({ ok: true, measured: 0, name: "sends acknowledged within 1s after t=5s" });
    expect(r1!.explanation).toBe(
      "all 50 sends invoked after t=5s were acknowledged within 1s (slowest 0.01s)",
    );
    const bad = analyzeHistory(progressRun(6000, 6300, 1000));
    const [r2] = checkLiveness(bad, [{ kind: "sends-acked-within", afterMs: 5000, withinMs: 1000 }]);
    expect(r2).toMatchObject({ ok: false, measured: 3 });
    expect(r2!.explanation).toBe(
      "3 of 50 sends invoked after t=5s were not acknowledged within 1s: 3 timed out or lost their connection",
    );
    expect(r2!.examples.map((e) => e.value)).toEqual(["v6000", "v6100", "v6200"]);
  });

  it("sends-acked-within: nothing to judge is a failure, not a pass", () => {
    const [r] = checkLiveness(analyzeHistory(progressRun(0, 0, 1000)), [
      { kind: "sends-acked-within", afterMs: 20_000, withinMs: 1000 },
    ]);
    expect(r).toMatchObject({ ok: false });
    expect(r!.explanation).toContain("no send was invoked after t=20s");
  });

  it("min-sends-ok counts acknowledged messages in a window", () => {
    const a = analyzeHistory(progressRun(0, 5000, 1000));
    const [ok, notOk] = checkLiveness(a, [
      { kind: "min-sends-ok", fromMs: 5000, toMs: 10_000, count: 50 },
      { kind: "min-sends-ok", fromMs: 0, toMs: 5000, count: 1 },
    ]);
    expect(ok).toMatchObject({ ok: true, measured: 50 });
    expect(notOk).toMatchObject({ ok: false, measured: 0 });
  });

  it("drained-within: every acknowledged message consumed in time, or which were not", () => {
    const all = analyzeHistory(progressRun(0, 0, 1000));
    expect(
      checkLiveness(all, [{ kind: "drained-within", afterMs: 9000, withinMs: 2000 }], { endMs: 20_000 })[0],
    ).toMatchObject({
      ok: true,
      explanation:
        "all 100 acknowledged messages were consumed within 2s after faults stopped at t=9s (slowest 1.06s)",
    });
    // A run that ends before any deadline shows nothing, and that is not a pass.
    expect(checkLiveness(all, [{ kind: "drained-within", afterMs: 9000, withinMs: 2000 }])[0]).toMatchObject({
      ok: false,
      measured: 0,
    });
    const partial = analyzeHistory(progressRun(0, 0, 89));
    const [r] = checkLiveness(partial, [{ kind: "drained-within", afterMs: 9000, withinMs: 2000 }], {
      endMs: 20_000,
    });
    expect(r).toMatchObject({ ok: false, measured: 10 });
    expect(r!.explanation).toBe(
      "10 of 100 acknowledged messages were not consumed within 2s after faults stopped at t=9s: 10 never consumed, 0 consumed late",
    );
    const tight = checkLiveness(all, [{ kind: "drained-within", afterMs: 0, withinMs: 500 }])[0]!;
    expect(tight.ok).toBe(false);
    expect(tight.examples[0]!.role).toBe("acknowledged, consumed only at t=10.06s");
  });

  it("effect-throughput counts distinct messages per simulated second", () => {
    const ledger = new EffectLedger();
    const h = progressRun(0, 0, 1000, ledger);
    const a = analyzeHistory(h, { ledger });
    const [r] = checkLiveness(a, [{ kind: "effect-throughput", fromMs: 0, toMs: 10_000, minPerSecond: 10 }]);
    expect(r).toMatchObject({ ok: true, measured: 10 });
    const [slow] = checkLiveness(a, [
      { kind: "effect-throughput", fromMs: 0, toMs: 10_000, minPerSecond: 11 },
    ]);
    expect(slow!.ok).toBe(false);
    expect(slow!.explanation).toBe(
      "only 10 effects per simulated second between t=0s and t=10s; at least 11 required",
    );
  });

  it("a failed liveness check fails the verdict and is printed", () => {
    const v = checkHistory(progressRun(6000, 6300, 1000), {
      forbid: ["lost-write"],
      liveness: [{ kind: "sends-acked-within", afterMs: 5000, withinMs: 1000, name: "quiet-phase sends" }],
    });
    expect(v.ok).toBe(false);
    expect(v.summary).toBe("FAIL: liveness: quiet-phase sends");
    expect(formatVerdict(v)).toContain("LIVENESS FAILED: quiet-phase sends: 3 of 50 sends");
  });
});
