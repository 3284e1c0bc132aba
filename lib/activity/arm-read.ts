import "server-only";
import { createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import { readWithoutAudit } from "@/lib/access/provider-call";
import type { ProviderCall } from "@/lib/cloud/call-recorder";
import { armAuthorizationClient } from "@/lib/cloud/credentials";
import { toProviderError } from "@/lib/cloud/providers/arm-errors";
import { env } from "@/lib/config/env";

export interface ReadContext {
  correlationId: string;
  onCalls: (calls: ProviderCall[]) => void;
}

export interface ArmAnswer {
  status: number;
  body: unknown;
  /** ARM's error code and message, for a 4xx */
  error?: { code?: string; message?: string };
}

const SUBSCRIPTION = /^\/subscriptions\/([^/]+)/i;

/**
 * One ARM GET as the app, through the ARM client's pipeline (the app's token, the SDK's retries, the
 * call recorder) like lib/posture/read-posture.ts, its calls to the logs and metrics rather than the
 * audit (`onCalls`). A refusal or an absence (4xx) is answered for the caller to word as a problem; a
 * throttled or failing ARM (429, 5xx) is thrown, so that Retry-After is honoured and the job retries.
 */
export async function armRead(path: string, action: string, context: ReadContext): Promise<ArmAnswer> {
  const subscriptionId = SUBSCRIPTION.exec(path)?.[1] ?? "";
  return readWithoutAudit({ ...context, grantKind: "activity", operation: "read" }, async () => {
    const client = armAuthorizationClient(subscriptionId);
    let response;
    try {
      response = await client.sendRequest(createPipelineRequest({ url: `${env.ARM_BASE_URL}${path}`, method: "GET" }));
    } catch (error) {
      throw toProviderError(error, action);
    }
    const text = response.bodyAsText ?? "";
    const body = parseJson(text);
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (response.status === 429 || response.status >= 500) {
      const restError = new RestError(error?.message ?? `HTTP ${response.status}`, {
        statusCode: response.status,
        code: error?.code,
        request: response.request,
        response,
      });
      throw toProviderError(restError, action);
    }
    return { status: response.status, body, ...(response.status >= 400 ? { error: error ?? {} } : {}) };
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
