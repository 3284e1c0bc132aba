import "server-only";
import { db } from "@/lib/db/client";
import { parseIsoDuration } from "@/lib/domain/duration";
import { checkExtension } from "@/lib/domain/policy";
import { decide } from "@/lib/domain/request-state";
import { AppError } from "@/lib/errors";
import { QUEUES, type ExtendJob } from "@/lib/jobs/queues";
import { scheduleEndingSoon } from "@/lib/notify/request-events";
import type { ActionContext } from "./context";
import { extendCoverage } from "./grant-ledger";
import { loadRequestView } from "./queries";
import { lockRequest, notFound, recordRequestEvent, refusalError, sendInTransaction } from "./request-record";
import { ZExtendInput, type TExtendInput, parseInput } from "./schemas";

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
  const until = await db.$transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    if (request.requesterId !== context.viewer.id) throw notFound(requestId);
    const row = await tx.accessRequest.findUniqueOrThrow({ where: { id: requestId } });
    if (request.state.status !== "active" || !row.activeFrom || !row.activeUntil) {
      throw new AppError("CONFLICT", {
        message: `extend refused: request is ${request.state.status}`,
        userMessage: "Only active access can be extended.",
      });
    }
    const check = checkExtension({
      policy: request.policy,
      activeFrom: row.activeFrom,
      activeUntil: row.activeUntil,
      extraMinutes,
      now: context.now,
    });
    if (!check.isAllowed) throw invalidDuration(check.message);
    const decision = decide(
      request.state,
      { type: "extend", actorId: context.viewer.id, from: row.activeUntil, until: check.until },
      context.now,
    );
    if (!decision.isAccepted) throw refusalError(decision);
    await tx.accessRequest.update({ where: { id: requestId }, data: { activeUntil: check.until } });
    await recordRequestEvent(tx, request, decision.event, context, { extraMinutes });
    await extendCoverage(tx, requestId, check.until);
    const job: ExtendJob = { requestId };
    await sendInTransaction(tx, QUEUES.extend, job);
    await sendInTransaction(tx, QUEUES.expireAccess, {}, { startAfter: check.until });
    return check.until;
  });
  // The warning for the old end sees the new one and stays silent; this one warns before the new end.
  await scheduleEndingSoon(requestId, until, context.now);
  return loadRequestView(requestId, context.viewer);
}
