import { describe, expect, it } from "vitest";
import { parseConfig } from "./config";

const ADMIN = "sy_admin_M4zC50GX2cf9dgg2N49uvKSuBtmEOCDe";

describe("parseConfig", () => {
  it("needs only SWITCHYARD_TOKEN: everything else has the defaults the README walkthrough uses", () => {
    expect(parseConfig({ SWITCHYARD_TOKEN: ADMIN })).toEqual({
      ok: true,
      notes: [],
      config: {
        switchyardUrl: "http://127.0.0.1:4242",
        token: ADMIN,
        tokenKind: "admin",
        environment: "production",
        flag: "new-checkout",
        port: 4300,
        requestsPerSecond: 50,
        track: true,
      },
    });
  });

  it("reads every setting, treating blank variables as unset", () => {
    const result = parseConfig({
      SWITCHYARD_URL: "https://flags.example.com/",
      SWITCHYARD_TOKEN: "sy_server_abcdefghijklmnop",
      DEMO_FLAG: "checkout.v2",
      DEMO_PORT: "0",
      DEMO_RPS: "400",
      DEMO_TRACK: "false",
      DEMO_ENV: "",
    });
    expect(result).toEqual({
      ok: true,
      notes: [],
      config: {
        switchyardUrl: "https://flags.example.com",
        token: "sy_server_abcdefghijklmnop",
        tokenKind: "server",
        environment: "production",
        flag: "checkout.v2",
        port: 0,
        requestsPerSecond: 400,
        track: false,
      },
    });
  });

  it("lists every problem at once", () => {
    expect(parseConfig({ SWITCHYARD_URL: "ftp://x", DEMO_FLAG: "a b", DEMO_PORT: "99999", DEMO_RPS: "0", DEMO_TRACK: "maybe" })).toEqual({
      ok: false,
      problems: [
        "SWITCHYARD_URL: must be an http:// or https:// URL, not 'ftp://x'",
        "SWITCHYARD_TOKEN: required — the admin token the server printed at its first start (sy_admin_…), or a server token of one environment (sy_server_…)",
        "DEMO_FLAG: must be a flag key (letters, digits, . _ -), not 'a b'",
        "DEMO_PORT: must be a whole number from 0 to 65535, not '99999'",
        "DEMO_RPS: must be a number of requests per second above 0 and at most 5000, not '0'",
        "DEMO_TRACK: must be true or false, not 'maybe'",
      ],
    });
  });

  it("refuses client and deploy tokens by their prefix, and leaves a custom secret for the server to classify", () => {
    expect(parseConfig({ SWITCHYARD_TOKEN: "sy_client_abcdefghijklmnop" })).toEqual({
      ok: false,
      problems: [
        "SWITCHYARD_TOKEN: is a client token (for browsers; it never sees flag rules); the demo needs an admin token (sy_admin_…) or a server token (sy_server_…)",
      ],
    });
    expect(parseConfig({ SWITCHYARD_TOKEN: "sy_deploy_abcdefghijklmnop" })).toMatchObject({
      ok: false,
      problems: [expect.stringContaining("is a deploy token (for pipelines)")],
    });
    expect(parseConfig({ SWITCHYARD_TOKEN: "sy_constructor_abcdefghijklmnop" })).toMatchObject({
      ok: true,
      config: { tokenKind: "unknown" },
    });
    expect(parseConfig({ SWITCHYARD_TOKEN: "my-own-admin-secret-1234" })).toMatchObject({ ok: true, config: { tokenKind: "unknown" } });
  });

  it("notes that DEMO_ENV means nothing with a server token", () => {
    expect(parseConfig({ SWITCHYARD_TOKEN: "sy_server_abcdefghijklmnop", DEMO_ENV: "staging" })).toMatchObject({
      ok: true,
      notes: ["DEMO_ENV is ignored: a server token belongs to one environment already"],
    });
    expect(parseConfig({ SWITCHYARD_TOKEN: ADMIN, DEMO_ENV: "staging" })).toMatchObject({
      ok: true,
      notes: [],
      config: { environment: "staging" },
    });
  });

  it("accepts fractional rates and 1/0 for booleans, and refuses rates above the cap", () => {
    expect(parseConfig({ SWITCHYARD_TOKEN: ADMIN, DEMO_RPS: "0.5", DEMO_TRACK: "0" })).toMatchObject({
      ok: true,
      config: { requestsPerSecond: 0.5, track: false },
    });
    expect(parseConfig({ SWITCHYARD_TOKEN: ADMIN, DEMO_RPS: "5001" })).toMatchObject({ ok: false });
    expect(parseConfig({ SWITCHYARD_TOKEN: ADMIN, DEMO_PORT: "43a" })).toMatchObject({ ok: false });
  });
});
