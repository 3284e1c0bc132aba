/* Entra Workload ID in the emulator: a Kubernetes cluster's OIDC issuer (what AKS publishes when its
 * OIDC issuer is enabled, and the projected service account tokens kubelet writes into pods), and
 * Entra's side of the exchange: a federated token presented as the app's client assertion, checked
 * against the app registration's federated identity credentials.
 *
 * Sources: MicrosoftDocs/azure-aks-docs articles/aks/workload-identity-overview.md (the webhook's
 * variables, the token file, audience api://AzureADTokenExchange, subject
 * system:serviceaccount:<namespace>:<name>); MicrosoftDocs/azure-docs
 * articles/active-directory/workload-identities/workload-identity-federation.md and
 * Azure/azure-workload-identity docs/book/src/topics/federated-identity-credential.md (issuer,
 * subject and audience must match a credential exactly; case-sensitive since 2025, Entra's
 * "Federated identity credentials now use case-sensitive matching", learn.microsoft.com/entra/
 * identity-platform/reference-breaking-changes); the error codes below, each at its check. */
import { createHash } from "node:crypto";
import https from "node:https";
import type { ServerResponse } from "node:http";
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet, type JWTPayload } from "jose";
import type { EmulatorContext } from "./context";
import { authenticated } from "./graph";
import { type EmulatorRequest, type Router, sendGraphError, sendJson } from "./http";
import type { Application, FederatedIdentityCredential } from "./tenant";
import { SigningKey } from "./tokens";

export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** Entra's token exchange audience in Azure's public cloud. */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
const ISSUER_PATH = "/_emulator/k8s";
/** Seed files name the emulator's own URL this way: its port is known only once it listens. */
const EMULATOR_PLACEHOLDER = "{emulator}";

export const clusterIssuerUrl = (ctx: Pick<EmulatorContext, "baseUrl">) => `${ctx.baseUrl}${ISSUER_PATH}`;

/** A credential's issuer with "{emulator}" replaced by the running emulator's URL. */
export function resolvedIssuer(fic: FederatedIdentityCredential, ctx: Pick<EmulatorContext, "baseUrl">) {
  return fic.issuer.startsWith(EMULATOR_PLACEHOLDER)
    ? `${ctx.baseUrl}${fic.issuer.slice(EMULATOR_PLACEHOLDER.length)}`
    : fic.issuer;
}

/** Why Entra refuses a client assertion: its AADSTS code and description (error `invalid_client`, 401). */
export interface AssertionRefusal {
  aadsts: number;
  description: string;
}

const CHECK_FIC =
  "Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation";

/**
 * Checks a federated client assertion for `app`; undefined when Entra would accept it. Order: the
 * app must trust the token's issuer, then its subject, then its audience (each mismatch has its own
 * code), then the token must carry the issuer's signature (keys fetched from the issuer's discovery
 * document, as Entra does) and be within its lifetime.
 */
