/** `base64url(JSON)` of a context, as `/api/client/stream?context=` expects (UTF-8, no padding). */
export function encodeContext(context: unknown): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(JSON.stringify(context))) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
