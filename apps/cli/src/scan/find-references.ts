/** The server's flag key pattern (`@switchyard/core`'s FLAG_KEY_PATTERN), without anchors. */
export const FLAG_KEY = "[a-z0-9][a-z0-9._-]{0,99}";

/**
 * SDK calls whose first argument is a flag key literal: the Switchyard SDKs (`isEnabled`,
 * `variation`, `variationDetail`) and OpenFeature clients (`getBooleanValue`, `getStringDetails`,
 * …, plus the snake_case spellings of Python SDKs and the Integer/Double/Float kinds of typed
 * languages).
 */
const SDK_METHODS = [
  "isEnabled",
  "variation",
  "variationDetail",
  "get(?:Boolean|String|Number|Object|Integer|Double|Float)(?:Value|Details)",
  "is_enabled",
  "variation_detail",
  "get_(?:boolean|string|number|object|integer|float)_(?:value|details)",
].join("|");
const SDK_CALL = new RegExp(`\\b(?:${SDK_METHODS})\\s*\\(\\s*(["'\`])(${FLAG_KEY})\\1`, "g");
const STRING_LITERAL = new RegExp(`(["'\`])(${FLAG_KEY})\\1`, "g");

/** A line holding this marker is never reported. */
export const IGNORE_MARKER = "switchyard-scan:ignore";
/** A line whose first non-blank characters are one of these is a comment and is skipped. */
export const DEFAULT_COMMENT_PREFIXES: readonly string[] = ["//", "#", "/*", "*", "<!--", "--"];

/** The matched line goes to the server trimmed and cut to this length — and no other source. */
export const MAX_TEXT_LENGTH = 200;

export interface LineReference {
  flag: string;
  line: number;
  /** The matched line, trimmed and truncated to MAX_TEXT_LENGTH. */
  text: string;
  /** How it was found: an SDK call, or an exact string literal of a known key. */
  via: "sdk-call" | "known-key";
}

export interface FindOptions {
  /** Keys that exist on the server (archived ones too): their exact string literals count. */
  knownKeys: ReadonlySet<string>;
  commentPrefixes: readonly string[];
}

/** Every flag reference in one file's text, one per flag and line. */
export function findReferences(source: string, options: FindOptions): LineReference[] {
  const found: LineReference[] = [];
  const lines = source.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? "";
    const trimmed = raw.trim();
    if (trimmed === "" || raw.includes(IGNORE_MARKER)) continue;
    if (options.commentPrefixes.some((prefix) => prefix !== "" && trimmed.startsWith(prefix))) continue;
    const seen = new Set<string>();
    const add = (flag: string, via: LineReference["via"]) => {
      if (seen.has(flag)) return;
      seen.add(flag);
      found.push({ flag, line: index + 1, text: truncate(trimmed), via });
    };
    for (const match of raw.matchAll(SDK_CALL)) if (match[2] !== undefined) add(match[2], "sdk-call");
    if (options.knownKeys.size > 0) {
      for (const match of raw.matchAll(STRING_LITERAL))
        if (match[2] !== undefined && options.knownKeys.has(match[2])) add(match[2], "known-key");
    }
  }
  return found;
}

/** Cuts by code point, so a character outside the BMP is never split into half a surrogate pair. */
function truncate(text: string): string {
  if (text.length <= MAX_TEXT_LENGTH) return text;
  return `${Array.from(text)
    .slice(0, MAX_TEXT_LENGTH - 1)
    .join("")}…`;
}