export async function checkClientAssertion(
  ctx: EmulatorContext,
  app: Application,
  assertion: string,
): Promise<AssertionRefusal | undefined> {
  let claims: JWTPayload;
  try {
    claims = decodeJwt(assertion);
  } catch {
    // AADSTS50027 (reference-error-codes.md in MicrosoftDocs/entra-docs: InvalidJwtToken).
    return { aadsts: 50027, description: "JWT token is invalid or malformed." };
  }
  const issuer = String(claims.iss ?? "");
  const subject = String(claims.sub ?? "");
  const audiences = typeof claims.aud === "string" ? [claims.aud] : (claims.aud ?? []);
  const fics = app.federatedIdentityCredentials;
  // Matching is exact and case-sensitive (the breaking-changes note above).
  const byIssuer = fics.filter((fic) => resolvedIssuer(fic, ctx) === issuer);
  if (fics.length === 0) {
    // AADSTS70021 (Azure/azure-workload-identity#340; MicrosoftDocs/azure-devops-docs
    // docs/pipelines/release/includes/errors-workload-identity.md).
    return {
      aadsts: 70021,
      description: `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. Assertion Subject: '${subject}'. Assertion Audience: '${audiences.join(",")}'. ${CHECK_FIC}`,
    };
  }
  if (byIssuer.length === 0) {
    // AADSTS700211 (Azure/azure-workload-identity#1200).
    return {
      aadsts: 700211,
      description: `No matching federated identity record found for presented assertion issuer '${issuer}'. ${CHECK_FIC}`,
    };
  }
  const bySubject = byIssuer.filter((fic) => fic.subject === subject);
  if (bySubject.length === 0) {
    // AADSTS700213 (Azure/azure-workload-identity#1200, Azure/login#517).
    return {
      aadsts: 700213,
      description: `No matching federated identity record found for presented assertion subject '${subject}'. ${CHECK_FIC}`,
    };
  }
  if (!bySubject.some((fic) => fic.audiences.some((audience) => audiences.includes(audience)))) {
    // AADSTS700212, as Entra answers it (a captured response in AthenZ/athenz
    // servers/zts/.../AzureAccessTokenProviderTest.java; the Azure DevOps Mooncake audience note in
    // MicrosoftDocs/azure-devops-docs).
    return {
      aadsts: 700212,
      description: `No matching federated identity record found for presented assertion audience '${audiences.join(",")}'. ${CHECK_FIC}`,
    };
  }
  let keys: JSONWebKeySet;
  try {
    keys = await issuerKeys(ctx, issuer);
  } catch {
    // AADSTS501661 (GitLab doc/ci/cloud_services/azure/index.md: Entra could not reach the issuer).
    return { aadsts: 501661, description: "Request to External OIDC endpoint failed." };
  }
  try {
    await jwtVerify(assertion, createLocalJWKSet(keys), { issuer, currentDate: ctx.now() });
  } catch (error) {
    const code = (error as { code?: string; claim?: string }).code;
    const claim = (error as { claim?: string }).claim;
    if (code === "ERR_JWT_EXPIRED" || (code === "ERR_JWT_CLAIM_VALIDATION_FAILED" && claim === "nbf")) {
      // AADSTS700024 (MicrosoftDocs/azure-devops-docs errors-workload-identity.md; message as Entra words it).
      const at = (seconds: unknown) => (typeof seconds === "number" ? new Date(seconds * 1000).toISOString() : "-");
      return {
        aadsts: 700024,
        description: `Client assertion is not within its valid time range. Current time: ${ctx.now().toISOString()}, assertion valid from ${at(claims.nbf ?? claims.iat)}, expiry time of assertion ${at(claims.exp)}. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .`,
      };
    }
    // AADSTS700027 (MicrosoftDocs/entra-docs reference-error-codes.md: InvalidKeyError / signature).
    return { aadsts: 700027, description: "Client assertion failed signature validation." };
  }
  return undefined;
}

/** The issuer's signing keys: its discovery document's jwks_uri, as any OIDC relying party reads them. */
async function issuerKeys(ctx: EmulatorContext, issuer: string): Promise<JSONWebKeySet> {
  const discovery = (await getJson(ctx, `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`)) as {
    jwks_uri?: string;
  };
  if (!discovery.jwks_uri) throw new Error(`${issuer} publishes no jwks_uri`);
  return (await getJson(ctx, discovery.jwks_uri)) as JSONWebKeySet;
}

/** GET over HTTPS, trusting the emulator's own CA (its issuer is itself, on a self-signed chain). */
function getJson(ctx: EmulatorContext, url: string): Promise<unknown> {
  if (!url.startsWith("https://")) return Promise.reject(new Error("the issuer must use https"));
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ca: ctx.tlsCa, timeout: 5_000 }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => {
        if (response.statusCode !== 200) return reject(new Error(`${url}: ${response.statusCode}`));
        try {
          resolve(JSON.parse(text));
        } catch (error) {
          reject(error);
        }
      });
    });
    request.on("timeout", () => request.destroy(new Error(`${url}: timed out`)));
    request.on("error", reject);
  });
}

const SERVICE_ACCOUNT_SUBJECT = /^system:serviceaccount:([^:]+):([^:]+)$/;

