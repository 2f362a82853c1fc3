import { describe, expect, it } from "vitest";
import { redactedUrl } from "./redacted-url";

describe("a webhook URL in the logs", () => {
  it("keeps where it goes and drops credentials and the query", () => {
    expect(redactedUrl("https://ci:s3cret@hooks.example.com/deploys?token=abc#x")).toBe("https://***@hooks.example.com/deploys?…");
    expect(redactedUrl("https://hooks.example.com:8443/deploys")).toBe("https://hooks.example.com:8443/deploys");
    expect(redactedUrl("http://user@10.0.0.1/h")).toBe("http://***@10.0.0.1/h");
    expect(redactedUrl("not a url")).toBe("(not a URL)");
  });
});
