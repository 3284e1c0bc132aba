import "server-only";
import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import type { ActionContext } from "@/lib/access/context";
import { AppError } from "@/lib/errors";
import { getCurrentUser } from "./current-user";

/** Who is acting and from where, for a server action or route handler: the session plus request headers. */
export async function actionContext(): Promise<ActionContext> {
  const viewer = await getCurrentUser();
  if (!viewer) {
    throw new AppError("UNAUTHENTICATED", {
      message: "no session",
      userMessage: "Your session has ended. Sign in again, then retry.",
    });
  }
  const h = await headers();
  return {
    viewer,
    origin: {
      correlationId: h.get("x-correlation-id")?.slice(0, 64) || randomUUID(),
      // The first hop of X-Forwarded-For is the client when the app sits behind a proxy.
      ip: h.get("x-forwarded-for")?.split(",")[0]?.trim() || h.get("x-real-ip") || undefined,
      userAgent: h.get("user-agent")?.slice(0, 300) || undefined,
    },
    now: new Date(),
  };
}
