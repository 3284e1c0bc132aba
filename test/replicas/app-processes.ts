/* Web and worker processes from the production build (`npm run build` → .next/standalone), started
 * as a pod starts them: `node server.js` / `node worker.mjs` from that folder, each in its own process
 * group with its own ports, its output in a log file of the run. */
import type { ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../../scripts/lib/paths";
import { start } from "../../scripts/lib/processes";
import { freePort } from "../support/stack";

export const STANDALONE = path.join(ROOT, ".next", "standalone");

/** The build is made once before the slow suites (e2e, image, replicas); this suite never builds. */
export function assertBuilt() {
  for (const file of ["server.js", "worker.mjs", "migrate.mjs"]) {
    if (!existsSync(path.join(STANDALONE, file))) {
      throw new Error(`${path.join(STANDALONE, file)} is missing: run \`npm run build\` first, then test:replicas.`);
    }
  }
}

export interface AppProcess {
  name: string;
  kind: "web" | "worker";
  child: ChildProcess;
  /** the app's HTTP address (web only) */
  url: string | null;
  /** readiness as Kubernetes probes it: web /api/health/ready, worker OPS_PORT/readyz */
  readyUrl: string;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startApp(
  kind: "web" | "worker",
  name: string,
  env: Record<string, string>,
  runDir: string,
): Promise<AppProcess> {
  const port = await freePort();
  const opsPort = await freePort();
  const logFile = path.join(runDir, `${name}.log`);
  const out = openSync(logFile, "a");
  const child = start(process.execPath, [kind === "web" ? "server.js" : "worker.mjs"], {
    cwd: STANDALONE,
    // Only what a pod would have: no test runner variables.
    env: {
      PATH: process.env.PATH ?? "",
      ...env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      OPS_PORT: String(opsPort),
      ...(kind === "web" ? { PORT: String(port), HOSTNAME: "127.0.0.1", JOBS_IN_WEB: "false" } : {}),
    },
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = kind === "web" ? `http://127.0.0.1:${port}` : null;
  const readyUrl = kind === "web" ? `${url}/api/health/ready` : `http://127.0.0.1:${opsPort}/readyz`;
  return { name, kind, child, url, readyUrl, logFile, exited };
}

export const isRunning = (app: AppProcess) => app.child.exitCode === null && app.child.signalCode === null;

/** The readiness status, or null when nothing answers (not listening, or no answer within 5 s). */
export async function readyStatus(app: AppProcess): Promise<number | null> {
  try {
    const response = await fetch(app.readyUrl, { signal: AbortSignal.timeout(5_000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return null;
  }
}

export async function waitUntilReady(app: AppProcess, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(app)) throw new Error(`${app.name} exited before it was ready:\n${logTail(app)}`);
    if ((await readyStatus(app)) === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${app.name} was not ready after ${timeoutMs / 1000} s:\n${logTail(app)}`);
}

export function logTail(app: AppProcess, lines = 40) {
  const text = existsSync(app.logFile) ? readFileSync(app.logFile, "utf8") : "";
  return `--- ${app.name} (${app.logFile}) ---\n${text.trimEnd().split("\n").slice(-lines).join("\n")}`;
}
