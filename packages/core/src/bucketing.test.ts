import { describe, expect, it } from "vitest";
import { BUCKET_COUNT, bucket, bucketWithPrefix, hashPrefix, murmur3 } from "./bucketing";

/** A plain byte-at-a-time MurmurHash3_x86_32 over TextEncoder's bytes, as an oracle. */
function referenceMurmur3(text: string): number {
  const bytes = new TextEncoder().encode(text);
  const multiply = (a: number, b: number) => Math.imul(a, b) >>> 0;
  const rotate = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
  let h = 0;
  const blocks = bytes.length - (bytes.length % 4);
  for (let i = 0; i < blocks; i += 4) {
    let k = ((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0;
    k = multiply(rotate(multiply(k, 0xcc9e2d51), 15), 0x1b873593);
    h = (multiply(rotate((h ^ k) >>> 0, 13), 5) + 0xe6546b64) >>> 0;
  }
  let k = 0;
  for (let i = bytes.length - 1; i >= blocks; i--) k = ((k << 8) | (bytes[i] ?? 0)) >>> 0;
  if (bytes.length > blocks) h = (h ^ multiply(rotate(multiply(k, 0xcc9e2d51), 15), 0x1b873593)) >>> 0;
  h = (h ^ bytes.length) >>> 0;
  h = multiply(h ^ (h >>> 16), 0x85ebca6b);
  h = multiply(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

describe("murmur3", () => {
  it("matches the published MurmurHash3_x86_32 (seed 0) values", () => {
    expect(murmur3("")).toBe(0);
    expect(murmur3("hello")).toBe(0x248bfa47);
    expect(murmur3("The quick brown fox jumps over the lazy dog")).toBe(0x2e4ff723);
    expect(referenceMurmur3("hello")).toBe(0x248bfa47);
    expect(referenceMurmur3("The quick brown fox jumps over the lazy dog")).toBe(0x2e4ff723);
  });
});

describe("bucket", () => {
  // Cross-checked against an independent Python implementation of the documented algorithm.
  it.each([
    ["flag", "user-1", 48881],
    ["a", "b", 40422],
    ["", "", 13443],
    ["ñandú", "用户-42", 84789],
    ["x", "😀emoji", 8837],
    ["seed", "é", 22432],
    ["x", "a\uD800b", 34933], // a lone surrogate hashes as U+FFFD, like TextEncoder
  ])("bucket(%j, %j) = %i", (seed, value, expected) => {
    expect(bucket(seed, value)).toBe(expected);
  });

  it("hashes exactly the UTF-8 bytes of `${seed}.${value}`", () => {
    const samples = ["", "a", "ab", "abc", "abcd", "abcde", "é", "aé", "abé", "abcé", "日本語", "👍", "a👍b", "\u007f\u0080"];
    for (const seed of ["", "s", "se", "see", "seed", "sé"]) {
      for (const value of samples) {
        expect(bucket(seed, value)).toBe(murmur3(`${seed}.${value}`) % BUCKET_COUNT);
      }
    }
  });

  it("agrees with a byte-level reference on random mixed-script strings", () => {
    const alphabet = [
      "a",
      "Z",
      "0",
      "-",
      ".",
      "é",
      "ß",
      "日",
      "本",
      "👍",
      "\uD83D",
      "\uDC4D",
      "\u0000",
      "\u007f",
      "\u0080",
      "\u07ff",
      "\u0800",
      "\uffff",
    ];
    let seed = 7;
    const next = (limit: number) => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return (seed >>> 8) % limit;
    };
    const text = () => Array.from({ length: next(24) }, () => alphabet[next(alphabet.length)]).join("");
    for (let i = 0; i < 5_000; i++) {
      const flagSeed = text();
      const value = text();
      expect(bucket(flagSeed, value)).toBe(referenceMurmur3(`${flagSeed}.${value}`) % BUCKET_COUNT);
    }
  });

  it("gives the same bucket with a precomputed prefix", () => {
    const prefix = hashPrefix("new-checkout");
    for (let i = 0; i < 1_000; i++) {
      expect(bucketWithPrefix(prefix, `user-${i}`)).toBe(bucket("new-checkout", `user-${i}`));
    }
  });

  it("is deterministic and within [0, 100000)", () => {
    for (let i = 0; i < 10_000; i++) {
      const value = bucket("flag", `user-${i}`);
      expect(value).toBe(bucket("flag", `user-${i}`));
      expect(value >= 0 && value < BUCKET_COUNT && Number.isInteger(value)).toBe(true);
    }
  });
});
