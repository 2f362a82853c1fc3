import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_EVENT_NAMES } from "../src/services/sdk-usage";
import { readEventCounts } from "../src/store/sdk-usage";
import { startTestServer, type TestServer } from "./harness";

// What a public (client) token, or anyone without one, can make the server hold is bounded.
describe("public endpoints are bounded", () => {
  let server: TestServer;
  let clientToken: string;
  beforeAll(async () => {
    server = await startTestServer("embedded");
    clientToken = await server.token("client", "staging");
  });
  afterAll(() => server?.close());

  it("keeps counts for at most MAX_EVENT_NAMES event names per environment, and names it has keep counting", async () => {
    const report = (names: string[]) =>
      server.request("POST", "/api/client/metrics", {
        token: clientToken,
        body: { instanceId: "page-1", events: names.map((event) => ({ event, count: 1 })) },
      });
    const first = await report(Array.from({ length: MAX_EVENT_NAMES }, (_, i) => `made-up-${i}`));
    expect(first.status).toBe(202);
    expect(first.body.eventNamesFull).toBeUndefined();
    const over = await server.request("POST", "/api/client/metrics", {
      token: clientToken,
      body: {
        instanceId: "page-2",
        events: [
          { event: "one-too-many", count: 1 },
          { event: "made-up-0", count: 1 },
        ],
      },
    });
    expect(over.status).toBe(202);
    expect(over.body.eventNamesFull).toEqual({ limit: MAX_EVENT_NAMES, dropped: 1 });
    const names = new Set((await readEventCounts(server.database.db, "staging")).map((r) => r.event));
    expect(names.size).toBe(MAX_EVENT_NAMES);
    expect(names.has("one-too-many")).toBe(false);
  });
});
