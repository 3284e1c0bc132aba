import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db/client";
import { callProvider } from "./provider-call";
import { readGrantTarget } from "./stored-json";

/**
 * The `extend` job: moves the end of an extended request's grants at the services (PIM schedules
 * end on their own, so they must learn the new end before the old one). Idempotent: each grant is
 * extended to its current end in the ledger. A failure is thrown for the queue to retry, and shows
 * in the admin's failed jobs once the retries are spent.
 */
export async function applyExtension(requestId: string, now: Date) {
  const correlationId = `extend-${randomUUID()}`;
  const covered = await db.grantCoverage.findMany({
    where: { requestId, grant: { status: "active", endAt: { gt: now } } },
    include: { grant: true },
  });
  const request = await db.accessRequest.findUniqueOrThrow({ where: { id: requestId } });
  for (const { grant } of covered) {
    await callProvider(
      "extend",
      readGrantTarget(grant.target, grant.id),
      {
        startAt: now,
        endAt: grant.endAt,
        justification: `Extended: ${request.justification}`,
        ticket: request.ticket ?? undefined,
        requestId,
      },
      { requestId, correlationId },
    );
  }
}
