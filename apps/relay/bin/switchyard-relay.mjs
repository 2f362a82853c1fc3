#!/usr/bin/env node
// In the workspace the relay is TypeScript run through tsx, like the server and the CLI; the
// published package's bin is the built dist/main.js.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
