import "server-only";
import { env } from "@/lib/config/env";

/**
 * POSTs a JSON payload to a named incoming webhook (NOTIFY_WEBHOOKS). The URL is a secret (whoever
 * has it can post to the channel): errors and logs name the webhook, never the URL. A non-2xx
 * answer or no answer throws, for the delivery job to retry.
 */
export async function postToWebhook(service: "Teams" | "Slack", name: string, payload: unknown): Promise<void> {
  const url = env.NOTIFY_WEBHOOKS[name];
  if (!url) throw new Error(`${service} webhook "${name}" is not configured (NOTIFY_WEBHOOKS)`);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
      redirect: "error",
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.name : "error";
    throw new Error(`${service} webhook "${name}" could not be reached (${reason})`);
  }
  // Consume the body so the connection is reused; its text is short and says why (Slack: "invalid_payload").
  const text = (await response.text().catch(() => "")).slice(0, 200);
  if (!response.ok) {
    throw new Error(`${service} webhook "${name}" answered ${response.status}${text ? `: ${text}` : ""}`);
  }
}
