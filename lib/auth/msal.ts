import "server-only";
import { ConfidentialClientApplication, LogLevel } from "@azure/msal-node";
import { env } from "@/lib/config/env";
import { log } from "@/lib/log";
import { federatedAssertion } from "./federated-assertion";

/** Delegated scopes asked at sign-in: profile, plus User.Read for Graph's /me/transitiveMemberOf on groups overage. */
export const SIGN_IN_SCOPES = ["User.Read"];

export const AUTHORITY = `${env.ENTRA_AUTHORITY_HOST}/${env.ENTRA_TENANT_ID}`;

let client: ConfidentialClientApplication | undefined;

/**
 * The app's one MSAL confidential client. `knownAuthorities` names the authority host so MSAL
 * skips its instance-discovery call to login.microsoftonline.com: required for the emulator,
 * harmless for Entra ID itself. MSAL hides the cause of discovery failures behind
 * `endpoints_resolution_error`; its verbose log (LOG_LEVEL=debug) shows the real one.
 */
export function msalClient() {
  client ??= new ConfidentialClientApplication({
    auth: {
      clientId: env.ENTRA_CLIENT_ID,
      // Exactly one is configured (lib/config/env-schema.js): Workload ID's projected token, re-read
      // as it rotates, or a client secret.
      ...(env.AZURE_FEDERATED_TOKEN_FILE
        ? { clientAssertion: federatedAssertion(env.AZURE_FEDERATED_TOKEN_FILE) }
        : { clientSecret: env.ENTRA_CLIENT_SECRET }),
      authority: AUTHORITY,
      knownAuthorities: [new URL(env.ENTRA_AUTHORITY_HOST).host],
    },
    system: {
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: env.LOG_LEVEL === "debug" || env.LOG_LEVEL === "trace" ? LogLevel.Verbose : LogLevel.Warning,
        loggerCallback: (level, message) => {
          if (level === LogLevel.Error) log.error({ msal: message }, "msal");
          else if (level === LogLevel.Warning) log.warn({ msal: message }, "msal");
          else log.debug({ msal: message }, "msal");
        },
      },
    },
  });
  return client;
}

export function endSessionUrl(postLogoutRedirectUri: string) {
  const url = new URL(`${AUTHORITY}/oauth2/v2.0/logout`);
  url.searchParams.set("post_logout_redirect_uri", postLogoutRedirectUri);
  return url.href;
}
