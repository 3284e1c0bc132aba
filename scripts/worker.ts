/* `npm run worker` (the image's `node worker.mjs`): the background jobs in their own process, for a
 * deployment that runs them apart from the web app (JOBS_IN_WEB=false there). Several workers may
 * run: pg-boss hands each job to one of them. Configured by the same environment as the app; a bad
 * variable or catalog stops it with exit code 1. SIGTERM stops it after the jobs in hand. */
import { checkConfiguration } from "../lib/ops/configuration";

await checkConfiguration("The worker");
const { startWorkerProcess } = await import("../lib/ops/start-process");
await startWorkerProcess();
console.log(
  "AKS JIT worker running: activation, expiry and time-out jobs. Ctrl-C or SIGTERM stops it after the jobs in hand.",
);
