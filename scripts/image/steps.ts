/* The image test's small pieces: timed steps, assertions that say what was expected, HTTP polling. */
import { AsyncLocalStorage } from "node:async_hooks";
import type { ContainerProcess } from "./container";

export const timings: Array<{ step: string; ms: number }> = [];

// Steps may run side by side: each one's notes are printed under its own line when it ends.
const notes = new AsyncLocalStorage<string[]>();

export async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const lines: string[] = [];
  const print = (mark: string) => {
    console.log(`  ${mark} ${name} (${seconds(Date.now() - started)})`);
    for (const line of lines) console.log(`      ${line}`);
  };
  try {
    const result = await notes.run(lines, body);
    timings.push({ step: name, ms: Date.now() - started });
    print("✔");
    return result;
  } catch (error) {
    print("✘");
    throw error;
  }
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function note(text: string) {
  const lines = notes.getStore();
  if (lines) lines.push(text);
  else console.log(`      ${text}`);
}

export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Polls `url` until it answers `status`; fails early if the process serving it exits. */
export async function waitForStatus(url: string, process: ContainerProcess, status = 200, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (!process.isRunning())
      throw new Error(`${process.name} exited before ${url} answered. Its output:\n${process.output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      const body = await response.text();
      if (response.status === status) return body;
      last = `${response.status} ${body.slice(0, 300)}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `${url} did not answer ${status} within ${timeoutMs / 1000} s (last: ${last}). ${process.name}'s output:\n${process.output()}`,
  );
}
