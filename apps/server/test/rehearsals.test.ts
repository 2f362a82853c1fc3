import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SseReader } from "../../../test/support/sse-client";
import { readEventId } from "../src/live/events/sdk-events";
import { backends, startTestServer, type TestServer } from "./harness";

const ENV = "staging";
const FLAG = "new-checkout";
const TARGET_MS = 1_000;

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`rollback rehearsals on ${backend.name}`, () => {
    let server: TestServer;
    let sdkToken: string;
    const stops: Array<() => Promise<void>> = [];

    /**
     * An SDK instance as the server sees one: an SDK stream, and a metrics report naming the
     * version it serves each time a change arrives on it. A frozen one reports once, then never
     * again, while its stream stays open (a stopped process's socket does).
     */
    const connectInstance = async (instanceId: string, options: { frozen?: boolean } = {}) => {
      const res = await server.app.request("/api/sdk/stream", {
        headers: { authorization: `Bearer ${sdkToken}`, "x-switchyard-instance": instanceId },
      });
      const stream = new SseReader(res);
      await stream.waitFor(1);
      // The version served is the last change's id (a `metrics` hint event carries none).
      const served = () => readEventId(stream.messages.findLast((m) => readEventId(m.id) !== undefined)?.id)?.seq ?? 0;
      const report = async () => {
        const version = served();
        await server.request("POST", "/api/sdk/metrics", { token: sdkToken, body: { instanceId, sdk: "switchyard-node/0.1.0", version } });
        return version;
      };
      let reported = await report();
      let stopped = options.frozen === true;
      const loop = (async () => {
        while (!stopped) {
          if (served() !== reported) reported = await report();
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      stops.push(async () => {
        stopped = true;
        await loop;
        await stream.close();
      });
    };

    /**
     * SDK instances behind a relay: one relay stream, and a batch per change naming the version
     * each instance serves and the streams the relay holds; stopping lists none of them.
     */
    const connectBehindRelay = async (relayId: string, instanceIds: string[]) => {
      const created = await server.request("POST", "/api/tokens", { body: { kind: "relay", name: relayId, environments: [ENV] } });
      const relayToken: string = created.body.token;
      const stream = new SseReader(
        await server.app.request(`/api/relay/environments/${ENV}/stream`, { headers: { authorization: `Bearer ${relayToken}` } }),
      );
      await stream.waitFor(1);
      const served = () => readEventId(stream.messages.findLast((m) => readEventId(m.id) !== undefined)?.id)?.seq ?? 0;
      const batch = async (open: string[]) => {
        const version = served();
        const instances = open.map((instanceId) => ({ environment: ENV, instanceId, sdk: "switchyard-node/0.1.0", version }));
        const res = await server.request("POST", "/api/relay/reports", {
          token: relayToken,
          body: { relayId, instances, streams: [{ environment: ENV, instanceIds: open }] },
        });
        expect(res.status).toBe(202);
        return version;
      };
      let reported = await batch(instanceIds);
      let stopped = false;
      const loop = (async () => {
        while (!stopped) {
          if (served() !== reported) reported = await batch(instanceIds);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      stops.push(async () => {
        stopped = true;
        await loop;
        await batch([]);
        await stream.close();
      });
    };

    const disconnectAll = async () => {
      for (const stop of stops.splice(0)) await stop();
    };

    const rehearse = (body: Record<string, unknown>, token?: string) =>
      server.request("POST", "/api/rehearsals", { body, ...(token === undefined ? {} : { token }) });

    beforeAll(async () => {
      server = await startTestServer(backend.name, { deployWorker: { tickMs: 100 } });
      sdkToken = await server.token("server", ENV);
      await server.request("POST", "/api/environments", { body: { key: ENV } });
      await server.request("POST", "/api/environments", { body: { key: "production", production: true } });
      await server.request("POST", "/api/flags", { body: { key: FLAG } });
      await server.request("PATCH", `/api/flags/${FLAG}/environments/${ENV}`, {
        body: { enabled: true, fallthrough: { rollout: { weights: [50_000, 50_000] } } },
      });
    }, 60_000);
    afterAll(async () => {
      await server?.close();
    });
    afterEach(disconnectAll);

    it("turns the flag off through the deploy engine, waits for every instance, restores it, and keeps the result", async () => {
      for (const id of ["app-1", "app-2", "app-3"]) await connectInstance(id);
      const before = (await server.request("GET", `/api/flags/${FLAG}/environments/${ENV}`)).body;

      const res = await rehearse({ environment: ENV, flag: FLAG, targetMs: TARGET_MS });
      expect(res.status).toBe(201);
      const rehearsal = res.body;
      expect(rehearsal).toMatchObject({
        environment: ENV,
        flag: FLAG,
        status: "passed",
        targetMs: TARGET_MS,
        problem: null,
        flagOff: { version: before.version + 1, connected: 3, acknowledged: 3, late: [] },
        restore: { version: before.version + 2, connected: 3, acknowledged: 3, late: [] },
      });
      expect(rehearsal.detection.ms).toBeGreaterThan(0);
      expect(rehearsal.flagOff.maxMs).toBeLessThanOrEqual(TARGET_MS);
      expect(rehearsal.summary).toMatch(/^passed: breach detected and new-checkout turned off in [\d.]+ s; flag-off: 3 of 3 instances/);

      // The config is back as it was; the flag-off and the restore are audited as the rehearsal's.
      const after = (await server.request("GET", `/api/flags/${FLAG}/environments/${ENV}`)).body;
      expect({ ...after, version: before.version, updatedAt: before.updatedAt }).toEqual(before);
      const audit = (await server.request("GET", `/api/audit?flag=${FLAG}&environment=${ENV}&limit=2`)).body.entries;
      expect(audit.map((e: Record<string, any>) => [e.actor.name, e.comment, e.deployId])).toEqual([
        [
          `first admin (rehearsal ${rehearsal.id})`,
          `rehearsal ${rehearsal.id}: restore the config of version ${before.version}`,
          rehearsal.deployId,
        ],
        [
          `rehearsal ${rehearsal.id} (deploy ${rehearsal.deployId})`,
          expect.stringMatching(new RegExp(`^rehearsal ${rehearsal.id} \\(deploy ${rehearsal.deployId}\\): rehearsal_breach 1 > max 0`)),
          rehearsal.deployId,
        ],
      ]);

      // Kept: by id, in the list, on the flag; its deploy is marked and final.
      expect((await server.request("GET", `/api/rehearsals/${rehearsal.id}`)).body).toEqual(rehearsal);
      expect((await server.request("GET", `/api/rehearsals?flag=${FLAG}`)).body).toEqual({ rehearsals: [rehearsal] });
      expect((await server.request("GET", `/api/flags/${FLAG}`)).body.lastRehearsals).toEqual({ [ENV]: rehearsal });
      const deploy = (await server.request("GET", `/api/deploys/${rehearsal.deployId}`)).body;
      expect(deploy).toMatchObject({ rehearsalId: rehearsal.id, final: true, webhook: { deliveries: [] } });
    }, 60_000);

    it("fails naming an instance that did not acknowledge, with its SDK, version and last report", async () => {
      await connectInstance("app-ok");
      await connectInstance("app-frozen", { frozen: true });
      const frozenSince = (await server.request("GET", `/api/environments/${ENV}/instances`)).body.instances.find(
        (i: { instanceId: string }) => i.instanceId === "app-frozen",
      ).lastReportAt;

      const res = await rehearse({ environment: ENV, flag: FLAG, targetMs: TARGET_MS });
      expect(res.status).toBe(201);
      const late = [
        { instanceId: "app-frozen", sdk: "switchyard-node", sdkVersion: "0.1.0", lastSeenAt: frozenSince, acknowledgedMs: null },
      ];
      expect(res.body).toMatchObject({
        status: "failed",
        flagOff: { connected: 2, acknowledged: 1, late },
        restore: { connected: 2, acknowledged: 1, late },
      });
      expect(res.body.summary).toContain(`late: app-frozen (switchyard-node 0.1.0, last seen ${frozenSince}, never acknowledged)`);
      // Restored all the same.
      expect((await server.request("GET", `/api/flags/${FLAG}/environments/${ENV}`)).body.enabled).toBe(true);
    }, 60_000);

    it("waits for instances behind a relay as for direct ones", async () => {
      await connectInstance("app-direct");
      await connectBehindRelay("relay-eu-1", ["app-relayed-1", "app-relayed-2"]);
      const res = await rehearse({ environment: ENV, flag: FLAG, targetMs: TARGET_MS });
      expect(res.body).toMatchObject({
        status: "passed",
        flagOff: { connected: 3, acknowledged: 3, late: [] },
        restore: { connected: 3, acknowledged: 3, late: [] },
      });
      const instances = (await server.request("GET", `/api/environments/${ENV}/instances`)).body.instances;
      expect(
        instances
          .filter((i: { connected: boolean }) => i.connected)
          .map((i: { instanceId: string; relayId: string | null }) => [i.instanceId, i.relayId]),
      ).toEqual([
        ["app-direct", null],
        ["app-relayed-1", "relay-eu-1"],
        ["app-relayed-2", "relay-eu-1"],
      ]);
    }, 60_000);

    it("refuses a production environment unless allowed, and bad input with what is wrong", async () => {
      await server.request("PATCH", `/api/flags/${FLAG}/environments/production`, { body: { enabled: true } });
      expect(await rehearse({ environment: "production", flag: FLAG })).toMatchObject({
        status: 409,
        body: {
          error: {
            code: "CONFLICT",
            message:
              "'production' is a production environment: a rehearsal turns 'new-checkout' off there for real, for every user. " +
              'Rehearse in staging, or pass "allowProduction": true (switchyard rehearse --allow-production) to run it anyway',
            details: { environment: "production", production: true },
          },
        },
      });
      // Allowed, and one at a time: a second one would snapshot the first's flag-off as the config to restore.
      const both = await Promise.all(
        [0, 1].map(() => rehearse({ environment: "production", flag: FLAG, targetMs: TARGET_MS, allowProduction: true })),
      );
      const [allowed, refused] = both[0]?.status === 201 ? both : [both[1], both[0]];
      expect(allowed?.body).toMatchObject({ status: "passed", flagOff: { connected: 0 }, restore: { connected: 0 } });
      expect(refused).toMatchObject({
        status: 409,
        body: { error: { code: "CONFLICT", message: "A rehearsal of 'new-checkout' in 'production' is still running" } },
      });
      expect((await server.request("GET", `/api/flags/${FLAG}/environments/production`)).body.enabled).toBe(true);

      expect(await rehearse({ environment: "nowhere", flag: "nothing", targetMs: 0 })).toMatchObject({
        status: 400,
        body: { error: { code: "VALIDATION_FAILED", details: [{ path: "targetMs", message: expect.any(String) }] } },
      });
      expect((await rehearse({ environment: "nowhere", flag: "nothing" })).body.error).toEqual({
        code: "VALIDATION_FAILED",
        message: "Invalid rehearsal: environment: unknown environment 'nowhere'; flag: unknown flag 'nothing'",
        details: [
          { path: "environment", message: "unknown environment 'nowhere'" },
          { path: "flag", message: "unknown flag 'nothing'" },
        ],
      });
      expect((await server.request("GET", "/api/rehearsals/reh_missing")).status).toBe(404);
      expect((await rehearse({ environment: ENV, flag: FLAG }, sdkToken)).status).toBe(403);
    }, 60_000);
  });
}
