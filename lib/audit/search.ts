import "server-only";
import { z } from "zod";
import { parseInput } from "@/lib/access/schemas";
import { authorize } from "@/lib/auth/authorize";
import type { SessionUser } from "@/lib/auth/session";
import { REQUEST_EVENT_TYPES } from "@/lib/domain/request-state";
import { instant as storableInstant, text as storableText } from "@/lib/validation/fields";
import type { AuditEventType } from "./events";
import { countAuditEvents, readAuditPage } from "./queries";

/** Every event type, for the `type` filter. */
export const AUDIT_EVENT_TYPES = [
  ...REQUEST_EVENT_TYPES,
  "session.signed_in",
  "session.signed_out",
  "provider.call",
  "access.removal_deferred",
  "drift.detected",
  "drift.removed",
  "drift.reapplied",
  "audit.verified",
  "audit.exported",
  "audit.retained",
  "job.retried",
  "access.refused",
  "drift.checked",
] as const satisfies readonly AuditEventType[];

// A type added to events.ts fails to compile here until it is listed, so that it can be searched for.
type Unlisted = Exclude<AuditEventType, (typeof AUDIT_EVENT_TYPES)[number]>;
const _isEveryTypeListed: [Unlisted] extends [never] ? true : Unlisted = true;

/** Forms send empty fields as ""; an empty filter is no filter. */
const optional = <S extends z.ZodType>(schema: S) =>
  z.preprocess(
    (value: z.input<S> | "" | undefined) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    schema.optional(),
  );

const instant = (name: string) => optional(storableInstant(name));

const text = (label: string, max: number, message: string) => optional(storableText(label).trim().max(max, message));
const upn = (label: string) => text(label, 320, "A user principal name has at most 320 characters.");

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
  cluster: text("the cluster", 100, "A cluster name has at most 100 characters."),
  role: text("the role", 100, "A role name has at most 100 characters."),
  /** any of these types (the parameter may repeat) */
  type: z
    .preprocess(
      // Like the other filters, an empty value (`?type=`, the form's "any") is no filter.
      (value: string | string[]) => [value].flat().filter((type) => typeof type !== "string" || type.trim() !== ""),
      z.array(
        z.enum(AUDIT_EVENT_TYPES, {
          message: `Use event types such as request.created or request.approved: ${AUDIT_EVENT_TYPES.join(", ")}.`,
        }),
      ),
    )
    .optional()
    .transform((types) => types ?? []),
  requestId: optional(z.uuid("A request id is a UUID.").transform((id) => id.toLowerCase())),
  /** words in the request's justification or ticket, or in the event's comment or reason */
  q: text("the search text", 200, "Search for at most 200 characters."),
};

/** Counts stop here unless asked for an exact count: see countAuditEvents. */
export const COUNT_CAP = 10_000;

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

const cursorOf = (seq: bigint) => Buffer.from(seq.toString()).toString("base64url");

const MAX_SEQ = 2n ** 63n - 1n; // bigint in PostgreSQL

function seqOf(cursor: string): bigint | undefined {
  const digits = Buffer.from(cursor, "base64url").toString();
  const seq = /^[1-9][0-9]{0,18}$/.test(digits) ? BigInt(digits) : undefined;
  return seq !== undefined && seq <= MAX_SEQ ? seq : undefined;
}

/** One event as the search shows it; cluster, role and requester come from its request. */
export interface AuditSearchEvent {
  seq: string;
  occurredAt: Date;
  type: string;
  actorUpn: string | null;
  requestId: string | null;
  clusterName: string | null;
  roleName: string | null;
  requesterUpn: string | null;
  data: unknown;
}

export interface AuditSearchPage {
  events: AuditSearchEvent[];
  /** for the next (older) page; null on the last one */
  nextCursor: string | null;
  /** how many events match the filters, on all pages; with isCountExact false, at least this many */
  count: number;
  /** false when counting stopped at COUNT_CAP (ask for count "exact") */
  isCountExact: boolean;
}

/** Auditor search, newest first, a page at a time. Auditors and admins only. */
export async function searchAuditEvents(viewer: SessionUser, input: AuditSearchInput): Promise<AuditSearchPage> {
  authorize(viewer, "audit.read");
  const search = parseInput(ZAuditSearch, input);
  const [page, count] = await Promise.all([
    readAuditPage(search, { before: search.cursor ? seqOf(search.cursor)! : null, limit: search.limit }),
    countAuditEvents(search, search.count === "exact" ? null : COUNT_CAP),
  ]);
  const isCountExact = search.count === "exact" || count <= COUNT_CAP;
  return {
    events: page.rows.map((row) => ({
      seq: row.seq.toString(),
      occurredAt: row.occurredAt,
      type: row.type,
      actorUpn: row.actorUpn,
      requestId: row.requestId,
      clusterName: row.clusterName,
      roleName: row.roleName,
      requesterUpn: row.requesterUpn,
      data: row.data,
    })),
    nextCursor: page.nextBefore === null ? null : cursorOf(page.nextBefore),
    count: isCountExact ? count : COUNT_CAP,
    isCountExact,
  };
}
