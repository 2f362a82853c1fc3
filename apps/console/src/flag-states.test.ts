import { describe, expect, it } from "vitest";
import type { AuditEntry, Flag } from "./api/types";
import { withLatestChange } from "./flag-states";

const flag: Flag = {
  key: "new-checkout",
  name: "New checkout",
  description: "",
  kind: "release",
  variations: [
    { id: "a1b2c3d4", name: "on", value: true },
    { id: "e5f6a7b8", name: "off", value: false },
  ],
  metadata: {},
  tags: [],
  owner: null,
  expectedLifetimeDays: 30,
  permanent: false,
  createdAt: "2026-12-01T00:00:00.000Z",
  updatedAt: "2026-12-01T00:00:00.000Z",
  archivedAt: null,
  environments: { production: { enabled: false, version: 3, updatedAt: "2026-12-01T00:00:00.000Z" } },
};

const entry = (after: unknown, overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  id: 9,
  at: "2026-12-02T10:00:00.000Z",
  actor: { tokenId: "tok_1", name: "release bot" },
  action: "flag-config.update",
  resource: { type: "flag-config", key: "new-checkout/production" },
  flag: "new-checkout",
  environment: "production",
  before: null,
  after,
  comment: null,
  deployId: null,
  ...overrides,
});

describe("withLatestChange", () => {
  it("shows a newer config version from the audit log at once", () => {
    expect(withLatestChange([flag], entry({ version: 4, enabled: true }))[0]?.environments.production).toEqual({
      enabled: true,
      version: 4,
      updatedAt: "2026-12-02T10:00:00.000Z",
    });
  });

  it("keeps what the list says when it is as new or newer, or the entry is about something else", () => {
    expect(withLatestChange([flag], entry({ version: 3, enabled: true }))).toEqual([flag]);
    expect(withLatestChange([flag], entry({ version: 4, enabled: true }, { flag: "other" }))).toEqual([flag]);
    expect(withLatestChange([flag], entry({ key: "seg" }, { resource: { type: "segment", key: "seg" } }))).toEqual([flag]);
    expect(withLatestChange([flag], undefined)).toEqual([flag]);
  });
});
