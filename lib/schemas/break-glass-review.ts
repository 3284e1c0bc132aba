import { z } from "zod";

/** What a `break_glass.reviewed` audit event says, as read back for the request page. */
export const ZReviewedEvent = z.object({
  note: z.string(),
  ticket: z.string().nullable(),
  noTicketReason: z.string().nullable(),
});
