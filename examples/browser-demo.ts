// npx tsx examples/browser-demo.ts — serves a page that shows every flag's value for one context,
// live, using @switchyard/sdk-browser. Open the printed URL, then toggle a flag through the API.
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const api = process.env.SWITCHYARD_URL ?? "http://127.0.0.1:4242";
const token = process.env.SWITCHYARD_CLIENT_TOKEN ?? "";
const port = Number(process.env.PORT ?? 5173);
if (!token) {
  console.error('Set SWITCHYARD_CLIENT_TOKEN to a client token (POST /api/tokens {"kind":"client",…}).');
  process.exit(1);
}

const bundle = await build({
  entryPoints: [fileURLToPath(new URL("../packages/sdk-browser/src/index.ts", import.meta.url))],
  bundle: true,
  format: "esm",
  platform: "browser",
  minify: true,
  write: false,
});
const sdk = bundle.outputFiles[0]?.text ?? "";

const page = `<!doctype html>
<meta charset="utf-8"><title>Switchyard live flags</title>
<style>body{font:16px system-ui;margin:2rem} td{padding:.2rem 1rem} .on{color:#080;font-weight:bold}</style>
<h1>Flags for <code>user-42</code></h1><table id="flags"></table>
<script type="module">
  import { createClient } from "/sdk.js";
  const flags = createClient({ url: ${JSON.stringify(api)}, token: ${JSON.stringify(token)}, context: { key: "user-42", plan: "pro" } });
  const render = () => {
    document.getElementById("flags").innerHTML = Object.entries(flags.allFlags())
      .map(([key, f]) => "<tr><td>" + key + "</td><td class=" + (f.value === true ? "on" : "") + ">" + JSON.stringify(f.value) + "</td></tr>")
      .join("");
  };
  flags.on("ready", render);
  flags.on("change", render);
  render();
</script>`;

createServer((req, res) => {
  if (req.url === "/sdk.js") {
    res.writeHead(200, { "content-type": "text/javascript" }).end(sdk);
    return;
  }
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
}).listen(port, "127.0.0.1", () => console.log(`Open http://127.0.0.1:${port} — toggle a flag in production and watch it change.`));
