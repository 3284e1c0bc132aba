import type { SigningKey } from "./tokens";
import type { Tenant } from "./tenant";

export interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  userId: string;
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  authTime: number;
  sessionId: string;
  expiresAt: number;
  isRedeemed: boolean;
}

export interface RefreshGrant {
  clientId: string;
  userId: string;
  scope: string;
  authTime: number;
  sessionId: string;
}

/** Everything the emulator's handlers share; one per running emulator. */
export interface EmulatorContext {
  baseUrl: string;
  tenant: Tenant;
  key: SigningKey;
  groupsOverageLimit: number;
  codes: Map<string, AuthorizationCode>;
  refreshTokens: Map<string, RefreshGrant>;
  /** injectable clock, so tests can age codes and tokens */
  now: () => Date;
}

export function issuerFor(ctx: EmulatorContext) {
  return `${ctx.baseUrl}/${ctx.tenant.id}/v2.0`;
}
