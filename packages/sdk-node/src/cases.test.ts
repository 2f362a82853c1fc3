import type { CaseExpectation, CasesDocument } from "@switchyard/core";
import casesJson from "@switchyard/core/cases.json" with { type: "json" };
import { afterAll, describe, expect, it } from "vitest";
import { createClient, type SwitchyardClient } from "./client";
import { kindOf } from "./evaluation-detail";
import { recordingLogger } from "./testing/fixtures";
import { callUntyped } from "./testing/untyped-call";

/*
 * The core's shared vectors, run through the SDK: each suite's snapshot is the client's
 * bootstrap (no server: every request fails), and `variationDetail` must give the expected
 * value, variation, reason, ruleId / prerequisiteKey / errorCode — with the caller's fallback
 * as the value of ERROR results.
 */

// Parsed boundary: cases.json is written to this shape (core's own test checks it).
const casesDocument = casesJson as unknown as CasesDocument;

const FALLBACK_SENTINEL = "fallback-sentinel";

/** A fallback of the expected value's kind, so a correct value is never a type mismatch. */
function fallbackFor(expected: CaseExpectation): unknown {
  switch (kindOf(expected.value)) {
    case "boolean":
      return !expected.value;
    case "number":
      return -1;
    case "object":
      return { fallback: true };
    default:
      return FALLBACK_SENTINEL;
  }
}

const offline = () => Promise.reject(new Error("offline: the vectors need no server"));
const clients: SwitchyardClient[] = [];
afterAll(() => Promise.all(clients.map((client) => client.close())));

for (const suite of casesDocument.suites) {
  describe(`cases.json through the SDK: ${suite.name}`, () => {
    const client = createClient({
      url: "http://switchyard.invalid",
      token: "unused",
      fetch: offline,
      stream: false,
      sendMetrics: false,
      logger: recordingLogger(),
      bootstrap: { environment: "cases", version: 1, flags: suite.snapshot.flags, segments: suite.snapshot.segments },
    });
    clients.push(client);

    it.each(suite.cases.map((vector) => [vector.name, vector] as const))("%s", (_name, vector) => {
      const fallback = fallbackFor(vector.expect);
      // Untyped: some vectors deliberately pass contexts that are not objects.
      const detail = callUntyped(client, "variationDetail", vector.flag, vector.context, fallback);
      const expected =
        vector.expect.reason === "ERROR" ? { ...vector.expect, value: fallback, errorMessage: expect.any(String) } : vector.expect;
      expect(detail).toStrictEqual(expected);
    });
  });
}
