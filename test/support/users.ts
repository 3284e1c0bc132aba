import { randomUUID } from "node:crypto";
import type { ActionContext } from "@/lib/context";
import { resolveSession } from "@/lib/auth/session";
import { signInThroughEmulator } from "./sign-in";

/** A signed-in demo user as the use cases see them, through the real sign-in. */
export async function sessionUser(userPrincipalName: string) {
  const { cookie } = await signInThroughEmulator(userPrincipalName);
  const user = await resolveSession(cookie, new Date());
  if (!user) throw new Error(`sign-in as ${userPrincipalName} failed`);
  return user;
}

export async function contextFor(userPrincipalName: string, now = new Date()): Promise<ActionContext> {
  return {
    viewer: await sessionUser(userPrincipalName),
    origin: { correlationId: randomUUID(), ip: "203.0.113.7", userAgent: "vitest" },
    now,
  };
}
