/** Next.js start-up hook: an invalid access catalog stops the server before it serves a request. */
export async function register() {
  // The import stays inside the check so that the Edge bundle, where the check is false at build
  // time, never pulls in node:fs.
  // eslint-disable-next-line no-restricted-syntax -- Next sets NEXT_RUNTIME, not us
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { getCatalog } = await import("./lib/config/catalog");
    const { CatalogError } = await import("./lib/config/catalog-schema");
    try {
      getCatalog();
    } catch (error) {
      if (!(error instanceof CatalogError)) throw error;
      console.error(`Invalid access catalog. Fix these problems and start again:\n${error.message}`);
      process.exit(1);
    }
    const { env } = await import("./lib/config/env");
    if (env.JOBS_IN_WEB) {
      const { startJobs } = await import("./lib/jobs/start-jobs");
      await startJobs();
    }
  }
}
