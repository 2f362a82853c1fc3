import { describe, expect, it } from "vitest";
import { repositoryName } from "./git-info";

describe("repositoryName", () => {
  it("reads owner/name from ssh, scp-like and https clone URLs", () => {
    expect(repositoryName("git@github.com:acme/shop.git")).toBe("acme/shop");
    expect(repositoryName("https://github.com/acme/shop.git")).toBe("acme/shop");
    expect(repositoryName("ssh://git@gitlab.example.com:2222/group/sub/shop.git")).toBe("group/sub/shop");
    expect(repositoryName("https://dev.example.com/acme/shop/")).toBe("acme/shop");
    expect(repositoryName("/srv/git/shop.git")).toBeUndefined();
  });
});
