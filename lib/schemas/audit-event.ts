/** The audit history as the search shows it: `AuditEvent` and a page of them. */
import { z } from "zod";
import { AUDIT_EVENT_TYPES } from "@/lib/audit/event-types";

/** An event's own record: any JSON object, its shape depending on the event's type. */
export const eventData = (description: string) => z.unknown().meta({ description, override: { type: "object" } });

export const ZAuditEventType = z.enum(AUDIT_EVENT_TYPES);

export const ZAuditEvent = z
  .strictObject({
    seq: z.string().meta({ description: "Its place in the history (a 64-bit integer, as text)." }),
    // A Date in the app; JSON carries it as ISO 8601 text (Date.toJSON).
    occurredAt: z.date().meta({ override: { type: "string", format: "date-time" } }),
    type: ZAuditEventType,
    actorUpn: z.string().nullable().meta({ description: "Who acted, as recorded; null for the system and policies." }),
    requestId: z.guid().nullable().meta({ description: "The request: `GET /api/v1/requests/{id}`." }),
    clusterName: z.string().nullable(),
    roleName: z.string().nullable(),
    requesterUpn: z.string().nullable().meta({ description: "Who filed the request." }),
    data: eventData("What the event records; its shape depends on `type`."),
  })
  .meta({
    description:
      "One event of the audit history. `clusterName`, `roleName` and `requesterUpn` are those of the request the event belongs to (null for events of no request).",
  });

export const ZAuditPage = z.strictObject({
  events: z.array(ZAuditEvent).meta({ description: "Newest first." }),
  nextCursor: z
    .string()
    .nullable()
    .meta({ description: "Pass as `cursor` for the next, older page; null: last page." }),
  count: z.int().min(0).meta({
    description:
      "How many events match the filters, on all pages. By default counting stops past 10,000: then `count` is 10,000 and `isCountExact` false. `count=exact` counts every match.",
  }),
  isCountExact: z.boolean().meta({ description: "false when `count` is a lower bound (10,000)." }),
});

export type AuditSearchEvent = z.output<typeof ZAuditEvent>;
export type AuditSearchPage = z.output<typeof ZAuditPage>;
