import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["apps/*/test/**/*.test.ts"],
          globalSetup: ["./test/support/services.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/packaged.test.ts"],
          globalSetup: ["./test/support/services.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Builds every package, packs and installs them: CPU-heavy, so it runs after the other
        // projects instead of slowing their timing-sensitive tests.
        test: {
          name: "packaged",
          include: ["test/packaged.test.ts"],
          globalSetup: ["./test/support/services.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
