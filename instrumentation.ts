/**
 * Next.js start-up hook, run once when the server starts: a bad variable or catalog stops the
 * process with exit code 1 and names the problem (a server that answered every request with 500
 * would look alive to Kubernetes), then the operations port and, with JOBS_IN_WEB, the jobs start.
 * Before all that, the hook that records each request's socket address (lib/http/socket-address.ts).
 */
export async function register() {
  // The imports stay inside the check so that the Edge bundle, where the check is false at build
  // time, never pulls in node:fs.
  // eslint-disable-next-line no-restricted-syntax -- Next sets NEXT_RUNTIME, not us
  if (process.env.NEXT_RUNTIME === "nodejs") {
    // First: every request from now on carries its socket's address, which the client IP starts from.
    const { recordSocketAddresses } = await import("./lib/http/socket-address");
    recordSocketAddresses();
    const { checkConfiguration } = await import("./lib/ops/configuration");
    await checkConfiguration("The web server");
    const { startWebProcess } = await import("./lib/ops/start-process");
    await startWebProcess();
  }
}
