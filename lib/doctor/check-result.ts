/** One line of `npm run doctor`'s checklist. */
export type CheckStatus = "pass" | "fail" | "warn";

export interface CheckResult {
  /** the checklist section: "Credential", "Graph permissions" … */
  check: string;
  /** what was checked, e.g. "Mail.Send" or "cluster aks-prod-weu" */
  name: string;
  status: CheckStatus;
  detail: string;
  /** what to do about a failure or warning: a portal path, a command, a README section */
  fix?: string;
}

export const pass = (check: string, name: string, detail: string): CheckResult => ({
  check,
  name,
  status: "pass",
  detail,
});

export const fail = (check: string, name: string, detail: string, fix: string): CheckResult => ({
  check,
  name,
  status: "fail",
  detail,
  fix,
});

export const warn = (check: string, name: string, detail: string, fix: string): CheckResult => ({
  check,
  name,
  status: "warn",
  detail,
  fix,
});

/** What a read refused or failed with, in one line: "HTTP 403 Authorization_RequestDenied: …". */
export interface ReadFailure {
  ok: false;
  status: number;
  code: string;
  message: string;
}

export type Read<T> = { ok: true; value: T } | ReadFailure;

export function describeFailure({ status, code, message }: ReadFailure): string {
  const source = [status > 0 ? `HTTP ${status}` : "", code].filter(Boolean).join(" ");
  return [source, message.trim().replace(/\.$/, "")].filter(Boolean).join(": ");
}

/** The reads the checks make; the app's own credential and clients in production, fakes in unit tests. */
export interface TenantReader {
  /** Graph v1.0 GET; `graphList` follows `@odata.nextLink` */
  graph<T>(path: string, options?: { filter?: string; select?: string[] }): Promise<Read<T>>;
  graphList<T>(path: string, options?: { filter?: string; select?: string[] }): Promise<Read<T[]>>;
  /** ARM GET of a path with its api-version; `armList` follows nextLink */
  arm<T>(pathAndQuery: string): Promise<Read<T>>;
  armList<T>(pathAndQuery: string): Promise<Read<T[]>>;
}
