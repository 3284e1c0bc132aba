import "server-only";
import { createRemoteJWKSet, errors, type JWTHeaderParameters } from "jose";
import { AppError } from "@/lib/errors";
import { AUTHORITY } from "./msal";

/**
 * What every token our tenant signs is checked against: its issuer and its published keys. Shared
 * by the API's bearer tokens (lib/api/access-token.ts) and step-up ID tokens (step-up.ts).
 */
export const ISSUER = `${AUTHORITY}/v2.0`;
const JWKS_URL = `${AUTHORITY}/discovery/v2.0/keys`;

// On globalThis: Next bundles each route separately, and every copy of this module should share
// one key set (and its fetch cool-down) per process. Keyed by URL because test files may differ.
const KEY_SETS = Symbol.for("aks-jit.api.jwks");
const holder = globalThis as { [KEY_SETS]?: Map<string, ReturnType<typeof createRemoteJWKSet>> };

function tenantKeys() {
  const keySets = (holder[KEY_SETS] ??= new Map());
  let keys = keySets.get(JWKS_URL);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(JWKS_URL));
    keySets.set(JWKS_URL, keys);
  }
  return keys;
}

/**
 * The key for a token's `kid`. A token signed with a key the tenant does not publish is the
 * caller's problem (401); failing to fetch the published keys at all is ours (502).
 */
export async function signingKey(header: JWTHeaderParameters) {
  try {
    return await tenantKeys()(header);
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
    throw new AppError("UPSTREAM", {
      message: `cannot read the tenant's signing keys at ${JWKS_URL}: ${String(error)}`,
      userMessage: "Your access token could not be checked because Entra ID did not answer. Try again in a minute.",
      cause: error,
    });
  }
}