/** The cluster's OIDC issuer (its discovery document and keys) and kubelet's token minting, for tests. */
export function registerWorkloadIdentity(router: Router, ctx: EmulatorContext) {
  const clusterKey = new SigningKey();

  router.on("GET", `${ISSUER_PATH}/.well-known/openid-configuration`, (_req, res) => {
    // The shape of an AKS issuer's discovery document (Kubernetes service account issuer discovery).
    sendJson(res, 200, {
      issuer: clusterIssuerUrl(ctx),
      jwks_uri: `${clusterIssuerUrl(ctx)}/openid/v1/jwks`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
    });
  });
  router.on("GET", `${ISSUER_PATH}/openid/v1/jwks`, (_req, res) => sendJson(res, 200, { keys: [clusterKey.jwk()] }));

  /**
   * Test knob, kubelet's part: a projected service account token for `sub`
   * (system:serviceaccount:<namespace>:<name>), audience api://AzureADTokenExchange unless `aud`
   * says otherwise, valid `ttlSeconds` (3600 by default, as the webhook projects it) from `iat`
   * (unix seconds, default now on the emulator's clock). Write it to a file and point
   * AZURE_FEDERATED_TOKEN_FILE at it.
   */
  router.on("POST", `${ISSUER_PATH}/token`, async (req, res) => {
    const { sub, aud, ttlSeconds, iat } = req.body as {
      sub?: unknown;
      aud?: unknown;
      ttlSeconds?: unknown;
      iat?: unknown;
    };
    const lifetime = ttlSeconds === undefined ? 3600 : Number(ttlSeconds);
    if (typeof sub !== "string" || !sub || !Number.isInteger(lifetime) || lifetime < 1) {
      return sendJson(res, 400, {
        error: {
          code: "BadRequest",
          message: "sub (a string) is required; ttlSeconds must be a whole number of seconds",
        },
      });
    }
    const issuedAt = iat === undefined ? ctx.now() : new Date(Number(iat) * 1000);
    const [, namespace, name] = SERVICE_ACCOUNT_SUBJECT.exec(sub) ?? [];
    const token = await clusterKey.sign(
      {
        iss: clusterIssuerUrl(ctx),
        sub,
        aud: typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [TOKEN_EXCHANGE_AUDIENCE],
        ...(namespace ? { "kubernetes.io": { namespace, serviceaccount: { name } } } : {}),
      },
      lifetime,
      issuedAt,
    );
    sendJson(res, 200, { token, expiresAt: new Date(issuedAt.getTime() + lifetime * 1000).toISOString() });
  });

  /**
   * Graph: List federatedIdentityCredentials of an application (microsoftgraph/microsoft-graph-docs-contrib
   * api-reference/v1.0/api/application-list-federatedidentitycredentials.md), addressed by object
   * id or as applications(appId='{appId}'). Its permissions (Application.Read.All and higher) are
   * checked by authenticated(), from emulator/graph-permissions.ts.
   */
  const list = authenticated(ctx, (req: EmulatorRequest, res: ServerResponse) => {
    const ref = req.params.ref ?? "";
    const byAppId = /^applications\(appId='([^']+)'\)$/i.exec(ref)?.[1];
    const objectId = req.params.id;
    const app = ctx.tenant.applications.find((candidate) =>
      byAppId
        ? candidate.appId === byAppId.toLowerCase()
        : objectId !== undefined && candidate.id === objectId.toLowerCase(),
    );
    if (!app) {
      return sendGraphError(
        res,
        404,
        "Request_ResourceNotFound",
        `Resource '${byAppId ?? objectId ?? ref}' does not exist or one of its queried reference-property objects are not present.`,
      );
    }
    sendJson(res, 200, {
      "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#applications('${app.id ?? app.appId}')/federatedIdentityCredentials`,
      value: app.federatedIdentityCredentials.map((fic) => ({
        id: ficId(app, fic),
        name: fic.name,
        issuer: resolvedIssuer(fic, ctx),
        subject: fic.subject,
        audiences: fic.audiences,
        description: fic.description ?? null,
      })),
    });
  });
  router.on("GET", "/v1.0/applications/:id/federatedIdentityCredentials", list);
  router.on("GET", "/v1.0/:ref/federatedIdentityCredentials", list);
}

/** Graph gives each credential a GUID; a stable one per application and name here. */
function ficId(app: Application, fic: FederatedIdentityCredential) {
  const hex = createHash("sha256").update(`${app.appId}/${fic.name}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
