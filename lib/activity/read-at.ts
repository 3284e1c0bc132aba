import "server-only";
import { env } from "@/lib/config/env";
import { addMinutes } from "@/lib/domain/duration";

/**
 * When a grant's activity is read from the audit logs: its end, plus the lifetime of tokens issued
 * before it (calls until then are the holder's too), plus Log Analytics' ingestion delay.
 */
export function activityReadAt(accessEnd: Date | string): Date {
  return addMinutes(new Date(accessEnd), env.TOKEN_LIFETIME_MINUTES + env.ACTIVITY_DELAY_MINUTES);
}
