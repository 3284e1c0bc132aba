import "server-only";
import { buildSlackMessage } from "./channel-messages";
import type { NotificationMessage } from "./messages";
import { postToWebhook } from "./webhook";

/** Posts the notification to a Slack channel through its incoming webhook. */
export async function sendSlack(webhook: string, message: NotificationMessage): Promise<void> {
  await postToWebhook("Slack", webhook, buildSlackMessage(message));
}
