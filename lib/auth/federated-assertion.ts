import { readFile } from "node:fs/promises";
import { decodeJwt } from "jose";

/** As long as @azure/identity's WorkloadIdentityCredential keeps the file's content (readFileContents). */
const CACHE_MS = 5 * 60 * 1000;

/**
 * Entra Workload ID's client assertion for MSAL: the projected service account token in
 * AZURE_FEDERATED_TOKEN_FILE, which kubelet rewrites before it expires (1 hour by default). Read
 * again after 5 minutes, like the Azure SDK, and as soon as the copy in hand has expired: an
 * assertion read once at start-up (as Azure/azure-workload-identity's examples/msal-node does)
 * would fail every sign-in of a long-running pod after an hour. MSAL calls this for every token
 * request. `now` is injectable for tests.
 */
export function federatedAssertion(tokenFile: string, now: () => number = Date.now) {
  let cached: { assertion: string; readAt: number; expiresAt: number } | undefined;
  return async (): Promise<string> => {
    const at = now();
    if (cached && at - cached.readAt < CACHE_MS && at < cached.expiresAt) return cached.assertion;
    const assertion = (await readFile(tokenFile, "utf8")).trim();
    if (!assertion) throw new Error(`The federated token file ${tokenFile} (AZURE_FEDERATED_TOKEN_FILE) is empty.`);
    cached = { assertion, readAt: at, expiresAt: expiryOf(assertion) };
    return assertion;
  };
}

/** The assertion's `exp` in milliseconds; Infinity when it has none (Entra will say what is wrong). */
function expiryOf(assertion: string) {
  try {
    const { exp } = decodeJwt(assertion);
    return typeof exp === "number" ? exp * 1000 : Infinity;
  } catch {
    return Infinity;
  }
}
