import "server-only";
import { countDelivery } from "@/lib/metrics/record";
import { sendEmail } from "./email";
import type { DeliveryJob } from "./payloads";
import { sendSlack } from "./slack";
import { sendTeams } from "./teams";

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
