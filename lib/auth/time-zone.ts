import "server-only";
import { z } from "zod";
import type { SessionUser } from "@/lib/context";
import { db } from "@/lib/db/client";
import { isSupportedTimeZone } from "@/lib/domain/time-zone";
import { parseInput } from "@/lib/validation/parse-input";

/** A zone as the browser reports it (Intl.DateTimeFormat().resolvedOptions().timeZone), kept as given. */
const ZTimeZone = z
  .string()
  .trim()
  .refine(isSupportedTimeZone, "That is not a time zone we know: use an IANA name such as Europe/Paris.");
const ZTimeZoneInput = z.object({ timeZone: ZTimeZone });

/**
 * Remembers the zone the viewer's browser reports, so that pages render their times in it on the
 * server (no flash from UTC after hydration). A display preference of their own: not audited.
 * Refuses a name Intl does not know (INVALID_INPUT).
 */
export async function saveTimeZone(viewer: SessionUser, zone: unknown): Promise<string> {
  const { timeZone } = parseInput(ZTimeZoneInput, { timeZone: zone });
  await db.user.update({ where: { id: viewer.id }, data: { timeZone } });
  return timeZone;
}
