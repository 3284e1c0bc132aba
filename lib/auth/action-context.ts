import "server-only";
import { headers } from "next/headers";
import type { ActionContext } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { enterCorrelation } from "@/lib/log";
import { getCurrentUser } from "./current-user";
import { originFromHeaders } from "./request-origin";

/** Who is acting and from where, for a server action or route handler: the session plus request headers. */
export async function actionContext(): Promise<ActionContext> {
  const viewer = await getCurrentUser();
  if (!viewer) {
    throw new AppError("UNAUTHENTICATED", {
      message: "no session",
      userMessage: "Your session has ended. Sign in again, then retry.",
    });
  }
  const origin = originFromHeaders(await headers(), "web");
  enterCorrelation(origin.correlationId);
  return { viewer, origin, now: new Date() };
}
