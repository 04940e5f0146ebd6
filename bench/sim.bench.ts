/**
 * Simulator overhead: raw scheduler events per second, and message passing in a 3-node
 * ping-pong with async clients (simulated seconds per wall second), with each message copy
 * strategy and with message tracing on and off. The last row is shaped like the goal for the
 * broker: 60 simulated seconds with 10,000 acknowledged request/responses.
 *
 * Rates are per second of CPU time (user + system of this process, process.cpuUsage), which
 * stays meaningful on a loaded machine; the wall time is in the note. Each measurement is the
 * best of a few runs after a warm-up, so JIT compilation is not counted.
 */
import { performance } from "node:perf_hooks";
import { cpuUsage } from "node:process";
import { CallbackEvent, Scheduler, SeededRng, World, type CopyStrategy } from "../src/sim";
import { EchoProcess, RpcClient } from "../test/sim-fixtures";
import type { BenchRow } from "./types";

interface Timing {
  cpuMs: number;
  wallMs: number;
}

function timed(fn: () => void): Timing {
  const w0 = performance.now();
  const c0 = cpuUsage();
  fn();
  const c = cpuUsage(c0);
  return { cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - w0 };
}

async function timedAsync(fn: () => Promise<void>): Promise<Timing> {
  const w0 = performance.now();
  const c0 = cpuUsage();
  await fn();
  const c = cpuUsage(c0);
  return { cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - w0 };
}

/** The run with the least CPU time of `runs`. */
async function best<T extends { time: Timing }>(runs: number, run: () => Promise<T>): Promise<T> {
  let out: T | undefined;
  for (let i = 0; i < runs; i++) {
    const r = await run();
    if (out === undefined || r.time.cpuMs < out.time.cpuMs) out = r;
  }
  return out!;
}

async function rawScheduler(): Promise<BenchRow> {
  const r = await best(4, async () => rawSchedulerOnce());
  return {
    group: "sim",
    name: "scheduler: raw events (1000 pending)",
    value: (r.ran / r.time.cpuMs) * 1000,
    unit: "events/s",
    note: `${r.ran} events in ${r.time.cpuMs.toFixed(0)} ms CPU (${r.time.wallMs.toFixed(0)} ms wall)`,
  };
}

function rawSchedulerOnce(): { ran: number; time: Timing } {
  const s = new Scheduler();
  const rng = new SeededRng(1);
  const actors = 1000;
  const total = 2_000_000;
  let ran = 0;
  const act = () => {
    ran++;
    if (ran + actors <= total) s.scheduleAfter(rng.int(100), new CallbackEvent("act", act));
  };
  for (let i = 0; i < actors; i++) s.scheduleAfter(rng.int(100), new CallbackEvent("act", act));
  const time = timed(() => s.runUntilQuiet());
  return { ran, time };
}

const NODES = ["b1", "b2", "b3"];

/**
 * Three echo servers and `clients` async clients, each sending a ping, awaiting the pong (with
 * a timeout) and sleeping `thinkMs`, until `requests` pongs in total or `simMs` of virtual time.
 */
async function pingPong(options: {
  copy: CopyStrategy;
  traceMessages: boolean;
  clients: number;
  thinkMs: number;
  simMs: number;
  requests: number;
}): Promise<{ time: Timing; simMs: number; events: number; acked: number }> {
  const w = new World({
    seed: 1,
    network: { link: { baseDelayMs: 0.5, jitterMs: 0.5 }, copy: options.copy },
    trace: { messages: options.traceMessages, timers: options.traceMessages },
  });
  for (const id of NODES) w.addNode(id, () => new EchoProcess());
  let acked = 0;
  for (let c = 0; c < options.clients; c++) {
    w.spawn(`client-${c}`, async (ctx) => {
      const rpc = new RpcClient(ctx);
      while (acked < options.requests) {
        const pong = await rpc.ping(ctx.rng.pick(NODES), 100);
        if (pong !== undefined) acked++;
        if (options.thinkMs > 0) await ctx.sleep(options.thinkMs);
      }
    });
  }
  let simMs = 0;
  const time = await timedAsync(async () => {
    simMs = (await w.runUntil(() => acked >= options.requests || w.now() >= options.simMs)).nowMs;
  });
  return { time, simMs, events: w.scheduler.eventsExecuted, acked };
}

export default async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [await rawScheduler()];
  // Warm up the JIT once so the first variant is not penalised.
  await pingPong({ copy: "fast", traceMessages: true, clients: 3, thinkMs: 0, simMs: 1e9, requests: 30_000 });
  for (const copy of ["structured", "fast", "none"] as const) {
    for (const traceMessages of [true, false]) {
      const r = await best(3, () =>
        pingPong({ copy, traceMessages, clients: 3, thinkMs: 0, simMs: 1e9, requests: 50_000 }),
      );
      const variant = `copy=${copy}, trace ${traceMessages ? "on" : "off"}`;
      rows.push({
        group: "sim",
        name: `3-node ping-pong, 3 async clients (${variant})`,
        value: r.simMs / r.time.cpuMs, // simulated ms per CPU ms = simulated s per CPU s
        unit: "sim s/s",
        note:
          `${((r.acked / r.time.cpuMs) * 1000).toFixed(0)} req/s, ` +
          `${((r.events / r.time.cpuMs) * 1000).toFixed(0)} events/s (CPU); ${r.time.wallMs.toFixed(0)} ms wall`,
      });
    }
  }
  for (const copy of ["structured", "fast"] as const) {
    const r = await best(3, () =>
      pingPong({ copy, traceMessages: true, clients: 4, thinkMs: 23, simMs: 60_000, requests: 10_000 }),
    );
    rows.push({
      group: "sim",
      name: `60 sim s, ~10k acked request/responses, 4 clients (copy=${copy}, trace on)`,
      value: r.time.cpuMs,
      unit: "ms CPU",
      note: `${r.acked} acked by t=${(r.simMs / 1000).toFixed(1)}s, ${r.events} events; ${r.time.wallMs.toFixed(0)} ms wall`,
    });
  }
  return rows;
}
