import type { ServerResponse } from "node:http";
import type { EmulatorContext } from "../context";
import type { Application } from "../tenant";

/** A token request whose client is authenticated (client-auth.ts), handed to its grant type's handler. */
export interface TokenRequest {
  ctx: EmulatorContext;
  res: ServerResponse;
  body: Record<string, unknown>;
  app: Application;
}

/** The sign-in a user's tokens are issued from: an authorization code's, or a refresh token's. */
export interface UserGrant {
  userId: string;
  scope: string;
  nonce?: string;
  authTime: number;
  sessionId: string;
  acrs: string[];
  isSpa: boolean;
}
