/**
 * Deterministic bucketing. THIS ALGORITHM MUST NEVER CHANGE: every SDK, the server and every
 * past rollout depend on a context landing in the same bucket forever.
 *
 *   bucket(seed, value) = murmur3_x86_32(utf8(seed + "." + value), 0) mod 100000
 *
 * - `seed` is the rollout's `salt`, or the flag key when the rollout has no salt; `value` is
 *   the context attribute named by `bucketBy` (default `key`): a string as is, a safe integer
 *   (|n| <= 2^53 - 1) in its shortest decimal form (`42`, `-7`; never `42.0`).
 * - utf8: standard UTF-8 of the string's code points (WHATWG TextEncoder); a lone UTF-16
 *   surrogate is encoded as U+FFFD (EF BF BD).
 * - murmur3_x86_32: Austin Appleby's MurmurHash3_x86_32, seed 0, c1 = 0xcc9e2d51,
 *   c2 = 0x1b873593; 4-byte blocks read little-endian: k = imul(k, c1); k = rotl(k, 15);
 *   k = imul(k, c2); h ^= k; h = rotl(h, 13); h = h * 5 + 0xe6546b64. The 1–3 tail bytes,
 *   if any, form k little-endian: k = imul(k, c1); k = rotl(k, 15); k = imul(k, c2); h ^= k.
 *   Then h ^= byteLength (the UTF-8 length) and the fmix32 finaliser (h ^= h >>> 16; h = imul(h, 0x85ebca6b); h ^= h >>> 13;
 *   h = imul(h, 0xc2b2ae35); h ^= h >>> 16). All arithmetic is on unsigned 32-bit integers.
 * - The 32-bit result, read as an unsigned integer, modulo 100000 gives the bucket in
 *   [0, 100000); weights are expressed in the same unit (thousandths of a percent).
 *
 * Reference values: bucket("flag", "user-1") = 48881, bucket("a", "b") = 40422,
 * bucket("ñandú", "用户-42") = 84789; packages/core/cases.json pins more ("buckets").
 */

export const BUCKET_COUNT = 100_000;

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Hash state after `${seed}.` has been consumed, so each evaluation only hashes the value. */
export interface HashPrefix {
  readonly h1: number;
  /** Bytes not yet forming a full block, little-endian. */
  readonly pending: number;
  readonly pendingBytes: number;
  readonly byteLength: number;
}

