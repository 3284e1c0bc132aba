/* Assignment schedule requests (G1, G5): creating one, which PIM decides at once (decide.ts), and
 * cancelling one whose schedule has not started yet. */
import { randomUUID } from "node:crypto";
import type { JWTPayload } from "jose";
import type { EmulatorContext } from "../context";
import { authenticated, sendResourceNotFound } from "../graph";
import { type Router, sendGraphError, sendJson } from "../http";
import { decide, type PimServices } from "./decide";
import { BASE, CONTEXT_BASE, iso } from "./model";
import { parseRequestInput, type RequestInput, type ScheduleInfo } from "./request-input";

/** A request as stored: what was asked, and what PIM made of it. */
export interface ScheduleRequest extends RequestInput {
  id: string;
  status: string;
  /** the schedule as PIM made it: the one sent, with its start filled in */
  scheduleInfo: ScheduleInfo | null;
  createdDateTime: Date;
  completedDateTime: Date | null;
  createdBy: Record<string, unknown>;
  targetScheduleId: string | null;
}

export interface PimState extends PimServices {
  requests: ScheduleRequest[];
}

function createdByFrom(token: JWTPayload, ctx: EmulatorContext) {
  if (token.idtyp === "app") {
    const app = ctx.tenant.application(String(token.appid ?? token.azp));
    return { application: { id: app?.appId ?? null, displayName: app?.displayName ?? null }, device: null, user: null };
  }
  return { application: null, device: null, user: { id: String(token.oid), displayName: String(token.name ?? "") } };
}

export function requestResource({ ctx, assignments }: PimServices, r: ScheduleRequest) {
  const now = ctx.now();
  const target = assignments.byId(r.targetScheduleId);
  // A scheduled assignment's request reads as provisioned once its start has passed.
  const status = r.status === "ScheduleCreated" && target && target.start <= now ? "Provisioned" : r.status;
  return {
    id: r.id,
    status,
    completedDateTime: iso(r.completedDateTime),
    createdDateTime: iso(r.createdDateTime),
    approvalId: null,
    customData: r.customData,
    createdBy: r.createdBy,
    action: r.action,
    isValidationOnly: r.isValidationOnly,
    justification: r.justification,
    scheduleInfo: r.scheduleInfo,
    ticketInfo: r.ticketInfo,
    accessId: r.accessId,
    principalId: r.principalId,
    groupId: r.groupId,
    targetScheduleId: r.targetScheduleId,
  };
}

export function registerScheduleRequests(router: Router, pim: PimState) {
  const { ctx, requests } = pim;
  // --- G1: create ------------------------------------------------------------------------------
  router.on(
    "POST",
    `${BASE}/assignmentScheduleRequests`,
    authenticated(ctx, (req, res, token) => {
      const input = parseRequestInput(req.body);
      if (typeof input === "string") return sendGraphError(res, 400, "BadRequest", input);
      if (!ctx.tenant.group(input.groupId)) return sendResourceNotFound(res, input.groupId);
      if (!ctx.tenant.directoryObject(input.principalId)) return sendResourceNotFound(res, input.principalId);
      const now = ctx.now();
      const id = randomUUID();
      const outcome = decide(pim, input, id, now);
      if (outcome.kind === "refused") return sendGraphError(res, outcome.status, outcome.code, outcome.message);
      const request: ScheduleRequest = {
        ...input,
        id,
        // UNCERTAIN: what a validation-only request answers; here it is checked but nothing is stored.
        status: input.isValidationOnly ? "Granted" : outcome.status,
        scheduleInfo: outcome.scheduleInfo,
        createdDateTime: now,
        completedDateTime: now,
        createdBy: createdByFrom(token, ctx),
        targetScheduleId: input.isValidationOnly ? null : (outcome.target?.id ?? null),
      };
      if (!input.isValidationOnly) {
        outcome.apply();
        requests.push(request);
      }
      sendJson(res, 201, {
        "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#${CONTEXT_BASE}/assignmentScheduleRequests/$entity`,
        ...requestResource(pim, request),
      });
    }),
  );

  // --- G5: cancel ------------------------------------------------------------------------------
  router.on(
    "POST",
    `${BASE}/assignmentScheduleRequests/:id/cancel`,
    authenticated(ctx, (req, res) => {
      const id = req.params.id ?? "";
      const request = requests.find((r) => r.id === id.toLowerCase());
      if (!request) return sendResourceNotFound(res, id);
      const now = ctx.now();
      const target = pim.assignments.byId(request.targetScheduleId);
      const isPending = request.status === "ScheduleCreated" && target !== undefined && target.start > now;
      if (!isPending) {
        // The text ARM PIM answers for a provisioned request (third-party: kayasax/EasyPIM issue #79).
        return sendGraphError(res, 400, "RequestCannotBeCancelled", "Request is not in cancellable state.");
      }
      request.status = "Canceled";
      target.endedAt = now;
      res.writeHead(204).end();
    }),
  );
}
