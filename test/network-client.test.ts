import { describe, expect, it } from "vitest";
import { NetworkClient } from "../src/client/network-client";
import type { ClientContext } from "../src/sim/process";
import { SeededRng } from "../src/sim/rng";
import type { RequestEnvelope } from "../src/protocol/api";

/** A hand-driven client context: records sends, delivers messages on demand, no timers fire. */
function fakeContext(incarnation: number) {
  const sent: { to: string; message: RequestEnvelope }[] = [];
  let handler: (from: string, m: unknown) => void = () => {};
  const ctx: ClientContext = {
    nodeId: "payments-1",
    rng: new SeededRng(7).split(`client/payments-1/${incarnation}`),
    alive: true,
    now: () => 0,
    sleep: () => new Promise<void>(() => {}),
    setTimer: () => 1,
    cancelTimer: () => {},
    send: (to, message) => sent.push({ to, message: message as RequestEnvelope }),
    onMessage: (h) => {
      handler = h;
    },
    spawn: () => {
      throw new Error("not used");
    },
    trace: () => {},
  };
  return { ctx, sent, deliver: (from: string, m: unknown) => handler(from, m) };
}

describe("NetworkClient", () => {
  it("matches a response to its request by correlation id", async () => {
    const f = fakeContext(1);
    const net = new NetworkClient(f.ctx, { clientId: "payments-1" });
    const p = net.request<{ ok: boolean }>("broker-1", "Metadata", {});
    const req = f.sent[0]!.message;
    f.deliver("broker-1", {
      kind: "response",
      api: "Metadata",
      correlationId: req.correlationId,
      body: { ok: true },
    });
    await expect(p).resolves.toEqual({ ok: true });
    expect(net.inFlight).toBe(0);
  });

  it("regression (lab 02): a restarted client does not take its previous incarnation's answer as its own", async () => {
    const before = fakeContext(1);
    new NetworkClient(before.ctx, { clientId: "payments-1" }).request("broker-1", "JoinGroup", {});
    const oldId = before.sent[0]!.message.correlationId;

    const after = fakeContext(2);
    const net = new NetworkClient(after.ctx, { clientId: "payments-1" });
    let settled = false;
    void net.request("broker-1", "JoinGroup", {}).then(() => (settled = true));
    const newId = after.sent[0]!.message.correlationId;
    expect(newId).not.toBe(oldId);

    // The broker answers the old incarnation's request after the restart: it must be ignored.
    after.deliver("broker-1", {
      kind: "response",
      api: "JoinGroup",
      correlationId: oldId,
      body: { errorCode: 82 },
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    expect(net.inFlight).toBe(1);
  });
});
