// The `<script>`-tag build: tsup wraps this entry in an IIFE assigned to `window.Switchyard`.
export { createClient } from "./client";
