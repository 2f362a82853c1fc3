import { describe, expect, it } from "vitest";
import { captureIo, fakeServer } from "../fake-server";
import { run } from "../run";

const env = { SWITCHYARD_TOKEN: "sy_deploy_cli_test_token_00000", SWITCHYARD_URL: "http://switchyard.test" };

describe("switchyard flags on|off", () => {
  it("turns a flag off in one environment with a comment for the audit log", async () => {
    const fake = fakeServer({
      "PATCH /api/flags/new-checkout/environments/production": () => ({
        body: { flag: "new-checkout", environment: "production", version: 7, enabled: false },
      }),
    });
    const { io, output } = captureIo(fake.fetch, "/", env);
    expect(await run(["flags", "off", "new-checkout", "--env", "production", "--comment", "errors up"], io)).toBe(0);
    expect(fake.requests).toEqual([
      {
        method: "PATCH",
        path: "/api/flags/new-checkout/environments/production",
        authorization: `Bearer ${env.SWITCHYARD_TOKEN}`,
        body: { enabled: false, comment: "errors up" },
      },
    ]);
    expect(output.out).toBe("new-checkout is off in production (version 7)\n");
  });

  it("reports the server's refusal and exits 1", async () => {
    const fake = fakeServer({
      "PATCH /api/flags/new-checkout/environments/production": () => ({
        status: 403,
        body: { error: { code: "FORBIDDEN", message: 'A deploy token can only turn flags off: send {"enabled": false}' } },
      }),
    });
    const { io, output } = captureIo(fake.fetch, "/", env);
    expect(await run(["flags", "on", "new-checkout", "--env", "production"], io)).toBe(1);
    expect(output.err).toContain("403: FORBIDDEN: A deploy token can only turn flags off");
  });

  it("needs on|off, a key and --env", async () => {
    const { io, output } = captureIo(fakeServer({}).fetch, "/", env);
    expect(await run(["flags", "toggle", "x", "--env", "production"], io)).toBe(1);
    expect(await run(["flags", "off", "x"], io)).toBe(1);
    expect(output.err).toContain("needs --env");
  });
});
