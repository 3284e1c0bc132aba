/**
 * The auditor's filters and a search's page, parsed the same way by the Audit page, the API and
 * exports. Apart from search.ts so that the queries that apply them (queries.ts) need not import
 * the search that calls them.
 */
import { z } from "zod";
import { instant as storableInstant, text as storableText } from "@/lib/validation/fields";
import { REQUEST_EVENT_TYPES } from "@/lib/domain/request-state";
import { AUDIT_EVENT_TYPES } from "./event-types";
import type { AuditEventType } from "./events";

/**
 * Event types that stay in view with no person behind them: a request's state changes (a timer
 * expiring access, a job activating it), a drift finding, history removed under retention. They are
 * what happened to someone's access or to the record itself.
 */
const SHOWN_WITHOUT_ACTOR: ReadonlySet<string> = new Set<AuditEventType>([
  ...REQUEST_EVENT_TYPES,
  "drift.detected",
  "audit.retained",
  "activity.summarised",
]);

/**
 * A system event is the machinery's own bookkeeping: no person acted (no actor) and it is not one of
 * the types above. Provider calls made by jobs, the reconciler's per-cluster summaries, deferred removals, the
 * scheduled chain verification. The Audit page hides them unless asked ("Show system events"),
 * except in one request's trail (a request id), which is evidence and stays whole, and when the
 * auditor picks event types, which then decide alone. queries.ts applies the rule in SQL.
 */
export function isSystemEvent(event: { type: string; actorUpn: string | null }): boolean {
  return event.actorUpn === null && !SHOWN_WITHOUT_ACTOR.has(event.type);
}

/** The event types isSystemEvent keeps without an actor, for the SQL form of the rule. */
export const TYPES_SHOWN_WITHOUT_ACTOR = [...SHOWN_WITHOUT_ACTOR];

/** Forms send empty fields as ""; an empty filter is no filter. */
const optional = <S extends z.ZodType>(schema: S) =>
  z.preprocess(
    (value: z.input<S> | "" | undefined) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    schema.optional(),
  );

const instant = (name: string) => optional(storableInstant(name));

const text = (label: string, max: number, message: string) => optional(storableText(label).trim().max(max, message));
const upn = (label: string) => text(label, 320, "A user principal name has at most 320 characters.");

/**
 * What a request's activity summary (request_activities, issue 19) must show for its events to
 * match: secret reads, calls after the access ended, denied calls. Several combine with AND.
 */
export const ACTIVITY_FILTERS = ["secret-reads", "after-end", "denied"] as const;
export type ActivityFilter = (typeof ACTIVITY_FILTERS)[number];

/** A parameter that may repeat (`?type=a&type=b`) or come once; an empty value (the form's "any") is none. */
const repeated = <S extends z.ZodType>(schema: S) =>
  z.preprocess(
    (value: string | string[]) => [value].flat().filter((one) => typeof one !== "string" || one.trim() !== ""),
    z.array(schema),
  );

const CURSOR = /^[A-Za-z0-9_-]{1,40}$/;
const cursorMessage = "This cursor is not one we gave out: use nextCursor from the previous page.";

/** The auditor's filters, all optional and combined with AND: the same for the Audit page, the API and exports. */
const FILTERS = {
  /** occurred at or after */
  from: instant("from"),
  /** occurred before */
  to: instant("to"),
  /** who acted: their UPN as recorded with the event, any case */
  actor: upn("the actor"),
  /** whose request the event belongs to: the requester's UPN, any case */
  requester: upn("the requester"),
  /** events that involve this person (UPN, any case): they acted, it is their request, or it is about them */
  involving: upn("the person"),
  /** "exclude" hides system events (isSystemEvent) unless types or a request id are given; included by default */
  system: optional(z.enum(["include", "exclude"], { message: 'Give system as "include" or "exclude".' })),
  cluster: text("the cluster", 100, "A cluster name has at most 100 characters."),
  role: text("the role", 100, "A role name has at most 100 characters."),
  /** any of these types (the parameter may repeat) */
  type: repeated(
    z.enum(AUDIT_EVENT_TYPES, {
      message: `Use event types such as request.created or request.approved: ${AUDIT_EVENT_TYPES.join(", ")}.`,
    }),
  )
    .optional()
    .transform((types) => types ?? []),
  requestId: optional(z.uuid("A request id is a UUID.").transform((id) => id.toLowerCase())),
  /** events of requests whose activity summary shows all of these (the parameter may repeat) */
  activity: repeated(
    z.enum(ACTIVITY_FILTERS, { message: `Give activity as ${ACTIVITY_FILTERS.join(", ")} (it may repeat).` }),
  ).optional(),
  /** words in the request's justification or ticket, or in the event's comment or reason */
  q: text("the search text", 200, "Search for at most 200 characters."),
};

const limitMessage = "Give limit as a whole number from 1 to 200.";

/** A search's page: how many events, and where the previous page ended. */
const PAGE = {
  limit: z.preprocess(
    (value: number | string | undefined) => (value === "" ? undefined : value),
    z.coerce
      .number({ message: limitMessage })
      .int(limitMessage)
      .min(1, limitMessage)
      .max(200, limitMessage)
      .default(50),
  ),
  /** "exact" counts every match; by default counting stops past COUNT_CAP */
  count: optional(z.enum(["exact", "capped"], { message: 'Give count as "exact" or "capped".' })),
  /** the previous page's nextCursor */
  cursor: optional(
    z
      .string()
      .regex(CURSOR, cursorMessage)
      .refine((cursor) => seqOf(cursor) !== undefined, cursorMessage),
  ),
};

// Written so that a time that failed its own check (NaN) does not also fail this one.
const isOrdered = (f: { from?: string; to?: string }) => !(Date.parse(f.from ?? "") >= Date.parse(f.to ?? ""));
const ORDER_PROBLEM = { path: ["to"], message: "Make `to` later than `from`." };

// What they give is what they take (times stay ISO text, the cursor opaque), so that parsing again, as
// the use cases do after a route has parsed, changes nothing.
/** What an export takes. */
export const ZAuditFilters = z.object(FILTERS).refine(isOrdered, ORDER_PROBLEM);
/** What a search takes: the filters and a page. */
export const ZAuditSearch = z.object({ ...FILTERS, ...PAGE }).refine(isOrdered, ORDER_PROBLEM);

export type AuditFiltersInput = z.input<typeof ZAuditFilters>;
export type AuditFilters = z.output<typeof ZAuditFilters>;
export type AuditSearchInput = z.input<typeof ZAuditSearch>;

/** A page's cursor is its last seq, opaque to callers; seqOf reads it back, or refuses it. */
export const cursorOf = (seq: bigint) => Buffer.from(seq.toString()).toString("base64url");

const MAX_SEQ = 2n ** 63n - 1n; // bigint in PostgreSQL

export function seqOf(cursor: string): bigint | undefined {
  const digits = Buffer.from(cursor, "base64url").toString();
  const seq = /^[1-9][0-9]{0,18}$/.test(digits) ? BigInt(digits) : undefined;
  return seq !== undefined && seq <= MAX_SEQ ? seq : undefined;
}
