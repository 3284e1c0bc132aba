import { rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { startFileStacks } from "../support/file-stacks";
import { writeTestCatalog } from "../support/test-catalog";

declare module "vitest" {
  export interface ProvidedContext {
    fileStacksUrl: string;
  }
}

/** One PostgreSQL for the whole integration run, and a fresh database and emulator for each test file. */
export default async function setup(project: TestProject) {
  const { catalogPath, testClusterIds } = writeTestCatalog();
  const stacks = await startFileStacks({ catalogPath, testClusterIds, spares: project.config.maxWorkers });
  project.provide("fileStacksUrl", stacks.url);
  return async () => {
    await stacks.stop();
    rmSync(catalogPath, { force: true });
  };
}
