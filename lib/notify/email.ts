import "server-only";
import { appGraphClient } from "@/lib/cloud/credentials";
import { missingPermissionMessage } from "@/lib/cloud/providers/graph-errors";
import { env } from "@/lib/config/env";
import { buildMail, type MailRecipient } from "./channel-messages";
import type { NotificationMessage } from "./messages";

export const isEmailConfigured = () => env.NOTIFY_MAIL_SENDER !== undefined;

/**
 * Sends one notification by mail from NOTIFY_MAIL_SENDER, with the app's own Graph identity
 * (`POST /users/{sender}/sendMail`, Mail.Send application permission, which an Exchange application
 * access policy limits to that one mailbox). Graph answers 202; a failure throws for the job to retry.
 */
export async function sendEmail(to: MailRecipient, message: NotificationMessage): Promise<void> {
  const sender = env.NOTIFY_MAIL_SENDER;
  if (!sender) throw new Error("NOTIFY_MAIL_SENDER is not set: no mailbox to send from");
  try {
    await appGraphClient()
      .api(`/users/${encodeURIComponent(sender)}/sendMail`)
      .post(buildMail(message, to));
  } catch (error) {
    const {
      statusCode,
      code,
      message: text,
    } = (error ?? {}) as { statusCode?: number; code?: string; message?: string };
    if (statusCode === 403 && code === "Authorization_RequestDenied") {
      throw new Error(missingPermissionMessage(`send mail from ${sender}`, statusCode, code, "Mail.Send"), {
        cause: error,
      });
    }
    throw new Error(
      `sendMail from ${sender} failed${statusCode ? ` (${statusCode} ${code ?? ""})` : ""}: ${text ?? String(error)}`,
    );
  }
}
