import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: ["./src/store/schema.ts", "./src/store/deploy-schema.ts", "./src/store/rehearsal-schema.ts"],
  out: "./migrations",
});
