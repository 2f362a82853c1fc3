import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import type { AppEnv } from "../http/app-env";
import { consoleRoutes } from "./console";

describe("the console's static files", () => {
  let root: string;
  let app: Hono<AppEnv>;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "switchyard-console-"));
    const dist = join(root, "dist");
    mkdirSync(join(dist, "assets"), { recursive: true });
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>console</title>");
    writeFileSync(join(dist, "assets", "index-abc123.js"), "console.log(1)");
    writeFileSync(join(dist, "assets", "index-abc123.css"), "body{}");
    writeFileSync(join(root, "secret.txt"), "outside");
    app = new Hono<AppEnv>();
    app.get("/api/flags", (c) => c.json({ flags: [] }));
    app.route("/", consoleRoutes({ dir: dist }));
    app.onError((error, c) => (error instanceof AppError ? c.json(error.toBody(), error.status) : c.text("bug", 500)));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("serves index.html at / and for the app's own routes, never cached stale", async () => {
    for (const path of ["/", "/flags/new-checkout/production", "/deploys"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(await res.text()).toBe("<!doctype html><title>console</title>");
    }
  });

  it("serves hashed assets with their content type, cached for good", async () => {
    const js = await app.request("/assets/index-abc123.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await js.text()).toBe("console.log(1)");
    const css = await app.request("/assets/index-abc123.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  it("answers a missing asset with 404, not the page", async () => {
    const res = await app.request("/assets/index-gone.js");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "NOT_FOUND", message: "No file /assets/index-gone.js" } });
  });

  it("leaves the API and the operational paths alone", async () => {
    expect(await (await app.request("/api/flags")).json()).toEqual({ flags: [] });
    for (const path of ["/api/nope", "/api", "/ofrep/v1/x", "/metrics/x", "/docs/x"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual({ error: { code: "NOT_FOUND", message: `No route for GET ${path}` } });
    }
  });

  it("never reads a file outside its directory", async () => {
    for (const path of ["/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/assets/%2e%2e%2f%2e%2e%2fsecret.txt"]) {
      const res = await app.request(`http://localhost${path}`);
      expect(await res.text(), path).not.toContain("outside");
    }
  });

  it("says the console is not built when its directory is missing", async () => {
    const bare = new Hono<AppEnv>();
    bare.route("/", consoleRoutes({ dir: join(root, "nothing-here") }));
    bare.onError((error, c) => (error instanceof AppError ? c.json(error.toBody(), error.status) : c.text("bug", 500)));
    const res = await bare.request("/");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "NOT_FOUND", message: "The console is not built: run `pnpm build`" } });
  });
});
