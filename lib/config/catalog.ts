import "server-only";
import { readFileSync } from "node:fs";
import path from "node:path";
import { env } from "@/lib/config/env";
import { CatalogError, parseCatalog, type Catalog } from "./catalog-schema";

// On globalThis, not in a module variable: Next bundles instrumentation.ts and the routes separately,
// each with its own copy of this module, and the pages must use the very catalog start-up validated.
const LOADED = Symbol.for("aks-jit.catalog");
const holder = globalThis as { [LOADED]?: Catalog };

/**
 * The access catalog, read and validated once per process: instrumentation.ts calls this at start-up,
 * so an invalid file stops the app before anyone can request access under a half-read policy. Edits
 * to the file take effect on restart.
 */
export function getCatalog(): Catalog {
  const cached = holder[LOADED];
  // Checked against the path because test workers share globalThis across files with different settings.
  if (cached?.file === env.CATALOG_PATH) return cached;
  // A channel naming a webhook NOTIFY_WEBHOOKS lacks is a problem of the file, at its line.
  const catalog = parseCatalog(readCatalogFile(env.CATALOG_PATH), env.CATALOG_PATH, {
    webhookNames: Object.keys(env.NOTIFY_WEBHOOKS),
  });
  holder[LOADED] = catalog;
  return catalog;
}

function readCatalogFile(file: string): string {
  try {
    // The catalog is deployment configuration read at run time: without the ignore comment, Next's
    // file tracing cannot tell which file this is and copies the whole project into the build output.
    return readFileSync(path.resolve(/* turbopackIgnore: true */ process.cwd(), file), "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CatalogError([{ file, path: "", message: `cannot be read (CATALOG_PATH): ${reason}` }]);
  }
}
