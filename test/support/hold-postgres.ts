/* Child process for the stale-server test: starts an embedded PostgreSQL and waits to be killed. */
import { startEmbeddedPostgres } from "../../lib/db/embedded-postgres";

const [dataDir, port, logFile] = process.argv.slice(2);
await startEmbeddedPostgres({ dataDir: dataDir!, port: Number(port), database: "held", logFile: logFile! });
console.log("ready");
setInterval(() => {}, 60_000);
