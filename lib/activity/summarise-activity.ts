import "server-only";
import { authorize } from "@/lib/auth/authorize";
import type { ActionContext } from "@/lib/context";
import { AppError } from "@/lib/errors";
import type { ActivitySummary } from "./types";

/*
 * THROWAWAY (i19-ui): a stand-in for i19-core's use case, so that the UI compiles before it is
 * merged. The lead takes i19-core's version of this file at merge.
 */

/** Reads the request's activity from the audit logs now and stores the summary (auditors and admins). */
export async function summariseActivityNow(context: ActionContext, requestId: string): Promise<ActivitySummary> {
  authorize(context.viewer, "audit.read");
  throw new AppError("UPSTREAM", {
    message: `activity of ${requestId} not summarised: stand-in`,
    userMessage: "Activity cannot be read yet: this build has no activity reader.",
  });
}
