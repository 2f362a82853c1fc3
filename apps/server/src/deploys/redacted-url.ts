/**
 * A webhook URL as logs may show it: without `user:password@` and without the query, where
 * receivers often put their secret (`?token=…`). Only the server's database keeps the whole URL.
 */
export function redactedUrl(url: string): string {
  if (!URL.canParse(url)) return "(not a URL)";
  const parsed = new URL(url);
  const credentials = parsed.username !== "" || parsed.password !== "";
  parsed.username = "";
  parsed.password = "";
  const query = parsed.search !== "";
  parsed.search = "";
  parsed.hash = "";
  const text = parsed.toString();
  return `${credentials ? text.replace("://", "://***@") : text}${query ? "?…" : ""}`;
}
