import type { FlagDefinition, Segment } from "@switchyard/core";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { StreamHub } from "../../server/src/live/hub";
import type { StreamEvent } from "../../server/src/live/events/sdk-events";
import { parseEvent } from "../../../packages/sdk-node/src/payloads";
import { RELAY_HISTORY, RelayState } from "./relay-state";

const EPOCH = "0123456789ab";
const flag = (key: string, version: number, segments?: string[]): FlagDefinition => ({
  key,
  version,
  enabled: true,
  offVariation: 1,
  variations: [true, false],
  variationNames: ["on", "off"],
  rules: segments === undefined ? [] : [{ id: "r", conditions: [], segments, serve: { variation: 0 } }],
  fallthrough: { variation: 1 },
});
const segment = (key: string, version: number, included: string[]): Segment => ({ key, version, included, excluded: [], rules: [] });

/** Feeds one event as the server's stream sends it. */
function feed(state: RelayState, event: StreamEvent): void {
  const parsed = parseEvent(event.event, event.data);
  if (!parsed.ok) throw new Error(parsed.problem);
  state.apply("production", parsed.value);
}

function downstream(hub: StreamHub, lastEventId?: number) {
  const events: StreamEvent[] = [];
  const sink = { send: (event: StreamEvent) => void events.push(event), heartbeat() {}, close() {} };
  const registered = hub.connectSdk({ environmentKey: "production", tokenId: "tok", instanceId: undefined, lastEventId, sink });
  return { events, registered };
}

const put = (version: number, flags: FlagDefinition[], segments: Segment[] = []): StreamEvent => ({
  event: "put",
  id: `${EPOCH}-${version}`,
  data: JSON.stringify({ environment: "production", version, epoch: EPOCH, flags, segments }),
});
const patch = (version: number, body: { flag: FlagDefinition } | { segment: Segment }): StreamEvent => ({
  event: "patch",
  id: `${EPOCH}-${version}`,
  data: JSON.stringify({ version, ...body }),
});

describe("a relay's state, served through the server's hub", () => {
  it("passes the upstream's events on with the upstream's ids, a segment before the flag that starts using it", async () => {
    const state = new RelayState();
    state.setTokens([{ hash: "h", id: "tok", name: "sdk", kind: "server", environment: "production" }]);
    const hub = new StreamHub(state, pino({ level: "silent" }));
    feed(state, put(10, [flag("checkout", 10)]));
    const sdk = downstream(hub);
    await sdk.registered;
    expect(sdk.events.map((e) => [e.event, e.id])).toEqual([["put", `${EPOCH}-10`]]);

    // What the server sends when `checkout` starts using segment `beta` (change 12): the segment first.
    feed(state, patch(12, { segment: segment("beta", 12, ["alice"]) }));
    feed(state, patch(12, { flag: flag("checkout", 12, ["beta"]) }));
    expect(sdk.events.slice(1).map((e) => [e.event, e.id, Object.keys(JSON.parse(e.data))[1]])).toEqual([
      ["patch", `${EPOCH}-12`, "segment"],
      ["patch", `${EPOCH}-12`, "flag"],
    ]);
    expect(state.environment("production")?.engine.evaluate("checkout", { key: "alice" }).value).toBe(true);
    expect(state.environment("production")?.engine.evaluate("checkout", { key: "bob" }).value).toBe(false);
    hub.close();
  });

  it("resumes a stream from its own history, and sends a put for an id older than what it keeps", async () => {
    const state = new RelayState();
    state.setTokens([{ hash: "h", id: "tok", name: "sdk", kind: "server", environment: "production" }]);
    const hub = new StreamHub(state, pino({ level: "silent" }));
    feed(state, put(100, [flag("checkout", 100)]));
    for (let seq = 101; seq <= 100 + RELAY_HISTORY + 5; seq++) feed(state, patch(seq, { flag: flag("checkout", seq) }));
    const last = 100 + RELAY_HISTORY + 5;

    const recent = downstream(hub, last - 3);
    await recent.registered;
    // Three changes to one flag collapse into one event, with the last one's id.
    expect(recent.events.map((e) => [e.event, e.id])).toEqual([["patch", `${EPOCH}-${last}`]]);

    const old = downstream(hub, 102);
    await old.registered;
    expect(old.events.map((e) => [e.event, e.id])).toEqual([["put", `${EPOCH}-${last}`]]);
    hub.close();
  });

  it("closes the streams of a token the server no longer lists", async () => {
    const state = new RelayState();
    state.setTokens([{ hash: "h", id: "tok", name: "sdk", kind: "server", environment: "production" }]);
    const hub = new StreamHub(state, pino({ level: "silent" }));
    feed(state, put(1, [flag("checkout", 1)]));
    let closed = false;
    const sink = { send() {}, heartbeat() {}, close: () => void (closed = true) };
    await hub.connectSdk({ environmentKey: "production", tokenId: "tok", instanceId: undefined, lastEventId: undefined, sink });
    state.setTokens([]);
    expect(closed).toBe(true);
    expect(state.tokenByHash("h")).toBeUndefined();
    hub.close();
  });
});
