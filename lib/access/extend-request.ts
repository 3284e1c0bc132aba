import "server-only";
import { db } from "@/lib/db/client";
import { parseIsoDuration } from "@/lib/domain/duration";
import { decide } from "@/lib/domain/request-state";
import { AppError } from "@/lib/errors";
import { enqueue } from "@/lib/jobs/outbox";
import { QUEUES, type ExtendJob } from "@/lib/jobs/queues";
import { scheduleEndingSoon } from "@/lib/notify/request-events";
import type { ActionContext } from "@/lib/context";
import { extendCoverage } from "./grant-ledger";
import { loadRequestView } from "./request-queries";
import { holderRefusalError, lockRequest, recordRequestEvent, saveAccessPeriod } from "./request-record";
import { ZExtendInput, type TExtendInput } from "./schemas";
import { parseInput } from "@/lib/validation/parse-input";

const invalidDuration = (message: string) =>
  new AppError("INVALID_INPUT", {
    message: "extension refused",
    userMessage: message,
    fields: [{ field: "duration", message }],
  });

/**
 * The holder pushes the end of their active access out, within the role's extension policy. The
 * new end is recorded (request, coverage, grants) before the `extend` job moves it at the
 * services; the expiry sweep is re-armed for the new end.
 */
export async function extendRequest(requestId: string, input: TExtendInput, context: ActionContext) {
  const { duration } = parseInput(ZExtendInput, input);
  const extraMinutes = parseIsoDuration(duration);
  if (extraMinutes === undefined) throw invalidDuration("Give the extension as a duration such as PT30M or PT1H.");
  await db.$transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    const command = { type: "extend", actorId: context.viewer.id, extraMinutes } as const;
    const decision = decide(request.state, command, context.now);
    if (!decision.isAccepted) throw holderRefusalError(requestId, decision);
    await saveAccessPeriod(tx, request, decision.state);
    await recordRequestEvent(tx, request, decision.event, context, { extraMinutes });
    const until = decision.state.activeUntil!;
    await extendCoverage(tx, requestId, until);
    const job: ExtendJob = { requestId };
    await enqueue(tx, QUEUES.extend, job);
    await enqueue(tx, QUEUES.expireAccess, {}, { startAfter: until });
    // The warning for the old end sees the new one and stays silent; this one warns before the new end.
    await scheduleEndingSoon(tx, requestId, until, context.now);
  });
  return loadRequestView(requestId, context.viewer);
}
