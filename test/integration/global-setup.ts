import type { TestProject } from "vitest/node";
import { startTestStack } from "../support/stack";

declare module "vitest" {
  export interface ProvidedContext {
    appEnv: Record<string, string>;
  }
}

/** One PostgreSQL and one emulator for the whole integration run; stopped when it ends. */
export default async function setup(project: TestProject) {
  const stack = await startTestStack();
  project.provide("appEnv", stack.env);
  return () => stack.stop();
}
