/**
 * Test helpers for the checker: a tiny script-like builder over HistoryRecorder, so synthetic
 * histories read as what happened ("p1 sends v2 to orders-0, acknowledged at offset 2").
 */
import type { AnomalyName, Analysis, History } from "../src/check";
import { ALL_ANOMALIES, HistoryRecorder, parseTopicPartition } from "../src/check";

export interface SendOpts {
  key?: string | null;
  /** Acknowledged offset (outcome ok). */
  offset?: number;
  outcome?: "ok" | "fail" | "info" | "pending";
  node?: string;
  /** Duration between invoke and completion (default 5 ms). */
  durMs?: number;
}

export class Script {
  readonly rec = new HistoryRecorder();
  /** Virtual clock: each helper call advances it by 10 ms. */
  t = 0;

  private tick(): number {
    const at = this.t;
    this.t += 10;
    return at;
  }

  /** One message to `tp` ("orders-0"); ok by default when `offset` is given, else info. */
  send(process: string, tp: string, value: string, opts: SendOpts = {}): number {
    const { topic, partition } = parseTopicPartition(tp);
    return this.sendBatch(
      process,
      [{ topic, partition, value, key: opts.key ?? "k" }],
      opts.offset === undefined ? undefined : [opts.offset],
      opts,
    );
  }

  sendBatch(
    process: string,
    messages: { topic: string; partition: number; value: string; key?: string | null }[],
    offsets: number[] | undefined,
    opts: SendOpts = {},
  ): number {
    const at = this.tick();
    const h = this.rec.invoke(
      "send",
      process,
      {
        messages: messages.map((m) => ({
          topic: m.topic,
          partition: m.partition,
          key: m.key ?? "k",
          value: m.value,
        })),
      },
      { atMs: at },
    );
    const outcome = opts.outcome ?? (offsets === undefined ? "info" : "ok");
    const done = { atMs: at + (opts.durMs ?? 5), ...(opts.node !== undefined ? { node: opts.node } : {}) };
    if (outcome === "ok")
      this.rec.ok(
        h,
        { positions: messages.map((m, i) => ({ partition: m.partition, offset: offsets![i]! })) },
        done,
      );
    else if (outcome === "fail") this.rec.fail(h, "NOT_LEADER_OR_FOLLOWER", done);
    else if (outcome === "info") this.rec.info(h, "timed out after 30000 ms", done);
    return h.id;
  }

  /** An ok poll returning `[offset, value]` pairs per partition (keys default to "k"). */
  poll(process: string, records: Record<string, [number, string][]>, durMs = 5): number {
    const at = this.tick();
    const h = this.rec.invoke("poll", process, {}, { atMs: at });
    const full: Record<string, [number, string | null, string][]> = {};
    for (const [tp, rs] of Object.entries(records)) full[tp] = rs.map(([o, v]) => [o, "k", v]);
    this.rec.ok(h, { records: full }, { atMs: at + durMs });
    return h.id;
  }

  assign(process: string, partitions: string[]): number {
    return this.rec.record("assign", process, { partitions }, { atMs: this.tick() }).id;
  }

  seek(process: string, tp: string, offset: number): number {
    return this.rec.record("seek", process, { topicPartition: tp, offset }, { atMs: this.tick() }).id;
  }

  crash(process: string): number {
    return this.rec.record("crash", process, {}, { atMs: this.tick() }).id;
  }

  history(): History {
    return this.rec.history();
  }
}

/** Names of anomalies that have at least one case. */
export function found(analysis: Analysis): AnomalyName[] {
  return ALL_ANOMALIES.filter((n) => analysis.anomalies[n].length > 0);
}

/** `[offset, value]` pairs `v<from>..v<to>` at offsets from..to (inclusive). */
export function range(from: number, to: number, prefix = "v"): [number, string][] {
  const out: [number, string][] = [];
  for (let o = from; o <= to; o++) out.push([o, `${prefix}${o}`]);
  return out;
}
