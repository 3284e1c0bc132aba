/* `npm run worker`: the background jobs (activation, expiry, time-outs) in their own process, for a
 * deployment that runs them apart from the web app (set JOBS_IN_WEB=false there). Several workers
 * may run: pg-boss hands each job to one of them. Configured by the same environment as the app. */
import { getCatalog } from "../lib/config/catalog";
import { stopBoss } from "../lib/jobs/boss";
import { startJobs } from "../lib/jobs/start-jobs";

getCatalog(); // an invalid catalog stops the worker at start, naming file, line and problem
await startJobs();
console.log(
  "AKS JIT worker running: activation, expiry and time-out jobs. Ctrl-C or SIGTERM stops it after the jobs in hand.",
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void stopBoss().then(() => process.exit(0));
  });
}
