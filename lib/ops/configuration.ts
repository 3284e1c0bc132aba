import "server-only";

/**
 * Every process checks its whole configuration before it does anything else: the environment
 * (lib/config/env.js throws, naming each bad variable) and the access catalog (file, line, field).
 * Anything wrong stops the process with exit code 1, so that Kubernetes shows a crash-looping pod
 * with the reason in its log instead of a server that answers every request with 500.
 * Returns the problems instead of exiting when `exitOnProblems` is false (`npm run config:check`).
 */
export async function checkConfiguration(processName: string, { exitOnProblems = true } = {}): Promise<string[]> {
  const problems: string[] = [];
  try {
    // Imported here, not at the top: importing the env module is what validates it.
    await import("@/lib/config/env");
  } catch (error) {
    problems.push(messageOf(error));
  }
  if (problems.length === 0) {
    const { getCatalog } = await import("@/lib/config/catalog");
    const { CatalogError } = await import("@/lib/config/catalog-schema");
    try {
      getCatalog();
    } catch (error) {
      if (!(error instanceof CatalogError)) throw error;
      problems.push(`Invalid access catalog. Fix these problems and start again:\n${error.message}`);
    }
  }
  if (problems.length > 0 && exitOnProblems) {
    console.error(`${processName} cannot start.\n${problems.join("\n")}`);
    process.exit(1);
  }
  return problems;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
