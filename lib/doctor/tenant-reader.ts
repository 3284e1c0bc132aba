import "server-only";
import { LogsQueryResultStatus } from "@azure/monitor-query-logs";
import type { Client } from "@microsoft/microsoft-graph-client";
import { appCredential, appGraphClient, logsQueryClient } from "@/lib/cloud/credentials";
import { env } from "@/lib/config/env";
import type { LogsProbe } from "./check-audit-logs";
import type { Read, ReadFailure, TenantReader } from "./check-result";

/**
 * The doctor reads the tenant exactly as the app will: Graph through the app's Graph client, ARM
 * with the app's credential and token scope. Failures come back as values (a refused read is a
 * finding, not a crash).
 */
export function appTenantReader(): TenantReader {
  const graph = appGraphClient();
  return {
    graph: (path, options) => graphRead(() => request(graph, path, options).get()),
    graphList: (path, options) =>
      graphRead(async () => {
        const items: unknown[] = [];
        let page = (await request(graph, path, options).get()) as GraphPage;
        items.push(...page.value);
        while (page["@odata.nextLink"]) {
          page = (await graph.api(page["@odata.nextLink"]).get()) as GraphPage;
          items.push(...page.value);
        }
        return items;
      }),
    arm: async <T>(pathAndQuery: string) => {
      const read = await armGet(`${env.ARM_BASE_URL}${pathAndQuery}`);
      return read.ok ? { ok: true, value: read.value as T } : read;
    },
    armList: async <T>(pathAndQuery: string) => {
      const items: T[] = [];
      let next: string | undefined = `${env.ARM_BASE_URL}${pathAndQuery}`;
      while (next) {
        const read = await armGet(next);
        if (!read.ok) return read;
        const page = read.value as { value?: T[]; nextLink?: string };
        items.push(...(page.value ?? []));
        next = page.nextLink;
      }
      return { ok: true, value: items };
    },
  };
}

/**
 * A query through the Log Analytics query API as the activity summary sends it: the app's own
 * LogsQueryClient (lib/cloud/credentials.ts). Failures come back as values: the status and Log
 * Analytics' error code (InsufficientAccessError, BadArgumentError, PathNotFoundError ...;
 * https://learn.microsoft.com/azure/azure-monitor/logs/api/errors).
 */
export function appLogsProbe(): LogsProbe {
  const client = logsQueryClient();
  return async (workspaceCustomerId, query) => {
    try {
      const result = await client.queryWorkspace(
        workspaceCustomerId,
        query,
        { duration: "P1D" },
        { serverTimeoutInSeconds: 30, abortSignal: AbortSignal.timeout(ARM_TIMEOUT_MS) },
      );
      if (result.status === LogsQueryResultStatus.PartialFailure) {
        return failure(200, result.partialError.code ?? "PartialError", result.partialError.message ?? "");
      }
      return { ok: true, value: result.tables.reduce((n, table) => n + table.rows.length, 0) };
    } catch (error) {
      const { statusCode, code, message } = error as { statusCode?: number; code?: string; message?: string };
      return failure(statusCode ?? 0, code ?? nameOf(error), message ?? String(error));
    }
  };
}

/** A doctor that hangs on an unreachable endpoint tells nobody anything. */
const ARM_TIMEOUT_MS = 30_000;

interface GraphPage {
  value: unknown[];
  "@odata.nextLink"?: string;
}

function request(graph: Client, path: string, options: { filter?: string; select?: string[] } = {}) {
  let call = graph.api(path);
  if (options.filter) call = call.filter(options.filter);
  if (options.select) call = call.select(options.select);
  return call;
}

async function graphRead<T>(read: () => Promise<unknown>): Promise<Read<T>> {
  try {
    return { ok: true, value: (await read()) as T };
  } catch (error) {
    // The SDK's GraphError (statusCode, code), or a credential error it wrapped with status -1.
    const { statusCode, code, message } = error as { statusCode?: number; code?: string | null; message?: string };
    return failure(typeof statusCode === "number" ? statusCode : 0, code ?? nameOf(error), message ?? String(error));
  }
}

async function armGet(url: string): Promise<Read<unknown>> {
  let response: Response;
  try {
    const token = await appCredential().getToken(env.ARM_APP_SCOPE);
    if (!token) return failure(0, "NoToken", "the credential returned no ARM token");
    response = await fetch(url, {
      headers: { authorization: `Bearer ${token.token}` },
      signal: AbortSignal.timeout(ARM_TIMEOUT_MS),
    });
  } catch (error) {
    return failure(0, nameOf(error), error instanceof Error ? error.message : String(error));
  }
  const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (response.ok) return { ok: true, value: body };
  return failure(response.status, body.error?.code ?? "", body.error?.message ?? response.statusText);
}

const failure = (status: number, code: string, message: string): ReadFailure => ({ ok: false, status, code, message });

const nameOf = (error: unknown) => (error instanceof Error ? error.name : "Error");
