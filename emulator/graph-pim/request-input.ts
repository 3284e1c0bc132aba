/* The body of an assignment schedule request (contract A.2), read leniently as Graph does: enum
 * members in either case, empty strings as absent, the expiration type inferred when it is left out. */
import { durationMs } from "../../lib/domain/duration";
import {
  ACCESS_IDS,
  ACTIONS,
  EXPIRATION_TYPES,
  type AccessId,
  type Action,
  type ExpirationType,
  parseEnum,
} from "./model";

export interface ScheduleInfo {
  startDateTime: string | null;
  recurrence: null;
  expiration: { type: ExpirationType; endDateTime: string | null; duration: string | null };
}

export interface RequestInput {
  action: Action;
  accessId: AccessId;
  principalId: string;
  groupId: string;
  justification: string | null;
  customData: string | null;
  isValidationOnly: boolean;
  ticketInfo: { ticketNumber: string | null; ticketSystem: string | null };
  /** as sent, normalized; the start is filled in later */
  scheduleInfo: ScheduleInfo | null;
}

const optionalString = (value: unknown) => (typeof value === "string" && value !== "" ? value : null);

/** The request, or what is wrong with it. */
export function parseRequestInput(body: Record<string, unknown>): RequestInput | string {
  const action = parseEnum(body.action, ACTIONS);
  if (!action) return `Invalid value '${String(body.action)}' for property 'action'.`;
  const accessId = parseEnum(body.accessId, ACCESS_IDS);
  if (!accessId) return `Invalid value '${String(body.accessId)}' for property 'accessId'.`;
  const principalId = optionalString(body.principalId);
  const groupId = optionalString(body.groupId);
  if (!principalId) return "The property 'principalId' is required.";
  if (!groupId) return "The property 'groupId' is required.";
  const scheduleInfo = parseScheduleInfo(body.scheduleInfo);
  if (typeof scheduleInfo === "string") return scheduleInfo;
  const ticket = (body.ticketInfo ?? {}) as { ticketNumber?: unknown; ticketSystem?: unknown };
  return {
    action,
    accessId,
    principalId: principalId.toLowerCase(),
    groupId: groupId.toLowerCase(),
    justification: optionalString(body.justification),
    customData: optionalString(body.customData),
    isValidationOnly: body.isValidationOnly === true,
    ticketInfo: {
      ticketNumber: optionalString(ticket.ticketNumber),
      ticketSystem: optionalString(ticket.ticketSystem),
    },
    scheduleInfo,
  };
}

function parseScheduleInfo(value: unknown): ScheduleInfo | null | string {
  const schedule = value as { startDateTime?: unknown; expiration?: Record<string, unknown> } | undefined;
  if (!schedule || typeof schedule !== "object") return null;
  const expiration = schedule.expiration ?? {};
  const duration = optionalString(expiration.duration);
  const endDateTime = optionalString(expiration.endDateTime);
  const type =
    expiration.type === undefined || expiration.type === null
      ? duration
        ? "afterDuration"
        : endDateTime
          ? "afterDateTime"
          : "notSpecified"
      : parseEnum(expiration.type, EXPIRATION_TYPES);
  if (!type) return `Invalid value '${String(expiration.type)}' for property 'type' of 'expiration'.`;
  return {
    startDateTime: optionalString(schedule.startDateTime),
    recurrence: null,
    expiration: { type, endDateTime, duration },
  };
}

/** The requested window: start defaults to now; end from the expiration (null when it has none). */
export function scheduleWindow(info: ScheduleInfo | null, now: Date): { start: Date; end: Date | null } | string {
  const start = info?.startDateTime ? new Date(info.startDateTime) : now;
  if (Number.isNaN(start.getTime())) return `Invalid startDateTime '${info?.startDateTime}'.`;
  const expiration = info?.expiration;
  if (expiration?.type === "afterDuration") {
    const ms = expiration.duration ? durationMs(expiration.duration) : undefined;
    if (ms === undefined) return `Invalid duration '${expiration.duration ?? ""}' for expiration type 'afterDuration'.`;
    return { start, end: new Date(start.getTime() + ms) };
  }
  if (expiration?.type === "afterDateTime") {
    const end = expiration.endDateTime ? new Date(expiration.endDateTime) : undefined;
    if (!end || Number.isNaN(end.getTime())) {
      return `Invalid endDateTime '${expiration.endDateTime ?? ""}' for expiration type 'afterDateTime'.`;
    }
    return { start, end };
  }
  return { start, end: null };
}

/** The schedule as stored on the request: the one sent, with its start filled in. */
export function withStart(info: ScheduleInfo | null, start: Date): ScheduleInfo {
  return {
    startDateTime: start.toISOString(),
    recurrence: null,
    expiration: info?.expiration ?? { type: "notSpecified", endDateTime: null, duration: null },
  };
}
