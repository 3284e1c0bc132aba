import "server-only";
import { z } from "zod";
import type { SessionUser } from "@/lib/context";
import { db } from "@/lib/db/client";
import { ZTimeZone } from "@/lib/domain/time-zone";
import { parseInput } from "@/lib/validation/parse-input";

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