function mixBlock(h1: number, block: number): number {
  let k = Math.imul(block, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  let h = h1 ^ k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * The UTF-8 bytes of the code point starting at `index` of `text`, packed little-endian into
 * one 32-bit integer, and how many chars the code point used (1 or 2) and bytes it has.
 */
function encodeCodePoint(text: string, index: number, out: Int32Array): void {
  let codePoint = text.charCodeAt(index);
  let chars = 1;
  if (codePoint >= 0xd800 && codePoint <= 0xdbff && index + 1 < text.length) {
    const low = text.charCodeAt(index + 1);
    if (low >= 0xdc00 && low <= 0xdfff) {
      codePoint = 0x10000 + ((codePoint - 0xd800) << 10) + (low - 0xdc00);
      chars = 2;
    }
  }
  if (chars === 1 && codePoint >= 0xd800 && codePoint <= 0xdfff) codePoint = 0xfffd;
  let packed: number;
  let bytes: number;
  if (codePoint < 0x80) {
    packed = codePoint;
    bytes = 1;
  } else if (codePoint < 0x800) {
    packed = 0xc0 | (codePoint >> 6) | ((0x80 | (codePoint & 0x3f)) << 8);
    bytes = 2;
  } else if (codePoint < 0x10000) {
    packed = 0xe0 | (codePoint >> 12) | ((0x80 | ((codePoint >> 6) & 0x3f)) << 8) | ((0x80 | (codePoint & 0x3f)) << 16);
    bytes = 3;
  } else {
    packed =
      0xf0 |
      (codePoint >> 18) |
      ((0x80 | ((codePoint >> 12) & 0x3f)) << 8) |
      ((0x80 | ((codePoint >> 6) & 0x3f)) << 16) |
      ((0x80 | (codePoint & 0x3f)) << 24);
    bytes = 4;
  }
  out[0] = packed;
  out[1] = bytes;
  out[2] = chars;
}

const scratch = new Int32Array(3);

/**
 * Feeds `text` (as UTF-8) into a running hash. Returns the new state through `state`
 * ([h1, pending, pendingBytes, byteLength]) to keep the ASCII loop on local variables.
 */
function feed(text: string, state: Int32Array): void {
  let h1 = state[0] ?? 0;
  let pending = state[1] ?? 0;
  let shift = (state[2] ?? 0) * 8;
  let length = state[3] ?? 0;
  const count = text.length;
  for (let i = 0; i < count; i++) {
    const char = text.charCodeAt(i);
    if (char < 0x80) {
      pending |= char << shift;
      length++;
      shift += 8;
      if (shift === 32) {
        h1 = mixBlock(h1, pending);
        pending = 0;
        shift = 0;
      }
      continue;
    }
    encodeCodePoint(text, i, scratch);
    const packed = scratch[0] ?? 0;
    const bytes = scratch[1] ?? 0;
    i += (scratch[2] ?? 1) - 1;
    for (let b = 0; b < bytes; b++) {
      pending |= ((packed >>> (b * 8)) & 0xff) << shift;
      length++;
      shift += 8;
      if (shift === 32) {
        h1 = mixBlock(h1, pending);
        pending = 0;
        shift = 0;
      }
    }
  }
  state[0] = h1;
  state[1] = pending;
  state[2] = shift >>> 3;
  state[3] = length;
}

function finish(h1: number, pending: number, pendingBytes: number, byteLength: number): number {
  let h = h1;
  if (pendingBytes > 0) {
    let k = Math.imul(pending, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= byteLength;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const prefixState = new Int32Array(4);

/** Precomputes the hash of `${seed}.`; pair with {@link bucketWithPrefix}. */
export function hashPrefix(seed: string): HashPrefix {
  prefixState.fill(0);
  feed(seed, prefixState);
  feed(".", prefixState);
  return Object.freeze({
    h1: prefixState[0] ?? 0,
    pending: prefixState[1] ?? 0,
    pendingBytes: prefixState[2] ?? 0,
    byteLength: prefixState[3] ?? 0,
  });
}

const valueState = new Int32Array(4);

/** `hash` (an unsigned 32-bit value held in an int32) mod 100000, in integer arithmetic only. */
function toBucket(hash: number): number {
  // (h >>> 0) % n would go through a double; (h >>> 1) fits 31 bits and stays an integer.
  return (((hash >>> 1) % BUCKET_COUNT) * 2 + (hash & 1)) % BUCKET_COUNT;
}

function finishToBucket(state: Int32Array): number {
  return toBucket(finish(state[0] ?? 0, state[1] ?? 0, state[2] ?? 0, state[3] ?? 0));
}

/** Continues a hash whose state sits in `valueState` with `value` from `index`, any characters. */
function bucketSlowPath(value: string, index: number): number {
  feed(value.slice(index), valueState);
  return finishToBucket(valueState);
}

/**
 * The bucket of `value` under a precomputed seed prefix. Allocation-free for ASCII values,
 * which are read four characters (one murmur3 block) at a time straight from the string.
 */
export function bucketWithPrefix(prefix: HashPrefix, value: string): number {
  const count = value.length;
  let h1 = prefix.h1;
  let pending = prefix.pending;
  let shift = prefix.pendingBytes * 8;
  let i = 0;
  // Complete the block the prefix left partly filled.
  if (shift !== 0) {
    for (; i < count && shift !== 32; i++) {
      const char = value.charCodeAt(i);
      if (char >= 0x80) break;
      pending |= char << shift;
      shift += 8;
    }
    if (shift === 32) {
      h1 = mixBlock(h1, pending);
      pending = 0;
      shift = 0;
    }
  }
  if (shift === 0) {
    const blocksEnd = i + ((count - i) & ~3);
    for (; i < blocksEnd; i += 4) {
      const c0 = value.charCodeAt(i);
      const c1 = value.charCodeAt(i + 1);
      const c2 = value.charCodeAt(i + 2);
      const c3 = value.charCodeAt(i + 3);
      if ((c0 | c1 | c2 | c3) >= 0x80) break;
      h1 = mixBlock(h1, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
    }
    for (; i < count; i++) {
      const char = value.charCodeAt(i);
      if (char >= 0x80) break;
      pending |= char << shift;
      shift += 8;
    }
  }
  if (i === count) {
    return toBucket(finish(h1, pending, shift >>> 3, prefix.byteLength + count));
  }
  valueState[0] = h1;
  valueState[1] = pending;
  valueState[2] = shift >>> 3;
  valueState[3] = prefix.byteLength + i;
  return bucketSlowPath(value, i);
}

/** MurmurHash3 x86 32-bit, seed 0, over the UTF-8 bytes of `text`. */
export function murmur3(text: string): number {
  valueState.fill(0);
  feed(text, valueState);
  return finish(valueState[0] ?? 0, valueState[1] ?? 0, valueState[2] ?? 0, valueState[3] ?? 0);
}

/** The bucket, in [0, 100000), of `value` for a rollout seeded with `seed`. */
export function bucket(seed: string, value: string): number {
  return bucketWithPrefix(hashPrefix(seed), value);
}
