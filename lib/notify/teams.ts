import "server-only";
import { buildTeamsMessage } from "./channel-messages";
import type { NotificationMessage } from "./messages";
import { postToWebhook } from "./webhook";

/** Posts the notification to a Teams channel through its incoming webhook (Workflows or connector). */
export async function sendTeams(webhook: string, message: NotificationMessage): Promise<void> {
  await postToWebhook("Teams", webhook, buildTeamsMessage(message));
}
