import "server-only";
import { db } from "@/lib/db/client";
import { isAwaitingDecision, parseRequestStatus } from "@/lib/domain/request-state";
import { countDelivery } from "@/lib/metrics/record";
import { sendEmail } from "./email";
import type { DeliveryJob } from "./payloads";
import { sendSlack } from "./slack";
import { sendTeams } from "./teams";

/**
 * The `notify-deliver` job. A failure throws: the queue retries, then lists it among the failed jobs.
 * A reminder or escalation whose request was decided, cancelled or timed out while it waited (or
 * retried) is dropped: nobody is asked to decide what is settled.
 */
export async function deliverNotification(job: DeliveryJob): Promise<"sent" | "settled"> {
  if (job.message.kind === "pending_reminder" || job.message.kind === "pending_escalation") {
    const request = await db.accessRequest.findUnique({ where: { id: job.requestId }, select: { status: true } });
    if (!request || !isAwaitingDecision(parseRequestStatus(request.status, job.requestId))) return "settled";
  }
  await countDelivery(job.channel, send(job));
  return "sent";
}

async function send(job: DeliveryJob): Promise<void> {
  switch (job.channel) {
    case "email":
      return sendEmail(job.to, job.message);
    case "teams":
      return sendTeams(job.webhook, job.message);
    case "slack":
      return sendSlack(job.webhook, job.message);
    default: {
      const exhaustive: never = job;
      throw new Error(`unknown delivery channel in ${JSON.stringify(exhaustive)}`);
    }
  }
}
