import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, startTestServer, type TestServer } from "./harness";
import { eventually } from "../../../test/support/eventually";
import { SseReader } from "../../../test/support/sse-client";
import { readEventId } from "../src/live/events/sdk-events";

/** The change seq an SDK event's id (`<epoch>-<seq>`) names. */
const seqOf = (id: string | undefined): number => readEventId(id)?.seq ?? Number.NaN;

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`streams on ${backend.name}`, () => {
    let server: TestServer;
    let sdkToken: string;
    let clientToken: string;
    const open: SseReader[] = [];
    const connect = async (path: string, headers: Record<string, string> = {}) => {
      const res = await server.app.request(path, { headers });
      const reader = new SseReader(res);
      open.push(reader);
      return reader;
    };
    const sdkStream = (headers: Record<string, string> = {}) =>
      connect("/api/sdk/stream", { authorization: `Bearer ${sdkToken}`, ...headers });

    beforeAll(async () => {
      server = await startTestServer(backend.name, { heartbeatMs: 100 });
      await server.request("POST", "/api/flags", { body: { key: "live-flag" } });
      await server.request("POST", "/api/flags", { body: { key: "other-flag" } });
      sdkToken = await server.token("server", "production");
      clientToken = await server.token("client", "production");
    });
    afterAll(async () => {
      await Promise.all(open.map((r) => r.close()));
      await server?.close();
    });

    it("sends a put on connect, then a patch per change with the change seq as id", async () => {
      const stream = await sdkStream();
      expect(stream.response.headers.get("content-type")).toBe("text/event-stream");
      const [put] = await stream.waitFor(1);
      expect(put?.event).toBe("put");
      const snapshot = stream.json(0);
      expect(snapshot).toMatchObject({ environment: "production", version: seqOf(put?.id) });
      expect(snapshot.flags.map((f: { key: string }) => f.key)).toEqual(["live-flag", "other-flag"]);

      await server.request("PATCH", "/api/flags/live-flag/environments/production", { body: { enabled: true } });
      const [, patch] = await stream.waitFor(2);
      expect(patch?.event).toBe("patch");
      expect(seqOf(patch?.id)).toBeGreaterThan(seqOf(put?.id));
      expect(stream.json(1)).toEqual({
        version: seqOf(patch?.id),
        flag: {
          key: "live-flag",
          variations: [true, false],
          variationNames: ["on", "off"],
          version: 2,
          enabled: true,
          offVariation: 1,
          rules: [],
          fallthrough: { variation: 0 },
          prerequisites: [],
        },
      });

      // Another environment's change, and a segment no flag of this environment uses, are not sent to this stream.
      await server.request("PATCH", "/api/flags/live-flag/environments/staging", { body: { enabled: true } });
      await server.request("POST", "/api/segments", { body: { key: "vip", included: ["u1"], excluded: [], rules: [] } });

      await server.request("DELETE", "/api/flags/other-flag");
      const [, , deleted] = await stream.waitFor(3);
      expect(deleted?.event).toBe("delete");
      expect(stream.json(2)).toEqual({ version: seqOf(deleted?.id), flag: "other-flag" });
      await server.request("PATCH", "/api/flags/other-flag", { body: { archived: false } });
      await stream.waitFor(4);
      expect(stream.messages[3]?.event).toBe("patch");
    });

    it("resumes with Last-Event-ID: only the missed changes, no put", async () => {
      const first = await sdkStream();
      const [put] = await first.waitFor(1);
      await first.close();
      await server.request("PATCH", "/api/flags/live-flag/environments/production", { body: { enabled: false } });
      await server.request("PATCH", "/api/flags/other-flag/environments/production", { body: { enabled: true } });
      await server.request("PATCH", "/api/flags/live-flag/environments/production", { body: { enabled: true } });

      const resumed = await sdkStream({ "last-event-id": put?.id ?? "" });
      const events = await resumed.waitFor(2);
      expect(events.map((e) => e.event)).toEqual(["patch", "patch"]);
      // Two changes to live-flag collapse into one event carrying its current config.
      expect(events.map((e) => resumed.json(events.indexOf(e)).flag.key)).toEqual(["other-flag", "live-flag"]);
      expect(resumed.json(1).flag).toMatchObject({ enabled: true, version: 4 });
      expect(seqOf(events[1]?.id)).toBeGreaterThan(seqOf(events[0]?.id));
    });

    it("answers HEAD with the stream's headers and opens no stream", async () => {
      const before = server.hub.counts.sdk;
      const res = await server.request("HEAD", "/api/sdk/stream", { token: sdkToken });
      expect({ status: res.status, type: res.headers.get("content-type"), open: server.hub.counts.sdk - before }).toEqual({
        status: 200,
        type: "text/event-stream",
        open: 0,
      });
    });

    it("answers an unusable Last-Event-ID with a fresh put", async () => {
      // Ids of another database history (a restored backup), and bare seqs from before epochs, resume nothing.
      for (const id of ["not-a-number", "99999999", "000000000000-1", "1"]) {
        const stream = await sdkStream({ "last-event-id": id });
        const [first] = await stream.waitFor(1);
        expect(first?.event).toBe("put");
        await stream.close();
      }
    });

    it("sends heartbeat comments", async () => {
      const stream = await sdkStream();
      await stream.waitUntil(() => stream.comments.includes("heartbeat"), 2_000);
    });

    it("client stream: values first, then only values that change for its context", async () => {
      await server.request("PUT", "/api/flags/live-flag/environments/production", {
        body: {
          enabled: true,
          rules: [{ id: "vip", conditions: [], segments: ["vip"], serve: { variation: 0 } }],
          fallthrough: { variation: 1 },
        },
      });
      const stream = await connect(`/api/client/stream?context=${base64url({ key: "u2", plan: "pro" })}&token=${clientToken}`);
      await stream.waitFor(1);
      expect(stream.messages[0]?.event).toBe("put");
      expect(stream.json(0)).toEqual({
        flags: {
          "live-flag": { value: false, variation: 1, variant: "off", reason: "DEFAULT" },
          "other-flag": { value: true, variation: 0, variant: "on", reason: "STATIC" },
        },
      });
      // Changes that leave u2's values alone send nothing; the next change that matters is the next event.
      await server.request("PUT", "/api/segments/vip", { body: { included: ["u1", "u3"], excluded: [], rules: [] } });
      await server.request("PATCH", "/api/flags/live-flag/environments/staging", { body: { enabled: false } });
      await server.request("PUT", "/api/segments/vip", { body: { included: ["u2"], excluded: [], rules: [] } });
      await stream.waitFor(2);
      expect(stream.messages[1]?.event).toBe("patch");
      expect(stream.json(1)).toEqual({
        flags: { "live-flag": { value: true, variation: 0, variant: "on", reason: "TARGETING_MATCH" } },
        deleted: [],
      });
      await server.request("DELETE", "/api/flags/other-flag");
      await stream.waitFor(3);
      expect(stream.json(2)).toEqual({ flags: {}, deleted: ["other-flag"] });
    });

    it("client stream refuses a bad context and a server token", async () => {
      const bad = await server.app.request(`/api/client/stream?context=not-json&token=${clientToken}`);
      expect(bad.status).toBe(400);
      const body = (await bad.json()) as { error: { details: Array<{ path: string }> } };
      expect(body.error.details[0]?.path).toBe("context");
      const wrong = await server.app.request(`/api/client/stream?context=${base64url({ key: "u" })}&token=${sdkToken}`);
      expect(wrong.status).toBe(403);
      const none = await server.app.request(`/api/client/stream?context=${base64url({ key: "u" })}`);
      expect(none.status).toBe(401);
    });

    it("closes the streams of a deleted token", async () => {
      const created = await server.request("POST", "/api/tokens", { body: { name: "doomed", kind: "server", environment: "production" } });
      const res = await server.app.request("/api/sdk/stream", { headers: { authorization: `Bearer ${created.body.token}` } });
      const stream = new SseReader(res);
      await stream.waitFor(1);
      await server.request("DELETE", `/api/tokens/${created.body.id}`);
      await stream.waitUntil(() => stream.ended, 3_000);
    });

    it("records metrics and acknowledged versions per instance", async () => {
      const stream = await sdkStream({ "x-switchyard-instance": "instance-a" });
      const [put] = await stream.waitFor(1);
      const version = seqOf(put?.id);
      const res = await server.request("POST", "/api/sdk/metrics", {
        token: sdkToken,
        body: {
          instanceId: "instance-a",
          sdk: "switchyard-node/0.1.0",
          version,
          evaluations: [
            { flag: "live-flag", variation: 0, count: 5 },
            { flag: "ghost", variation: 0, count: 1 },
          ],
          events: [
            { event: "error", flag: "live-flag", variation: 0, count: 2 },
            { event: "request", count: 7 },
          ],
        },
      });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ accepted: { evaluations: 1, events: 2 }, ignored: { evaluations: 1, events: 0 } });
      await stream.waitUntil(() => true);
      const instances = await server.request("GET", "/api/environments/production/instances");
      const firstAck = instances.body.instances[0]?.ackedAt;
      // The next flush reports the same version: when it was first served does not move.
      await new Promise((r) => setTimeout(r, 20));
      await server.request("POST", "/api/sdk/metrics", { token: sdkToken, body: { instanceId: "instance-a", version } });
      expect((await server.request("GET", "/api/environments/production/instances")).body.instances[0]).toMatchObject({
        ackedVersion: version,
        ackedAt: firstAck,
      });
      // A flush that left before the change arrives after it: the acknowledgement does not go back.
      await server.request("POST", "/api/sdk/metrics", { token: sdkToken, body: { instanceId: "instance-a", version: version - 1 } });
      expect((await server.request("GET", "/api/environments/production/instances")).body.instances[0]).toMatchObject({
        ackedVersion: version,
        ackedAt: firstAck,
      });
      await server.request("POST", "/api/sdk/metrics", { token: sdkToken, body: { instanceId: "instance-a", version: version + 1 } });
      const moved = (await server.request("GET", "/api/environments/production/instances")).body.instances[0];
      expect(moved.ackedVersion).toBe(version + 1);
      expect(Date.parse(moved.ackedAt)).toBeGreaterThan(Date.parse(firstAck));
      expect(instances.body.instances).toEqual([
        {
          instanceId: "instance-a",
          sdk: "switchyard-node/0.1.0",
          ackedVersion: version,
          ackedAt: expect.any(String),
          connected: true,
          firstSeenAt: expect.any(String),
          lastSeenAt: expect.any(String),
          // The report itself, which stream heartbeats do not move (a frozen process stops reporting).
          lastReportAt: firstAck,
          // Connected to the server itself, not through a relay.
          relayId: null,
        },
      ]);
      await stream.close();
      // The server learns of the hang-up from the socket, then writes it: within moments, however loaded the machine.
      const after = await eventually(
        () => server.request("GET", "/api/environments/production/instances"),
        (res) => res.body.instances[0]?.connected === false,
        5_000,
      );
      expect(after.body.instances[0].connected).toBe(false);
    });

    it("takes the same metrics from browsers with a client token", async () => {
      const res = await server.request("POST", "/api/client/metrics", {
        token: clientToken,
        body: { instanceId: "browser-1", evaluations: [{ flag: "live-flag", variation: 1, count: 2 }] },
      });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({
        accepted: { evaluations: 1, events: 0 },
        ignored: { evaluations: 0, events: 0 },
        capped: { evaluations: 0, events: 0 },
      });
      expect((await server.request("POST", "/api/client/metrics", { token: sdkToken, body: { instanceId: "x" } })).status).toBe(403);
    });

    it("gives a server token only the segments its environment's flags use, each once a flag starts using it", async () => {
      await server.request("POST", "/api/segments", { body: { key: "staff", included: ["s1"], excluded: [], rules: [] } });
      await server.request("POST", "/api/flags", { body: { key: "seg-flag" } });
      const staffOnly = { rules: [{ id: "staff", segments: ["staff"], serve: { variation: 0 } }] };
      await server.request("PATCH", "/api/flags/seg-flag/environments/staging", { body: staffOnly });
      const held = (await server.request("GET", "/api/sdk/flags", { token: sdkToken })).body;
      const used = held.flags.flatMap((f: { rules: Array<{ segments?: string[] }> }) => f.rules.flatMap((r) => r.segments ?? []));
      expect(held.segments.map((s: { key: string }) => s.key)).toEqual([...new Set(used)].sort());
      expect(held.segments.map((s: { key: string }) => s.key)).not.toContain("staff");

      const stream = await sdkStream();
      await stream.waitFor(1);
      expect(stream.json(0).segments.map((s: { key: string }) => s.key)).not.toContain("staff");
      // A change to a segment only staging uses sends nothing; a production flag starting to use it sends it first.
      await server.request("PUT", "/api/segments/staff", { body: { included: ["s1", "s2"], excluded: [], rules: [] } });
      await server.request("PATCH", "/api/flags/seg-flag/environments/production", { body: staffOnly });
      const [, segment, flag] = await stream.waitFor(3);
      expect([segment?.event, flag?.event]).toEqual(["patch", "patch"]);
      expect(segment?.id).toBe(flag?.id);
      expect(stream.json(1)).toEqual({
        version: seqOf(flag?.id),
        segment: { key: "staff", included: ["s1", "s2"], excluded: [], rules: [], version: 2 },
      });
      expect(stream.json(2).flag).toMatchObject({ key: "seg-flag", rules: [{ segments: ["staff"] }] });
      // Now it is used here: its changes stream, and the flag's next change does not resend it.
      await server.request("PUT", "/api/segments/staff", { body: { included: ["s3"], excluded: [], rules: [] } });
      await server.request("PATCH", "/api/flags/seg-flag/environments/production", { body: { enabled: true } });
      await stream.waitFor(5);
      expect(stream.json(3)).toMatchObject({ segment: { key: "staff", included: ["s3"] } });
      expect(stream.json(4)).toMatchObject({ flag: { key: "seg-flag", enabled: true } });
    });

    it("refuses bad metrics with 400 and stores nothing", async () => {
      const bad = await server.request("POST", "/api/sdk/metrics", {
        token: sdkToken,
        body: { instanceId: "b", evaluations: [{ flag: "live-flag", variation: 0, count: -3 }] },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details[0].path).toBe("evaluations[0].count");
      const instances = await server.request("GET", "/api/environments/production/instances");
      expect(instances.body.instances.map((i: { instanceId: string }) => i.instanceId)).not.toContain("b");
    });
  });
}
