import type { RequestOrigin } from "@/lib/audit/events";
import type { SessionUser } from "@/lib/auth/session";

/** Who acts, from where, and when: passed to every use case by the page, action or route. */
export interface ActionContext {
  viewer: SessionUser;
  origin: RequestOrigin & { correlationId: string };
  now: Date;
}
