import { lockRequest, recordRequestEvent } from "@/lib/access/request-record";
import { db } from "@/lib/db/client";
import { decide, type RequestCommand } from "@/lib/domain/request-state";

/**
 * One step of a request's life recorded as the jobs record it (status and audit event in one
 * transaction) at the `now` a test chooses: for histories Entra ID and ARM would refuse, such as
 * access periods years in the past.
 */
export async function recordStep(requestId: string, command: RequestCommand, now: Date) {
  await db.$transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    const decision = decide(request.state, command, now);
    if (!decision.isAccepted) throw new Error(decision.message);
    await recordRequestEvent(tx, request, decision.event, { viewer: null, origin: { correlationId: "test" }, now });
  });
}
