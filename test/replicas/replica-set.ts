/* N web + M worker processes of the production build on one database, as the chart deploys them. */
import { stop } from "../../scripts/lib/processes";
import { isRunning, startApp, waitUntilReady, type AppProcess } from "./app-processes";

export interface ReplicaSet {
  webs: AppProcess[];
  workers: AppProcess[];
  all: AppProcess[];
  /** when every process answered its readiness probe with 200 */
  readyAt: number;
  /** SIGTERM to each process group, SIGKILL after 20 s: nothing is left running. Returns how each ended. */
  stop(): Promise<Array<{ name: string; code: number | null; signal: NodeJS.Signals | null }>>;
}

export async function startReplicaSet(
  env: Record<string, string>,
  runDir: string,
  options: { label: string; webs: number; workers: number },
): Promise<ReplicaSet> {
  const all: AppProcess[] = [];
  const stopAll = () =>
    Promise.all(all.map(async (app) => (await Promise.all([app.exited, stop(app.child, 20_000)]))[0])).then((exits) =>
      exits.map((exit, i) => ({ name: all[i]!.name, ...exit })),
    );
  try {
    for (let i = 1; i <= options.webs; i++) all.push(await startApp("web", `${options.label}-web-${i}`, env, runDir));
    for (let i = 1; i <= options.workers; i++)
      all.push(await startApp("worker", `${options.label}-worker-${i}`, env, runDir));
    await Promise.all(all.map((app) => waitUntilReady(app)));
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    webs: all.filter((app) => app.kind === "web"),
    workers: all.filter((app) => app.kind === "worker"),
    all,
    readyAt: Date.now(),
    stop: stopAll,
  };
}

export const stillRunning = (set: ReplicaSet) => set.all.filter(isRunning).map((app) => app.name);
