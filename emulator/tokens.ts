/* Token issuance for the emulator: RS256 JWTs shaped like Entra ID v2.0 tokens, signed by a key
 * published at the tenant's JWKS endpoint. */
import { createHash, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { SignJWT, jwtVerify, type JWK, type JWTPayload } from "jose";
import type { Application, DirectoryUser, Tenant } from "./tenant";

export const GRAPH_RESOURCE = "https://graph.microsoft.com";
const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);
const TOKEN_LIFETIME_SECONDS = 3599;

export class SigningKey {
  readonly kid = randomUUID().replaceAll("-", "");
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;

  constructor() {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  jwk(): JWK {
    return { ...this.publicKey.export({ format: "jwk" }), kid: this.kid, use: "sig", alg: "RS256" } as JWK;
  }

  sign(claims: JWTPayload, expiresInSeconds = TOKEN_LIFETIME_SECONDS, now = new Date()) {
    const iat = Math.floor(now.getTime() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: this.kid })
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + expiresInSeconds)
      .sign(this.privateKey);
  }

  async verify(token: string, options: { issuer: string; audience?: string }) {
    const { payload } = await jwtVerify(token, this.publicKey, { issuer: options.issuer, audience: options.audience });
    return payload;
  }
}

/** Splits requested scopes into the resource the access token is for and the scopes on it. */
export function resolveScopes(scope: string) {
  const requested = scope.split(/\s+/).filter(Boolean);
  const oidc = requested.filter((s) => OIDC_SCOPES.has(s));
  const resourceScopes = requested.filter((s) => !OIDC_SCOPES.has(s));
  let resource = GRAPH_RESOURCE;
  const permissions: string[] = [];
  for (const s of resourceScopes) {
    const slash = s.lastIndexOf("/");
    if (slash > 0 && s.includes("://")) {
      resource = s.slice(0, slash);
      const permission = s.slice(slash + 1);
      if (permission !== ".default") permissions.push(permission);
    } else {
      permissions.push(s);
    }
  }
  if (resourceScopes.length === 0) permissions.push("User.Read");
  return { oidc, resource, permissions, isOffline: oidc.includes("offline_access"), isOpenId: oidc.includes("openid") };
}

/** Entra's pairwise subject: stable per user and application, different across applications. */
function pairwiseSubject(userId: string, clientId: string) {
  return createHash("sha256").update(`${userId}:${clientId}`).digest("base64url").slice(0, 43);
}

export function clientInfo(user: DirectoryUser, tenant: Tenant) {
  return Buffer.from(JSON.stringify({ uid: user.id, utid: tenant.id })).toString("base64url");
}

export interface UserTokenContext {
  issuer: string;
  tenant: Tenant;
  app: Application;
  user: DirectoryUser;
  scope: string;
  nonce?: string;
  authTime: number;
  sessionId: string;
  /** authentication contexts the sign-in satisfied; Entra adds `acrs` only when some were asked for */
  acrs?: string[];
  /** Entra omits the groups claim above this many groups and points to Graph instead (200 for JWTs). */
  groupsOverageLimit: number;
  graphBaseUrl: string;
}

function groupClaims(ctx: UserTokenContext) {
  if (ctx.app.groupMembershipClaims === "None") return {};
  const groups = ctx.tenant.transitiveGroupsOf(ctx.user.id).map((g) => g.id);
  if (groups.length > ctx.groupsOverageLimit) {
    return {
      _claim_names: { groups: "src1" },
      _claim_sources: {
        src1: { endpoint: `${ctx.graphBaseUrl}/v1.0/users/${ctx.user.id}/getMemberObjects` },
      },
    };
  }
  return { groups };
}

/**
 * `auth_time` and `acrs` are optional claims (MicrosoftDocs/entra-docs
 * docs/identity-platform/optional-claims-reference.md): an ID token carries them only when the app
 * registration lists them under `idToken`; an access token only when the registration of the resource
 * it is for lists them under `accessToken` ("the claims apply to access tokens requested *for* the
 * application"). Microsoft Graph's registration is Microsoft's: its tokens keep what the emulator
 * always gave them (auth_time, and acrs when the `claims` parameter asked for a context).
 */
function optionalClaimsFor(token: "idToken" | "accessToken", ctx: UserTokenContext, resource: string) {
  let listed: readonly string[];
  if (token === "idToken") listed = ctx.app.optionalClaims.idToken;
  else if (resource === GRAPH_RESOURCE) listed = ["auth_time", "acrs"];
  else {
    const api = ctx.tenant.applications.find((a) => resource === a.appId || resource === `api://${a.appId}`);
    listed = api?.optionalClaims.accessToken ?? [];
  }
  return {
    ...(listed.includes("auth_time") ? { auth_time: ctx.authTime } : {}),
    ...(listed.includes("acrs") && ctx.acrs?.length ? { acrs: ctx.acrs } : {}),
  };
}

export async function issueUserTokens(key: SigningKey, ctx: UserTokenContext) {
  const { resource, permissions, isOpenId } = resolveScopes(ctx.scope);
  const common = {
    iss: ctx.issuer,
    tid: ctx.tenant.id,
    oid: ctx.user.id,
    name: ctx.user.displayName,
    preferred_username: ctx.user.userPrincipalName,
    ver: "2.0",
    uti: randomUUID().replaceAll("-", ""),
    sid: ctx.sessionId,
    // The demo has no passwords and no second factor to show; a sign-in that satisfied an
    // authentication context stands for one whose Conditional Access policy asked for MFA.
    amr: ctx.acrs?.length ? ["pwd", "mfa"] : ["pwd"],
    ...groupClaims(ctx),
  };
  const accessToken = await key.sign({
    ...common,
    ...optionalClaimsFor("accessToken", ctx, resource),
    aud: resource,
    sub: pairwiseSubject(ctx.user.id, resource),
    azp: ctx.app.appId,
    scp: permissions.join(" "),
    idtyp: "user",
  });
  const idToken = isOpenId
    ? await key.sign({
        ...common,
        ...optionalClaimsFor("idToken", ctx, resource),
        aud: ctx.app.appId,
        sub: pairwiseSubject(ctx.user.id, ctx.app.appId),
        ...(ctx.nonce ? { nonce: ctx.nonce } : {}),
      })
    : undefined;
  return { accessToken, idToken, resource, permissions, expiresIn: TOKEN_LIFETIME_SECONDS };
}

export async function issueAppToken(
  key: SigningKey,
  issuer: string,
  tenant: Tenant,
  app: Application,
  resource: string,
) {
  const accessToken = await key.sign({
    iss: issuer,
    aud: resource,
    tid: tenant.id,
    oid: app.servicePrincipalId,
    sub: app.servicePrincipalId,
    azp: app.appId,
    appid: app.appId,
    idtyp: "app",
    // The Graph application permissions granted to the app (its app role assignments on Microsoft
    // Graph's service principal); a token for another resource carries that resource's roles: none here.
    ...(resource === GRAPH_RESOURCE ? { roles: [...app.applicationPermissions] } : {}),
    ver: "2.0",
    uti: randomUUID().replaceAll("-", ""),
  });
  return { accessToken, expiresIn: TOKEN_LIFETIME_SECONDS };
}
