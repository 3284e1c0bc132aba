import "server-only";
import { countDelivery } from "@/lib/metrics/record";
import type { MailRecipient } from "./channel-messages";
import { sendEmail } from "./email";
import type { NotificationMessage } from "./messages";
import { sendSlack } from "./slack";
import { sendTeams } from "./teams";

/**
 * One delivery: an email to one person, or one post to a named webhook. The message is written
 * when the delivery is queued, so a retry sends the same words. Carries the webhook's name, never
 * its URL: jobs are listed to admins.
 */
export type DeliveryJob = { requestId: string; eventKey: string; message: NotificationMessage } & (
  { channel: "email"; to: MailRecipient } | { channel: "teams" | "slack"; webhook: string }
);

/** The `notify-deliver` job. A failure throws: the queue retries, then lists it among the failed jobs. */
export async function deliverNotification(job: DeliveryJob): Promise<void> {
  await countDelivery(job.channel, send(job));
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
